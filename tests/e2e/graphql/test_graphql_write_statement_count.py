"""What one write costs the database, counted: createReturn (the request, its items and its
search row in one statement on PostgreSQL, the order's lines read with the units live
requests hold) and approveReturn (the request, its items and its reverse shipment in one
statement), each with its events (which read the webhook endpoints in their INSERT) and
the deliveries, messages and rollups of its commit in one statement. bench/write_statements.py
lists them. A change that adds a statement to a write fails here: lower the numbers when a
change takes one away, never raise them to pass."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.graphql.test_graphql_statement_count import DELIVERED_AT

pytestmark = pytest.mark.counts_statements

# (createReturn, approveReturn) by backend: SQLite reads a request's children and a
# merchant's rules one table a statement; on PostgreSQL each is one statement of arrays.
EXPECTED = {"postgresql": (7, 7), "sqlite": (13, 18)}

CREATE = """mutation ($input: CreateReturnInput!) {
  createReturn(input: $input) { returnRequest { returnRequestId } userErrors { code } } }"""
APPROVE = """mutation ($input: ApproveReturnInput!) {
  approveReturn(input: $input) { returnRequest { status } userErrors { code } } }"""
ORDER = """mutation ($input: UpsertOrderInput!) {
  upsertOrder(input: $input) { userErrors { code } } }"""


async def order(graphql: Any, reference: str) -> None:
    """An order of 10 delivered lines, as bench/compare.py's writers find them."""
    lines = [
        {"sku": f"SKU-{n}", "quantity": 2, "unitPrice": "10.00", "deliveredAt": DELIVERED_AT}
        for n in range(10)
    ]
    variables = {"merchant": "acme", "reference": reference, "currency": "AED", "lines": lines}
    answer = (await graphql.data(ORDER, {"input": variables}))["upsertOrder"]
    assert answer["userErrors"] == [], answer


async def create(graphql: Any, reference: str) -> str:
    """createReturn of all 10 lines (bench/compare.py's input); the request's id."""
    variables = {
        "merchant": "acme",
        "orderReference": reference,
        "items": [{"sku": f"SKU-{n}", "quantity": 1, "reasonCode": "TOO_SMALL"} for n in range(10)],
        "pickup": {"contactName": "Bench", "address1": "1 Palm St", "country": "AE"},
        "dropoff": {"partnerLocationId": "WH-DXB"},
    }
    created = (await graphql.data(CREATE, {"input": variables}))["createReturn"]
    assert created["userErrors"] == [], created
    return str(created["returnRequest"]["returnRequestId"])


async def approve(graphql: Any, rid: str) -> None:
    approved = (await graphql.data(APPROVE, {"input": {"returnRequestId": rid}}))["approveReturn"]
    assert approved["userErrors"] == [], approved


async def test_a_create_and_an_approve_cost_their_counted_statements(
    graphql: Any, statements: Any, db: Any
) -> None:
    await order(graphql, "WARM-1")  # identities and caches warm, as on a busy server
    await approve(graphql, await create(graphql, "WARM-1"))
    await order(graphql, "COUNTED-1")
    statements.reset()
    rid = await create(graphql, "COUNTED-1")
    creating = list(statements.statements)
    statements.reset()
    await approve(graphql, rid)
    counted = [creating, list(statements.statements)]
    backend = db.url.get_backend_name()
    found = tuple(len(listed) for listed in counted)
    listing = "\n".join(" ".join(sql.split())[:120] for listed in counted for sql in listed)
    assert found == EXPECTED[backend], f"{found} statements on {backend}:\n{listing}"
