"""`returnRequests(filter: {search}, orderBy)`: one search box finds a request by any of the
things a person remembers of it, in any case and in part, through the database's index; a
list can be read newest, oldest, recently updated or by value, page after page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.clocks import FixedClock
from tests.e2e.graphql.conftest import ReturnsApi

SEARCH = """
query Search($search: String, $orderBy: ReturnRequestSort, $after: String, $first: Int!) {
  returnRequests(first: $first, filter: {search: $search}, orderBy: $orderBy, after: $after) {
    totalCount
    edges { cursor node { returnRequestId orderReference value currency updatedAt } }
    pageInfo { hasNextPage endCursor }
  }
  returnStatusCounts(filter: {search: $search}) { status count }
}
"""

CUSTOMERS = {
    "DEMO-1001": {
        "name": "Sara Al Mansoori",
        "email": "Sara.M@Example.com",
        "phone": "+971 50 123 4567",
    },
    "DEMO-1002": {"name": "Omar Haddad", "email": "omar@example.org", "phone": "+971 55 765 4321"},
    "SO-77": {"name": "Ann Lee", "email": "ann@lee.test", "phone": "+44 20 7946 0000"},
}
LINES = {
    "DEMO-1001": [{"sku": "SHIRT-M", "quantity": 3, "unitPrice": "49.90"}],
    "DEMO-1002": [{"sku": "DRESS-RED-S", "quantity": 2, "unitPrice": "120.00"}],
    "SO-77": [{"sku": "CAP", "quantity": 1, "unitPrice": "20.00"}],
}


async def seed(api: ReturnsApi, clock: FixedClock | None = None) -> dict[str, str]:
    """One request per order, a minute apart when a clock is given; the request ids by
    order reference."""
    ids = {}
    for reference, customer in CUSTOMERS.items():
        if clock is not None:
            clock.advance(minutes=1)
        await api.upsert_order(reference, LINES[reference], customer=customer)
        sku = LINES[reference][0]["sku"]
        created = await api.create_return([{"sku": sku, "quantity": 1}], reference=reference)
        ids[reference] = created["returnRequestId"]
    return ids


async def found(api: ReturnsApi, search: str) -> set[str]:
    data = await api.graphql.data(SEARCH, {"search": search, "first": 50})
    connection = data["returnRequests"]
    assert connection["totalCount"] == len(connection["edges"])
    assert sum(c["count"] for c in data["returnStatusCounts"]) == connection["totalCount"]
    return {edge["node"]["orderReference"] for edge in connection["edges"]}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("demo-1001", {"DEMO-1001"}),  # the example: exact text, other case
        ("demo", {"DEMO-1001", "DEMO-1002"}),  # a part of the order reference
        ("mansoori", {"DEMO-1001"}),  # customer name, in part
        ("SARA", {"DEMO-1001"}),
        ("sara.m@example", {"DEMO-1001"}),  # e-mail
        ("example.org", {"DEMO-1002"}),
        ("765 4321", {"DEMO-1002"}),  # phone as written, two words
        ("7946", {"SO-77"}),
        ("dress-red", {"DEMO-1002"}),  # sku
        ("cap", {"SO-77"}),
        ("ann cap", {"SO-77"}),  # every word must be found, in any field
        ("ann dress", set()),
        ("ann 77", {"SO-77"}),  # a word shorter than a trigram: still found
        ("50%", set()),  # LIKE's wildcards are plain characters
        ("_", set()),
        ('"', set()),
        ("nobody", set()),
    ],
)
async def test_search_finds_by_each_field_in_any_case_and_in_part(
    api: ReturnsApi, search: str, expected: set[str]
) -> None:
    await seed(api)
    assert await found(api, search) == expected


async def test_search_finds_by_return_id_in_part(api: ReturnsApi) -> None:
    ids = await seed(api)
    rid = ids["SO-77"]
    assert await found(api, rid.lower()) == {"SO-77"}
    assert await found(api, rid[3:8]) >= {"SO-77"}


async def test_search_follows_an_edit_of_the_items(api: ReturnsApi) -> None:
    await api.upsert_order("MIX-1", [
        {"sku": "SHIRT-M", "quantity": 3, "unitPrice": "49.90"},
        {"sku": "HAT-BLUE", "quantity": 1, "unitPrice": "15.00"},
    ], customer={"name": "Lina"})  # fmt: skip
    created = await api.create_return([{"sku": "SHIRT-M", "quantity": 1}], reference="MIX-1")
    assert await found(api, "hat-blue") == set()
    items = [{"sku": "HAT-BLUE", "quantity": 1}]
    rid = created["returnRequestId"]
    await api.change("updateReturn", {"returnRequestId": rid, "items": items})
    assert await found(api, "hat-blue") == {"MIX-1"}
    assert await found(api, "lina") == {"MIX-1"}


async def read_all(api: ReturnsApi, order_by: str, first: int = 2) -> list[dict[str, Any]]:
    """Every page of the list in that order."""
    nodes, after = [], None
    while True:
        variables = {"orderBy": order_by, "first": first, "after": after, "search": None}
        page = (await api.graphql.data(SEARCH, variables))["returnRequests"]
        nodes += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def test_sorts_by_value_created_and_updated_across_pages(
    api: ReturnsApi, clock: FixedClock
) -> None:
    ids = await seed(api, clock)
    values = {"DEMO-1001": "49.90", "DEMO-1002": "120.00", "SO-77": "20.00"}
    high = await read_all(api, "HIGHEST_VALUE")
    assert [n["orderReference"] for n in high] == ["DEMO-1002", "DEMO-1001", "SO-77"]
    assert {n["orderReference"]: n["value"] for n in high} == values
    assert {n["currency"] for n in high} == {"AED"}
    low = await read_all(api, "LOWEST_VALUE")
    assert [n["orderReference"] for n in low] == ["SO-77", "DEMO-1001", "DEMO-1002"]
    newest = [n["orderReference"] for n in await read_all(api, "NEWEST")]
    assert newest == ["SO-77", "DEMO-1002", "DEMO-1001"]
    assert [n["orderReference"] for n in await read_all(api, "OLDEST")] == newest[::-1]

    clock.advance(minutes=1)
    await api.change("holdReturn", {"returnRequestId": ids["DEMO-1001"]})
    updated = await read_all(api, "RECENTLY_UPDATED")
    assert updated[0]["orderReference"] == "DEMO-1001"
    assert len(updated) == 3


async def test_a_cursor_of_one_order_is_refused_by_another(api: ReturnsApi) -> None:
    await seed(api)
    page = await api.graphql.data(SEARCH, {"orderBy": "HIGHEST_VALUE", "first": 1})
    cursor = page["returnRequests"]["pageInfo"]["endCursor"]
    body = await api.graphql.execute(
        SEARCH, {"orderBy": "RECENTLY_UPDATED", "first": 1, "after": cursor}
    )
    assert "not a cursor" in body["errors"][0]["message"]


PAGED = """
query Paged($filter: ReturnRequestFilter, $orderBy: ReturnRequestSort, $after: String) {
  returnRequests(first: 2, filter: $filter, orderBy: $orderBy, after: $after) {
    totalCount
    edges { node { returnRequestId } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


COUNTS = """
query Tabs($a: ReturnRequestFilter, $b: ReturnRequestFilter) {
  a: returnStatusCounts(filter: $a) { status count }
  b: returnStatusCounts(filter: $b) { status count }
}
"""


async def pages(api: ReturnsApi, flt: dict[str, Any], order_by: str) -> tuple[list[str], int]:
    ids, after, total = [], None, -1
    while True:
        variables = {"filter": flt, "orderBy": order_by, "after": after}
        page = (await api.graphql.data(PAGED, variables))["returnRequests"]
        ids += [edge["node"]["returnRequestId"] for edge in page["edges"]]
        total = page["totalCount"]
        if not page["pageInfo"]["hasNextPage"]:
            return ids, total
        after = page["pageInfo"]["endCursor"]


async def test_a_search_alone_pages_and_counts_as_under_any_other_condition(
    api: ReturnsApi, clock: FixedClock
) -> None:
    """A search with no other condition than statuses is ranked, counted and counted per
    status in the search rows (by the request's creation time, then id; statuses kept by a
    trigger); the same search beside a condition that keeps everything is answered from the
    requests: the same requests, in the same order, with the same totals, ties of creation
    time and changed statuses included."""
    for n in range(7):
        if n % 3 == 0:
            clock.advance(minutes=1)  # the others share their creation time
        reference = f"HAD-{n}"
        await api.upsert_order(reference, LINES["DEMO-1002"], customer=CUSTOMERS["DEMO-1002"])
        created = await api.create_return(
            [{"sku": "DRESS-RED-S", "quantity": 1}], reference=reference
        )
        rid = created["returnRequestId"]
        if n % 2:  # statuses change after the search row was written
            await api.change("holdReturn", {"returnRequestId": rid})
        if n % 3 == 1:
            if n % 2:
                await api.change("resumeReturn", {"returnRequestId": rid})
            await api.change("approveReturn", {"returnRequestId": rid})
    await seed(api, clock)
    everything = {"createdAfter": "2000-01-01T00:00:00Z"}
    for search in ("haddad", "dress-red", "had-", "omar had", "4321", "1"):
        for statuses in ([], ["ON_HOLD"], ["PENDING", "APPROVED"]):
            flt = {"search": search} | ({"status": statuses} if statuses else {})
            for order_by in ("NEWEST", "OLDEST"):
                alone = await pages(api, flt, order_by)
                assert alone == await pages(api, flt | everything, order_by), (flt, order_by)
                assert len(alone[0]) == alone[1] == len(set(alone[0]))
        tabs = await api.graphql.data(
            COUNTS, {"a": {"search": search}, "b": {"search": search} | everything}
        )
        assert tabs["a"] == tabs["b"], search
    assert (await pages(api, {"search": "haddad"}, "NEWEST"))[1] == 8
    counts = await api.graphql.data(COUNTS, {"a": {"search": "haddad"}, "b": {}})
    assert {c["status"]: c["count"] for c in counts["a"] if c["count"]} == {
        "PENDING": 4, "ON_HOLD": 2, "APPROVED": 2}  # fmt: skip
