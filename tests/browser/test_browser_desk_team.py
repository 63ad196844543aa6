"""The desk for a team (issue 26): the customer's photos in the panel and full size, the search
box, bulk approval where each row reports its own outcome (one conflict does not stop the
other 19), the CSV of a filter matching the list, and the insights page; at a laptop's and
a tablet's size, in English and Arabic, with axe finding nothing serious."""

from __future__ import annotations

import csv
import io
import struct
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from domain.photos import ImageKind
from ops.bootstrap import WIRING_KEY
from ops.demo import seed_demo
from persistence.unit_of_work import UnitsOfWork
from tests.browser.conftest import accessibility_problems, screenshot
from tests.browser.desk_support import (
    LAPTOP,
    MERCHANT,
    TABLET,
    UPSERT_ORDER,
    Backend,
    new_client,
    open_return,
    row,
    sign_in,
)
from tests.clocks import FixedClock

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ORDER = "TEAM-7001"
ROWS = 20
CREATE = """mutation ($input: CreateReturnInput!) {
  createReturn(input: $input) { returnRequest { returnRequestId } userErrors { code message } } }"""


def png(width: int = 480, height: int = 320) -> bytes:
    """A real PNG (a colour gradient), made here so the test needs no image library."""
    raw = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 255 // width, y * 255 // height, 160))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))


@pytest.fixture
async def team(live_app):
    """20 pending requests of one order (the newest with a customer's photo)."""
    clock = FixedClock(NOW)
    live = await live_app(clock=clock)
    await seed_demo(UnitsOfWork(live.db, clock))
    client = await new_client(live.db, clock)
    photo_id = await live.app[WIRING_KEY].photos.store.save(client.tenant_id, png(), ImageKind.PNG)
    async with aiohttp.ClientSession() as http:
        backend = Backend(http, live.url, client)
        line = {"sku": "TSHIRT", "description": "T-shirt", "quantity": 100, "unitPrice": "79.00",
                "deliveredAt": (NOW - timedelta(days=2)).isoformat()}  # fmt: skip
        order = {"merchant": MERCHANT, "reference": ORDER, "currency": "AED", "lines": [line],
                 "customer": {"name": "Noor Al Hashimi", "email": "noor@example.com",
                              "phone": "+971 50 765 1234"}}  # fmt: skip
        assert (await backend.graphql(UPSERT_ORDER, {"input": order}))["upsertOrder"][
            "userErrors"
        ] == []
        ids = []
        for n in range(ROWS):
            clock.advance(seconds=1)
            item = {"sku": "TSHIRT", "quantity": 1 + n % 3, "reasonCode": "CHANGED_MIND"}
            if n == ROWS - 1:
                item["imageUrls"] = [f"{live.url}/photos/{photo_id}"]
            ask = {"merchant": MERCHANT, "orderReference": ORDER, "items": [item],
                   "pickup": {"partnerLocationId": "WH-DXB"},
                   "dropoff": {"partnerLocationId": "WH-DXB"}}  # fmt: skip
            payload = (await backend.graphql(CREATE, {"input": ask}))["createReturn"]
            assert payload["userErrors"] == [], payload
            ids.append(payload["returnRequest"]["returnRequestId"])
        yield live, client, backend, ids


async def signed_in(team: Any, open_page: Any, viewport: dict, lang: str) -> Any:
    live, client, _backend, _ids = team
    page = await open_page(live.url, viewport=viewport, timezone_id="Asia/Dubai")
    await sign_in(page, live.url, client, "alice@ops", lang=lang)
    return page


async def search(page: Any, text: str, expected: int) -> None:
    await page.fill("#filter-search", text)
    await page.press("#filter-search", "Enter")
    await page.locator("#queue li[data-rid]").nth(expected - 1).wait_for()
    assert await page.locator("#queue li[data-rid]").count() == expected


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("viewport", [LAPTOP, TABLET], ids=["laptop", "tablet"])
async def test_the_panel_shows_the_customers_photo_full_size(team, open_page, viewport, lang):
    page = await signed_in(team, open_page, viewport, lang)
    _live, _client, _backend, ids = team
    await search(page, "noor", ROWS)
    first = row(page, ids[-1])
    assert "Noor Al Hashimi" in await first.locator(".customer").inner_text()
    assert await first.locator(".value").count() == 1
    await open_return(page, ids[-1])
    thumb = page.locator(".photos img.thumb")
    await page.wait_for_function(
        "() => { const i = document.querySelector('.photos img.thumb');"
        " return i && i.src.startsWith('blob:') && i.complete && i.naturalWidth === 480; }"
    )
    await screenshot(page, f"desk-team-{lang}-{viewport['width']}-panel-photos")
    assert await accessibility_problems(page) == []
    await thumb.click()
    viewer = page.locator("dialog.photo-viewer img.full")
    await viewer.wait_for()
    await page.wait_for_function(
        "() => document.querySelector('dialog.photo-viewer img.full')?.naturalWidth === 480"
    )
    await screenshot(page, f"desk-team-{lang}-{viewport['width']}-photo-full")
    await page.keyboard.press("Escape")
    await viewer.wait_for(state="detached")
    assert page.console_errors == []


async def test_the_photo_is_refused_without_the_desks_credentials(team) -> None:
    _live, _client, backend, ids = team
    detail = await backend.graphql(
        "query ($id: ID!) { returnRequest(id: $id) { items { imageUrls } } }", {"id": ids[-1]}
    )
    url = detail["returnRequest"]["items"][0]["imageUrls"][0]
    async with aiohttp.ClientSession() as stranger, stranger.get(url) as response:
        assert response.status == 401


@pytest.mark.parametrize("lang", ["en", "ar"])
async def test_bulk_approve_of_20_with_one_conflict_reports_19_done_and_1_conflict(
    team, open_page, lang
):
    page = await signed_in(team, open_page, LAPTOP, lang)
    _live, _client, backend, ids = team
    await search(page, ORDER.lower(), ROWS)
    await page.locator(
        "#bulk button", has_text=("Select all shown" if lang == "en" else "تحديد كل المعروض")
    ).click()
    await page.locator(f"#bulk .bulk-count[data-count='{ROWS}']").wait_for()
    victim = ids[7]
    raced = []

    async def race(route: Any) -> None:
        """Another operator changes one request just before this desk's approval lands."""
        body = route.request.post_data or ""
        if victim in body and "approveReturn" in body and not raced:
            raced.append(victim)
            await backend.change("assignReturn", {"returnRequestId": victim, "user": "bob@ops"})
        await route.continue_()

    await page.route("**/graphql", race)
    await page.locator("#bulk button[data-bulk=approve]").click()
    summary = page.locator("#bulk .bulk-summary")
    await summary.wait_for(timeout=20_000)
    assert await summary.get_attribute("data-done") == "19"
    assert await summary.get_attribute("data-conflicts") == "1"
    assert await summary.get_attribute("data-failed") == "0"
    conflict = page.locator("#bulk li[data-outcome=conflict]")
    assert await conflict.count() == 1
    assert victim in await conflict.inner_text()
    assert await page.locator("#queue .badge.status-APPROVED").count() >= 19
    await screenshot(page, f"desk-team-{lang}-{LAPTOP['width']}-bulk-results")
    assert await accessibility_problems(page) == []
    # the conflicting one is still pending and still ticked, ready for another try
    await page.locator("#bulk .bulk-count[data-count='1']").wait_for()


async def test_the_csv_of_a_filter_matches_the_list(team, open_page):
    page = await signed_in(team, open_page, LAPTOP, "en")
    await search(page, "noor", ROWS)
    await page.select_option("#filter-orderBy", "HIGHEST_VALUE")
    await page.press("#filter-search", "Enter")
    await page.wait_for_function(
        "() => window.returnsDesk?.model.filter.orderBy === 'HIGHEST_VALUE'"
    )
    shown = await page.locator("#queue li[data-rid]").evaluate_all(
        "items => items.map(i => i.dataset.rid)"
    )
    async with page.expect_download() as download:
        await page.click("#export-csv")
    path = await (await download.value).path()
    rows = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8"))))  # noqa: ASYNC240
    assert [r["return_request_id"] for r in rows] == shown
    assert {r["customer_name"] for r in rows} == {"Noor Al Hashimi"}


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("viewport", [LAPTOP, TABLET], ids=["laptop", "tablet"])
async def test_the_insights_page_draws_each_chart_with_its_table(team, open_page, viewport, lang):
    page = await signed_in(team, open_page, viewport, lang)
    _live, _client, backend, ids = team
    await page.click("#mode-insights")
    await page.fill("#insights-merchant", MERCHANT)
    await page.fill("#insights-from", "2026-11-01")
    await page.fill("#insights-until", "2026-12-31")
    await page.press("#insights-merchant", "Enter")
    charts = page.locator("#insights .chart-card")
    await page.locator("#insights .chart-card[data-chart='insights.products'] svg").wait_for()
    assert await charts.count() == 5
    product = page.locator("[data-chart='insights.products'] table tbody tr", has_text="TSHIRT")
    before = await product.inner_text()
    await screenshot(page, f"desk-team-{lang}-{viewport['width']}-insights")
    assert await accessibility_problems(page) == []
    # live: a new request moves the figures without a reload
    await backend.change("approveReturn", {"returnRequestId": ids[0]})
    await backend.graphql(
        CREATE,
        {"input": {"merchant": MERCHANT, "orderReference": ORDER,
                   "items": [{"sku": "TSHIRT", "quantity": 3, "reasonCode": "CHANGED_MIND"}],
                   "pickup": {"partnerLocationId": "WH-DXB"},
                   "dropoff": {"partnerLocationId": "WH-DXB"}}},
    )  # fmt: skip
    await page.wait_for_function(
        "before => { const rows = document.querySelectorAll("
        "\"[data-chart='insights.products'] table tbody tr\");"
        " const r = [...rows].find(t => t.textContent.includes('TSHIRT'));"
        " return r && r.textContent !== before; }",
        arg=before,
        timeout=10_000,
    )
    assert page.console_errors == []
