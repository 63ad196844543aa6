"""Carriyo's shim and exchanges (issue 27): its wire shapes stay as they are; the request's
`resolution` names the merchant's exchange resolution once the request has exchange lines,
and refund totals leave room only for what the exchange does not take."""

from __future__ import annotations

from typing import Any

from tests.e2e.rest.carriyo_client import Carriyo

SETUP = """mutation {
  createResolution(input: {merchant: "acme", code: "EXCH", name: "Exchange", isExchange: true})
    { userErrors { code } }
  refund: createResolution(input: {merchant: "acme", code: "REFUND", name: "Refund"})
    { userErrors { code } }
  upsertVariants(input: {merchant: "acme", variants: [
    {sku: "SHIRT-M", groupKey: "SHIRT", title: "Shirt M", price: "49.90", currency: "AED"},
    {sku: "SHIRT-L", groupKey: "SHIRT", title: "Shirt L", price: "49.90", currency: "AED"}]})
    { userErrors { code } }
}"""
EXCHANGE = """mutation ($id: ID!) { updateReturn(input: {returnRequestId: $id,
  exchangeItems: [{sku: "SHIRT-L", quantity: 1, replacesSku: "SHIRT-M"}]}) {
  returnRequest { resolutionCode } userErrors { code field } } }"""


async def graphql(carriyo: Carriyo, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = await carriyo.http.post("/graphql", json={"query": query, "variables": variables})
    body = await response.json()
    assert "errors" not in body, body
    return body["data"]


async def test_the_resolution_names_the_exchange_and_the_shapes_stay(carriyo: Carriyo):
    plain = await carriyo.pending()
    data = await graphql(carriyo, SETUP)
    assert data["createResolution"]["userErrors"] == data["upsertVariants"]["userErrors"] == []
    one = [{"sku": "SHIRT-M", "quantity": 1, "return_reason": "TOO_SMALL"}]
    rid = (await carriyo.create(one))["return_request_id"]  # resolution REFUND

    edited = await graphql(carriyo, EXCHANGE, {"id": rid})
    assert edited["updateReturn"]["userErrors"] == []

    status, shown = await carriyo.get(rid)
    assert status == 200
    assert shown["resolution"] == "EXCH"
    assert set(shown) == set(plain)  # the same fields as any request: no new ones on the wire
    approved = await carriyo.ok("PATCH", f"/returns/requests/{rid}/approve")
    assert approved["status"] == "approved" and approved["resolution"] == "EXCH"
    # The even exchange takes the whole returned value: nothing is left to refund.
    status, refused = await carriyo.call(
        "POST", f"/returns/requests/{rid}/refunds", {"amount": 1, "currency": "AED"}
    )
    assert status >= 400 and "REFUND_EXCEEDS_VALUE" in str(refused), refused
