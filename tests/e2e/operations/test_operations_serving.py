"""Operating the server: what it says when it starts and stops, what it refuses to start on,
and what it does not say on every probe."""

from __future__ import annotations

import logging
import os
import socket
import subprocess

from tests.e2e.operations.scraping import parse
from tests.e2e.operations.serving import ROOT, SERVE, served, server_env
from tests.e2e.processes.servers import free_port


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


def test_make_run_serves_with_human_readable_text_logs() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    plan = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.replace("\\\n", " ")
    serve = [line for line in plan.splitlines() if line.rstrip().endswith("returns-api serve")]
    assert len(serve) == 1, plan
    assert "RETURNS_LOG_FORMAT=text" in serve[0]


def test_text_logs_are_plain_lines(tmp_path) -> None:
    port = free_port()
    with served(tmp_path, port, RETURNS_LOG_FORMAT="text") as server:
        server.stop()
    text = server.log.read_text()
    listening = [line for line in text.splitlines() if "listening on" in line]
    assert len(listening) == 1 and not listening[0].startswith("{")
    assert " INFO " in listening[0]


async def test_readiness_probes_leave_no_alembic_chatter_in_the_log(http, caplog) -> None:
    caplog.set_level(logging.INFO)
    for _ in range(3):
        assert (await http.get("/readyz")).status == 200
    assert [r.getMessage() for r in caplog.records if r.name.startswith("alembic")] == []


def test_a_real_server_is_scraped_with_its_metrics_token(tmp_path) -> None:
    token = "a-token-for-the-scraper-only"
    with served(tmp_path, free_port(), RETURNS_METRICS_TOKEN=token) as server:
        refused, _ = server.get("/metrics")
        status, text = server.get("/metrics", {"Authorization": f"Bearer {token}"})
        server.stop()
    assert (refused, status) == (401, 200)
    metrics = parse(text)
    health = {"face": "health", "operation": "GET /healthz", "status": "2xx"}
    assert metrics.value("returns_http_requests_total", **health) >= 1
    assert metrics.value("returns_errors_total", face="metrics", code="UNAUTHENTICATED") == 1
    assert metrics.value("returns_db_pool_max") is not None
    assert metrics.value("process_resident_memory_bytes") is not None
