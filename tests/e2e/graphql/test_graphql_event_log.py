"""The event log as an audit trail: `returnEvents` pages through every committed change of
the tenant in position order, filters by merchant, request, type and status, and
`ReturnRequest.events` shows one request's history. A refused command leaves no event."""

from __future__ import annotations

from typing import Any

import pytest

EVENTS = """
query ($first: Int!, $after: EventPosition, $filter: ReturnEventFilter) {
  returnEvents(first: $first, after: $after, filter: $filter) {
    edges { cursor node {
      position eventId eventType returnRequestId merchant previousStatus newStatus
      actor { source user } occurredAt payload returnRequest { returnRequestId status }
    } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
HISTORY = """
query ($id: ID!) {
  returnRequest(id: $id) { events { position eventType previousStatus newStatus } }
}
"""


async def events(graphql: Any, first: int = 100, **variables: Any) -> dict[str, Any]:
    data = await graphql.data(EVENTS, {"first": first, **variables})
    return data["returnEvents"]


def kinds(page: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    return [
        (e["node"]["eventType"], e["node"]["previousStatus"], e["node"]["newStatus"])
        for e in page["edges"]
    ]


async def test_every_committed_change_is_in_the_log_in_order(api, graphql):
    request = await api.pending_return(user="shopper@example.com")
    rid = request["returnRequestId"]
    await api.change("approveReturn", {"returnRequestId": rid}, user="ops@acme.example")
    await api.change("addReturnNote", {"returnRequestId": rid, "text": "called"})

    page = await events(graphql)

    assert kinds(page) == [
        ("ReturnRequested", None, "PENDING"),
        ("ReturnStatusChanged", "PENDING", "APPROVED"),
        ("ReverseShipmentCreated", None, None),
        ("NoteAdded", None, None),
    ]
    positions = [int(e["node"]["position"]) for e in page["edges"]]
    assert positions == sorted(positions) and len(set(positions)) == 4
    assert [e["cursor"] for e in page["edges"]] == [str(p) for p in positions]
    approved = page["edges"][1]["node"]
    assert approved["returnRequestId"] == rid
    assert approved["merchant"] == request["merchant"]
    assert approved["actor"] == {"source": "GRAPHQL", "user": "ops@acme.example"}
    assert approved["occurredAt"].endswith("+00:00")
    assert approved["payload"]["action"] == "APPROVE"
    assert approved["returnRequest"] == {"returnRequestId": rid, "status": "APPROVED"}
    assert page["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": str(positions[0]),
        "endCursor": str(positions[-1]),
    }


async def test_pages_resume_after_a_position_without_gaps_or_repeats(api, graphql):
    request = await api.pending_return()
    rid = request["returnRequestId"]
    for text in ("one", "two", "three", "four"):
        await api.change("addReturnNote", {"returnRequestId": rid, "text": text})

    seen: list[str] = []
    after = None
    while True:
        page = await events(graphql, first=2, after=after)
        seen += [e["node"]["eventId"] for e in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    whole = await events(graphql)
    assert seen == [e["node"]["eventId"] for e in whole["edges"]]
    assert len(seen) == 5


async def test_filters_narrow_by_request_type_status_and_merchant(api, graphql):
    first = await api.pending_return()
    second = await api.create_return([{"sku": "SHIRT-M", "quantity": 1}])
    await api.change("approveReturn", {"returnRequestId": first["returnRequestId"]})
    await api.change(
        "rejectReturn", {"returnRequestId": second["returnRequestId"], "reason": "WORN"}
    )

    by_request = await events(graphql, filter={"returnRequestId": second["id"]})
    assert {e["node"]["returnRequestId"] for e in by_request["edges"]} == {
        second["returnRequestId"]
    }
    by_status = await events(graphql, filter={"statuses": ["APPROVED", "REJECTED"]})
    assert kinds(by_status) == [
        ("ReturnStatusChanged", "PENDING", "APPROVED"),
        ("ReturnStatusChanged", "PENDING", "REJECTED"),
    ]
    by_type = await events(graphql, filter={"eventTypes": ["ReturnRequested"]})
    assert len(by_type["edges"]) == 2
    other_merchant = await events(graphql, filter={"merchant": "someone-else"})
    assert other_merchant["edges"] == []


async def test_a_refused_command_leaves_no_event(api, graphql):
    request = await api.pending_return()
    rid = request["returnRequestId"]
    before = await events(graphql)

    payload = await api.run("receiveReturn", {"returnRequestId": rid, "items": []})

    assert payload["userErrors"]
    assert (await events(graphql)) == before


async def test_a_request_shows_its_own_history(api, graphql):
    request = await api.pending_return()
    other = await api.create_return([{"sku": "SHIRT-M", "quantity": 1}])
    rid = request["returnRequestId"]
    await api.change("holdReturn", {"returnRequestId": rid, "reason": "photos"})
    await api.change("resumeReturn", {"returnRequestId": rid})
    await api.change("cancelReturn", {"returnRequestId": other["returnRequestId"]})

    data = await graphql.data(HISTORY, {"id": rid})

    assert [
        (e["eventType"], e["previousStatus"], e["newStatus"])
        for e in data["returnRequest"]["events"]
    ] == [
        ("ReturnRequested", None, "PENDING"),
        ("ReturnStatusChanged", "PENDING", "ON_HOLD"),
        ("ReturnStatusChanged", "ON_HOLD", "PENDING"),
    ]


@pytest.mark.parametrize("after", ["-1", "abc", "1.5", "9" * 30])
async def test_a_position_that_is_not_one_is_refused_before_running(graphql, after):
    body = await graphql.execute(EVENTS, {"first": 10, "after": after})

    assert body.get("data") is None
    assert "EventPosition" in body["errors"][0]["message"]


@pytest.mark.parametrize("first", [0, 101])
async def test_page_size_is_bounded(graphql, first):
    body = await graphql.execute(EVENTS, {"first": first})

    assert body["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
