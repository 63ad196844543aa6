"""A desk feed whose session expires closes by itself (4403), with no request or event to
notice it: each process sweeps its desk sockets and closes those whose sessions are past
their idle or absolute end. A feed whose session HTTP calls keep busy stays open."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.settings import Settings
from domain.staff import StaffRole
from ops.app import create_app
from persistence.database import Database
from tests.clocks import FixedClock
from tests.e2e.staff.staff_support import add_user, new_desk

PROTOCOL = "graphql-transport-ws"
SUBSCRIBE = "subscription { returnEvents { eventType } }"
COUNT = "query { returnRequests(first: 1) { totalCount } }"


@pytest.fixture
async def http(db: Database, clock: FixedClock) -> AsyncIterator[TestClient]:
    settings = Settings(
        migrate_on_start=False,
        webhook_interval_seconds=0,
        staff_session_idle_minutes=30,
        staff_session_hours=8,
        staff_session_sweep_seconds=0.1,
    )
    async with TestClient(TestServer(create_app(settings, db=db, clock=clock))) as client:
        yield client


async def test_an_idle_sessions_feed_closes_and_a_busy_ones_stays_open(
    http: TestClient, clock: FixedClock
) -> None:
    sessions: list[aiohttp.ClientSession] = []
    await add_user(http, "sam@example.com", StaffRole.AGENT)
    await add_user(http, "kim@example.com", StaffRole.AGENT)
    idle, busy = new_desk(http, sessions), new_desk(http, sessions)
    assert (await idle.sign_in("sam@example.com")).status == 200
    assert (await busy.sign_in("kim@example.com")).status == 200
    feeds = []
    for desk in (idle, busy):
        socket = await desk.http.ws_connect(f"{desk.url}/graphql", protocols=[PROTOCOL])
        await socket.send_json({"type": "connection_init", "payload": {"X-CSRF-Token": desk.csrf}})
        assert (await socket.receive_json(timeout=5))["type"] == "connection_ack"
        await socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
        feeds.append(socket)
    try:
        clock.advance(minutes=20)
        assert "errors" not in await busy.graphql(COUNT)  # moves the busy one's idle end
        clock.advance(minutes=20)  # the idle one is past its end, the busy one is not

        closed = await feeds[0].receive(timeout=3)
        assert closed.type == aiohttp.WSMsgType.CLOSE and closed.data == 4403
        with pytest.raises(TimeoutError):
            await feeds[1].receive(timeout=0.5)
    finally:
        for each in feeds:
            await each.close()
        for session in sessions:
            await session.close()
