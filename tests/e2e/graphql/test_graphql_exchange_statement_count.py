"""A page of requests with exchange lines (their variants and payments, and the balance's
difference due) costs the same SQL statements for 1 request as for 60 (issue 27)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.graphql.test_graphql_statement_count import DELIVERED_AT, run_batch

pytestmark = pytest.mark.counts_statements
PAGE = """
query Page {
  returnRequests(first: 100) {
    totalCount
    edges { node {
      returnRequestId allowedActions
      exchangeLines { lineId sku status unitPrice variant { sku available } }
      exchangePayments { amount }
      balance { exchangeTotal differenceDue paid remaining }
    } }
  }
}
"""


async def seed(graphql: Any, references: list[str]) -> None:
    await run_batch(graphql, "upsertVariants", "UpsertVariantsInput", [{
        "merchant": "acme", "variants": [
            {"sku": s, "groupKey": "SHIRT", "title": s, "price": p, "currency": "AED"}
            for s, p in (("SHIRT-M", "49.90"), ("SHIRT-L", "59.90"))
        ]}])  # fmt: skip
    await run_batch(graphql, "upsertOrder", "UpsertOrderInput", [
        {"merchant": "acme", "reference": reference, "currency": "AED", "lines": [
            {"sku": "SHIRT-M", "quantity": 2, "unitPrice": "49.90", "deliveredAt": DELIVERED_AT},
        ]}
        for reference in references
    ])  # fmt: skip
    created = await run_batch(graphql, "createReturn", "CreateReturnInput", [
        {"merchant": "acme", "orderReference": reference,
         "items": [{"sku": "SHIRT-M", "quantity": 1}],
         "exchangeItems": [{"sku": "SHIRT-L", "quantity": 1, "replacesSku": "SHIRT-M"}],
         "pickup": {"address1": "1 Palm St", "country": "AE"},
         "dropoff": {"partnerLocationId": "WH-DXB"}}
        for reference in references
    ], "returnRequest { returnRequestId }")  # fmt: skip
    rids = [payload["returnRequest"]["returnRequestId"] for payload in created]
    for field, input_type, extra in [
        ("approveReturn", "ApproveReturnInput", {}),
        ("recordExchangePayment", "RecordExchangePaymentInput",
         {"amount": "10.00", "currency": "AED"}),
    ]:  # fmt: skip
        await run_batch(
            graphql, field, input_type, [{"returnRequestId": rid, **extra} for rid in rids]
        )


async def test_a_page_of_exchanges_costs_the_statements_of_one(graphql, statements) -> None:
    await seed(graphql, ["SO-0"])
    for_one, _ = await run_page(graphql, statements, 1)
    await seed(graphql, [f"SO-{n}" for n in range(1, 60)])
    for_many, _ = await run_page(graphql, statements, 60)
    print(f"\nexchange page: {for_one} SQL statements for 1 request, {for_many} for 60")
    assert for_many == for_one, statements.statements


async def run_page(graphql: Any, statements: Any, count: int) -> tuple[int, dict[str, Any]]:
    statements.reset()
    page = (await graphql.data(PAGE))["returnRequests"]
    statements.statements[:] = [s for s in statements.statements if "api_clients" not in s]
    assert page["totalCount"] == count
    for edge in page["edges"]:
        node = edge["node"]
        [line] = node["exchangeLines"]
        assert (line["status"], line["variant"]["sku"]) == ("RESERVED", "SHIRT-L")
        assert node["balance"][0]["differenceDue"] == "10.00"
        assert node["exchangePayments"] == [{"amount": "10.00"}]
    return len(statements.statements), page
