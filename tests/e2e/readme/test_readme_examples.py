"""Every shell example of the README works when pasted in order, as a newcomer would: the
test extracts the ```sh blocks (except those marked `<!-- readme-test: skip … -->`), runs
them in one bash session in a fresh folder against a live server started as `make run`
starts it, and fails on any error an answer reports."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BLOCK = re.compile(r"(<!-- readme-test: skip[^>]*-->\n)?```sh\n(.*?)```", re.S)


def readme_script(port: int) -> str:
    blocks = [body for skip, body in BLOCK.findall((ROOT / "README.md").read_text()) if not skip]
    return "\n".join(blocks).replace("127.0.0.1:8000", f"127.0.0.1:{port}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(tmp_path: Path):
    """The app as `make run` serves it, in a fresh folder with its own SQLite file."""
    port = _free_port()
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parents[1])
    env = os.environ | {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'returns.db'}",
        "RETURNS_PORT": str(port),
        "RETURNS_DEV_CREDENTIALS": "true",
        "RETURNS_MIGRATE_ON_START": "true",
        "RETURNS_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
        "RETURNS_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "ops.cli", "serve"],
        cwd=tmp_path,
        env=env | {"PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_ready(port)
        yield tmp_path, port, env
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait_until_ready(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not become ready")


def _problems(output: str) -> list[str]:
    """Answers (one JSON document a line) that report an error."""
    found = []
    for line in output.splitlines():
        if not line.startswith("{"):
            continue
        answer = json.loads(line)
        errors = answer.get("errors") or [
            e
            for payload in (answer.get("data") or {}).values()
            if isinstance(payload, dict)
            for e in payload.get("userErrors", [])
        ]
        if errors:
            found.append(line)
    return found


def test_the_readme_examples_run_in_order(served) -> None:
    folder, port, env = served
    done = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", readme_script(port)],
        cwd=folder,
        env=env | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert _problems(done.stdout) == [], done.stdout[-3000:]
    assert '"status": "COMPLETED"' in done.stdout or '"status":"COMPLETED"' in done.stdout
    assert "/portal/returns?token=" in done.stdout
