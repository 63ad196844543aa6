"""A return's status page and its drop-off slip in a real browser (issue 25): at phone size
and on a laptop, in English and in Arabic (right to left), checked by axe-core; the slip on
screen and as printed (print media), its QR code read from the screenshot by zxing-cpp and
accepted once by POST /carrier-scans; reached from the portal's confirmation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession

from domain.values import TimeWindow
from ops.bootstrap import WIRING_KEY
from persistence.unit_of_work import UnitsOfWork
from tests.browser.conftest import PHONE, accessibility_problems, assert_reads_as, screenshot
from tests.clocks import FixedClock
from tests.e2e.conftest import credentials
from tests.e2e.pages.status_support import (
    DROP_OFF,
    TENANT,
    decoded_qr_codes,
    new_return,
    record_shipment,
    seed,
    status_path,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LAPTOP = {"width": 1280, "height": 800}
SIZES = pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
LOCALES = {"en": "en-GB", "ar": "ar-AE"}


async def _live(live_app: Any, tmp_path: Path) -> tuple[Any, FixedClock]:
    clock = FixedClock(NOW)
    live = await live_app(clock=clock, portal_secret="s" * 40, photo_dir=str(tmp_path / "p"))
    await seed(UnitsOfWork(live.db, clock))
    return live, clock


def _units(live: Any) -> UnitsOfWork:
    return live.app[WIRING_KEY].units


@SIZES
@pytest.mark.parametrize("lang", ["en", "ar"])
async def test_the_status_page_tells_what_happened_and_what_to_do(
    live_app: Any, open_page: Any, tmp_path: Path, viewport: dict[str, int], lang: str
) -> None:
    live, _ = await _live(live_app, tmp_path)
    window = TimeWindow(NOW + timedelta(days=1), NOW + timedelta(days=1, hours=4))
    request = await new_return(_units(live), window=window)
    await record_shipment(_units(live), request.id)
    page = await open_page(live.url, viewport=viewport, locale=LOCALES[lang])

    await page.goto(live.url + status_path(live.app[WIRING_KEY], request.id))

    assert await page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    await assert_reads_as(page.locator("h1 bdi"), request.id)
    await assert_reads_as(page.locator(".tracking bdi"), "SMSA-12345678")
    await assert_reads_as(page.locator(".place .phone bdi"), "+971501111111")
    done = page.locator(".timeline li.done")
    ahead = page.locator(".timeline li.ahead")
    assert (await done.count(), await ahead.count()) == (2, 3)  # submitted, approved
    if lang == "en":
        assert "a courier collects it from the address below between" in (
            await page.locator(".next").inner_text()
        )
    assert await page.locator(".label-link").get_attribute("href") == (
        "https://labels.example/RS-1.pdf"
    )
    assert await page.locator(".help a").first.is_visible()  # the merchant's support
    await screenshot(page, f"status-{lang}-{viewport['width']}")
    assert await accessibility_problems(page) == []
    assert page.foreign_requests == [] and page.console_errors == []


@SIZES
@pytest.mark.parametrize("lang", ["en", "ar"])
async def test_the_slip_prints_with_a_qr_code_a_carrier_scans_once(
    live_app: Any, open_page: Any, tmp_path: Path, viewport: dict[str, int], lang: str
) -> None:
    live, clock = await _live(live_app, tmp_path)
    request = await new_return(_units(live), pickup=DROP_OFF)
    page = await open_page(live.url, viewport=viewport, locale=LOCALES[lang])
    await page.goto(live.url + status_path(live.app[WIRING_KEY], request.id))

    await page.locator(".next-step a.button").first.click()
    await page.wait_for_selector("svg.qr")
    assert "/slip" in page.url
    await assert_reads_as(page.locator(".slip-id bdi"), request.id)
    assert await page.locator("button[data-print]").is_visible()
    await screenshot(page, f"slip-{lang}-{viewport['width']}")
    assert await accessibility_problems(page) == []

    await page.emulate_media(media="print")
    assert not await page.locator(".languages").is_visible()
    assert not await page.locator("button[data-print]").is_visible()
    size = await page.locator("svg.qr").bounding_box()
    assert size is not None and abs(size["width"] - 5 / 2.54 * 96) < 2  # 5 cm on paper
    await screenshot(page, f"slip-{lang}-{viewport['width']}-print")

    [reference] = decoded_qr_codes(await page.locator("svg.qr").screenshot())
    headers = await credentials(live.db, clock, TENANT)
    async with ClientSession(headers=headers) as carrier:
        for expected in (201, 200):
            async with carrier.post(
                f"{live.url}/carrier-scans", json={"reference": reference}
            ) as scanned:
                assert scanned.status == expected, await scanned.text()
    assert page.foreign_requests == [] and page.console_errors == []


async def test_the_portals_confirmation_leads_to_the_status_page_and_the_slip(
    live_app: Any, open_page: Any, tmp_path: Path
) -> None:
    live, _ = await _live(live_app, tmp_path)
    link, _ = live.app[WIRING_KEY].portal.link(TENANT, "demo-store", "DEMO-1001", now=NOW)
    page = await open_page(live.url, viewport=PHONE, locale="en-GB", is_mobile=True)

    await page.goto(f"{live.url}/{link.split('/', 3)[3]}")
    await page.select_option("#qty-1", "1")
    await page.select_option("#reason-1", "WRONG_SIZE")  # approves itself
    await page.get_by_role("button", name="Request the return").click()
    await page.wait_for_selector(".return-id")
    next_text = await page.locator(".next").inner_text()
    assert "a courier collects it" in next_text and "drop them off" not in next_text

    await page.get_by_role("link", name="Follow this return").click()
    await page.wait_for_selector(".timeline")
    assert await page.locator(".status").inner_text() == "Approved"
    await page.get_by_role("link", name="العربية").click()
    await page.wait_for_selector("html[dir=rtl]")
    await screenshot(page, "status-from-confirmation-ar")
    assert await accessibility_problems(page) == []


async def test_an_expired_status_link_is_a_page_of_the_portal(
    live_app: Any, open_page: Any, tmp_path: Path
) -> None:
    live, clock = await _live(live_app, tmp_path)
    request = await new_return(_units(live))
    path = status_path(live.app[WIRING_KEY], request.id)
    clock.advance(days=200)
    page = await open_page(live.url, viewport=PHONE, locale="ar-AE")

    response = await page.goto(live.url + path)

    assert response is not None and response.status == 401
    assert await page.get_attribute("html", "dir") == "rtl"
    assert "انتهت صلاحية رابط المتابعة" in await page.locator("main").inner_text()
    assert await page.locator(".shop-name").inner_text() == "Demo Store"
    assert await page.locator(".help a").first.is_visible()
    await screenshot(page, "status-expired-ar")
    assert await accessibility_problems(page) == []
