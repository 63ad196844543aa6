"""DataLoaders keep reads flat: a page of 100 return requests, with every nested list and the
orders, costs the same number of SQL statements as a page of one.

The requests are made through the API; each mutation kind for a whole batch goes in one
GraphQL document (aliased fields run one after the other), which keeps set-up fast."""

from __future__ import annotations

import re
from typing import Any

import pytest

PAGE = """
query Page {
  returnRequests(first: 100) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        id returnRequestId status version allowedActions
        items { sku quantity approvedQuantity unitPrice }
        notes { id text user createdAt }
        refunds { id amount currency }
        refundTotals { currency approvedValue refunded remaining }
        reverseShipments { id status items { sku quantity } }
        itemsUpdates { updatedAt previous { sku quantity } current { sku quantity } }
        order { id reference lines { sku quantity deliveredQuantity } }
      }
    }
  }
}
"""

DELIVERED_AT = "2026-11-20T10:00:00+00:00"
pytestmark = pytest.mark.counts_statements


def batch_document(field: str, input_type: str, count: int, selection: str) -> str:
    """`mutation ($i0: T!, $i1: T!, …) { m0: field(input: $i0) { … } m1: … }`"""
    variables = ", ".join(f"$i{n}: {input_type}!" for n in range(count))
    fields = "\n".join(
        f"  m{n}: {field}(input: $i{n}) {{ {selection} userErrors {{ code field message }} }}"
        for n in range(count)
    )
    return f"mutation Batch({variables}) {{\n{fields}\n}}"


async def run_batch(
    graphql: Any, field: str, input_type: str, inputs: list[dict[str, Any]], selection: str = ""
) -> list[dict[str, Any]]:
    document = batch_document(field, input_type, len(inputs), selection)
    variables = {f"i{n}": value for n, value in enumerate(inputs)}
    data = await graphql.data(document, variables, headers={"X-User": "seed@acme.test"})
    payloads = [data[f"m{n}"] for n in range(len(inputs))]
    for payload in payloads:
        assert payload["userErrors"] == [], payload["userErrors"]
    return payloads


async def seed(graphql: Any, references: list[str]) -> None:
    """One fully furnished request per order: items edited once (history), a note, approved
    (which opens the reverse shipment) and partly refunded."""
    await run_batch(graphql, "upsertOrder", "UpsertOrderInput", [
        {"merchant": "acme", "reference": reference, "currency": "AED", "lines": [
            {"sku": "SHIRT-M", "quantity": 3, "unitPrice": "49.90", "deliveredAt": DELIVERED_AT},
            {"sku": "CAP", "quantity": 1, "unitPrice": "20.00", "deliveredAt": DELIVERED_AT},
        ]}
        for reference in references
    ])  # fmt: skip
    created = await run_batch(graphql, "createReturn", "CreateReturnInput", [
        {"merchant": "acme", "orderReference": reference,
         "items": [{"sku": "SHIRT-M", "quantity": 2}, {"sku": "CAP", "quantity": 1}],
         "pickup": {"address1": "1 Palm St", "country": "AE"},
         "dropoff": {"partnerLocationId": "WH-DXB"}}
        for reference in references
    ], "returnRequest { returnRequestId }")  # fmt: skip
    rids = [payload["returnRequest"]["returnRequestId"] for payload in created]
    steps = [
        ("updateReturn", "UpdateReturnInput",
         {"items": [{"sku": "SHIRT-M", "quantity": 3}, {"sku": "CAP", "quantity": 1}]}),
        ("addReturnNote", "AddReturnNoteInput", {"text": "Customer called"}),
        ("approveReturn", "ApproveReturnInput", {}),
        ("addRefund", "AddRefundInput", {"amount": "25.00", "currency": "AED"}),
    ]  # fmt: skip
    for field, input_type, extra in steps:
        inputs = [{"returnRequestId": rid, **extra} for rid in rids]
        await run_batch(graphql, field, input_type, inputs)


async def read_page(graphql: Any, statements: Any) -> tuple[int, dict[str, Any]]:
    """The page and the statements it cost (the token's identity was read before, and
    counting tests keep it: tests/e2e/conftest.py)."""
    statements.reset()
    page = (await graphql.data(PAGE))["returnRequests"]
    return len(statements.statements), page


def assert_fully_furnished(page: dict[str, Any], count: int) -> None:
    """Every nested list the query asked for was really loaded, for every request."""
    assert page["totalCount"] == len(page["edges"]) == count
    for edge in page["edges"]:
        node = edge["node"]
        assert node["status"] == "APPROVED"
        assert [item["quantity"] for item in node["items"]] == [3, 1]
        assert [note["text"] for note in node["notes"]] == ["Customer called"]
        assert [refund["amount"] for refund in node["refunds"]] == ["25.00"]
        assert node["refundTotals"][0]["remaining"] == "144.70"
        assert node["reverseShipments"][0]["items"] == [
            {"sku": "SHIRT-M", "quantity": 3},
            {"sku": "CAP", "quantity": 1},
        ]
        assert len(node["itemsUpdates"]) == 1
        assert [line["sku"] for line in node["order"]["lines"]] == ["SHIRT-M", "CAP"]
    orders = {edge["node"]["order"]["reference"] for edge in page["edges"]}
    assert len(orders) == count  # one order per request: the order loader batches them too


async def test_a_page_of_100_requests_costs_the_statements_of_a_page_of_1(
    graphql, statements
) -> None:
    await seed(graphql, ["SO-0"])
    for_one, page = await read_page(graphql, statements)
    assert_fully_furnished(page, 1)
    one_statements = list(statements.statements)

    await seed(graphql, [f"SO-{n}" for n in range(1, 100)])
    for_hundred, page = await read_page(graphql, statements)
    assert_fully_furnished(page, 100)

    print(f"\nreturnRequests(first: 100): {for_one} SQL statements for 1 request, "
          f"{for_hundred} for 100")  # fmt: skip
    assert for_hundred == for_one, summary(statements.statements, one_statements)


def summary(hundred: list[str], one: list[str]) -> str:
    """The start of each statement, so a failure shows which entity went N+1."""
    lines = [" ".join(s.split())[:90] for s in hundred]
    return "\n".join([f"{len(hundred)} statements for 100, {len(one)} for 1:", *lines])


def tables_read(statements: list[str]) -> list[str]:
    """The return-request tables the statements read, each statement's in the order they
    appear in it (auth lookups left out). A whole aggregate read on PostgreSQL names every
    child table inside the request's own statement."""
    names = ("return_requests", "return_items", "return_notes", "return_refunds",
             "reverse_shipments", "return_items_updates", "outbox_events", "orders")  # fmt: skip
    return [
        table
        for statement in statements
        for table in dict.fromkeys(re.findall(r"\bFROM\s+(\w+)", statement))
        if table in names
    ]


async def test_a_read_loads_only_the_tables_its_selection_needs(graphql, statements, db) -> None:
    await seed(graphql, ["SO-0", "SO-1"])
    statements.reset()
    page = await graphql.data("{ returnRequests(first: 100) { edges { node { status } } } }")
    assert len(page["returnRequests"]["edges"]) == 2
    assert tables_read(statements.statements) == ["return_requests"]

    rid = page_ids = None
    page_ids = await graphql.data(
        "{ returnRequests(first: 1) { edges { node { returnRequestId } } } }"
    )
    rid = page_ids["returnRequests"]["edges"][0]["node"]["returnRequestId"]
    statements.reset()
    one = await graphql.data(
        "query ($id: ID!) { returnRequest(id: $id) { status items { sku quantity } } }",
        {"id": rid},
    )
    assert [item["sku"] for item in one["returnRequest"]["items"]] == ["SHIRT-M", "CAP"]
    # One statement: the database writes the answer, its items in it (graphql_api/sql_json.py).
    assert sorted(tables_read(statements.statements)) == ["return_items", "return_requests"]
    assert statements.count == 1


async def test_children_come_from_the_aggregate_when_the_query_reads_it_anyway(
    graphql, statements
) -> None:
    """allowedActions needs the whole aggregate; items and notes then come from it rather
    than being read a second time."""
    await seed(graphql, ["SO-0", "SO-1"])
    statements.reset()
    query = (
        "{ returnRequests(first: 10) { edges { node {"
        " allowedActions items { sku } notes { text } } } } }"
    )
    page = await graphql.data(query)
    nodes = [edge["node"] for edge in page["returnRequests"]["edges"]]
    assert [len(node["items"]) for node in nodes] == [2, 2]
    assert all(node["notes"] == [{"text": "Customer called"}] for node in nodes)
    read = tables_read(statements.statements)
    assert read.count("return_items") == 1 and read.count("return_notes") == 1
