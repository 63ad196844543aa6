"""Store credit over GraphQL: a refund type marked as store credit, the merchant's bonus, the
account and its ledger as a Relay connection, the storefront's idempotent debit and its
revert, an operator's adjustment, and the refusals with their stable codes."""

from __future__ import annotations

from typing import Any

from tests.e2e.graphql.conftest import MERCHANT
from tests.e2e.graphql.test_graphql_webhooks import local_sender, receiver, register

__all__ = ["receiver"]  # the fixture, shared with the webhook tests

CREATE_REFUND_TYPE = """
mutation ($input: ScopedReferenceCodeInput!) {
  createRefundType(input: $input) { userErrors { code field message } }
}
"""
SETTINGS = """
mutation ($input: StoreCreditSettingsInput!) {
  upsertStoreCreditSettings(input: $input) {
    storeCreditSettings { merchant bonusBasis bonusValue bonusCap expiryDays }
    userErrors { code field message }
  }
}
"""
ADD_REFUND = """
mutation ($input: AddRefundInput!) {
  addRefund(input: $input) {
    refund { id amount outcome }
    userErrors { code field message }
  }
}
"""
DELETE_REFUND = """
mutation ($input: DeleteRefundInput!) {
  deleteRefund(input: $input) { userErrors { code field message } }
}
"""
ACCOUNTS = """
query ($merchant: String!, $email: String, $first: Int!, $after: String) {
  storeCreditAccounts(merchant: $merchant, email: $email, first: 10) {
    edges { node {
      id accountId customerKey currency balance
      ledger(first: $first, after: $after) {
        edges { cursor node { entryId kind amount balanceAfter origin { kind refundId } } }
        pageInfo { hasNextPage endCursor }
      }
    } }
  }
}
"""
ENTRY = """
  account { accountId balance }
  entry { entryId kind amount balanceAfter idempotencyKey reason
          allocations { entryId amount } }
  userErrors { code field message }
"""


def _entry_mutation(name: str) -> str:
    input_type = name[0].upper() + name[1:] + "Input"
    return f"mutation ($input: {input_type}!) {{ {name}(input: $input) {{ {ENTRY} }} }}"


DEBIT = _entry_mutation("debitStoreCredit")
REVERT = _entry_mutation("revertStoreCreditDebit")
ADJUST = _entry_mutation("adjustStoreCredit")
NODE = "query ($id: ID!) { node(id: $id) { ... on StoreCreditAccount { accountId balance } } }"
CUSTOMER = {"name": "Ann Lee", "email": "Ann@Example.com"}


async def credited_return(api: Any, graphql: Any) -> tuple[str, str]:
    """An approved return refunded 50 AED through a store-credit refund type, bonus 10%."""
    await api.upsert_order(customer=CUSTOMER)
    request = await api.create_return()
    rid = request["returnRequestId"]
    await api.change("approveReturn", {"returnRequestId": rid})
    code = {"merchant": MERCHANT, "code": "CREDIT", "name": "Store credit", "storeCredit": True}
    await graphql.data(CREATE_REFUND_TYPE, {"input": code})
    settings = {"merchant": MERCHANT, "bonusBasis": "PERCENT", "bonusValue": "10"}
    saved = await graphql.data(SETTINGS, {"input": settings})
    assert saved["upsertStoreCreditSettings"]["userErrors"] == []
    refund_input = {
        "returnRequestId": rid,
        "amount": "50.00",
        "currency": "AED",
        "refundType": "CREDIT",
    }
    added = (await graphql.data(ADD_REFUND, {"input": refund_input}))["addRefund"]
    assert added["userErrors"] == [] and added["refund"]["outcome"] == "STORE_CREDIT"
    return rid, added["refund"]["id"]


async def account(graphql: Any, first: int = 10, after: str | None = None) -> dict[str, Any]:
    variables = {"merchant": MERCHANT, "email": "ann@example.com", "first": first, "after": after}
    data = await graphql.data(ACCOUNTS, variables)
    (edge,) = data["storeCreditAccounts"]["edges"]
    return edge["node"]


async def test_a_store_credit_refund_type_credits_the_customer_with_the_bonus(api, graphql):
    _, refund_id = await credited_return(api, graphql)
    found = await account(graphql, first=1)
    assert found["customerKey"] == "email:ann@example.com"
    assert found["balance"] == "55.00"
    first_page = found["ledger"]
    assert [e["node"]["kind"] for e in first_page["edges"]] == ["CREDIT"]
    assert first_page["pageInfo"]["hasNextPage"] is True
    rest = await account(graphql, after=first_page["pageInfo"]["endCursor"])
    (bonus,) = rest["ledger"]["edges"]
    assert bonus["node"] | {"entryId": None} == {
        "entryId": None,
        "kind": "BONUS",
        "amount": "5.00",
        "balanceAfter": "55.00",
        "origin": {"kind": "REFUND", "refundId": refund_id},
    }
    by_node = await graphql.data(NODE, {"id": found["id"]})
    assert by_node["node"] == {"accountId": found["accountId"], "balance": "55.00"}


async def test_debits_are_idempotent_revertible_and_never_overdraw(api, graphql):
    await credited_return(api, graphql)
    account_id = (await account(graphql))["accountId"]
    spend = {"accountId": account_id, "amount": "20", "idempotencyKey": "order-9001"}
    first = (await graphql.data(DEBIT, {"input": spend}))["debitStoreCredit"]
    again = await graphql.data(DEBIT, {"input": spend})  # a retry: the same entry back
    assert first["userErrors"] == [] and first["account"]["balance"] == "35.00"
    assert again["debitStoreCredit"]["entry"]["entryId"] == first["entry"]["entryId"]

    too_much = {"accountId": account_id, "amount": "35.01", "idempotencyKey": "order-9002"}
    refused = (await graphql.data(DEBIT, {"input": too_much}))["debitStoreCredit"]
    assert [e["code"] for e in refused["userErrors"]] == ["INSUFFICIENT_STORE_CREDIT"]

    revert = {"accountId": account_id, "entryId": first["entry"]["entryId"]}
    back = (await graphql.data(REVERT, {"input": revert}))["revertStoreCreditDebit"]
    assert back["entry"]["kind"] == "DEBIT_REVERT" and back["account"]["balance"] == "55.00"
    twice = (await graphql.data(REVERT, {"input": revert}))["revertStoreCreditDebit"]
    assert [e["code"] for e in twice["userErrors"]] == ["ALREADY_REVERTED"]


async def test_a_refund_whose_credit_was_spent_cannot_be_deleted(api, graphql):
    rid, refund_id = await credited_return(api, graphql)
    account_id = (await account(graphql))["accountId"]
    spend = {"accountId": account_id, "amount": "1", "idempotencyKey": "k"}
    await graphql.data(DEBIT, {"input": spend})
    deleted = await graphql.data(
        DELETE_REFUND, {"input": {"returnRequestId": rid, "refundId": refund_id}}
    )
    assert [e["code"] for e in deleted["deleteRefund"]["userErrors"]] == ["STORE_CREDIT_SPENT"]


async def test_an_operator_adjusts_a_guest_balance_with_a_reason(graphql):
    adjust = {
        "merchant": MERCHANT,
        "currency": "AED",
        "email": "ann@example.com",
        "amount": "12.50",
        "reason": "late delivery",
    }
    made = (await graphql.data(ADJUST, {"input": adjust}))["adjustStoreCredit"]
    assert made["userErrors"] == []
    assert made["entry"]["kind"] == "ADJUSTMENT" and made["entry"]["reason"] == "late delivery"
    assert made["account"]["balance"] == "12.50"
    down = {"accountId": made["account"]["accountId"], "amount": "-13", "reason": "typo"}
    refused = (await graphql.data(ADJUST, {"input": down}))["adjustStoreCredit"]
    assert [e["code"] for e in refused["userErrors"]] == ["INSUFFICIENT_STORE_CREDIT"]


EVENTS = """
query ($filter: ReturnEventFilter) {
  returnEvents(first: 50, filter: $filter) {
    edges { node { eventType returnRequestId payload } }
  }
}
"""


async def test_store_credit_events_are_in_the_log_and_posted_to_webhooks(
    api, graphql, receiver, db, clock
):
    target, url = receiver
    wanted = ["StoreCreditIssued", "StoreCreditBonusIssued", "StoreCreditDebited"]
    await register(graphql, url, eventTypes=wanted)
    rid, refund_id = await credited_return(api, graphql)
    account_id = (await account(graphql))["accountId"]
    spend = {"accountId": account_id, "amount": "5", "idempotencyKey": "order-1"}
    await graphql.data(DEBIT, {"input": spend})

    data = await graphql.data(EVENTS, {"filter": {"eventTypes": wanted}})
    logged = [edge["node"] for edge in data["returnEvents"]["edges"]]
    assert [(e["eventType"], e["returnRequestId"]) for e in logged] == [
        ("StoreCreditIssued", rid),
        ("StoreCreditBonusIssued", rid),
        ("StoreCreditDebited", account_id),
    ]
    assert logged[0]["payload"]["refund_id"] == refund_id
    assert logged[2]["payload"]["balance"] == "50.00"

    assert await local_sender(db, clock).send_due() == 3
    types = [headers["X-Returns-Event-Type"] for headers, _ in target.received]
    assert types == wanted
    debit_body = target.bodies()[2]  # about no request: the event's own facts
    assert debit_body["payload"]["account_id"] == account_id
    assert target.bodies()[0]["return_request_id"] == rid  # the request the credit came from


REQUEST_CREDIT = """
query ($id: ID!) { returnRequest(id: $id) { storeCreditAccounts { currency balance } } }
"""


async def test_a_return_request_shows_its_customers_store_credit(api, graphql):
    rid, _ = await credited_return(api, graphql)
    data = await graphql.data(REQUEST_CREDIT, {"id": rid})
    assert data["returnRequest"]["storeCreditAccounts"] == [{"currency": "AED", "balance": "55.00"}]
