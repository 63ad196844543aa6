"""The read side over HTTP: lookups by readable and global id, `node`, orders, returnable
lines with their blockers, the newest-first connection with its cursors and filters, GET
requests, GraphiQL and the health endpoints."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest

RETURN_REQUEST = """
query ($id: ID!) {
  returnRequest(id: $id) { id returnRequestId merchant orderReference status version }
}
"""
NODE = """
query ($id: ID!) {
  node(id: $id) {
    __typename id
    ... on ReturnRequest { returnRequestId status }
    ... on Order { merchant reference lines { sku } }
  }
}
"""
ORDER = """
query ($reference: String!, $merchant: String!) {
  order(reference: $reference, merchant: $merchant) {
    id merchant reference currency
    customer { name email phone }
    lines { sku description quantity unitPrice deliveredQuantity deliveredAt }
    deliveryAddress { contactName address1 city country partnerLocationId }
    createdAt updatedAt
  }
}
"""
RETURNABLE_ITEMS = """
query ($reference: String!, $merchant: String!) {
  returnableItems(orderReference: $reference, merchant: $merchant) {
    sku description orderedQuantity deliveredQuantity deliveredAt unitPrice alreadyRequested
    returnableQuantity returnable blockers { code message }
  }
}
"""
PAGE = """
query ($filter: ReturnRequestFilter, $first: Int!, $after: String) {
  returnRequests(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { returnRequestId createdAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
COUNT = "{ returnRequests(first: 1) { totalCount } }"
CREATE_ORDER_MUTATION = """
mutation {
  upsertOrder(input: {merchant: "acme", reference: "SO-GET", currency: "AED",
                      lines: [{sku: "A", quantity: 1, unitPrice: "1"}]}) {
    order { reference }
  }
}
"""

MERCHANT = "acme"


def global_id(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


async def page_through(graphql: Any, first: int, filter: dict | None = None) -> list[dict]:
    """Every page of the connection, following endCursor until hasNextPage is false."""
    pages, after = [], None
    while True:
        variables = {"filter": filter, "first": first, "after": after}
        page = (await graphql.data(PAGE, variables))["returnRequests"]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]
        assert len(pages) < 50, "the connection never ends"


def ids(page: dict) -> list[str]:
    return [edge["node"]["returnRequestId"] for edge in page["edges"]]


# ----------------------------------------------------------------------------- lookups


async def test_a_request_is_found_by_its_readable_or_its_global_id(api) -> None:
    created = await api.pending_return()
    rid, gid = created["returnRequestId"], created["id"]
    assert rid not in gid  # the global id is opaque

    by_rid = (await api.graphql.data(RETURN_REQUEST, {"id": rid}))["returnRequest"]
    by_gid = (await api.graphql.data(RETURN_REQUEST, {"id": gid}))["returnRequest"]
    assert by_rid == by_gid
    assert by_rid == {
        "id": gid,
        "returnRequestId": rid,
        "merchant": MERCHANT,
        "orderReference": "SO-1001",
        "status": "PENDING",
        "version": 1,
    }


@pytest.mark.parametrize(
    "id",
    [
        "RR-ZZZZZZZZ",
        global_id("ReturnRequest:RR-ZZZZZZZZ"),
        global_id('Order:["acme","SO-1001"]'),
        "",
    ],
)
async def test_an_unknown_request_is_null(api, id) -> None:
    await api.pending_return()
    assert (await api.graphql.data(RETURN_REQUEST, {"id": id}))["returnRequest"] is None


async def test_node_resolves_return_requests_and_orders(api, graphql) -> None:
    order = await api.upsert_order()
    request = await api.create_return()

    node = (await graphql.data(NODE, {"id": request["id"]}))["node"]
    assert node == {
        "__typename": "ReturnRequest",
        "id": request["id"],
        "returnRequestId": request["returnRequestId"],
        "status": "PENDING",
    }
    node = (await graphql.data(NODE, {"id": order["id"]}))["node"]
    assert node == {
        "__typename": "Order",
        "id": order["id"],
        "merchant": MERCHANT,
        "reference": "SO-1001",
        "lines": [{"sku": "SHIRT-M"}, {"sku": "CAP"}],
    }


@pytest.mark.parametrize(
    "id",
    [
        "garbage!!",
        "",
        "%%%",
        "_w",  # decodes to a byte that is not UTF-8
        "RR-ZZZZZZZZ",  # a readable id is not a node id
        global_id("ReturnRequest:RR-ZZZZZZZZ"),
        global_id('Order:["acme","SO-404"]'),
        global_id('Order:["other","SO-1001"]'),
        global_id('Order:["acme"]'),
        global_id("Order:not json"),
        global_id("Order:null"),
        global_id("Refund:RF-1"),
        global_id("ReturnRequest:"),
    ],
)
async def test_node_with_an_unknown_or_garbage_id_is_null(api, graphql, id) -> None:
    await api.pending_return()
    body = await graphql.execute(NODE, {"id": id})
    assert body == {"data": {"node": None}}


async def test_an_order_is_found_by_reference_within_its_merchant(api, graphql, clock) -> None:
    customer = {"name": "Ann Lee", "email": "ann@example.com", "phone": "+97150"}
    address = {"contactName": "Ann Lee", "address1": "1 Palm St", "city": "Dubai",
               "country": "AE", "partnerLocationId": None}  # fmt: skip
    lines = [
        {"sku": "SHIRT-M", "description": "Shirt M", "quantity": 3, "unitPrice": "49.90"},
        {"sku": "CAP", "description": "Cap", "quantity": 2, "unitPrice": "20",
         "deliveredQuantity": 1},
        {"sku": "BELT", "description": "", "quantity": 1, "unitPrice": "0", "deliveredAt": None},
    ]  # fmt: skip
    created = await api.upsert_order(lines=lines, customer=customer, deliveryAddress=address)
    first_seen = clock.now().isoformat()

    order = (await graphql.data(ORDER, {"reference": "SO-1001", "merchant": MERCHANT}))["order"]
    assert order == {
        "id": created["id"],
        "merchant": MERCHANT,
        "reference": "SO-1001",
        "currency": "AED",
        "customer": customer,
        "lines": [
            {"sku": "SHIRT-M", "description": "Shirt M", "quantity": 3, "unitPrice": "49.90",
             "deliveredQuantity": 3, "deliveredAt": "2026-11-20T10:00:00+00:00"},
            {"sku": "CAP", "description": "Cap", "quantity": 2, "unitPrice": "20",
             "deliveredQuantity": 1, "deliveredAt": "2026-11-20T10:00:00+00:00"},
            {"sku": "BELT", "description": "", "quantity": 1, "unitPrice": "0",
             "deliveredQuantity": 0, "deliveredAt": None},
        ],
        "deliveryAddress": address,
        "createdAt": first_seen,
        "updatedAt": first_seen,
    }  # fmt: skip
    for reference, merchant in (("SO-1001", "other-brand"), ("SO-404", MERCHANT)):
        missing = await graphql.data(ORDER, {"reference": reference, "merchant": merchant})
        assert missing == {"order": None}

    clock.advance(hours=2)
    await api.upsert_order(lines=[{"sku": "SHIRT-M", "quantity": 5, "unitPrice": "45"}])
    replaced = (await graphql.data(ORDER, {"reference": "SO-1001", "merchant": MERCHANT}))["order"]
    assert [(line["sku"], line["quantity"]) for line in replaced["lines"]] == [("SHIRT-M", 5)]
    assert replaced["id"] == created["id"]
    assert (replaced["createdAt"], replaced["updatedAt"]) == (first_seen, clock.now().isoformat())


# ----------------------------------------------------------------------------- returnable lines


async def test_returnable_items_explain_what_blocks_each_line(api, graphql) -> None:
    lines = [
        {"sku": "SHIRT-M", "description": "Shirt M", "quantity": 3, "unitPrice": "49.90"},
        {"sku": "CAP", "description": "Cap", "quantity": 1, "unitPrice": "20.00",
         "deliveredAt": None},
        {"sku": "BELT", "description": "Belt", "quantity": 4, "unitPrice": "15.00",
         "deliveredQuantity": 1},
        {"sku": "SOCKS", "description": "Socks", "quantity": 2, "unitPrice": "5.00"},
    ]  # fmt: skip
    await api.upsert_order(lines=lines)
    shirts = await api.create_return(items=[{"sku": "SHIRT-M", "quantity": 3}])
    await api.create_return(items=[{"sku": "SOCKS", "quantity": 1}])

    variables = {"reference": "SO-1001", "merchant": MERCHANT}
    explained = {
        line["sku"]: line
        for line in (await graphql.data(RETURNABLE_ITEMS, variables))["returnableItems"]
    }
    assert list(explained) == ["SHIRT-M", "CAP", "BELT", "SOCKS"]

    shirt = explained["SHIRT-M"]
    assert (shirt["alreadyRequested"], shirt["returnableQuantity"], shirt["returnable"]) == (
        3,
        0,
        False,
    )
    (blocker,) = shirt["blockers"]
    assert blocker["code"] == "QUANTITY_EXCEEDED"
    assert blocker["message"].endswith(
        f"are already in return requests: {shirts['returnRequestId']}"
    ), "names the request holding the units"

    cap = explained["CAP"]
    assert (cap["deliveredQuantity"], cap["deliveredAt"], cap["returnable"]) == (0, None, False)
    assert cap["blockers"] == [
        {"code": "NOT_RETURNABLE", "message": "sku CAP has not been delivered"}
    ]

    belt = explained["BELT"]
    assert belt == {
        "sku": "BELT", "description": "Belt", "orderedQuantity": 4, "deliveredQuantity": 1,
        "deliveredAt": "2026-11-20T10:00:00+00:00", "unitPrice": "15.00", "alreadyRequested": 0,
        "returnableQuantity": 1, "returnable": True, "blockers": [],
    }  # fmt: skip

    socks = explained["SOCKS"]
    assert (socks["alreadyRequested"], socks["returnableQuantity"], socks["blockers"]) == (
        1,
        1,
        [],
    )


@pytest.mark.parametrize(("reference", "merchant"), [("SO-404", "acme"), ("SO-1001", "other")])
async def test_returnable_items_of_an_unknown_order_is_null(api, graphql, reference, merchant):
    await api.upsert_order()
    variables = {"reference": reference, "merchant": merchant}
    assert await graphql.data(RETURNABLE_ITEMS, variables) == {"returnableItems": None}


# ----------------------------------------------------------------------------- the connection


async def test_requests_come_newest_first_across_pages(api, graphql, clock) -> None:
    await api.upsert_order(lines=[{"sku": "SHIRT-M", "quantity": 20, "unitPrice": "10"}])
    created = []
    for _ in range(7):
        clock.advance(minutes=1)
        created.append(await api.create_return(items=[{"sku": "SHIRT-M", "quantity": 1}]))
    newest_first = [r["returnRequestId"] for r in reversed(created)]

    pages = await page_through(graphql, first=3)
    assert [len(page["edges"]) for page in pages] == [3, 3, 1]
    assert [page["totalCount"] for page in pages] == [7, 7, 7]
    assert [page["pageInfo"]["hasNextPage"] for page in pages] == [True, True, False]
    assert [page["pageInfo"]["hasPreviousPage"] for page in pages] == [False, True, True]
    for page in pages:
        assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
    assert [rid for page in pages for rid in ids(page)] == newest_first
    times = [edge["node"]["createdAt"] for page in pages for edge in page["edges"]]
    assert times == sorted(times, reverse=True)

    everything = (await graphql.data(PAGE, {"first": 100}))["returnRequests"]
    assert ids(everything) == newest_first
    assert everything["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": everything["edges"][0]["cursor"],
        "endCursor": everything["edges"][-1]["cursor"],
    }


async def test_requests_created_at_the_same_instant_are_paged_without_gaps(api, graphql) -> None:
    await api.upsert_order(lines=[{"sku": "SHIRT-M", "quantity": 20, "unitPrice": "10"}])
    created = {
        (await api.create_return(items=[{"sku": "SHIRT-M", "quantity": 1}]))["returnRequestId"]
        for _ in range(5)
    }
    for first in (1, 2):
        seen = [rid for page in await page_through(graphql, first=first) for rid in ids(page)]
        assert len(seen) == len(set(seen)) == 5
        assert set(seen) == created


async def test_a_cursor_keeps_its_place_when_newer_requests_arrive(api, graphql, clock) -> None:
    await api.upsert_order(lines=[{"sku": "SHIRT-M", "quantity": 20, "unitPrice": "10"}])
    for _ in range(4):
        clock.advance(minutes=1)
        await api.create_return(items=[{"sku": "SHIRT-M", "quantity": 1}])
    first_page = (await graphql.data(PAGE, {"first": 2}))["returnRequests"]

    clock.advance(minutes=1)
    await api.create_return(items=[{"sku": "SHIRT-M", "quantity": 1}])
    variables = {"first": 2, "after": first_page["pageInfo"]["endCursor"]}
    second_page = (await graphql.data(PAGE, variables))["returnRequests"]

    everything = ids((await graphql.data(PAGE, {"first": 100}))["returnRequests"])
    assert ids(second_page) == everything[3:5]
    assert second_page["totalCount"] == 5
    assert second_page["pageInfo"]["hasNextPage"] is False


async def test_every_filter_narrows_the_connection(api, graphql, clock) -> None:
    start = clock.now()
    lines = [{"sku": "SHIRT-M", "quantity": 10, "unitPrice": "10"}]
    await api.upsert_order("SO-1", lines)
    await api.upsert_order("SO-2", lines)
    await api.upsert_order("SO-1", lines, merchant="other")

    async def request(name: str, reference: str, merchant: str = MERCHANT, **then: Any) -> str:
        clock.advance(hours=1)
        items = [{"sku": "SHIRT-M", "quantity": 1}]
        rid = (await api.create_return(items, reference=reference, merchant=merchant))[
            "returnRequestId"
        ]
        for mutation, input in then.items():
            await api.change(mutation, {"returnRequestId": rid, **input})
        names[rid] = name
        return rid

    names: dict[str, str] = {}
    await request("r1", "SO-1")  # 13:00
    await request("r2", "SO-1", approveReturn={})  # 14:00
    await request("r3", "SO-2", holdReturn={}, assignReturn={"user": "kim"})  # 15:00
    await request("r4", "SO-1", "other", rejectReturn={"reason": "late"})  # 16:00
    await request("r5", "SO-2", assignReturn={"user": "lee"})  # 17:00

    def at(hours: float, offset: str = "+00:00") -> str:
        moment = start + timedelta(hours=hours)
        if offset == "+04:00":
            return (moment + timedelta(hours=4)).replace(tzinfo=None).isoformat() + offset
        return moment.isoformat()

    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({}, ["r5", "r4", "r3", "r2", "r1"]),
        ({"merchant": "acme"}, ["r5", "r3", "r2", "r1"]),
        ({"merchant": "other"}, ["r4"]),
        ({"merchant": "nobody"}, []),
        ({"status": "PENDING"}, ["r5", "r1"]),
        ({"status": ["APPROVED", "ON_HOLD"]}, ["r3", "r2"]),
        ({"status": ["REJECTED"]}, ["r4"]),
        ({"status": ["COMPLETED", "CANCELLED"]}, []),
        ({"orderReference": "SO-1"}, ["r4", "r2", "r1"]),
        ({"orderReference": "SO-1", "merchant": "acme"}, ["r2", "r1"]),
        ({"createdAfter": at(2.5)}, ["r5", "r4", "r3"]),
        ({"createdAfter": at(2.5, "+04:00")}, ["r5", "r4", "r3"]),
        ({"createdBefore": at(3.5)}, ["r3", "r2", "r1"]),
        ({"createdBefore": at(3.5, "+04:00")}, ["r3", "r2", "r1"]),
        ({"createdAfter": at(1.5), "createdBefore": at(4.5)}, ["r4", "r3", "r2"]),
        ({"createdAfter": at(5.5)}, []),
        ({"assignedTo": "kim"}, ["r3"]),
        ({"assignedTo": "nobody"}, []),
        ({"merchant": "acme", "status": ["PENDING"], "assignedTo": "lee"}, ["r5"]),
    ]
    for filter, expected in cases:
        page = (await graphql.data(PAGE, {"filter": filter, "first": 100}))["returnRequests"]
        assert [names[rid] for rid in ids(page)] == expected, filter
        assert page["totalCount"] == len(expected), filter

    # totalCount counts the whole filter, not the page.
    pages = await page_through(graphql, first=1, filter={"merchant": "acme"})
    assert [page["totalCount"] for page in pages] == [4, 4, 4, 4]
    assert [names[ids(page)[0]] for page in pages] == ["r5", "r3", "r2", "r1"]


# ----------------------------------------------------------------------------- HTTP


async def test_a_query_can_be_sent_with_get(api, http) -> None:
    await api.pending_return()
    response = await http.get("/graphql", params={"query": COUNT})
    assert response.status == 200
    assert await response.json() == {"data": {"returnRequests": {"totalCount": 1}}}

    response = await http.get(
        "/graphql",
        params={"query": RETURN_REQUEST, "variables": '{"id": "RR-ZZZZZZZZ"}'},
    )
    assert await response.json() == {"data": {"returnRequest": None}}


async def test_a_mutation_sent_with_get_is_refused_and_not_run(http, graphql) -> None:
    response = await http.get("/graphql", params={"query": CREATE_ORDER_MUTATION})
    assert response.status in (400, 405)
    assert "mutation" in (await response.text()).lower()
    order = await graphql.data(ORDER, {"reference": "SO-GET", "merchant": MERCHANT})
    assert order == {"order": None}


async def test_a_browser_gets_graphiql(http) -> None:
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "graphiql" in (await response.text()).lower()


@pytest.mark.parametrize(
    ("path", "body"), [("/healthz", {"status": "ok"}), ("/readyz", {"status": "ready"})]
)
async def test_health_endpoints_answer_json(http, path, body) -> None:
    response = await http.get(path, headers={"X-Request-Id": "probe-1"})
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert await response.json() == body
    assert response.headers["X-Request-Id"] == "probe-1"
