"""Scale-out on PostgreSQL, with real server processes: a subscriber on one process sees
every event committed through another, exactly once and in order; killed with SIGKILL and
restarted, the process serves a resumed subscription that still misses nothing.

The servers poll the log only once a minute here, so what the test sees within seconds was
delivered by LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from domain.ports import SystemClock
from persistence.tables import DEFAULT_TENANT
from tests.e2e.conftest import credentials
from tests.e2e.processes.servers import Server

PROTOCOL = "graphql-transport-ws"
EVENTS = "subscription ($after: EventPosition) { returnEvents(after: $after) { position } }"
LOG = """query ($after: EventPosition) {
  returnEvents(first: 100, after: $after) {
    edges { node { position } } pageInfo { hasNextPage endCursor }
  }
}"""
UPSERT_ORDER = """mutation ($input: UpsertOrderInput!) {
  upsertOrder(input: $input) { userErrors { code message } } }"""
CREATE_RETURN = """mutation ($input: CreateReturnInput!) {
  createReturn(input: $input) { returnRequest { returnRequestId } userErrors { message } } }"""
ADD_NOTE = """mutation ($input: AddReturnNoteInput!) {
  addReturnNote(input: $input) { userErrors { message } } }"""


@pytest.fixture
async def servers(db) -> AsyncIterator[tuple[Server, Server]]:
    if db.is_sqlite:
        pytest.skip("several processes share a PostgreSQL database; SQLite is one process")
    url = db.url.render_as_string(hide_password=False)
    pair = (Server(url), Server(url))
    yield pair
    for server in pair:
        await server.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as http:
        yield http


class Writer:
    """A merchant integration writing through one server."""

    def __init__(self, http: aiohttp.ClientSession, server: Server, headers: dict[str, str]):
        self.http, self.server, self.headers = http, server, headers

    async def data(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        async with self.http.post(
            f"{self.server.url}/graphql",
            json={"query": query, "variables": variables},
            headers=self.headers,
        ) as response:
            body = await response.json()
        assert "errors" not in body, body
        return body["data"]

    async def new_request(self) -> str:
        delivered = (datetime.now(UTC) - timedelta(days=1)).isoformat()
        line = {"sku": "A", "quantity": 50, "unitPrice": "10", "deliveredAt": delivered}
        order = {"merchant": "acme", "reference": "SO-1", "currency": "AED", "lines": [line]}
        await self.data(UPSERT_ORDER, {"input": order})
        ask = {"merchant": "acme", "orderReference": "SO-1", "items": [{"sku": "A", "quantity": 1}]}
        created = await self.data(CREATE_RETURN, {"input": ask})
        return created["createReturn"]["returnRequest"]["returnRequestId"]

    async def note(self, rid: str, text: str) -> None:
        added = await self.data(ADD_NOTE, {"input": {"returnRequestId": rid, "text": text}})
        assert added["addReturnNote"]["userErrors"] == []

    async def log(self) -> list[int]:
        positions: list[int] = []
        after = None
        while True:
            page = (await self.data(LOG, {"after": after}))["returnEvents"]
            positions += [int(edge["node"]["position"]) for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                return positions
            after = page["pageInfo"]["endCursor"]


class Subscription:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.positions: list[int] = []

    @classmethod
    async def open(
        cls, http: aiohttp.ClientSession, server: Server, headers: dict[str, str], after: int
    ) -> Subscription:
        ws = await http.ws_connect(f"{server.url}/graphql", protocols=[PROTOCOL])
        await ws.send_json({"type": "connection_init", "payload": headers})
        assert json.loads((await ws.receive(timeout=5)).data)["type"] == "connection_ack"
        payload = {"query": EVENTS, "variables": {"after": str(after)}}
        await ws.send_json({"id": "1", "type": "subscribe", "payload": payload})
        return cls(ws)

    async def take(self, count: int, wait: float = 10) -> None:
        """Receive until `count` events arrived in all; stop early if the socket closes."""
        async with asyncio.timeout(wait):
            while len(self.positions) < count:
                message = await self.ws.receive()
                if message.type != aiohttp.WSMsgType.TEXT:
                    return
                body = json.loads(message.data)
                if body["type"] == "next":
                    position = body["payload"]["data"]["returnEvents"]["position"]
                    self.positions.append(int(position))


async def test_a_subscriber_on_one_process_sees_every_commit_of_another_once_in_order(
    servers, session, db
):
    reader, writer_server = servers
    await asyncio.gather(reader.start(session), writer_server.start(session))
    headers = await credentials(db, SystemClock(), DEFAULT_TENANT)  # the servers' clock
    writer = Writer(session, writer_server, headers)
    subscription = await Subscription.open(session, reader, headers, after=0)

    rid = await writer.new_request()
    for n in range(20):
        await writer.note(rid, f"note {n}")
    expected = await writer.log()
    await subscription.take(len(expected))

    assert subscription.positions == expected
    with pytest.raises(TimeoutError):
        await subscription.take(len(expected) + 1, wait=0.5)
    await subscription.ws.close()


async def test_a_killed_and_restarted_process_resumes_without_losing_an_event(servers, session, db):
    reader, writer_server = servers
    await asyncio.gather(reader.start(session), writer_server.start(session))
    headers = await credentials(db, SystemClock(), DEFAULT_TENANT)  # the servers' clock
    writer = Writer(session, writer_server, headers)
    rid = await writer.new_request()

    async def keep_writing() -> None:
        for n in range(60):
            await writer.note(rid, f"note {n}")
            await asyncio.sleep(0.01)

    writes = asyncio.create_task(keep_writing())
    first = await Subscription.open(session, reader, headers, after=0)
    await first.take(10)
    await reader.kill()  # SIGKILL mid-stream: no clean shutdown, no goodbye to the client
    await first.take(10_000, wait=5)  # drain what was in flight until the socket drops
    assert first.ws.closed or (await first.ws.receive(timeout=5)).type != aiohttp.WSMsgType.TEXT

    await reader.start(session)
    resumed = await Subscription.open(session, reader, headers, after=first.positions[-1])
    await writes
    expected = await writer.log()
    await resumed.take(len(expected) - len(first.positions))

    seen = first.positions + resumed.positions
    assert seen == expected
    assert len(set(seen)) == len(seen)
    await resumed.ws.close()
