"""`returns-api serve` in a real process, as an operator starts it, with its log in a file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
SERVE = [sys.executable, "-m", "ops.cli", "serve"]


def server_env(tmp_path: Path, port: int, **settings: str) -> dict[str, str]:
    """The test's own environment without any RETURNS_* setting, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETURNS_")}
    env.pop("DATABASE_URL", None)
    return env | {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'returns.db'}",
        "RETURNS_PORT": str(port),
        "RETURNS_AUTO_CLOSE_INTERVAL_SECONDS": "0",
        **settings,
    }


class ServedProcess:
    def __init__(self, process: subprocess.Popen[bytes], log: Path, url: str) -> None:
        self.process, self.log, self.url = process, log, url

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stop(self) -> int:
        """SIGTERM, as an orchestrator stops it; the exit status."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)

    def json_log(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log.read_text().splitlines()]


@contextmanager
def served(tmp_path: Path, port: int, **settings: str) -> Iterator[ServedProcess]:
    """A server that answers /healthz; killed on the way out if the test did not stop it."""
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            SERVE,
            cwd=ROOT,
            env=server_env(tmp_path, port, **settings),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = ServedProcess(process, log, f"http://127.0.0.1:{port}")
    try:
        _wait_until_up(server)
        yield server
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _wait_until_up(server: ServedProcess) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"the server exited: {server.log.read_text()}")
        try:
            if server.get("/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"the server did not start: {server.log.read_text()}")
