"""`returnStatusCounts`: a queue's status tabs, counted under the same filter as the list."""

from __future__ import annotations

from typing import Any

ONE = [{"sku": "SHIRT-M", "quantity": 1}]

COUNTS = """
query ($filter: ReturnRequestFilter) { returnStatusCounts(filter: $filter) { status count } }
"""


def as_dict(data: dict[str, Any]) -> dict[str, int]:
    return {row["status"]: row["count"] for row in data["returnStatusCounts"]}


async def test_every_status_is_counted_in_lifecycle_order_zero_included(api, graphql):
    await api.pending_return(items=ONE)
    await api.approved_return(items=ONE)

    rows = (await graphql.data(COUNTS))["returnStatusCounts"]

    assert [row["status"] for row in rows] == [
        "PENDING",
        "ON_HOLD",
        "APPROVED",
        "PARTIALLY_RECEIVED",
        "RECEIVED",
        "COMPLETED",
        "REJECTED",
        "CANCELLED",
    ]
    assert as_dict(await graphql.data(COUNTS))["PENDING"] == 1
    assert as_dict(await graphql.data(COUNTS))["APPROVED"] == 1
    assert sum(row["count"] for row in rows) == 2


async def test_counts_follow_the_filter_of_the_list(api, graphql):
    await api.upsert_order("SO-2")
    await api.pending_return(items=ONE)
    await api.pending_return(reference="SO-2", items=ONE)
    mine = await api.pending_return(reference="SO-2", items=ONE)
    await api.change("assignReturn", {"returnRequestId": mine["returnRequestId"], "user": "kim"})

    by_order = as_dict(await graphql.data(COUNTS, {"filter": {"orderReference": "SO-2"}}))
    by_assignee = as_dict(await graphql.data(COUNTS, {"filter": {"assignedTo": "kim"}}))
    other_merchant = as_dict(await graphql.data(COUNTS, {"filter": {"merchant": "globex"}}))

    assert by_order["PENDING"] == 2
    assert by_assignee["PENDING"] == 1
    assert set(other_merchant.values()) == {0}


async def test_counts_are_the_callers_tenant_only(api, graphql, db, clock):
    from tests.e2e.conftest import credentials

    await api.pending_return(items=ONE)
    other = await credentials(db, clock, "other-tenant")

    counts = as_dict(await graphql.data(COUNTS, headers=other))

    assert set(counts.values()) == {0}
