"""What the customer gets back, before submitting (issue 24, the portal's part): the quote
endpoint's figures against a merchant with fee rules and a store-credit bonus, in both
languages; store credit only where the merchant gives it; no figure for a form the use case
would refuse; the link's token decides; and a quote writes nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from babel.numbers import format_currency
from sqlalchemy import text

from domain import configuration_services, fee_services, store_credit_services
from domain.fees import FeeBasis, FeeKind, FeeRule
from domain.reference import ReferenceEntry, ReferenceKind
from domain.store_credit import BonusBasis, StoreCreditSettings
from persistence.unit_of_work import SqlUnitOfWork
from tests.e2e.pages.portal_support import HTML, JSON, form, page, portal_app

TABLES = ("return_requests", "return_items", "outbox_events", "idempotency_keys")


@pytest.fixture
async def portal(db, clock, tmp_path: Path):
    async with portal_app(db, clock, tmp_path) as (client, path):
        yield client, path


async def _fees_and_bonus(db, clock) -> None:
    """10 % restocking per item and 3 AED handling per return; 10 % bonus on credit."""
    for rule in (
        FeeRule("", "acme", FeeKind.RESTOCKING, FeeBasis.PERCENT_OF_ITEM, Decimal(10)),
        FeeRule("", "acme", FeeKind.HANDLING, FeeBasis.FLAT, Decimal(3), currency="AED"),
    ):
        await fee_services.create_fee_rule(rule, uow=SqlUnitOfWork(db, clock=clock), clock=clock)
    settings = StoreCreditSettings("acme", BonusBasis.PERCENT, Decimal(10))
    await store_credit_services.set_store_credit_settings(
        settings, uow=SqlUnitOfWork(db, clock=clock), clock=clock
    )


async def _quote(client: TestClient, path: str, lang: str = "en", **fields: str) -> Any:
    query = "&".join(f"{name.replace('_', '-')}={value}" for name, value in fields.items())
    url = path.replace("/portal/returns?", "/portal/returns/quote?") + f"&lang={lang}&{query}"
    response = await client.get(url, headers=JSON)
    assert response.status == 200, await response.text()
    assert response.headers["Cache-Control"] == "no-store"
    return await response.json()


async def _counts(db) -> dict[str, int]:
    async with db.read_session() as session:
        return {
            table: (await session.execute(text(f"SELECT COUNT(*) FROM {table}"))).scalar_one()
            for table in TABLES
        }


async def test_the_quote_shows_value_fees_and_each_outcome(portal, db, clock) -> None:
    client, path = portal
    await _fees_and_bonus(db, clock)
    answer = await _quote(client, path, sku_0="SKU-1", qty_0="2")
    quote = answer["quote"]
    (line,) = quote["lines"]
    assert (line["sku"], line["quantity"], line["value"]["amount"]) == ("SKU-1", 2, "20.00")
    assert [(f["kind"], f["amount"]) for f in line["fees"]] == [("RESTOCKING", "2.00")]
    assert [(f["kind"], f["amount"]) for f in quote["return_fees"]] == [("HANDLING", "3.00")]
    (total,) = quote["totals"]
    assert (total["value"]["amount"], total["fees"]["amount"]) == ("20.00", "5.00")
    outcomes = {o["outcome"]: o for o in total["outcomes"]}
    assert outcomes["MONEY"]["total"]["amount"] == "15.00"
    assert outcomes["MONEY"]["bonus"] is None
    credit = outcomes["STORE_CREDIT"]
    assert (credit["amount"]["amount"], credit["bonus"]["amount"]) == ("15.00", "1.50")
    assert credit["total"]["amount"] == "16.50"
    assert "Restocking fee" in answer["html"] and "Handling fee" in answer["html"]
    assert "bonus for store credit" in answer["html"]
    assert credit["total"]["shown"] == format_currency(Decimal("16.50"), "AED", locale="en")


async def test_the_quote_speaks_arabic(portal, db, clock) -> None:
    client, path = portal
    await _fees_and_bonus(db, clock)
    answer = await _quote(client, path, "ar", sku_0="SKU-1", qty_0="1")
    (total,) = answer["quote"]["totals"]
    outcomes = {o["outcome"]: o for o in total["outcomes"]}
    # 10 - 1 restocking - 3 handling = 6; the bonus 0.60
    assert outcomes["MONEY"]["total"]["amount"] == "6.00"
    assert outcomes["STORE_CREDIT"]["total"]["amount"] == "6.60"
    assert outcomes["STORE_CREDIT"]["label"] == "رصيد في المتجر"
    assert "رسوم إعادة التخزين" in answer["html"] and "مكافأة" in answer["html"]
    assert "د.إ" in outcomes["MONEY"]["total"]["shown"]  # babel's Arabic dirham sign
    assert '<bdi class="value-money" dir="auto">' in answer["html"]


async def test_without_credit_settings_only_money_is_offered(portal, db, clock) -> None:
    client, path = portal
    answer = await _quote(client, path, sku_0="SKU-1", qty_0="1")
    (total,) = answer["quote"]["totals"]
    assert [o["outcome"] for o in total["outcomes"]] == ["MONEY"]
    assert total["outcomes"][0]["total"]["amount"] == "10.00"
    assert "Store credit" not in answer["html"]


async def test_nothing_chosen_or_a_refused_item_shows_no_figure(portal, db, clock) -> None:
    client, path = portal
    await _fees_and_bonus(db, clock)
    nothing = await _quote(client, path, sku_0="SKU-1", qty_0="0")
    assert nothing["quote"] is None and "Choose items" in nothing["hint"]
    too_many = await _quote(client, path, sku_0="SKU-1", qty_0="3")
    assert too_many["quote"] is None and "Complete the items" in too_many["hint"]
    changed = await _quote(client, path, sku_0="SKU-9", qty_0="1")
    assert changed["quote"] is None
    assert "AED" not in changed["html"]


async def test_the_page_shows_the_quote_without_javascript(portal, db, clock) -> None:
    client, path = portal
    await _fees_and_bonus(db, clock)
    html = await (await client.get(path, headers=HTML)).text()
    assert 'id="quote"' in html and "data-quote-url=" in html
    assert "Choose items to return" in html
    # a refused form (no address) comes back with the figure for what was chosen
    _, csrf, submission = await page(client, path)
    refused = await client.post(path, data=form(csrf, submission, **{"qty-0": "2", "address1": ""}))
    body = await refused.text()
    assert refused.status == 400
    for amount in ("15.00", "16.50"):
        assert format_currency(Decimal(amount), "AED", locale="en") in body


@pytest.mark.parametrize("token", [None, "", "not-a-token"])
async def test_a_quote_needs_the_links_token(portal, token: str | None) -> None:
    client, _ = portal
    url = "/portal/returns/quote?sku-0=SKU-1&qty-0=1"
    if token is not None:
        url += f"&token={token}"
    response = await client.get(url, headers=JSON)
    assert response.status in (401, 403)
    body = await response.json()
    assert "quote" not in body


async def test_a_tampered_token_is_refused(portal) -> None:
    client, path = portal
    tampered = path[:-2] + ("AA" if not path.endswith("AA") else "BB")
    url = tampered.replace("/portal/returns?", "/portal/returns/quote?") + "&qty-0=1&sku-0=SKU-1"
    response = await client.get(url, headers=JSON)
    assert response.status in (401, 403)


async def test_a_quote_writes_nothing(portal, db, clock) -> None:
    client, path = portal
    await _fees_and_bonus(db, clock)
    before = await _counts(db)
    for quantity in ("1", "2", "3"):
        await _quote(client, path, sku_0="SKU-1", qty_0=quantity)
    assert await _counts(db) == before


async def _reference(db, clock, **fields: Any) -> None:
    await configuration_services.create_reference(
        ReferenceEntry(merchant="acme", **fields), uow=SqlUnitOfWork(db, clock=clock)
    )


async def test_a_reason_that_needs_a_photo_is_quoted_once_one_is_chosen(portal, db, clock) -> None:
    """A photo counts as chosen (`photos-0=1`), it is never sent; the shop's fault waives the
    shipping fee, shown as waived and taking nothing."""
    client, path = portal
    await _reference(
        db,
        clock,
        kind=ReferenceKind.RETURN_REASON,
        code="BROKEN",
        name="Broken",
        require_images=True,
    )
    shipping = FeeRule(
        "",
        "acme",
        FeeKind.RETURN_SHIPPING,
        FeeBasis.FLAT,
        Decimal(4),
        currency="AED",
        waiving_reasons=("BROKEN",),
    )
    await fee_services.create_fee_rule(shipping, uow=SqlUnitOfWork(db, clock=clock), clock=clock)
    without = await _quote(client, path, sku_0="SKU-1", qty_0="1", reason_0="BROKEN")
    assert without["quote"] is None and "Complete the items" in without["hint"]
    answer = await _quote(client, path, sku_0="SKU-1", qty_0="1", reason_0="BROKEN", photos_0="1")
    (fee,) = answer["quote"]["return_fees"]
    assert (fee["kind"], fee["waived"], fee["amount"]) == ("RETURN_SHIPPING", True, "0.00")
    (total,) = answer["quote"]["totals"]
    assert total["outcomes"][0]["total"]["amount"] == "10.00"
    assert "waived" in answer["html"]


async def test_a_refund_type_marked_store_credit_offers_credit(portal, db, clock) -> None:
    client, path = portal
    await _reference(
        db,
        clock,
        kind=ReferenceKind.REFUND_TYPE,
        code="CREDIT",
        name="Credit",
        store_credit=True,
    )
    answer = await _quote(client, path, sku_0="SKU-1", qty_0="1")
    (total,) = answer["quote"]["totals"]
    outcomes = {o["outcome"]: o for o in total["outcomes"]}
    assert set(outcomes) == {"MONEY", "STORE_CREDIT"}
    assert outcomes["STORE_CREDIT"]["bonus"] is None  # no settings: no bonus
    assert outcomes["STORE_CREDIT"]["total"]["amount"] == "10.00"
