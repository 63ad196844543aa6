"""How long a committed change takes to reach the operator's screen: 100 assignments made
by another system, each timed from the moment its HTTP answer arrived (the change had
committed) to the moment the page had redrawn the row (a MutationObserver in the page notes
the time). The browser and the server share the machine's clock. Measured twice: on SQLite
with the app in the test's process, and on PostgreSQL with two real server processes (the
page on one, the writes through the other, so each change crosses by LISTEN/NOTIFY). Results
go to tests/browser/screenshots/desk-latency-*.json and the test's output."""

from __future__ import annotations

import json
import statistics
import time
from datetime import UTC, datetime

import aiohttp

from domain.ports import SystemClock
from ops.demo import seed_demo
from persistence.unit_of_work import UnitsOfWork
from tests.browser.conftest import SCREENSHOTS
from tests.browser.desk_support import LAPTOP, Backend, new_client, row, sign_in
from tests.clocks import FixedClock
from tests.e2e.processes.test_processes_fan_out import Server

CHANGES = 100
WATCH = """rid => {
  window.seenAt = {};
  const list = document.getElementById("queue");
  new MutationObserver(() => {
    const name = list.querySelector(`li[data-rid="${rid}"] .assignee`)?.textContent;
    if (name && !(name in window.seenAt)) {
      window.seenAt[name] = performance.timeOrigin + performance.now();
    }
  }).observe(list, { childList: true, subtree: true, characterData: true });
}"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(page, backend: Backend, rid: str) -> dict:
    """Assign the request CHANGES times; each change's time from commit to screen, in ms."""
    await row(page, rid).wait_for()
    await page.evaluate(WATCH, rid)
    from_answer, from_request = [], []
    for n in range(CHANGES):
        sent = time.time()
        await backend.change("assignReturn", {"returnRequestId": rid, "user": f"op-{n}"})
        answered = time.time()
        await row(page, rid).locator(".assignee", has_text=f"op-{n}").wait_for()
        shown = await page.evaluate(f"window.seenAt['op-{n}']") / 1000
        from_answer.append((shown - answered) * 1000)
        from_request.append((shown - sent) * 1000)
    return {
        "changes": CHANGES,
        "from_commit_ms": {
            "p50": round(statistics.median(from_answer), 1),
            "p99": round(percentile(from_answer, 0.99), 1),
            "max": round(max(from_answer), 1),
        },
        "from_request_sent_ms": {
            "p50": round(statistics.median(from_request), 1),
            "p99": round(percentile(from_request, 0.99), 1),
        },
    }


def record(name: str, report: dict) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / f"desk-latency-{name}.json").write_text(json.dumps(report, indent=2))
    print(f"desk commit-to-screen latency ({name}):", json.dumps(report))


async def test_changes_reach_the_screen_well_within_a_second(db, live_app, open_page):
    """On SQLite the app serves in this process (on its own file); on PostgreSQL two server
    processes share `db`, the page on one and the writes through the other."""
    if db.is_sqlite:
        report = await _one_process(live_app, open_page)
        record("sqlite-one-process", report)
    else:
        report = await _two_processes(db, open_page)
        record("postgres-two-processes", report)
    assert report["from_commit_ms"]["p99"] < 1000


async def _one_process(live_app, open_page) -> dict:
    clock = FixedClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    live = await live_app(clock=clock)
    await seed_demo(UnitsOfWork(live.db, clock))
    client = await new_client(live.db, clock)
    async with aiohttp.ClientSession() as http:
        backend = Backend(http, live.url, client)
        await backend.order("SO-1", now=clock.now())
        rid = await backend.create_return("SO-1")
        page = await open_page(live.url, viewport=LAPTOP)
        await sign_in(page, live.url, client, "watcher@ops")
        return await measure(page, backend, rid)


async def _two_processes(db, open_page) -> dict:
    url = db.url.render_as_string(hide_password=False)
    page_server, writer_server = Server(url), Server(url)
    clock = SystemClock()
    await seed_demo(UnitsOfWork(db, clock))
    client = await new_client(db, clock)
    try:
        async with aiohttp.ClientSession() as http:
            await page_server.start(http)
            await writer_server.start(http)
            backend = Backend(http, writer_server.url, client)
            await backend.order("SO-1", now=clock.now())
            rid = await backend.create_return("SO-1")
            page = await open_page(page_server.url, viewport=LAPTOP)
            await sign_in(page, page_server.url, client, "watcher@ops")
            return await measure(page, backend, rid)
    finally:
        await page_server.stop()
        await writer_server.stop()
