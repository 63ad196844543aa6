"""Exchanges over GraphQL (issue 27): variants and settings as merchant configuration,
createReturn and updateReturn with exchange items and their userErrors, the balance's
difference due, the exchange actions in allowedActions, releaseExchange (PAYMENT_REQUIRED
until recordExchangePayment), markExchangeFulfilled, convertExchange, exchangeOptions, a
resolution marked as the exchange one, and quoteReturn with exchange items."""

from __future__ import annotations

from typing import Any

from tests.e2e.graphql.conftest import DROPOFF, MERCHANT, ORDER_REFERENCE, PICKUP, ReturnsApi

UPSERT = """
mutation ($input: UpsertVariantsInput!) {
  upsertVariants(input: $input) {
    created updated variants { id sku groupKey options { name value } exchangeable }
    userErrors { code field message }
  }
}
"""
SETTINGS = """
mutation ($input: UpdateExchangeSettingsInput!) {
  updateExchangeSettings(input: $input) {
    exchangeSettings { merchant releaseOn allowAnyProduct outOfStockFallback }
    userErrors { code field message }
  }
}
"""
EXCHANGE = """
  version status allowedActions
  exchangeLines {
    lineId sku title quantity replacesSku unitPrice currency total status releasedAt
    fulfilment { trackingNumber carrier } convertedTo variant { sku available }
  }
  exchangePayments { amount currency reference }
  balance { currency approvedValue fees remaining exchangeTotal differenceDue paid }
"""
CREATE = f"""
mutation ($input: CreateReturnInput!) {{
  createReturn(input: $input) {{
    returnRequest {{ returnRequestId {EXCHANGE} }}
    userErrors {{ code field message }}
  }}
}}
"""
RUN = """
mutation ($input: %sInput!) {
  %s(input: $input) { returnRequest { %s } userErrors { code field message } }
}
"""
VARIANTS = [
    {"sku": "SHIRT-M", "groupKey": "SHIRT", "title": "Shirt M", "price": "49.90",
     "currency": "AED", "options": [{"name": "size", "value": "M"}]},
    {"sku": "SHIRT-L", "groupKey": "SHIRT", "title": "Shirt L", "price": "49.90",
     "currency": "AED", "options": [{"name": "size", "value": "L"}]},
    {"sku": "SHIRT-XL", "groupKey": "SHIRT", "title": "Shirt XL", "price": "59.90",
     "currency": "AED", "available": False, "backorderable": True},
    {"sku": "SHIRT-XS", "groupKey": "SHIRT", "title": "Shirt XS", "price": "49.90",
     "currency": "AED", "available": False},
    {"sku": "CAP", "groupKey": "CAP", "title": "Cap", "price": "20.00", "currency": "AED"},
]  # fmt: skip


async def stock(graphql: Any, **settings: Any) -> None:
    data = await graphql.data(UPSERT, {"input": {"merchant": MERCHANT, "variants": VARIANTS}})
    assert data["upsertVariants"]["userErrors"] == []
    if settings:
        data = await graphql.data(SETTINGS, {"input": {"merchant": MERCHANT, **settings}})
        assert data["updateExchangeSettings"]["userErrors"] == []


async def create(graphql: Any, exchange: list[dict[str, Any]], quantity: int = 1) -> Any:
    data = await graphql.data(
        CREATE,
        {
            "input": {
                "merchant": MERCHANT,
                "orderReference": ORDER_REFERENCE,
                "items": [{"sku": "SHIRT-M", "quantity": quantity}],
                "pickup": PICKUP,
                "dropoff": DROPOFF,
                "exchangeItems": exchange,
            }
        },
    )
    return data["createReturn"]


async def run(graphql: Any, name: str, input: dict[str, Any]) -> Any:
    operation = RUN % (name[0].upper() + name[1:], name, EXCHANGE)
    return (await graphql.data(operation, {"input": input}))[name]


def swap(sku: str, quantity: int = 1) -> dict[str, Any]:
    return {"sku": sku, "quantity": quantity, "replacesSku": "SHIRT-M"}


async def test_variants_are_upserted_in_bulk_and_paged(graphql, api: ReturnsApi):
    data = await graphql.data(UPSERT, {"input": {"merchant": MERCHANT, "variants": VARIANTS}})
    payload = data["upsertVariants"]
    assert (payload["created"], payload["updated"], payload["userErrors"]) == (5, 0, [])
    again = await graphql.data(UPSERT, {"input": {"merchant": MERCHANT, "variants": VARIANTS[:1]}})
    assert again["upsertVariants"]["updated"] == 1

    page = """query ($after: String) { variants(merchant: "acme", groupKey: "SHIRT", first: 2,
      after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { sku } } } }"""
    first = (await graphql.data(page))["variants"]
    second = (await graphql.data(page, {"after": first["pageInfo"]["endCursor"]}))["variants"]
    skus = [e["node"]["sku"] for e in first["edges"] + second["edges"]]
    assert skus == ["SHIRT-L", "SHIRT-M", "SHIRT-XL", "SHIRT-XS"]
    assert first["totalCount"] == 4 and not second["pageInfo"]["hasNextPage"]

    bad = await graphql.data(
        UPSERT,
        {"input": {"merchant": MERCHANT, "variants": [{**VARIANTS[0], "currency": "dirham"}]}},
    )
    assert bad["upsertVariants"]["userErrors"][0]["code"] == "INVALID_INPUT"
    gone = await graphql.data(
        """mutation { deleteVariant(input: {merchant: "acme", sku: "CAP"}) {
             deleted userErrors { code } } }"""
    )
    assert gone["deleteVariant"] == {"deleted": True, "userErrors": []}


async def test_exchange_options_and_settings(graphql, api: ReturnsApi):
    await api.upsert_order()
    await stock(graphql)
    query = """{ exchangeOptions(merchant: "acme", orderReference: "SO-1001", sku: "SHIRT-M")
                 { sku exchangeable } exchangeSettings(merchant: "acme") { releaseOn } }"""
    data = await graphql.data(query)
    assert {o["sku"]: o["exchangeable"] for o in data["exchangeOptions"]} == {
        "SHIRT-L": True,
        "SHIRT-M": True,
        "SHIRT-XL": True,
        "SHIRT-XS": False,
    }
    assert data["exchangeSettings"]["releaseOn"] == "RECEIPT"
    await stock(graphql, allowAnyProduct=True)
    data = await graphql.data(query)
    assert "CAP" in {o["sku"] for o in data["exchangeOptions"]}


async def test_create_refuses_what_the_catalogue_does_not_allow(graphql, api: ReturnsApi):
    await api.upsert_order()
    await stock(graphql)
    cases = {
        "NOPE": "UNKNOWN_SKU",
        "SHIRT-XS": "OUT_OF_STOCK",
        "CAP": "EXCHANGE_NOT_ALLOWED",
    }
    for sku, code in cases.items():
        payload = await create(graphql, [swap(sku)])
        assert payload["returnRequest"] is None
        assert payload["userErrors"][0]["code"] == code, payload
        assert payload["userErrors"][0]["field"] == "exchangeItems.sku"
    too_many = await create(graphql, [swap("SHIRT-L", 2)])
    assert too_many["userErrors"][0]["code"] == "QUANTITY_EXCEEDED"
    assert await api.count() == 0


async def test_an_even_exchange_released_by_hand_then_fulfilled(graphql, api: ReturnsApi):
    await api.upsert_order()
    await stock(graphql)
    created = await create(graphql, [swap("SHIRT-L")])
    request = created["returnRequest"]
    rid = request["returnRequestId"]
    [line] = request["exchangeLines"]
    assert (line["lineId"], line["status"], line["unitPrice"], line["variant"]["sku"]) == (
        "XL-1",
        "PENDING",
        "49.90",
        "SHIRT-L",
    )
    assert request["balance"][0]["differenceDue"] == "0.00"

    approved = await api.change("approveReturn", {"returnRequestId": rid})
    assert approved["status"] == "APPROVED"
    released = await run(graphql, "releaseExchange", {"returnRequestId": rid})
    assert released["userErrors"] == []
    after = released["returnRequest"]
    assert after["exchangeLines"][0]["status"] == "RELEASED"
    assert "FULFIL_EXCHANGE" in after["allowedActions"]
    assert "RELEASE_EXCHANGE" not in after["allowedActions"]
    assert after["balance"][0]["remaining"] == "0.00"

    again = await run(graphql, "releaseExchange", {"returnRequestId": rid})
    assert again["userErrors"][0]["code"] == "INVALID_TRANSITION"
    shipped = await run(
        graphql,
        "markExchangeFulfilled",
        {"returnRequestId": rid, "trackingNumber": "TRK-9", "carrier": "aramex"},
    )
    assert shipped["returnRequest"]["exchangeLines"][0]["fulfilment"] == {
        "trackingNumber": "TRK-9",
        "carrier": "aramex",
    }
    events = await graphql.data(
        "query ($id: ID!) { returnRequest(id: $id) { events { eventType } } }", {"id": rid}
    )
    types = [e["eventType"] for e in events["returnRequest"]["events"]]
    assert types.count("ExchangeReleased") == 1 and "ExchangeRequested" in types


async def test_an_upsell_waits_for_the_payment(graphql, api: ReturnsApi):
    await api.upsert_order()
    await stock(graphql)
    rid = (await create(graphql, [swap("SHIRT-XL")]))["returnRequest"]["returnRequestId"]
    approved = await run(graphql, "releaseExchange", {"returnRequestId": rid})
    assert approved["userErrors"][0]["code"] == "INVALID_TRANSITION"  # not approved yet
    await api.change("approveReturn", {"returnRequestId": rid})

    blocked = await run(graphql, "releaseExchange", {"returnRequestId": rid})
    assert blocked["userErrors"][0]["code"] == "PAYMENT_REQUIRED"
    request = await api.get(rid)
    assert "RECORD_EXCHANGE_PAYMENT" in request["allowedActions"]

    paid = await run(
        graphql,
        "recordExchangePayment",
        {"returnRequestId": rid, "amount": "10.00", "currency": "AED", "reference": "PAY-1"},
    )
    assert paid["userErrors"] == []
    balance = paid["returnRequest"]["balance"][0]
    assert (balance["differenceDue"], balance["paid"]) == ("10.00", "10.00")
    released = await run(graphql, "releaseExchange", {"returnRequestId": rid})
    assert released["returnRequest"]["exchangeLines"][0]["status"] == "RELEASED"


async def test_convert_and_edit(graphql, api: ReturnsApi):
    await api.upsert_order()
    await stock(graphql)
    rid = (await create(graphql, [swap("SHIRT-L")], 2))["returnRequest"]["returnRequestId"]
    edited = await run(
        graphql, "updateReturn", {"returnRequestId": rid, "exchangeItems": [swap("SHIRT-L", 2)]}
    )
    lines = edited["returnRequest"]["exchangeLines"]
    assert [(x["lineId"], x["status"], x["quantity"]) for x in lines] == [
        ("XL-1", "CANCELLED", 1),
        ("XL-2", "PENDING", 2),
    ]
    await api.change("approveReturn", {"returnRequestId": rid})
    converted = await run(
        graphql,
        "convertExchange",
        {"returnRequestId": rid, "lineId": "XL-2", "outcome": "STORE_CREDIT"},
    )
    line = converted["returnRequest"]["exchangeLines"][1]
    assert (line["status"], line["convertedTo"]) == ("CONVERTED", "STORE_CREDIT")
    assert converted["returnRequest"]["balance"][0]["remaining"] == "99.80"


async def test_quote_shows_the_difference_before_submitting(graphql, api: ReturnsApi):
    await api.upsert_order()
    await stock(graphql)
    quote = """query ($input: QuoteReturnInput!) { quoteReturn(input: $input) {
      quote { exchangeLines { sku quantity total exchangeable }
              totals { currency value exchangeTotal differenceDue } }
      userErrors { code } } }"""
    create_input = {
        "merchant": MERCHANT,
        "orderReference": ORDER_REFERENCE,
        "items": [{"sku": "SHIRT-M", "quantity": 1}],
        "exchangeItems": [swap("SHIRT-XL")],
    }
    data = (await graphql.data(quote, {"input": {"create": create_input}}))["quoteReturn"]
    assert data["userErrors"] == []
    assert data["quote"]["exchangeLines"] == [
        {"sku": "SHIRT-XL", "quantity": 1, "total": "59.90", "exchangeable": True}
    ]
    assert data["quote"]["totals"] == [
        {"currency": "AED", "value": "49.90", "exchangeTotal": "59.90", "differenceDue": "10.00"}
    ]
    assert await api.count() == 0


async def test_a_resolution_is_marked_as_the_exchange_one(graphql):
    created = await graphql.data(
        """mutation { createResolution(input: {merchant: "acme", code: "EXCHANGE",
             name: "Exchange", isExchange: true}) {
             referenceCode { code ... on Resolution { isExchange } }
             userErrors { code field } } }"""
    )
    assert created["createResolution"]["referenceCode"] == {
        "code": "EXCHANGE",
        "isExchange": True,
    }
    refused = await graphql.data(
        """mutation { createItemCondition(input: {merchant: "acme", code: "NEW", name: "New",
             isExchange: true}) { userErrors { code field } } }"""
    )
    assert refused["createItemCondition"]["userErrors"] == [
        {"code": "INVALID_INPUT", "field": "isExchange"}
    ]
