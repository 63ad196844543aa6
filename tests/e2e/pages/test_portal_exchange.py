"""Exchanges on the portal (issue 27, the customer's part), over HTTP: each returnable line
offers the variants of its group with their stock and price, an unavailable one shown and
not choosable; the quote shows what comes instead and the difference due; the form makes a
return with exchange lines; a choice the page did not offer, or one out of stock by now, is
refused beside its line; the order page and the status page show the lines and their
status, in English and Arabic."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from domain import commands as c
from domain import exchange_services
from domain.values import Actor
from domain.variants import Variant
from persistence.unit_of_work import SqlUnitOfWork
from tests.e2e.pages.portal_support import HTML, JSON, form, page, portal_app


@pytest.fixture
async def portal(db, clock, tmp_path: Path):
    async with portal_app(db, clock, tmp_path) as (client, path):
        await push(db, clock, VARIANTS)
        yield client, path


def _variant(sku: str, size: str, price: str, **extra: Any) -> Variant:
    return Variant(
        merchant="acme",
        sku=sku,
        group_key="SHOE",
        title=f"Shoe {size}",
        price=Decimal(price),
        currency="AED",
        options=(("size", size), ("colour", "Black")),
        **extra,
    )


# SO-1's line is SKU-1 (10 AED): it is the shoe in 41.
VARIANTS = [
    _variant("SKU-1", "41", "10"),
    _variant("SHOE-42", "42", "12.50"),
    _variant("SHOE-43", "43", "8", available=False, backorderable=True),
    _variant("SHOE-44", "44", "10", available=False),
]


async def push(db, clock, variants: list[Variant]) -> None:
    await exchange_services.upsert_variants(
        c.UpsertVariants(actor=Actor(), merchant="acme", variants=variants),
        uow=SqlUnitOfWork(db, clock=clock),
        clock=clock,
    )


async def _quote(client: TestClient, path: str, lang: str = "en", **fields: str) -> Any:
    query = "&".join(f"{name.replace('_', '-')}={value}" for name, value in fields.items())
    url = path.replace("/portal/returns?", "/portal/returns/quote?") + f"&lang={lang}&{query}"
    response = await client.get(url, headers=JSON)
    assert response.status == 200, await response.text()
    return await response.json()


def _choices(html: str) -> dict[str, bool]:
    """Each variant radio of line 0 by sku, and whether it can be chosen."""
    radio = r'<input type="radio" id="exchange-0-\d+" name="exchange-0" value="([^"]+)"([^>]*)>'
    found = re.findall(radio, html)
    return {sku: "disabled" not in rest for sku, rest in found}


async def test_each_line_offers_its_groups_variants_with_stock_and_price(portal) -> None:
    client, path = portal

    html, _, _ = await page(client, path)

    assert _choices(html) == {"SHOE-42": True, "SHOE-43": True, "SHOE-44": False, "SKU-1": True}
    assert "Exchange for another size or colour?" in html
    assert "Size: 42 · Colour: Black" in html
    assert "Ships when back in stock" in html and "Out of stock" in html
    assert "AED12.50" in html


async def test_without_variants_no_line_offers_an_exchange(db, clock, tmp_path: Path) -> None:
    async with portal_app(db, clock, tmp_path) as (client, path):
        html, _, _ = await page(client, path)

    assert "exchange-0" not in html


async def test_the_quote_shows_the_exchange_and_the_difference_due(portal) -> None:
    client, path = portal

    dearer = await _quote(client, path, qty_0="1", sku_0="SKU-1", exchange_0="SHOE-42")
    even = await _quote(client, path, qty_0="2", sku_0="SKU-1", exchange_0="SKU-1")
    cheaper = await _quote(client, path, "ar", qty_0="1", sku_0="SKU-1", exchange_0="SHOE-43")

    [line] = dearer["quote"]["exchange_lines"]
    assert (line["sku"], line["quantity"], line["total"]["amount"]) == ("SHOE-42", 1, "12.50")
    [total] = dearer["quote"]["totals"]
    assert (total["difference"], total["due"]["amount"]) == ("pay", "2.50")
    assert "You pay the difference" in dearer["html"]
    assert even["quote"]["totals"][0]["difference"] == "even"
    assert "An even exchange" in even["html"]
    [total] = cheaper["quote"]["totals"]
    assert (total["difference"], total["due"]["amount"]) == ("back", "2.00")
    assert "ستحصل بدلًا منه على" in cheaper["html"] and "يُعاد إليك الفرق" in cheaper["html"]


async def test_the_form_makes_a_return_with_its_exchange_line(portal) -> None:
    client, path = portal
    _, csrf, submission = await page(client, path)

    response = await client.post(
        path, data=form(csrf, submission, **{"exchange-0": "SHOE-42"}), allow_redirects=False
    )
    assert response.status == 303, await response.text()
    order = await client.get(path, headers=HTML)
    html = await order.text()
    [returned] = (await (await client.get(path, headers=JSON)).json())["returns"]
    status_path = re.search(r'href="(/portal/status/[^"]+)"', html).group(1)
    status = await (await client.get(status_path.replace("&amp;", "&"), headers=HTML)).text()
    status_ar = await (
        await client.get(status_path.replace("&amp;", "&").replace("lang=en", "lang=ar"))
    ).text()

    assert returned["orderId"] == "SO-1"
    assert "Exchanges" in html and "Shoe 42" in html
    assert "Waiting for the shop&#39;s decision" in html
    assert "Shoe 42" in status and "instead of" in status
    assert "بانتظار قرار المتجر" in status_ar


async def test_a_variant_the_page_did_not_offer_is_refused_beside_its_line(portal) -> None:
    client, path = portal
    _, csrf, submission = await page(client, path)

    response = await client.post(path, data=form(csrf, submission, **{"exchange-0": "NOPE"}))

    html = await response.text()
    assert response.status == 400
    assert 'id="err-exchange-0"' in html
    assert (await (await client.get(path, headers=JSON)).json())["returns"] == []


async def test_a_variant_out_of_stock_by_now_is_refused_beside_its_line(portal, db, clock) -> None:
    client, path = portal
    _, csrf, submission = await page(client, path)
    await push(db, clock, [replace(VARIANTS[1], available=False)])

    response = await client.post(path, data=form(csrf, submission, **{"exchange-0": "SHOE-42"}))

    html = await response.text()
    assert response.status == 400
    assert "This one is out of stock now; please choose another." in html


async def test_programs_read_the_options_and_post_exchange_items_as_json(portal) -> None:
    client, path = portal
    shown = await (await client.get(path, headers=JSON)).json()
    body = {
        "items": [{"sku": "SKU-1", "quantity": "1"}],
        "exchangeItems": [{"sku": "SHOE-42", "quantity": "1", "replacesSku": "SKU-1"}],
    }

    created = await client.post(path, json=body, headers={"Idempotency-Key": "exchange-1"})
    sold_out = await client.post(
        path,
        json=body
        | {"exchangeItems": [{"sku": "SHOE-44", "quantity": "1", "replacesSku": "SKU-1"}]},
    )
    no_quantity = await client.post(
        path, json=body | {"exchangeItems": [{"sku": "SHOE-42", "replacesSku": "SKU-1"}]}
    )

    [line] = shown["items"]
    options = {o["sku"]: (o["price"], o["exchangeable"]) for o in line["exchangeOptions"]}
    assert options == {
        "SKU-1": ("10", True),
        "SHOE-42": ("12.50", True),
        "SHOE-43": ("8", True),
        "SHOE-44": ("10", False),
    }
    assert line["exchangeOptions"][0]["options"] == [
        {"name": "size", "value": "42"},
        {"name": "colour", "value": "Black"},
    ]
    assert created.status == 201, await created.text()
    assert 400 <= sold_out.status < 500
    assert (await sold_out.json())["errors"][0]["code"] == "OUT_OF_STOCK"
    assert 400 <= no_quantity.status < 500
    page_html = await (await client.get(path, headers=HTML)).text()
    assert "Shoe 42" in page_html
