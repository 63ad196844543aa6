"""`returns-api serve --workers N`: several processes serve one port, a worker that dies is
restarted, SIGTERM stops them all within seconds, and a subscription held by one worker sees
what is written through another.

Which worker takes a connection is the kernel's choice; the tests make it theirs by stopping
the other worker (SIGSTOP): a stopped process accepts nothing, so the one left running
answers."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from domain.ports import SystemClock
from persistence.database import Database
from persistence.tables import DEFAULT_TENANT
from tests.e2e.conftest import credentials
from tests.e2e.operations.scraping import parse
from tests.e2e.operations.serving import (
    ROOT,
    SERVE,
    ServedProcess,
    served,
    server_env,
    wait_for_workers,
)
from tests.e2e.processes.servers import free_port

PROTOCOL = "graphql-transport-ws"
EVENTS = "subscription { returnEvents { position eventType } }"
UPSERT_ORDER = """mutation ($input: UpsertOrderInput!) {
  upsertOrder(input: $input) { userErrors { code message } } }"""
CREATE_RETURN = """mutation ($input: CreateReturnInput!) {
  createReturn(input: $input) { returnRequest { returnRequestId } userErrors { message } } }"""


@contextmanager
def only_running(*pids: int, stopped: tuple[int, ...]) -> Iterator[None]:
    """`stopped` pids are frozen (SIGSTOP) for the block: only `pids` can accept."""
    assert set(pids).isdisjoint(stopped)
    for pid in stopped:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in stopped:
            os.kill(pid, signal.SIGCONT)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_worker_count_that_is_not_a_positive_number_is_refused_before_anything_starts(
    tmp_path,
) -> None:
    port = free_port()
    done = subprocess.run(
        [*SERVE, "--workers", "0"],
        cwd=ROOT,
        env=server_env(tmp_path, port),
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--workers: expected a number from 1 to 64, got '0'" in done.stderr.decode()
    assert not (tmp_path / "returns.db").exists()


def test_two_workers_answer_on_one_port_from_two_processes(tmp_path) -> None:
    with served(tmp_path, free_port(), "--workers", "2") as server:
        pids = wait_for_workers(server, 2)
        first, second = pids[1], pids[2]
        assert first != second and server.process.pid not in (first, second)
        with only_running(first, stopped=(second,)):
            assert server.get("/healthz")[0] == 200
        with only_running(second, stopped=(first,)):
            assert server.get("/healthz")[0] == 200
        assert server.stop() == 0


def test_a_killed_worker_is_restarted_and_serves(tmp_path) -> None:
    with served(tmp_path, free_port(), "--workers", "2") as server:
        pids = wait_for_workers(server, 2)
        os.kill(pids[1], signal.SIGKILL)
        restarted = wait_for_workers(server, 2, besides={pids[1]})
        assert restarted[2] == pids[2]
        with only_running(restarted[1], stopped=(pids[2],)):
            assert server.get("/healthz")[0] == 200
        server.stop()
    died = [e for e in server.json_log() if "worker 1" in e["message"] and "exited" in e["message"]]
    assert len(died) == 1 and died[0]["level"] == "WARNING", died
    assert f"pid {pids[1]}" in died[0]["message"]


def test_sigterm_stops_the_supervisor_and_every_worker_within_seconds(tmp_path) -> None:
    port = free_port()
    with served(tmp_path, port, "--workers", "2") as server:
        pids = wait_for_workers(server, 2)
        began = time.monotonic()
        status = server.stop()
        took = time.monotonic() - began
    assert status == 0 and took < 5, took
    assert not any(alive(pid) for pid in pids.values())
    messages = [entry["message"] for entry in server.json_log()]
    assert messages[-1] == f"returns-api stopped serving http://127.0.0.1:{port}"
    assert sum("stopped" in m and "worker" in m for m in messages) == 2, messages


def test_a_worker_whose_supervisor_was_killed_stops_itself(tmp_path) -> None:
    with served(tmp_path, free_port(), "--workers", "2") as server:
        pids = wait_for_workers(server, 2)
        server.process.kill()
        server.process.wait()
        deadline = time.monotonic() + 15
        while any(alive(pid) for pid in pids.values()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in pids.values())


class Writer:
    """Writes through whichever worker is running, on a new connection each time."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.url, self.headers = url, headers

    async def data(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        fresh = aiohttp.TCPConnector(force_close=True)  # no kept-alive connection to reuse
        async with (
            aiohttp.ClientSession(connector=fresh) as http,
            http.post(
                f"{self.url}/graphql",
                json={"query": query, "variables": variables},
                headers=self.headers,
            ) as response,
        ):
            body = await response.json()
        assert "errors" not in body, body
        return body["data"]

    async def new_request(self) -> str:
        delivered = (datetime.now(UTC) - timedelta(days=1)).isoformat()
        line = {"sku": "A", "quantity": 5, "unitPrice": "10", "deliveredAt": delivered}
        order = {"merchant": "acme", "reference": "SO-1", "currency": "AED", "lines": [line]}
        await self.data(UPSERT_ORDER, {"input": order})
        ask = {"merchant": "acme", "orderReference": "SO-1", "items": [{"sku": "A", "quantity": 1}]}
        created = await self.data(CREATE_RETURN, {"input": ask})
        return created["createReturn"]["returnRequest"]["returnRequestId"]


async def subscribe(http: aiohttp.ClientSession, url: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    ws = await http.ws_connect(f"{url}/graphql", protocols=[PROTOCOL])
    await ws.send_json({"type": "connection_init", "payload": headers})
    assert json.loads((await ws.receive(timeout=10)).data)["type"] == "connection_ack"
    await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": EVENTS}})
    return ws


async def joined_the_feed(server: ServedProcess) -> None:
    """Until the worker that answers counts a live subscriber (its feed is joined, so the
    next write is news to it); a fixed pause was too short on a loaded machine."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, text = await asyncio.to_thread(server.get, "/metrics")
        if status == 200 and (parse(text).value("returns_subscribers") or 0) >= 1:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the subscription never joined the worker's feed")


async def next_event(ws: aiohttp.ClientWebSocketResponse, wait: float) -> dict[str, Any]:
    async with asyncio.timeout(wait):
        while True:
            message = await ws.receive()
            assert message.type == aiohttp.WSMsgType.TEXT, message
            body = json.loads(message.data)
            if body["type"] == "next":
                return body["payload"]["data"]["returnEvents"]


async def test_a_subscription_on_one_worker_sees_a_return_made_through_the_other(
    tmp_path, db: Database
) -> None:
    headers = await credentials(db, SystemClock(), DEFAULT_TENANT)  # type: ignore[arg-type]
    settings = {"DATABASE_URL": db.url.render_as_string(hide_password=False)}
    if not db.is_sqlite:
        # Polled once a minute: what arrives within seconds came by LISTEN/NOTIFY.
        settings["RETURNS_EVENT_POLL_SECONDS"] = "60"
    with served(tmp_path, free_port(), "--workers", "2", **settings) as server:
        pids = wait_for_workers(server, 2)
        async with aiohttp.ClientSession() as http:
            with only_running(pids[1], stopped=(pids[2],)):
                ws = await subscribe(http, server.url, headers)
                await joined_the_feed(server)  # of worker 1, before anything is written
            with only_running(pids[2], stopped=(pids[1],)):
                await Writer(server.url, headers).new_request()
            event = await next_event(ws, wait=30)  # below the minute a poll would take
            assert event["eventType"] == "ReturnRequested"
            await ws.close()
        server.stop()


@pytest.mark.parametrize("workers", [(), ("--workers", "2")], ids=["one process", "workers"])
async def test_sigterm_closes_an_open_subscription_with_1001_and_exits_at_once(
    tmp_path, db: Database, workers: tuple[str, ...]
) -> None:
    headers = await credentials(db, SystemClock(), DEFAULT_TENANT)  # type: ignore[arg-type]
    port = free_port()
    settings = {"DATABASE_URL": db.url.render_as_string(hide_password=False)}
    with served(tmp_path, port, *workers, **settings) as server:
        if workers:
            wait_for_workers(server, 2)
        async with aiohttp.ClientSession() as http:
            ws = await subscribe(http, server.url, headers)
            await asyncio.sleep(0.2)
            began = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            closing = await ws.receive(timeout=30)
            closed_after = time.monotonic() - began
            status = await asyncio.to_thread(server.process.wait, 30)
            exited_after = time.monotonic() - began
    assert closing.type == aiohttp.WSMsgType.CLOSE and closing.data == 1001, closing
    assert closed_after < 2 and exited_after < 5, (closed_after, exited_after)
    assert status == 0
    assert _stop_line(server, port)


def _stop_line(server: ServedProcess, port: int) -> bool:
    messages = [entry["message"] for entry in server.json_log()]
    return messages[-1] == f"returns-api stopped serving http://127.0.0.1:{port}"
