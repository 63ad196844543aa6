"""What approving with an item list means, and which actions a request allows, are the same on
both faces: a merchant naming some skus approves exactly those, and a refused action lists the
very `allowedActions` the request shows."""

from __future__ import annotations

from typing import Any

from tests.e2e.rest.carriyo_client import Carriyo

REQUESTS = "/returns/requests"
BOTH_ITEMS = [
    {"sku": "SHIRT-M", "quantity": 2, "return_reason": "TOO_SMALL"},
    {"sku": "CAP", "quantity": 1, "return_reason": "DAMAGED"},
]
APPROVE = """
mutation($id: ID!) {
  approveReturn(input: {returnRequestId: $id, items: [{sku: "SHIRT-M", quantity: 2}],
                        rejectionReason: "WORN"}) {
    returnRequest { items { sku approvedQuantity rejectedQuantity } }
    userErrors { code message }
  }
}
"""
COMPLETE = """
mutation($id: ID!) {
  completeReturn(input: {returnRequestId: $id}) {
    returnRequest { status allowedActions } userErrors { code message }
  }
}
"""


async def graphql(carriyo: Carriyo, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await carriyo.http.post("/graphql", json={"query": query, "variables": variables})
    body = await response.json()
    assert "errors" not in body, body
    return body["data"]


async def _pending_with_both_items(carriyo: Carriyo) -> str:
    await carriyo.order()
    return (await carriyo.create(BOTH_ITEMS))["return_request_id"]


async def test_rest_approve_with_items_approves_only_the_listed_skus(carriyo: Carriyo) -> None:
    rid = await _pending_with_both_items(carriyo)

    approved = await carriyo.ok(
        "PATCH",
        f"{REQUESTS}/{rid}/approve",
        {"items": [{"sku": "SHIRT-M", "quantity": 2}], "rejection_reason": "WORN"},
    )

    quantities = {
        i["sku"]: (i["approved_quantity"], i["rejected_quantity"]) for i in approved["items"]
    }
    assert quantities == {"SHIRT-M": (2, 0), "CAP": (0, 1)}


async def test_graphql_approve_with_items_approves_only_the_listed_skus(carriyo: Carriyo) -> None:
    rid = await _pending_with_both_items(carriyo)

    data = await graphql(carriyo, APPROVE, {"id": rid})

    payload = data["approveReturn"]
    assert payload["userErrors"] == []
    assert payload["returnRequest"]["items"] == [
        {"sku": "SHIRT-M", "approvedQuantity": 2, "rejectedQuantity": 0},
        {"sku": "CAP", "approvedQuantity": 0, "rejectedQuantity": 1},
    ]


async def test_rest_approve_without_items_approves_every_unit(carriyo: Carriyo) -> None:
    rid = await _pending_with_both_items(carriyo)

    approved = await carriyo.ok("PATCH", f"{REQUESTS}/{rid}/approve")

    assert {i["sku"]: i["approved_quantity"] for i in approved["items"]} == {"SHIRT-M": 2, "CAP": 1}


async def test_leaving_a_sku_out_without_a_rejection_reason_is_refused_on_both_faces(
    carriyo: Carriyo,
) -> None:
    rid = await _pending_with_both_items(carriyo)

    status, rest = await carriyo.call(
        "PATCH", f"{REQUESTS}/{rid}/approve", {"items": [{"sku": "SHIRT-M", "quantity": 2}]}
    )
    data = await graphql(
        carriyo,
        'mutation($id: ID!) { approveReturn(input: {returnRequestId: $id, items: [{sku: "SHIRT-M",'
        " quantity: 2}]}) { userErrors { code } } }",
        {"id": rid},
    )

    assert status == 400
    assert rest["errors"][0]["code"] == "REQUIREMENT_MISSING"
    assert data["approveReturn"]["userErrors"] == [{"code": "REQUIREMENT_MISSING"}]


async def test_a_refused_action_lists_the_allowed_actions_graphql_shows(carriyo: Carriyo) -> None:
    rid = (await carriyo.approved())["return_request_id"]
    await carriyo.ok(
        "PATCH", f"{REQUESTS}/{rid}/receive", {"items": [{"sku": "SHIRT-M", "quantity": 2}]}
    )
    await carriyo.ok(
        "POST", f"{REQUESTS}/{rid}/refunds", {"amount": 10, "currency": "AED", "reference": "R1"}
    )
    completed = (await graphql(carriyo, COMPLETE, {"id": rid}))["completeReturn"]["returnRequest"]

    status, rest = await carriyo.call("PATCH", f"{REQUESTS}/{rid}/approve")
    shown = await carriyo.ok("GET", f"{REQUESTS}/{rid}")

    assert completed["allowedActions"] == ["ADD_NOTE", "ADD_REFUND", "DELETE_REFUND"]
    assert status == 400
    listed = rest["errors"][0]["message"].rsplit("allowed actions: ", 1)[1]
    assert listed.split(", ") == completed["allowedActions"]
    assert [a.upper() for a in shown["allowed_actions"]] == completed["allowedActions"]
