"""REST and GraphQL are two faces of one implementation: a change through either is seen at
once through the other, with the same rules; and a tenant never reaches another's data."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from core.settings import Settings
from ops.app import create_app
from persistence.tables import OutboxEventRow
from tests.e2e.conftest import credentials
from tests.e2e.rest.carriyo_client import MERCHANT, Carriyo

REQUESTS = "/returns/requests"

RETURN_REQUEST = """
query Get($id: ID!) {
  returnRequest(id: $id) {
    returnRequestId status assignedToUser
    items { sku quantity approvedQuantity receivedQuantity }
    notes { text user }
    refunds { amount currency }
    updateSource { source user }
  }
}
"""
MUTATE = """
mutation Hold($id: ID!) {
  holdReturn(input: {returnRequestId: $id, reason: "waiting for photos"}) {
    userErrors { code }
  }
  addReturnNote(input: {returnRequestId: $id, text: "from the dashboard"}) {
    userErrors { code }
  }
}
"""
CREATE_REASON = """
mutation { createReturnReason(input: {merchant: "acme", code: "GQL", name: "From GraphQL"}) {
  userErrors { code } } }
"""
REASONS = '{ returnReasons(merchant: "acme") { code name requireImages } }'


async def graphql(carriyo: Carriyo, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = await carriyo.http.post(
        "/graphql", json={"query": query, "variables": variables or {}}
    )
    body = await response.json()
    assert "errors" not in body, body
    return body["data"]


async def test_a_return_moved_through_rest_reads_the_same_in_graphql(carriyo: Carriyo) -> None:
    rid = (await carriyo.approved())["return_request_id"]
    await carriyo.ok(
        "PATCH", f"{REQUESTS}/{rid}/receive", {"items": [{"sku": "SHIRT-M", "quantity": 1}]}
    )
    await carriyo.ok(
        "POST", f"{REQUESTS}/{rid}/notes", {"text": "box dented"}, headers={"x-user": "wh@acme"}
    )
    await carriyo.ok("PATCH", f"{REQUESTS}/{rid}/assign-to-user", {"assigned_to_user": "a@acme"})
    await carriyo.ok("POST", f"{REQUESTS}/{rid}/refunds", {"amount": 10, "currency": "AED"})

    seen = (await graphql(carriyo, RETURN_REQUEST, {"id": rid}))["returnRequest"]

    assert seen["status"] == "PARTIALLY_RECEIVED"
    assert seen["assignedToUser"] == "a@acme"
    assert seen["items"] == [
        {"sku": "SHIRT-M", "quantity": 2, "approvedQuantity": 2, "receivedQuantity": 1}
    ]
    assert seen["notes"] == [{"text": "box dented", "user": "wh@acme"}]
    assert seen["refunds"] == [{"amount": "10", "currency": "AED"}]
    assert seen["updateSource"]["source"] == "REST"


async def test_a_change_made_in_graphql_is_read_at_once_through_rest(carriyo: Carriyo) -> None:
    rid = (await carriyo.pending())["return_request_id"]

    data = await graphql(carriyo, MUTATE, {"id": rid})
    _, seen = await carriyo.get(rid)

    assert data["holdReturn"]["userErrors"] == []
    assert seen["status"] == "on_hold"
    assert [note["text"] for note in seen["notes"]] == ["from the dashboard"]
    assert seen["update_source"]["source"] == "GRAPHQL"


async def test_the_same_rules_refuse_the_same_thing_on_both_faces(carriyo: Carriyo) -> None:
    rid = (await carriyo.pending())["return_request_id"]
    await carriyo.ok("PATCH", f"{REQUESTS}/{rid}/cancel")

    status, rest = await carriyo.call("PATCH", f"{REQUESTS}/{rid}/approve")
    data = await graphql(
        carriyo,
        "mutation($id: ID!) { approveReturn(input: {returnRequestId: $id}) "
        "{ userErrors { code message } } }",
        {"id": rid},
    )

    [gql_error] = data["approveReturn"]["userErrors"]
    assert status == 400
    assert (rest["errors"][0]["code"], rest["errors"][0]["message"]) == (
        gql_error["code"],
        gql_error["message"],
    )


async def test_reference_data_is_shared_between_the_faces(carriyo: Carriyo) -> None:
    await carriyo.ok(
        "POST",
        "/returns/reasons",
        {"code": "REST", "name": "From REST", "merchant": MERCHANT, "require_images": True},
    )
    await graphql(carriyo, CREATE_REASON)

    over_graphql = (await graphql(carriyo, REASONS))["returnReasons"]
    over_rest = await carriyo.ok("GET", "/returns/reasons", params={"merchant": MERCHANT})

    assert {"code": "REST", "name": "From REST", "requireImages": True} in over_graphql
    assert [reason["code"] for reason in over_rest] == ["GQL", "REST"]


async def test_available_items_agree_with_graphqls_returnable_items(carriyo: Carriyo) -> None:
    await carriyo.pending()
    params = {
        "merchant": MERCHANT,
        "email_or_phone": "ann@example.com",
        "partner_order_ref": "SO-1001",
    }

    rest = await carriyo.ok("GET", "/returns/available-items", params=params)
    data = await graphql(
        carriyo,
        '{ returnableItems(merchant: "acme", orderReference: "SO-1001") '
        "{ sku returnableQuantity } }",
    )

    assert {(i["sku"], i["quantity"]) for i in rest} == {
        (line["sku"], line["returnableQuantity"]) for line in data["returnableItems"]
    }


async def test_another_tenant_gets_404_on_this_tenants_request(
    carriyo: Carriyo, db: Any, clock: Any
) -> None:
    rid = (await carriyo.pending())["return_request_id"]
    app = create_app(Settings(migrate_on_start=False), db=db, clock=clock)
    other_headers = await credentials(db, clock, "tenant-b")

    async with TestClient(TestServer(app), headers=other_headers) as client:
        other = Carriyo(client)
        reads = await other.get(rid)
        writes = await other.call("PATCH", f"{REQUESTS}/{rid}/cancel")
        lookup = await other.call(
            "GET",
            "/returns/available-items",
            params={
                "merchant": MERCHANT,
                "email_or_phone": "ann@example.com",
                "partner_order_ref": "SO-1001",
            },
        )
        reasons = await other.ok("GET", "/returns/item-conditions")

    assert (reads[0], writes[0], lookup[0]) == (404, 404, 404)
    assert reasons == []
    assert (await carriyo.get(rid))[1]["status"] == "pending"


async def test_rest_changes_store_their_events_with_the_change_for_subscribers(
    carriyo: Carriyo, db: Any
) -> None:
    """The outbox is what subscriptions and webhooks read: a REST write must land there,
    through the same unit of work as GraphQL's, named as a REST change; a refused one not."""
    rid = (await carriyo.approved())["return_request_id"]
    await carriyo.call("PATCH", f"{REQUESTS}/{rid}/approve")  # refused: already approved

    async with db.read_session() as session:
        rows = (
            await session.execute(
                select(
                    OutboxEventRow.event_type,
                    OutboxEventRow.new_status,
                    OutboxEventRow.actor_source,
                )
                .where(OutboxEventRow.return_request_id == rid)
                .order_by(OutboxEventRow.position)
            )
        ).all()

    assert [tuple(row) for row in rows] == [
        ("ReturnRequested", "PENDING", "REST"),
        ("ReturnStatusChanged", "APPROVED", "REST"),
        ("ReverseShipmentCreated", None, "REST"),
    ]
