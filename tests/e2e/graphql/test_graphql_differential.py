"""The planned executor proven against graphql-core on queries no one wrote: hypothesis-graphql
generates valid queries over our schema (every read field, arguments of every kind,
aliases, fragments, `__typename`), each is POSTed to the real app over data a merchant would
have, and the comparison mode of the e2e suite (tests/e2e/conftest.py) runs each through its
compiled plan and through graphql-core, and through the POST pipeline and strawberry's view:
any answer that differs fails the test with the query that showed it.

The examples are drawn first and run after (the app lives on the test's event loop), so a
failure names its query rather than a shrunk one; the number is kept small enough to run in
well under a minute."""

from __future__ import annotations

from typing import Any

import hypothesis.strategies as st
from graphql import GraphQLSchema
from hypothesis_graphql import nodes, queries

from graphql_api import planned_executor
from graphql_api.schema import schema as returns_schema
from tests.drawn import drawn
from tests.e2e.conftest import GraphQLClient, graphql_view

# Each group of root fields gets its share of the examples, so the rich ones are not
# drowned by the many small ones.
GROUPS = (
    ("returnRequest", "node"),
    ("returnRequests", "returnStatusCounts"),
    ("returnEvents", "eventLogPosition", "notifications", "webhookDeliveries", "viewer"),
    ("order", "returnableItems", "returnReasons", "rejectionReasons", "resolutions"),
    ("refundTypes", "itemConditions", "returnComments", "returnSettings", "pickupLocations"),
    ("deliveryOptions", "portalSettings", "webhookEndpoints"),
)
EXAMPLES_PER_GROUP = 25


def scalars(ids: list[str]) -> dict[str, st.SearchStrategy[Any]]:
    """Argument values that find data (the merchant, the order, the requests' ids, real
    page sizes), with a few that find none or are refused (a cursor we never gave)."""
    text = ["acme", "SO-1001", "en", "ar", "SHIRT-M", *ids, "nobody", "not-a-cursor"]
    return {
        "ID": st.sampled_from([*ids, "RR-ZZZZZZZZ", "bm90IGFuIGlk"]).map(nodes.String),
        "String": st.sampled_from(text).map(nodes.String),
        "Int": st.sampled_from([1, 2, 5, 20]).map(nodes.Int),
        "Boolean": st.booleans().map(nodes.Boolean),
        "DateTime": st.sampled_from(["2026-01-01T00:00:00Z", "2030-06-30T12:00:00+04:00"]).map(
            nodes.String
        ),
        "Decimal": st.sampled_from(["1", "49.90"]).map(nodes.String),
        "EventPosition": st.sampled_from(["0", "1", "5"]).map(nodes.String),
        "JSON": st.just(nodes.String("{}")),
    }


def generated_queries(
    schema: GraphQLSchema, fields: tuple[str, ...], values: dict[str, Any], count: int
) -> list[str]:
    """`count` valid queries over the root `fields` (hypothesis-graphql, positive mode)."""
    return drawn(queries(schema, fields=fields, custom_scalars=values, allow_x00=False), count)


async def test_generated_queries_answer_alike_on_both_executors(
    http: Any, graphql: GraphQLClient, api: Any
) -> None:
    await api.upsert_order()
    request = await api.approved_return()
    rid = request["returnRequestId"]
    await api.change("addReturnNote", {"returnRequestId": rid, "text": "seen"})
    await api.change("addRefund", {"returnRequestId": rid, "amount": "1", "currency": "AED"})
    other = await api.create_return(items=[{"sku": "CAP", "quantity": 1}])
    ids = [rid, request["id"], other["returnRequestId"], other["id"]]
    counts = graphql_view(http).schema.execution_counts
    before = dict(counts)

    for fields in GROUPS:
        for query in generated_queries(
            returns_schema._schema, fields, scalars(ids), EXAMPLES_PER_GROUP
        ):
            response = await http.post("/graphql", json={"query": query})
            assert response.status == 200, (query, await response.text())
            assert planned_executor.MISMATCHES == [], (query, planned_executor.MISMATCHES[0])

    ran = {path: counts[path] - before[path] for path in counts}
    assert ran["planned"] > ran["fallback"] > 0, ran  # answers and errors both compared
