"""The desk survives a restart of the server it is connected to: the page says it lost the
connection, reconnects with backoff, resumes `returnEvents` after the last position it saw
and shows what changed meanwhile, exactly once.

Two real `returns-api serve` processes share the database: the page is connected to one,
writes go through the other (on PostgreSQL a live change crosses processes by LISTEN/NOTIFY;
on SQLite both processes use one file and the page catches up from the log). The servers poll
the log once a minute only, so what arrives within seconds was delivered, not polled."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from domain.ports import SystemClock
from ops.demo import seed_demo
from persistence.unit_of_work import UnitsOfWork
from tests.browser.conftest import screenshot
from tests.browser.desk_support import LAPTOP, LIVE, Backend, new_client, open_return, row, sign_in
from tests.e2e.processes.test_processes_fan_out import Server

SECOND = 1_000
AFTER = """query ($after: EventPosition) {
  returnEvents(first: 100, after: $after) { edges { node { position } } } }"""


@pytest.fixture
async def servers(db) -> AsyncIterator[tuple[Server, Server]]:
    url = db.url.render_as_string(hide_password=False)
    pair = (Server(url), Server(url))
    yield pair
    for server in pair:
        await server.stop()


async def test_the_page_reconnects_after_a_restart_and_shows_the_change_made_meanwhile_once(
    servers, db, open_page
):
    page_server, writer_server = servers
    clock = SystemClock()  # the servers' own clock
    await seed_demo(UnitsOfWork(db, clock))
    client = await new_client(db, clock)
    async with aiohttp.ClientSession() as http:
        await page_server.start(http)
        await writer_server.start(http)
        writer = Backend(http, writer_server.url, client)
        await writer.order("SO-1", now=clock.now())
        rid = await writer.create_return("SO-1")
        page = await open_page(page_server.url, viewport=LAPTOP)
        await sign_in(page, page_server.url, client, "alice@ops")
        await open_return(page, rid)
        if not db.is_sqlite:  # across processes while both run: LISTEN/NOTIFY
            await writer.change("assignReturn", {"returnRequestId": rid, "user": "kim"})
            await row(page, rid).locator(".assignee", has_text="kim").wait_for(timeout=LIVE)
        seen = await page.evaluate("window.returnsDesk.feed.position.toString()")

        await page_server.stop()
        await page.locator("#live-status[data-state=lost]").wait_for(timeout=10 * SECOND)
        lost = await page.locator("#live-status").inner_text()
        await screenshot(page, "desk-connection-lost")
        await writer.change("approveReturn", {"returnRequestId": rid}, user="bob@ops")
        await writer.change("addReturnNote", {"returnRequestId": rid, "text": "while away"})
        missed = await writer.graphql(AFTER, {"after": seen})
        await page_server.start(http)

        await page.locator("#live-status[data-state=live]").wait_for(timeout=20 * SECOND)
        await row(page, rid).locator(".row[data-status=APPROVED]").wait_for(timeout=LIVE)
        await page.locator(".notes li", has_text="while away").wait_for(timeout=LIVE)
        await screenshot(page, "desk-reconnected")
        resumed = (await page.locator("#live-status").get_attribute("data-resumed-after")).split(
            ","
        )
        received = await page.evaluate("window.returnsDesk.feed.received")

    expected = [edge["node"]["position"] for edge in missed["returnEvents"]["edges"]]
    assert "Connection lost" in lost
    assert resumed[-1] == seen  # the subscription resumed after the last position seen
    assert received[-len(expected) :] == expected  # what was missed, in order
    assert len(received) == len(set(received))  # nothing twice
    assert await page.locator("#queue li[data-rid]").count() == 1
    assert await page.locator(".notes li", has_text="while away").count() == 1
    # The browser itself logs each refused connection while the server is down; nothing else.
    assert [e for e in page.console_errors if "ERR_CONNECTION_REFUSED" not in e] == []
