"""Desk sessions ending on one process close the staff member's live desk websockets on the
other one too, on PostgreSQL with two real server processes: signing out (that session's
socket only), a new password (every socket of the user), and expiry (an idle session's
socket, with no request to notice it).

The servers sweep for expired sessions never in the first two tests, so what closes the
other process's socket within a second there is the NOTIFY; the third sweeps every half
second, with sessions that idle out after six seconds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlsplit

import aiohttp
import pytest

from core.settings import Settings
from core.staff import StaffAccounts
from domain.access import new_tenant
from domain.ports import SystemClock
from domain.staff import StaffRole
from persistence.access import AccessStore
from persistence.database import Database
from tests.e2e.processes.servers import Server

PROTOCOL = "graphql-transport-ws"
SUBSCRIBE = "subscription { returnEvents { eventType } }"
TENANT = "team"
PASSWORD = "correct horse battery staple"
SESSION_ENDED = 4403
QUIET = {"RETURNS_STAFF_SESSION_SWEEP_SECONDS": "0"}  # only a NOTIFY can close a socket


async def staff_user(db: Database, email: str) -> None:
    """An agent of TENANT who set their password through their invitation link."""
    clock = SystemClock()
    store = AccessStore(db)
    if await store.tenant(TENANT) is None:
        await store.create_tenant(new_tenant(TENANT, TENANT, clock.now()))
    accounts = StaffAccounts(db, clock, Settings())
    _, link = await accounts.create_user(TENANT, email, None, StaffRole.AGENT)
    await accounts.set_password_by_link(urlsplit(link).fragment.removeprefix("token="), PASSWORD)


class Browser:
    """One browser: its cookie jar (a cookie of 127.0.0.1 goes to both servers' ports, as a
    browser's goes to every process behind one address) and its session's CSRF token."""

    def __init__(self) -> None:
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""

    async def sign_in(self, server: Server, email: str) -> None:
        async with self.http.post(
            f"{server.url}/desk/session",
            json={"tenant": TENANT, "email": email, "password": PASSWORD},
        ) as response:
            assert response.status == 200, await response.text()
            self.csrf = (await response.json())["csrf"]

    async def feed(self, server: Server) -> aiohttp.ClientWebSocketResponse:
        """The desk's live feed on `server`, subscribed."""
        socket = await self.http.ws_connect(f"{server.url}/graphql", protocols=[PROTOCOL])
        await socket.send_json({"type": "connection_init", "payload": {"X-CSRF-Token": self.csrf}})
        assert (await socket.receive_json(timeout=5))["type"] == "connection_ack"
        await socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
        return socket


async def closed_within(socket: aiohttp.ClientWebSocketResponse, seconds: float) -> int | None:
    """The close code the server sends within `seconds`, or None if it stays open."""
    try:
        message = await socket.receive(timeout=seconds)
    except TimeoutError:
        return None
    return message.data if message.type == aiohttp.WSMsgType.CLOSE else None


@pytest.fixture
async def start(db: Database) -> AsyncIterator[Callable[..., object]]:
    if db.is_sqlite:
        pytest.skip("several processes share a PostgreSQL database; SQLite is one process")
    url = db.url.render_as_string(hide_password=False)
    started: list[Server] = []
    browsers: list[Browser] = []
    http = aiohttp.ClientSession()

    async def start_(settings: dict[str, str]) -> tuple[Server, Server, Callable[[], Browser]]:
        pair = (Server(url, settings), Server(url, settings))
        started.extend(pair)
        await asyncio.gather(*(server.start(http) for server in pair))

        def browser() -> Browser:
            browsers.append(Browser())
            return browsers[-1]

        return pair[0], pair[1], browser

    yield start_
    for each in browsers:
        await each.http.close()
    for server in started:
        await server.stop()
    await http.close()


async def test_signing_out_on_one_process_closes_that_sessions_feed_on_the_other(
    db: Database, start: Callable[..., object]
) -> None:
    first, second, browser = await start(QUIET)  # type: ignore[operator]
    await staff_user(db, "sam@example.com")
    laptop, phone = browser(), browser()
    await laptop.sign_in(first, "sam@example.com")
    await phone.sign_in(first, "sam@example.com")
    laptop_feed, phone_feed = await laptop.feed(second), await phone.feed(second)

    async with laptop.http.delete(
        f"{first.url}/desk/session", headers={"X-CSRF-Token": laptop.csrf}
    ) as response:
        assert response.status == 204

    assert await closed_within(laptop_feed, 2) == SESSION_ENDED
    assert await closed_within(phone_feed, 0.5) is None  # another session of the same user
    assert not phone_feed.closed


async def test_a_new_password_on_one_process_closes_every_feed_of_the_user_on_the_other(
    db: Database, start: Callable[..., object]
) -> None:
    first, second, browser = await start(QUIET)  # type: ignore[operator]
    await staff_user(db, "sam@example.com")
    await staff_user(db, "kim@example.com")
    laptop, phone, colleague = browser(), browser(), browser()
    for each, email in ((laptop, "sam"), (phone, "sam"), (colleague, "kim")):
        await each.sign_in(first, f"{email}@example.com")
    feeds = [await laptop.feed(second), await phone.feed(second)]
    untouched = await colleague.feed(second)

    async with laptop.http.post(
        f"{first.url}/desk/session/password",
        json={"current": PASSWORD, "new": "a brand new long password"},
        headers={"X-CSRF-Token": laptop.csrf},
    ) as response:
        assert response.status == 200, await response.text()

    codes = await asyncio.gather(*(closed_within(feed, 2) for feed in feeds))
    assert codes == [SESSION_ENDED, SESSION_ENDED]
    assert await closed_within(untouched, 0.5) is None


async def test_an_expired_session_closes_its_feed_on_the_process_that_holds_it(
    db: Database, start: Callable[..., object]
) -> None:
    first, second, browser = await start(  # type: ignore[operator]
        {
            "RETURNS_STAFF_SESSION_SWEEP_SECONDS": "0.5",
            "RETURNS_STAFF_SESSION_IDLE_MINUTES": "0.1",  # six seconds
        }
    )
    await staff_user(db, "sam@example.com")
    laptop = browser()
    await laptop.sign_in(first, "sam@example.com")
    feed = await laptop.feed(second)

    assert await closed_within(feed, 1) is None  # still within its idle time
    assert await closed_within(feed, 10) == SESSION_ENDED
