"""Operating the server: what it says when it starts and stops, what it refuses to start on,
and what it does not say on every probe."""

from __future__ import annotations

import socket
import subprocess

from tests.e2e.operations.serving import ROOT, SERVE, served, server_env
from tests.e2e.processes.test_processes_fan_out import free_port


def test_a_taken_port_is_one_line_naming_returns_port_and_a_failing_exit(tmp_path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            SERVE, cwd=ROOT, env=server_env(tmp_path, port), capture_output=True, timeout=60
        )
    assert done.returncode != 0
    assert done.stdout == b"", "nothing may claim the server is up"
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1, done.stderr.decode()
    assert '"level": "ERROR"' in lines[0]
    assert "RETURNS_PORT" in lines[0] and str(port) in lines[0]
    assert not (tmp_path / "returns.db").exists(), "nothing started: not even migrations"


def test_the_server_logs_one_line_when_it_listens_and_one_when_it_stops(tmp_path) -> None:
    port = free_port()
    with served(tmp_path, port) as server:
        status = server.stop()
    assert status == 0
    messages = [entry["message"] for entry in server.json_log()]
    listening = [m for m in messages if m.startswith("returns-api listening")]
    assert listening == [f"returns-api listening on http://127.0.0.1:{port} (GraphQL at /graphql)"]
    stopped = [m for m in messages if m.startswith("returns-api stopped")]
    assert stopped == [f"returns-api stopped serving http://127.0.0.1:{port}"]
    assert messages.index(listening[0]) < messages.index(stopped[0]) == len(messages) - 1
