"""The customer return portal in a real browser at phone size: open the link, pick items,
upload a photo, submit, see the confirmation, reopen and see the status; in English and in
Arabic, right to left; with JavaScript off too; checked by axe-core."""

from __future__ import annotations

import asyncio
import contextlib
import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import Error as PlaywrightError

from domain.portal import PortalSettings
from ops.bootstrap import WIRING_KEY
from ops.demo import seed_demo
from persistence.portal_settings import save_portal_settings
from persistence.unit_of_work import UnitsOfWork
from tests.browser.conftest import (
    PHONE,
    accessibility_problems,
    assert_reads_as,
    screenshot,
    seen_lines,
)
from tests.clocks import FixedClock

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
BRAND = PortalSettings(
    merchant="demo-store",
    display_name="Demo Store",
    accent_colour="#7b1fa2",
    support_email="help@demo-store.example",
    support_phone="+971 4 000 0000",
    return_policy="Unworn items can be returned within 30 days of delivery.",
)


def tiny_png() -> bytes:
    """A valid 2-by-2 PNG, made here so the test needs no fixture file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def _portal(live_app, tmp_path: Path, order: str = "DEMO-1001") -> tuple[object, str]:
    clock = FixedClock(NOW)
    live = await live_app(clock=clock, portal_secret="s" * 40, photo_dir=str(tmp_path / "photos"))
    await seed_demo(UnitsOfWork(live.db, clock))
    await save_portal_settings(live.db, "dev", BRAND, now=NOW)
    link, _ = live.app[WIRING_KEY].portal.link("dev", "demo-store", order, now=NOW)
    return live, f"{live.url}/{link.split('/', 3)[3]}"


async def test_a_customer_returns_an_item_with_a_photo_in_english(
    live_app, open_page, tmp_path: Path
):
    live, link = await _portal(live_app, tmp_path)
    page = await open_page(live.url, viewport=PHONE, locale="en-GB", is_mobile=True)
    photo = tmp_path / "damage.png"
    photo.write_bytes(tiny_png())

    await page.goto(link)
    assert await page.get_attribute("html", "dir") == "ltr"
    assert await page.locator(".shop-name").inner_text() == "Demo Store"
    await page.select_option("#qty-0", "1")
    await page.select_option("#reason-0", "DAMAGED")
    await page.select_option("#condition-0", "DAMAGED")
    await page.set_input_files("#photos-0", str(photo))
    await screenshot(page, "portal-en-phone")
    assert await accessibility_problems(page) == []
    await page.get_by_role("button", name="Request the return").click()

    await page.wait_for_selector(".return-id")
    return_id = await page.locator(".return-id").inner_text()
    assert return_id.startswith("RR-")
    assert await page.locator(".done .status").inner_text() == "Requested"
    await screenshot(page, "portal-en-confirmation")
    assert await accessibility_problems(page) == []

    await page.get_by_role("link", name="Back to your order").click()
    mine = page.locator(".return", has_text=return_id)
    assert "Requested" in await mine.inner_text()
    assert await mine.locator(".history li").count() == 1
    assert page.foreign_requests == [] and page.console_errors == []


async def test_an_arabic_customer_returns_an_item_right_to_left(
    live_app, open_page, tmp_path: Path
):
    live, link = await _portal(live_app, tmp_path)
    page = await open_page(live.url, viewport=PHONE, locale="ar-AE", is_mobile=True)

    await page.goto(link)
    assert await page.get_attribute("html", "dir") == "rtl"
    assert await page.get_attribute("html", "lang") == "ar"
    await page.select_option("#qty-1", "1")
    await page.select_option("#reason-1", "WRONG_SIZE")  # approves itself
    await screenshot(page, "portal-ar-phone")
    assert await accessibility_problems(page) == []
    await page.get_by_role("button", name="اطلب الإرجاع").click()

    await page.wait_for_selector(".return-id")
    return_id = await page.locator(".return-id").inner_text()
    assert await page.locator(".done .status").inner_text() == "تمت الموافقة"
    await screenshot(page, "portal-ar-confirmation")

    await page.goto(link)  # reopening the link later
    mine = page.locator(".return", has_text=return_id)
    history = await mine.locator(".history li").all_inner_texts()
    assert [step.split()[0] for step in history] == ["مُقدَّم", "تمت"]
    assert page.foreign_requests == []


async def test_a_refused_form_shows_errors_beside_fields_and_keeps_the_input(
    live_app, open_page, tmp_path: Path
):
    live, link = await _portal(live_app, tmp_path)
    page = await open_page(live.url, viewport=PHONE, locale="en-GB")

    await page.goto(link)
    await page.select_option("#qty-0", "2")
    await page.select_option("#reason-0", "NOT_AS_DESCRIBED")  # needs a comment
    await page.fill("#city", "Sharjah")
    await page.get_by_role("button", name="Request the return").click()

    await page.wait_for_selector("#err-comment-0")
    assert await page.locator("#err-comment-0").inner_text() == "This reason needs a comment."
    assert await page.get_attribute("#comment-0", "aria-invalid") == "true"
    assert await page.locator("#qty-0").input_value() == "2"
    assert await page.locator("#reason-0").input_value() == "NOT_AS_DESCRIBED"
    assert await page.locator("#city").input_value() == "Sharjah"
    await screenshot(page, "portal-en-error")

    await page.fill("#comment-0", "The colour is different from the photos.")
    await page.get_by_role("button", name="Request the return").click()
    await page.wait_for_selector(".return-id")


async def test_a_line_that_cannot_be_returned_says_why(live_app, open_page, tmp_path: Path):
    live, link = await _portal(live_app, tmp_path, order="DEMO-1003")  # delivered 45 days ago
    page = await open_page(live.url, viewport=PHONE, locale="en-GB")

    await page.goto(link)

    blocker = await page.locator(".blocker").inner_text()
    assert "the return window closed on November 16, 2026" in blocker
    assert await page.locator("#qty-0").count() == 0


async def test_the_form_works_with_javascript_off(live_app, open_page, tmp_path: Path):
    live, link = await _portal(live_app, tmp_path)
    page = await open_page(live.url, viewport=PHONE, locale="en-GB", java_script_enabled=False)

    await page.goto(link)
    assert await page.locator("#reason-1").is_visible()  # nothing hidden without the script
    await page.select_option("#qty-1", "1")
    await page.select_option("#reason-1", "CHANGED_MIND")
    await page.get_by_role("button", name="Request the return").click()

    await page.wait_for_selector(".return-id")
    assert await page.locator(".done .status").inner_text() == "Requested"


@pytest.mark.parametrize(
    "viewport",
    [{"width": 375, "height": 812}, {"width": 1280, "height": 800}],
    ids=["375px", "desktop"],
)
async def test_in_arabic_phone_address_order_reference_and_return_id_read_in_their_own_order(
    live_app, open_page, tmp_path: Path, viewport
):
    live, link = await _portal(live_app, tmp_path)
    page = await open_page(live.url, viewport=viewport, locale="ar-AE")

    await page.goto(link)
    await assert_reads_as(page.locator("h1 bdi"), "DEMO-1001")
    await assert_reads_as(page.locator("#line-0 .facts bdi").first, "TSHIRT-M-BLUE")
    await page.locator(".policy summary").click()
    policy = await seen_lines(page.locator(".policy p"))
    assert policy[0].startswith("Unworn") and policy[-1].endswith("delivery.")
    assert await page.get_attribute("#address1", "dir") == "auto"  # "12 Palm Street" as typed
    await page.select_option("#qty-1", "1")
    await page.select_option("#reason-1", "WRONG_SIZE")
    await page.get_by_role("button", name="اطلب الإرجاع").click()

    await page.wait_for_selector(".return-id")
    return_id = await page.locator(".return-id").inner_text()
    await screenshot(page, f"portal-ar-{viewport['width']}-confirmation")
    await assert_reads_as(page.locator(".return-id bdi"), return_id)
    pickup = page.locator(".place address")
    await assert_reads_as(pickup.locator(".phone bdi"), "+971501111111")
    await assert_reads_as(pickup.locator("bdi", has_text="Palm"), "12 Palm Street")
    await page.goto(link)
    await screenshot(page, f"portal-ar-{viewport['width']}-order")
    mine = page.locator(".return", has_text=return_id)
    await assert_reads_as(mine.locator("h3 bdi"), return_id)
    await assert_reads_as(mine.locator(".items bdi"), "Running sneakers, 42")
    await assert_reads_as(page.locator(".blocker bdi"), return_id)
    assert await accessibility_problems(page) == []


async def test_a_double_clicked_submit_makes_one_return_and_shows_it(
    live_app, open_page, tmp_path: Path
):
    """The second click comes while the first one's answer is on its way (held here until
    then): both forms reach the server, one return is made, the page shows it."""
    live, link = await _portal(live_app, tmp_path)
    page = await open_page(live.url, viewport=PHONE, locale="en-GB")
    first_answered, second_sent = asyncio.Event(), asyncio.Event()
    posts: list[int] = []

    async def hold_the_first_answer(route) -> None:
        if route.request.method != "POST":
            await route.continue_()
            return
        answer = await route.fetch(max_redirects=0)  # the server has handled this copy
        posts.append(answer.status)
        if len(posts) == 1:
            first_answered.set()
            await asyncio.wait_for(second_sent.wait(), timeout=10)
        else:
            second_sent.set()
        with contextlib.suppress(PlaywrightError):  # the first navigation was replaced
            await route.fulfill(response=answer)

    await page.route("**/portal/returns?*", hold_the_first_answer)
    await page.goto(link)
    before = await page.locator(".return").count()
    await page.select_option("#qty-1", "1")
    await page.select_option("#reason-1", "CHANGED_MIND")
    # The figure of what comes back appears above the button: let the page settle first,
    # so both clicks land where the button stays.
    await page.wait_for_selector(".quote-outcomes")
    await page.wait_for_selector(".quote.updating", state="detached")
    submit = page.get_by_role("button", name="Request the return")
    await submit.scroll_into_view_if_needed()
    box = await submit.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    await page.mouse.click(x, y)  # the mouse, as a person clicks: nothing waits in between
    await first_answered.wait()
    await page.mouse.click(x, y)

    await page.wait_for_selector(".return-id, #errors")  # a confirmation, or a refusal
    await screenshot(page, "portal-double-click-confirmation")
    assert posts == [303, 303]
    return_id = await page.locator(".return-id").inner_text()
    await page.goto(link)
    assert await page.locator(".return").count() == before + 1
    assert await page.locator(".return", has_text=return_id).count() == 1
