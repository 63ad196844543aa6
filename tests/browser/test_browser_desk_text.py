"""What the desk says and how it reads, in English and in Arabic (right to left), at a phone's
width and a laptop's: phone numbers, return ids and order references read in their own order
and stay on one line, counts agree with their number, a drop-off shows as one, the merchant's
names stand in for codes, and a refund's parts are told apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from ops.demo import seed_demo
from persistence.unit_of_work import UnitsOfWork
from tests.browser.conftest import assert_reads_as, screenshot
from tests.browser.desk_support import (
    LAPTOP,
    MERCHANT,
    UPSERT_ORDER,
    Backend,
    new_client,
    open_return,
    row,
    sign_in,
)
from tests.clocks import FixedClock

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NARROW = {"width": 375, "height": 812}
PHONE_NUMBER = "+971501111111"
ORDER = "SO-1"
SKU = "TSHIRT-M-BLUE-XL"  # a hyphen is where a line may break
CREATE_RETURN = """mutation ($input: CreateReturnInput!) {
  createReturn(input: $input) { returnRequest { returnRequestId } userErrors { code message } } }"""
ADD_REFUND = """mutation ($input: AddRefundInput!) {
  addRefund(input: $input) { userErrors { code message } } }"""
APPROVE = """mutation ($input: ApproveReturnInput!) {
  approveReturn(input: $input) { userErrors { code message } } }"""


class Returns:
    """Three requests of one order: picked up (one unit, refunded), dropped off at the
    merchant's Dubai warehouse (two units), and picked up again (three units)."""

    def __init__(self, picked_up: str, dropped_off: str, three: str) -> None:
        self.picked_up, self.dropped_off, self.three = picked_up, dropped_off, three


async def _create(backend: Backend, clock: FixedClock, shirts: int, pickup: dict) -> str:
    clock.advance(seconds=1)  # newest first needs distinct creation times
    ask = {
        "merchant": MERCHANT,
        "orderReference": ORDER,
        "items": [{"sku": SKU, "quantity": shirts, "reasonCode": "CHANGED_MIND"}],
        "pickup": pickup,
    }
    payload = (await backend.graphql(CREATE_RETURN, {"input": ask}))["createReturn"]
    assert payload["userErrors"] == [], payload
    return payload["returnRequest"]["returnRequestId"]


async def _order(backend: Backend) -> None:
    line = {"sku": SKU, "description": "T-shirt, blue, XL", "quantity": 10, "unitPrice": "79.00",
            "deliveredAt": (NOW - timedelta(days=2)).isoformat()}  # fmt: skip
    home = {"address1": "12 Palm St", "city": "Dubai", "country": "AE"}
    order = {"merchant": MERCHANT, "reference": ORDER, "currency": "AED", "lines": [line],
             "customer": {"name": "Layla Haddad", "phone": PHONE_NUMBER},
             "deliveryAddress": home}  # fmt: skip
    answer = await backend.graphql(UPSERT_ORDER, {"input": order})
    assert answer["upsertOrder"]["userErrors"] == []


@pytest.fixture
async def desk(live_app):
    clock = FixedClock(NOW)
    live = await live_app(clock=clock)
    await seed_demo(UnitsOfWork(live.db, clock))
    client = await new_client(live.db, clock)
    async with aiohttp.ClientSession() as http:
        backend = Backend(http, live.url, client)
        await _order(backend)
        home = {"contactName": "Layla Haddad", "contactPhone": PHONE_NUMBER,
                "address1": "12 Palm St", "city": "Dubai", "country": "AE"}  # fmt: skip
        picked_up = await _create(backend, clock, 1, home)
        dropped_off = await _create(backend, clock, 2, {"partnerLocationId": "WH-DXB"})
        three = await _create(backend, clock, 3, home)
        await backend.graphql(APPROVE, {"input": {"returnRequestId": picked_up}})
        refund = {"returnRequestId": picked_up, "amount": "79.00", "currency": "AED",
                  "reference": "PAY-7781", "refundType": "ORIGINAL_PAYMENT",
                  "refundDate": "2026-12-01T10:00:00+00:00"}  # fmt: skip
        answer = await backend.graphql(ADD_REFUND, {"input": refund})
        assert answer["addRefund"]["userErrors"] == []
        yield live, client, Returns(picked_up, dropped_off, three)


async def _signed_in(desk, open_page, viewport, language):
    live, client, returns = desk
    page = await open_page(live.url, viewport=viewport, timezone_id="Asia/Dubai")
    await sign_in(page, live.url, client, "alice@ops", lang=language)
    return page, returns


@pytest.mark.parametrize("viewport", [NARROW, LAPTOP], ids=["375px", "laptop"])
async def test_in_arabic_phone_numbers_ids_and_order_references_read_in_order_on_one_line(
    desk, open_page, viewport
):
    page, returns = await _signed_in(desk, open_page, viewport, "ar")
    rid = returns.picked_up

    await assert_reads_as(row(page, rid).locator(".rid"), rid)
    await assert_reads_as(row(page, rid).locator(".order"), ORDER)
    await open_return(page, rid)
    await screenshot(page, f"desk-ar-{viewport['width']}-pickup")

    await assert_reads_as(page.locator("#panel-title .rid"), rid)
    await assert_reads_as(page.locator(".panel-body > .facts .order"), ORDER)
    await assert_reads_as(page.locator("table.items tbody th bdi"), SKU)
    home = page.locator(".places address").first
    await assert_reads_as(home.locator(".phone"), PHONE_NUMBER)
    await assert_reads_as(home.locator("bdi", has_text="Palm"), "12 Palm St")
    await assert_reads_as(page.locator(".refunds [data-part=reference] bdi"), "PAY-7781")
    assert page.console_errors == []


@pytest.mark.parametrize(
    ("language", "one", "two", "three"),
    [("en", "1 unit", "2 units", "3 units"), ("ar", "وحدة واحدة", "وحدتان", "3 وحدات")],
)
async def test_the_queue_counts_units_in_the_grammar_of_the_language(
    desk, open_page, language, one, two, three
):
    page, returns = await _signed_in(desk, open_page, NARROW, language)

    await screenshot(page, f"desk-{language}-375-queue")
    assert await row(page, returns.picked_up).locator(".units").inner_text() == one
    assert await row(page, returns.dropped_off).locator(".units").inner_text() == two
    assert await row(page, returns.three).locator(".units").inner_text() == three


@pytest.mark.parametrize(
    ("language", "dropoff", "destination"),
    [("en", "Drop-off", "Returns to"), ("ar", "التسليم في", "يُعاد إلى")],
)
async def test_a_drop_off_shows_under_drop_off_with_the_locations_name_and_address(
    desk, open_page, language, dropoff, destination
):
    page, returns = await _signed_in(desk, open_page, LAPTOP, language)
    await open_return(page, returns.dropped_off)
    await screenshot(page, f"desk-{language}-dropoff")

    places = page.locator(".places section")
    headings = await places.locator("h3").all_inner_texts()
    assert headings == [dropoff, destination]
    customer = await places.first.inner_text()
    assert "Dubai warehouse" in customer and "Al Quoz 3" in customer
    assert "WH-DXB" not in await page.locator(".places").inner_text()


@pytest.mark.parametrize(
    ("language", "labels", "outcome", "refund_type", "time"),
    [
        ("en", ["Reference", "Outcome", "Refund type", "Date"], "Money",
         "Original payment method", "14:00"),
        ("ar", ["المرجع", "النتيجة", "نوع الاسترداد", "التاريخ"], "مبلغ مالي",
         "طريقة الدفع الأصلية", "2:00"),
    ],
)  # fmt: skip
async def test_a_refund_row_labels_its_reference_type_and_date_with_the_merchants_names(
    desk, open_page, language, labels, outcome, refund_type, time
):
    page, returns = await _signed_in(desk, open_page, LAPTOP, language)
    await open_return(page, returns.picked_up)
    await screenshot(page, f"desk-{language}-refund")

    refund = page.locator(".refunds li").first
    assert await refund.locator("dt").all_inner_texts() == labels
    parts = refund.locator("dd")
    assert await parts.nth(0).inner_text() == "PAY-7781"
    assert await parts.nth(1).inner_text() == outcome
    assert await parts.nth(2).inner_text() == refund_type
    assert time in await parts.nth(3).inner_text()  # 10:00 UTC, in Dubai
    assert "ORIGINAL_PAYMENT" not in await page.locator(".panel-body").inner_text()
