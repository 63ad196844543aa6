"""POST /rest/v2/getReturnDetails: every return of the order with reason, items, status and
its reverse shipment, following changes made through GraphQL."""

from __future__ import annotations

from domain.access import Role
from tests.e2e.rest.oto_support import ORDER_ID

RECEIVE = """
mutation Receive($input: ReceiveReturnInput!) {
  receiveReturn(input: $input) { returnRequest { status } userErrors { code message } }
}
"""


async def test_details_list_the_returns_of_the_order_newest_first(oto):
    await oto.configure()
    await oto.order()
    first = await oto.shipment(
        items=[{"quantity": "1", "sku": "SKU045857", "returnReason": "DAMAGED"}]
    )
    oto.clock.advance(minutes=5)
    second = await oto.shipment(items=[{"quantity": "1", "sku": "SKU000001"}])
    status, answer = await oto.post("getReturnDetails", {"orderId": ORDER_ID})
    assert status == 200
    assert set(answer) == {"success", "orderId", "returns"}
    assert (answer["success"], answer["orderId"]) == (True, ORDER_ID)
    newest, oldest = answer["returns"]
    assert newest == {key: value for key, value in second.items() if key != "success"}
    assert oldest["returnRequestId"] == first["returnRequestId"]
    assert oldest["returnReason"] == "DAMAGED"
    assert oldest["items"][0]["returnReason"] == "DAMAGED"


async def test_details_follow_a_change_made_through_graphql(oto):
    await oto.configure()
    await oto.order()
    created = await oto.shipment()
    data = await oto.graphql.data(
        RECEIVE,
        {
            "input": {
                "returnRequestId": created["returnRequestId"],
                "items": [{"sku": "SKU045857", "quantity": 1}],
            }
        },
    )
    assert data["receiveReturn"]["userErrors"] == []
    _, answer = await oto.post("getReturnDetails", {"orderId": ORDER_ID})
    [current] = answer["returns"]
    assert current["status"] == "received"
    assert current["items"][0]["receivedQuantity"] == "1"
    assert current["reverseShipment"]["status"] == "delivered"


async def test_an_order_without_returns_and_an_unknown_order_are_not_found(oto):
    await oto.order()
    status, answer = await oto.post("getReturnDetails", {"orderId": ORDER_ID})
    assert (status, answer["errors"][0]["code"], answer["errors"][0]["field"]) == (
        404,
        "NOT_FOUND",
        "orderId",
    )
    status, answer = await oto.post("getReturnDetails", {"orderId": "nope"})
    assert (status, answer["errors"][0]["message"]) == (404, "order nope not found")


async def test_a_read_only_key_may_read_details(oto):
    await oto.configure()
    await oto.order()
    await oto.shipment()
    read_only = await oto.headers_of("default", Role.READ_ONLY)
    status, answer = await oto.post("getReturnDetails", {"orderId": ORDER_ID}, read_only)
    assert status == 200, answer
