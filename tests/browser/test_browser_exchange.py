"""The whole exchange in real browsers (issue 27): the demo shop pushes its T-shirt in four
sizes (XL out of stock); a customer on a 375 px phone returns one M and picks an L (10 AED
dearer), sees the difference due before submitting, and follows the exchange on the status
page; another customer does the same in Arabic, right to left, and picks an S. On the desk
the agent approves the first, records the customer's payment of the difference and
releases the exchange, watching its line change live; the merchant's webhook receiver on
this machine gets ExchangeReleased once, signed with the endpoint's secret."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import Error as PlaywrightError

from domain.staff import StaffRole
from domain.webhooks import verify
from ops.bootstrap import WIRING_KEY
from ops.demo import seed_demo
from persistence.unit_of_work import UnitsOfWork
from tests.browser.conftest import accessibility_problems, screenshot
from tests.browser.desk_support import (
    LAPTOP,
    MERCHANT,
    Backend,
    new_client,
    open_return,
    sign_in_as,
    staff_user,
)
from tests.clocks import FixedClock

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SECOND = 1_000
SMALL_PHONE = {"width": 375, "height": 812}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
SECRET = "an-exchange-secret-of-32-chars!!"

UPSERT_VARIANTS = """mutation ($input: UpsertVariantsInput!) {
  upsertVariants(input: $input) { created updated userErrors { code field message } } }"""
CREATE_ENDPOINT = """mutation ($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { webhookEndpoint { id } userErrors { code message } } }"""
EXCHANGE = """query ($id: ID!) { returnRequest(id: $id) {
  status exchangeLines { lineId sku quantity replacesSku status }
  balance { currency exchangeTotal differenceDue paid } } }"""


def _shirt(size: str, price: str, *, available: bool = True) -> dict[str, Any]:
    return {
        "sku": f"TSHIRT-{size}-BLUE",
        "groupKey": "TSHIRT-BLUE",
        "title": f"T-shirt, blue, {size}",
        "options": [{"name": "size", "value": size}, {"name": "colour", "value": "Blue"}],
        "price": price,
        "currency": "AED",
        "available": available,
    }


VARIANTS = [
    _shirt("S", "79.00"),
    _shirt("M", "79.00"),
    _shirt("L", "89.00"),
    _shirt("XL", "89.00", available=False),
]


class Receiver:
    """The merchant's order system: records each delivery as it arrives."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((dict(request.headers), await request.read()))
        return web.Response(text="ok")

    def of_type(self, event_type: str) -> list[tuple[dict[str, str], bytes]]:
        return [(h, b) for h, b in self.received if h.get("X-Returns-Event-Type") == event_type]


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    target = Receiver()
    app = web.Application()
    app.router.add_post("/hooks", target.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield target, str(server.make_url("/hooks"))
    await server.close()


@pytest.fixture
async def shop(live_app, receiver) -> AsyncIterator[dict[str, Any]]:
    """The demo shop serving webhooks to this machine, its T-shirt sizes pushed through
    upsertVariants, an endpoint for ExchangeReleased, and the portal link of DEMO-1001 (two
    blue T-shirts in M, delivered three days ago)."""
    target, url = receiver
    clock = FixedClock(NOW)
    served = await live_app(
        clock=clock,
        portal_secret="s" * 40,
        webhook_interval_seconds=0.2,
        webhook_allow_private_targets=True,
    )
    await seed_demo(UnitsOfWork(served.db, clock))
    async with aiohttp.ClientSession() as http:
        backend = Backend(http, served.url, await new_client(served.db, clock))
        pushed = await backend.graphql(
            UPSERT_VARIANTS, {"input": {"merchant": MERCHANT, "variants": VARIANTS}}
        )
        assert pushed["upsertVariants"]["userErrors"] == [], pushed
        endpoint = {"merchant": MERCHANT, "url": url, "secret": SECRET,
                    "eventTypes": ["ExchangeReleased"]}  # fmt: skip
        registered = await backend.graphql(CREATE_ENDPOINT, {"input": endpoint})
        assert registered["createWebhookEndpoint"]["userErrors"] == [], registered
        link, _ = served.app[WIRING_KEY].portal.link("dev", MERCHANT, "DEMO-1001", now=NOW)
        agent = await staff_user(served.db, clock, "Aziz Agent", StaffRole.AGENT)
        yield {
            "served": served,
            "backend": backend,
            "link": f"{served.url}/{link.split('/', 3)[3]}",
            "receiver": target,
            "agent": agent,
        }


def _choice(page: Any, line: int, size: str) -> Any:
    return page.locator(f"#exchange-{line} .variant[data-sku='TSHIRT-{size}-BLUE'] input")


async def _ask_for_an_exchange(page: Any, link: str, *, size: str, reason: str) -> str:
    """On the order page: one M T-shirt back, the given size instead; the request's id."""
    await page.goto(link)
    await page.select_option("#qty-0", "1")
    await page.select_option("#reason-0", reason)
    await _choice(page, 0, size).check()
    return await page.locator("#exchange-0").inner_text()


async def test_a_customer_exchanges_a_size_and_the_desk_releases_it_to_the_order_system(
    shop, open_page
):
    served, backend, target = shop["served"], shop["backend"], shop["receiver"]
    phone = await open_page(served.url, viewport=SMALL_PHONE, locale="en-GB", is_mobile=True)

    # The customer: M back, L instead; XL is shown and cannot be chosen.
    offered = await _ask_for_an_exchange(phone, shop["link"], size="L", reason="CHANGED_MIND")
    xl_disabled = await _choice(phone, 0, "XL").is_disabled()
    await phone.wait_for_function(
        "() => document.querySelector('#quote .difference')"
        " && !document.querySelector('#quote').classList.contains('updating')"
    )
    quote = await phone.locator("#quote").inner_text()
    await phone.locator("#exchange-0").scroll_into_view_if_needed()
    await screenshot(phone, "exchange-portal-en-375")
    overflow = await phone.evaluate(OVERFLOW)
    problems = await accessibility_problems(phone)
    await phone.get_by_role("button", name="Request the return").click()
    await phone.wait_for_selector(".return-id")
    rid = await phone.locator(".return-id").inner_text()
    await phone.get_by_role("link", name="Back to your order").click()
    await phone.locator(".return", has_text=rid).locator(".follow").click()
    await phone.wait_for_selector(".exchange-lines")
    status_page = await phone.locator("main").inner_text()
    await screenshot(phone, "exchange-status-en-375")
    status_overflow = await phone.evaluate(OVERFLOW)
    status_problems = await accessibility_problems(phone)

    assert "Size: L" in offered and "Out of stock" in offered and xl_disabled
    assert "You receive instead" in quote and "You pay the difference" in quote
    assert "10.00" in quote
    assert overflow == status_overflow == 0
    assert problems == status_problems == []
    assert "Waiting for the shop's decision" in status_page
    assert "T-shirt, blue, L" in status_page
    assert phone.foreign_requests == [] and phone.console_errors == []

    # The desk: approve, record the 10 AED the customer paid, release.
    desk = await open_page(served.url, viewport=LAPTOP)
    await sign_in_as(desk, served.url, shop["agent"])
    await open_return(desk, rid)
    line = desk.locator("table.exchanges tbody tr").first
    await _act(desk, "APPROVE")
    await desk.locator("table.exchanges tr[data-status=RESERVED]").wait_for(timeout=2 * SECOND)
    owed = await desk.locator(".difference").inner_text()
    await desk.locator("button.action[data-action=RECORD_EXCHANGE_PAYMENT]").click()
    form = desk.locator(".action-form[data-action=RECORD_EXCHANGE_PAYMENT]")
    prefilled = await form.locator("input[name=amount]").input_value()
    await form.locator("input[name=reference]").fill("PAY-77")
    await form.locator("button.primary").click()
    await desk.locator(".message .done").wait_for()
    await _act(desk, "RELEASE_EXCHANGE")
    await desk.locator("table.exchanges tr[data-status=RELEASED]").wait_for(timeout=2 * SECOND)
    await _scroll_to(desk.locator("section[aria-labelledby=section-panel-exchanges]"))
    await screenshot(desk, "exchange-desk-released-en")
    desk_problems = await accessibility_problems(desk)
    line_text = await line.inner_text()
    history = await desk.locator(".history").inner_text()

    assert "AED" in owed and "10.00" in owed
    assert prefilled == "10"
    assert "Released" in line_text and "TSHIRT-L-BLUE" in line_text
    assert "Exchange released" in history
    assert desk_problems == []
    assert desk.console_errors == []

    # The merchant's order system: ExchangeReleased once, signed.
    for _ in range(50):
        if target.of_type("ExchangeReleased"):
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1)  # a second delivery would have come by now
    released = target.of_type("ExchangeReleased")
    assert len(released) == 1, [h.get("X-Returns-Event-Type") for h, _ in target.received]
    [(headers, body)] = released
    assert verify(SECRET, headers["X-Returns-Signature"], headers, body)
    assert headers["X-Returns-Return-Request-Id"] == rid
    assert json.loads(body)
    after = (await backend.graphql(EXCHANGE, {"id": rid}))["returnRequest"]
    assert [(x["sku"], x["replacesSku"], x["status"]) for x in after["exchangeLines"]] == [
        ("TSHIRT-L-BLUE", "TSHIRT-M-BLUE", "RELEASED")
    ]

    # The customer's status page follows; then the order system's parcel, recorded on the
    # desk, shows there with its tracking number.
    await phone.reload()
    preparing = await phone.locator(".exchange-lines").inner_text()
    await desk.locator("button.action[data-action=FULFIL_EXCHANGE]").click()
    fulfil = desk.locator(".action-form[data-action=FULFIL_EXCHANGE]")
    await fulfil.locator("input[name=trackingNumber]").fill("OUT-9001")
    await fulfil.locator("input[name=carrier]").fill("Aramex")
    await fulfil.locator("button.primary").click()
    await desk.locator("table.exchanges tr[data-status=FULFILLED]").wait_for(timeout=2 * SECOND)
    shipped = await desk.locator("table.exchanges tbody tr").first.inner_text()
    await phone.reload()
    sent = await phone.locator(".exchange-lines").inner_text()
    await phone.locator(".exchange-lines").scroll_into_view_if_needed()
    await screenshot(phone, "exchange-status-sent-en-375")

    assert "Being prepared by the shop" in preparing
    assert "Fulfilled" in shipped and "OUT-9001" in shipped and "Aramex" in shipped
    assert "Sent to you" in sent and "OUT-9001" in sent


async def test_an_arabic_customer_exchanges_a_size_right_to_left(shop, open_page):
    served = shop["served"]
    phone = await open_page(served.url, viewport=SMALL_PHONE, locale="ar-AE", is_mobile=True)

    offered = await _ask_for_an_exchange(phone, shop["link"], size="S", reason="CHANGED_MIND")
    await phone.wait_for_function(
        "() => document.querySelector('#quote .difference')"
        " && !document.querySelector('#quote').classList.contains('updating')"
    )
    quote = await phone.locator("#quote").inner_text()
    await phone.locator("#exchange-0").scroll_into_view_if_needed()
    await screenshot(phone, "exchange-portal-ar-375")
    overflow = await phone.evaluate(OVERFLOW)
    problems = await accessibility_problems(phone)
    await phone.get_by_role("button", name="اطلب الإرجاع").click()
    await phone.wait_for_selector(".return-id")
    rid = await phone.locator(".return-id").inner_text()
    await phone.goto(shop["link"])
    mine = await phone.locator(".return", has_text=rid).inner_text()
    await phone.locator(".return", has_text=rid).scroll_into_view_if_needed()
    await screenshot(phone, "exchange-order-ar-375")

    assert await phone.get_attribute("html", "dir") == "rtl"
    assert "هل تريد الاستبدال بمقاس أو لون آخر؟" in offered and "غير متوفر" in offered
    assert "استبدال متكافئ" in quote
    assert overflow == 0 and problems == []
    assert "الاستبدالات" in mine and "بانتظار قرار المتجر" in mine
    assert phone.foreign_requests == [] and phone.console_errors == []


async def _scroll_to(locator: Any) -> None:
    """Into view, though the live panel may redraw it meanwhile (each event redraws)."""
    for _ in range(5):
        try:
            await locator.scroll_into_view_if_needed(timeout=SECOND)
            return
        except PlaywrightError:
            await asyncio.sleep(0.2)
    await locator.scroll_into_view_if_needed()


async def _act(page: Any, action: str) -> None:
    """An action with nothing to fill in (or its defaults), confirmed."""
    await page.locator(f"button.action[data-action={action}]").click()
    await page.locator(f".action-form[data-action={action}] button.primary").click()
    await page.locator(".message .done").wait_for()


PASTE = """sku,groupKey,title,price,currency,available,options
SNEAKER-42,SNEAKER,"Running sneakers, 42",349.00,AED,true,size=42
SNEAKER-43,SNEAKER,"Running sneakers, 43",349.00,AED,false,size=43"""
SETTINGS = """query { exchangeSettings(merchant: "demo-store") { releaseOn allowAnyProduct } }"""


async def test_an_admin_sets_the_release_and_pastes_variants(shop, open_page):
    served, backend = shop["served"], shop["backend"]
    admin_email = await staff_user(served.db, FixedClock(NOW), "Ada Admin", StaffRole.ADMIN)
    admin = await open_page(served.url, viewport=LAPTOP)
    await sign_in_as(admin, served.url, admin_email)

    await admin.click("#exchanges")
    await admin.fill("#exchanges-merchant-code", MERCHANT)
    await admin.click("#exchanges-merchant button")
    await admin.locator("#variant-list tr[data-sku='TSHIRT-XL-BLUE']").wait_for()
    await admin.select_option("#exchanges-release", "APPROVAL")
    await admin.click("#exchanges-settings button")
    await admin.locator("#exchanges-message", has_text="Settings saved.").wait_for()
    await admin.fill("#variant-text", PASTE)
    await admin.click("#variant-paste button")
    await admin.locator("#exchanges-message", has_text="2 created, 0 updated.").wait_for()
    rows = await admin.locator("#variant-list tr").all_inner_texts()
    await screenshot(admin, "exchange-admin-en")
    problems = await accessibility_problems(admin)
    settings = (await backend.graphql(SETTINGS, {}))["exchangeSettings"]

    assert settings == {"releaseOn": "APPROVAL", "allowAnyProduct": False}
    assert len(rows) == 6
    assert any("SNEAKER-43" in row and "Out of stock" in row for row in rows)
    assert any("size: 42" in row for row in rows)
    assert "6 variants" in await admin.locator("#variant-total").inner_text()
    assert problems == []
    assert admin.console_errors == []


CREATE_RETURN = """mutation ($input: CreateReturnInput!) {
  createReturn(input: $input) { returnRequest { returnRequestId } userErrors { code message } } }"""


async def test_the_desk_shows_an_exchange_and_its_difference_right_to_left(shop, open_page):
    """A return asked for over GraphQL, two M for two L (20 AED dearer), on an Arabic desk:
    the exchange lines, their status and what the customer owes."""
    served, backend = shop["served"], shop["backend"]
    ask = {
        "merchant": MERCHANT,
        "orderReference": "DEMO-1001",
        "items": [{"sku": "TSHIRT-M-BLUE", "quantity": 2, "reasonCode": "CHANGED_MIND"}],
        "exchangeItems": [{"sku": "TSHIRT-L-BLUE", "quantity": 2, "replacesSku": "TSHIRT-M-BLUE"}],
        "pickup": {"contactName": "Layla", "address1": "12 Palm St", "city": "Dubai",
                   "country": "AE"},
    }  # fmt: skip
    created = (await backend.graphql(CREATE_RETURN, {"input": ask}))["createReturn"]
    assert created["userErrors"] == [], created
    rid = created["returnRequest"]["returnRequestId"]
    desk = await open_page(served.url, viewport=LAPTOP)
    await sign_in_as(desk, served.url, shop["agent"], lang="ar")
    await open_return(desk, rid)
    section = desk.locator("section[aria-labelledby=section-panel-exchanges]")
    await _scroll_to(section)
    await screenshot(desk, "exchange-desk-ar")
    text = await section.inner_text()
    problems = await accessibility_problems(desk)

    assert await desk.get_attribute("html", "dir") == "rtl"
    assert "الاستبدالات" in text and "قيد الانتظار" in text and "TSHIRT-L-BLUE" in text
    assert "على العميل دفع" in await desk.locator(".difference").inner_text()
    assert problems == []
    assert desk.console_errors == []
