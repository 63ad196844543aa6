"""`returns-api serve` in a real process, as an operator starts it, with its log in a file."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from tests.conftest import TEST_PASSWORD_COST

ROOT = Path(__file__).resolve().parents[3]
SERVE = [sys.executable, "-m", "ops.cli", "serve"]
WORKER_LISTENING = re.compile(r"worker (?P<number>\d+) \(pid (?P<pid>\d+)\) listening on")


def server_env(tmp_path: Path, port: int, **settings: str) -> dict[str, str]:
    """The test's own environment without any RETURNS_* setting but the tests' password
    cost, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETURNS_")}
    env.pop("DATABASE_URL", None)
    return (
        env
        | TEST_PASSWORD_COST
        | {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'returns.db'}",
            "RETURNS_PORT": str(port),
            "RETURNS_AUTO_CLOSE_INTERVAL_SECONDS": "0",
            **settings,
        }
    )


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
def served(tmp_path: Path, port: int, *args: str, **settings: str) -> Iterator[ServedProcess]:
    """A server (`serve *args`) that answers /healthz; killed on the way out, its workers
    with it, if the test did not stop it."""
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*SERVE, *args],
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
            workers = worker_pids(server)
            process.kill()
            process.wait()
            for pid in workers:
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def worker_pids(server: ServedProcess) -> dict[int, int]:
    """Each worker's pid, by number, as the log announced them (the latest per number)."""
    pids: dict[int, int] = {}
    for line in server.log.read_text().splitlines():
        if found := WORKER_LISTENING.search(line):
            pids[int(found["number"])] = int(found["pid"])
    return pids


def wait_for_workers(
    server: ServedProcess, count: int, *, besides: set[int] = frozenset()
) -> dict[int, int]:
    """The pids of `count` listening workers, none of them in `besides` (pids that died)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        pids = worker_pids(server)
        if len(pids) == count and not set(pids.values()) & besides:
            return pids
        time.sleep(0.1)
    raise AssertionError(f"{count} workers did not start: {server.log.read_text()}")


def _wait_until_up(server: ServedProcess) -> None:
    deadline = time.monotonic() + 120  # the suite's other worker loads the machine too
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
