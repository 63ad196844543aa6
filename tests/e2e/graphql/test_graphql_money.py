"""GraphQL's Decimal takes money in one written form and answers in it; every other spelling
is refused with INVALID_INPUT before anything runs, and nothing is stored (issue 12, item 6).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.graphql.conftest import ReturnsApi

ADD_REFUND = """
mutation ($input: AddRefundInput!) {
  addRefund(input: $input) {
    refund { amount } returnRequest { refunds { amount } } userErrors { code field message }
  }
}
"""
ORDER_WITH_PRICE = """
mutation {
  upsertOrder(input: {merchant: "m", reference: "SO-9", currency: "AED",
    lines: [{sku: "A", quantity: 1, unitPrice: %s}]}) {
    order { lines { unitPrice } } userErrors { code field message }
  }
}
"""
ORDER_EXISTS = '{ order(merchant: "m", reference: "SO-9") { reference } }'

NOT_CANONICAL: list[Any] = [
    "\u0663",  # an Arabic-Indic three, which Decimal() reads as 3
    "\uff13",  # a fullwidth three
    " 1",
    "1 ",
    "+1",
    ".5",
    "1.",
    "01",
    "1e1",
    "NaN",
    "Infinity",
    "-0",
    "1_0",
    1.5,  # a JSON number: Decimal is a string
    3,
    True,
]


async def refund(api: ReturnsApi, amount: Any) -> dict[str, Any]:
    request = await api.approved_return()
    input = {"returnRequestId": request["returnRequestId"], "amount": amount, "currency": "AED"}
    response = await api.graphql.http.post(
        "/graphql", json={"query": ADD_REFUND, "variables": {"input": input}}
    )
    return await response.json()


async def refunds_of_the_request(api: ReturnsApi) -> list[dict[str, Any]]:
    data = await api.graphql.data(
        "{ returnRequests(first: 1) { edges { node { refunds { amount } } } } }"
    )
    return data["returnRequests"]["edges"][0]["node"]["refunds"]


@pytest.mark.parametrize("amount", NOT_CANONICAL, ids=repr)
async def test_a_refund_amount_in_another_form_is_refused_and_nothing_stored(
    api: ReturnsApi, amount: Any
) -> None:
    body = await refund(api, amount)

    [error] = body["errors"]
    assert error["extensions"] == {"code": "INVALID_INPUT"}, error
    assert "amount" in error["message"], error  # the variable's path names the field
    assert await refunds_of_the_request(api) == []


@pytest.mark.parametrize("amount", ["3", "0.5", "49.90", "1.250"])
async def test_a_canonical_amount_is_stored_and_shown_as_written(
    api: ReturnsApi, amount: str
) -> None:
    body = await refund(api, amount)

    payload = body["data"]["addRefund"]
    assert payload["userErrors"] == []
    assert payload["refund"] == {"amount": amount}
    assert await refunds_of_the_request(api) == [{"amount": amount}]


@pytest.mark.parametrize("price", ["\u0663", "-0", "-0.00", "+1", ".5", "1e2"])
async def test_a_literal_price_in_another_form_is_refused_where_it_is_written(
    api: ReturnsApi, price: str
) -> None:
    response = await api.graphql.http.post(
        "/graphql", json={"query": ORDER_WITH_PRICE % json.dumps(price)}
    )
    body = await response.json()

    [error] = body["errors"]
    assert error["extensions"] == {"code": "INVALID_INPUT"}
    assert error["locations"], error
    assert (await api.graphql.data(ORDER_EXISTS))["order"] is None


async def test_a_zero_price_is_stored_as_zero(api: ReturnsApi) -> None:
    data = await api.graphql.data(ORDER_WITH_PRICE % '"0.00"')

    assert data["upsertOrder"]["order"]["lines"] == [{"unitPrice": "0.00"}]


async def test_places_beyond_the_currency_are_refused_even_when_zeros(api: ReturnsApi) -> None:
    body = await refund(api, "1.0000")

    [error] = body["data"]["addRefund"]["userErrors"]
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "amount")
    assert await refunds_of_the_request(api) == []
