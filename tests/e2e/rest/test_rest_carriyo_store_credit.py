"""Carriyo's existing refund call issues store credit when the merchant marked the refund
type so (in GraphQL): same body in, same answer out, and the credit lands on the order's
customer's account; deleting the refund once the credit is spent is a 409."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.e2e.rest.carriyo_client import EMAIL, MERCHANT, Carriyo

REQUESTS = "/returns/requests"
MARK = """
mutation ($input: ScopedReferenceCodeInput!) {
  createRefundType(input: $input) { userErrors { code } }
}
"""
BALANCE = """
query ($merchant: String!, $email: String!) {
  storeCreditAccounts(merchant: $merchant, email: $email, first: 5) {
    edges { node { accountId balance } }
  }
}
"""
DEBIT = """
mutation ($input: DebitStoreCreditInput!) {
  debitStoreCredit(input: $input) { userErrors { code } }
}
"""


async def graphql(carriyo: Carriyo, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await carriyo.http.post("/graphql", json={"query": query, "variables": variables})
    body = await response.json()
    assert "errors" not in body, body
    return body["data"]


async def accounts(carriyo: Carriyo) -> list[dict[str, Any]]:
    data = await graphql(carriyo, BALANCE, {"merchant": MERCHANT, "email": EMAIL})
    return [edge["node"] for edge in data["storeCreditAccounts"]["edges"]]


async def test_a_store_credit_refund_type_credits_through_the_unchanged_refund_call(
    carriyo: Carriyo,
) -> None:
    rid = (await carriyo.approved())["return_request_id"]
    for code, store_credit in (("CASH", False), ("CREDIT", True)):
        entry = {"merchant": MERCHANT, "code": code, "name": code, "storeCredit": store_credit}
        marked = await graphql(carriyo, MARK, {"input": entry})
        assert marked["createRefundType"]["userErrors"] == []

    money = await carriyo.ok(
        "POST", f"{REQUESTS}/{rid}/refunds", {"amount": 10, "currency": "AED", "type": "CASH"}
    )
    credit = await carriyo.ok(
        "POST", f"{REQUESTS}/{rid}/refunds", {"amount": 20, "currency": "AED", "type": "CREDIT"}
    )

    assert set(credit) == set(money) == {"refunds", "totals"}
    assert [set(r) for r in credit["refunds"]] == [set(r) for r in money["refunds"]] * 2
    assert credit["totals"][0]["refunded"] == 30  # both count against the cap alike
    (account,) = await accounts(carriyo)
    assert Decimal(account["balance"]) == 20

    spend = {"accountId": account["accountId"], "amount": "1", "idempotencyKey": "pos-1"}
    await graphql(carriyo, DEBIT, {"input": spend})
    refund_id = credit["refunds"][1]["refund_id"]
    status, refused = await carriyo.call("DELETE", f"{REQUESTS}/{rid}/refunds/{refund_id}")
    assert status == 409
    assert refused["errors"][0]["code"] == "STORE_CREDIT_SPENT"
