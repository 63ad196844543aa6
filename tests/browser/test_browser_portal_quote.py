"""What the customer gets back, in a real browser at 375 px (issue 24, the portal's part):
the quote follows the form as the customer changes it, money and store credit with its
bonus, less fees by kind; in English and in Arabic (right to left, amounts isolated);
nothing overflows the phone; checked by axe-core."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from babel.numbers import format_currency

from domain import fee_services, store_credit_services
from domain.fees import FeeBasis, FeeKind, FeeRule
from domain.store_credit import BonusBasis, StoreCreditSettings
from ops.bootstrap import WIRING_KEY
from ops.demo import seed_demo
from persistence.unit_of_work import UnitsOfWork
from tests.browser.conftest import accessibility_problems, is_isolated, screenshot, seen_lines
from tests.clocks import FixedClock

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SMALL_PHONE = {"width": 375, "height": 812}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


async def _portal(live_app) -> tuple[object, str]:
    """The demo shop with a 10 % restocking fee when the customer changed their mind, 15 AED
    return shipping waived for damaged items, and a 10 % store-credit bonus capped at 20."""
    clock = FixedClock(NOW)
    live = await live_app(clock=clock, portal_secret="s" * 40)
    units = UnitsOfWork(live.db, clock)
    await seed_demo(units)
    rules = (
        FeeRule(
            "",
            "demo-store",
            FeeKind.RESTOCKING,
            FeeBasis.PERCENT_OF_ITEM,
            Decimal(10),
            reasons=("CHANGED_MIND",),
        ),
        FeeRule(
            "",
            "demo-store",
            FeeKind.RETURN_SHIPPING,
            FeeBasis.FLAT,
            Decimal(15),
            currency="AED",
            waiving_reasons=("DAMAGED",),
        ),
    )
    for rule in rules:
        await fee_services.create_fee_rule(rule, uow=units("dev"), clock=clock)
    bonus = StoreCreditSettings("demo-store", BonusBasis.PERCENT, Decimal(10), Decimal(20))
    await store_credit_services.set_store_credit_settings(bonus, uow=units("dev"), clock=clock)
    link, _ = live.app[WIRING_KEY].portal.link("dev", "demo-store", "DEMO-1001", now=NOW)
    return live, f"{live.url}/{link.split('/', 3)[3]}"


def _aed(amount: str, lang: str) -> str:
    return format_currency(Decimal(amount), "AED", locale=lang)


async def _outcome(page, outcome: str) -> str:
    return await page.locator(f'[data-outcome="{outcome}"] .total bdi').inner_text()


async def test_the_quote_follows_the_form_in_english(live_app, open_page) -> None:
    live, link = await _portal(live_app)
    page = await open_page(live.url, viewport=SMALL_PHONE, locale="en-GB", is_mobile=True)

    await page.goto(link)
    assert "Choose items to return" in await page.locator("#quote").inner_text()
    await page.select_option("#qty-0", "2")
    await page.select_option("#reason-0", "CHANGED_MIND")
    # 2 x 79 = 158.00, less 15.80 restocking and 15.00 shipping: 127.20; credit + 12.72
    await page.wait_for_function(
        "() => document.querySelector('[data-outcome=\"STORE_CREDIT\"]')"
        " && document.querySelector('#quote').textContent.includes('Restocking')"
    )
    quote = await page.locator("#quote").inner_text()
    assert "Restocking fee" in quote and "Return shipping" in quote
    assert await _outcome(page, "MONEY") == _aed("127.20", "en")
    assert await _outcome(page, "STORE_CREDIT") == _aed("139.92", "en")
    bonus = await page.locator(".bonus").inner_text()
    assert bonus == f"+ {_aed('12.72', 'en')} bonus for store credit"
    await page.locator("#quote").scroll_into_view_if_needed()
    await screenshot(page, "portal-quote-en-375")
    assert await page.evaluate(OVERFLOW) == 0
    assert await accessibility_problems(page) == []

    # a damaged item waives the shipping: the figure follows the new reason
    await page.select_option("#reason-0", "DAMAGED")
    await page.wait_for_function(
        "() => document.querySelector('#quote').textContent.includes('waived')"
        " || document.querySelector('.quote-hint')"
    )
    # the reason needs a photo and a condition: until they are given there is no figure
    assert await page.locator(".quote-outcomes").count() == 0
    assert "Complete the items" in await page.locator(".quote-hint").inner_text()
    assert page.foreign_requests == [] and page.console_errors == []


async def test_the_quote_reads_right_to_left_in_arabic(live_app, open_page) -> None:
    live, link = await _portal(live_app)
    page = await open_page(live.url, viewport=SMALL_PHONE, locale="ar-AE", is_mobile=True)

    await page.goto(link)
    assert await page.get_attribute("html", "dir") == "rtl"
    await page.select_option("#qty-1", "1")
    await page.select_option("#reason-1", "WRONG_SIZE")
    # 349.00 less 15.00 shipping: 334.00; the bonus 33.40 is capped at 20.00
    await page.wait_for_selector('[data-outcome="STORE_CREDIT"]')
    assert await _outcome(page, "MONEY") == _aed("334.00", "ar")
    # isolated, on one line, the figure at its right end: read first, then the dirham sign
    money = page.locator('[data-outcome="MONEY"] .total bdi')
    assert await is_isolated(money)
    (seen,) = await seen_lines(money)
    assert seen.endswith("334.00") and "د" in seen
    assert await _outcome(page, "STORE_CREDIT") == _aed("354.00", "ar")
    quote = await page.locator("#quote").inner_text()
    assert "رسوم شحن الإرجاع" in quote and "رصيد في المتجر" in quote
    assert "مكافأة عند اختيار رصيد المتجر" in await page.locator(".bonus").inner_text()
    await page.locator("#quote").scroll_into_view_if_needed()
    await screenshot(page, "portal-quote-ar-375")
    assert await page.evaluate(OVERFLOW) == 0
    assert await accessibility_problems(page) == []
    assert page.foreign_requests == [] and page.console_errors == []


async def test_without_javascript_a_refused_form_shows_the_quote(live_app, open_page) -> None:
    live, link = await _portal(live_app)
    page = await open_page(
        live.url, viewport=SMALL_PHONE, locale="en-GB", java_script_enabled=False
    )

    await page.goto(link)
    await page.select_option("#qty-0", "1")
    await page.select_option("#reason-0", "CHANGED_MIND")
    await page.fill("#city", "")
    await page.get_by_role("button", name="Request the return").click()

    await page.wait_for_selector("#err-city")
    # 79.00 less 7.90 restocking and 15.00 shipping
    assert await _outcome(page, "MONEY") == _aed("56.10", "en")
    await screenshot(page, "portal-quote-en-nojs")
