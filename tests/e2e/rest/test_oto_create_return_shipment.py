"""POST /rest/v2/createReturnShipment as an OTO client sends it: the return request and its
reverse shipment appear together, visible at once through GraphQL."""

from __future__ import annotations

import pytest

from tests.e2e.rest.oto_support import ORDER_ID

SHIPMENT_FIELDS = {
    "success",
    "returnRequestId",
    "orderId",
    "status",
    "returnReason",
    "customerComment",
    "createdAt",
    "updatedAt",
    "reverseShipment",
    "items",
}


async def test_the_seed_request_creates_an_approved_return_with_its_shipment(oto):
    await oto.configure()
    await oto.order()
    answer = await oto.shipment()
    assert set(answer) == SHIPMENT_FIELDS
    assert answer["success"] is True
    assert answer["orderId"] == ORDER_ID
    assert answer["status"] == "approved"
    assert answer["items"] == [
        {
            "sku": "SKU045857",
            "name": "Abaya",
            "quantity": "1",
            "approvedQuantity": "1",
            "receivedQuantity": "0",
            "returnReason": None,
            "comment": None,
            "itemCondition": None,
        }
    ]
    shipment = answer["reverseShipment"]
    assert set(shipment) == {
        "shipmentId",
        "deliveryOptionId",
        "carrier",
        "status",
        "trackingNumber",
        "labelUrl",
        "items",
    }
    assert (shipment["deliveryOptionId"], shipment["carrier"], shipment["status"]) == (
        "156",
        "aramex",
        "created",
    )
    assert shipment["items"] == [{"sku": "SKU045857", "quantity": "1"}]


async def test_the_new_return_is_the_same_object_graphql_sees(oto):
    await oto.configure()
    await oto.order()
    answer = await oto.shipment()
    seen = await oto.request(answer["returnRequestId"])
    assert seen["status"] == "APPROVED"
    assert seen["channel"] == "OTO"
    assert seen["creationSource"] == {"source": "REST"}
    assert seen["dropoff"] == {"partnerLocationId": "wh1"}
    assert seen["pickup"] == {
        "contactName": "Sara Ali",
        "contactPhone": "+966500000001",
        "address1": "King Fahd Rd 1",
        "country": "SA",
    }
    [reverse] = seen["reverseShipments"]
    assert reverse["id"] == answer["reverseShipment"]["shipmentId"]
    assert (reverse["carrier"], reverse["deliveryOptionId"]) == ("aramex", "156")


async def test_without_items_every_returnable_unit_is_returned(oto):
    await oto.configure()
    await oto.order()
    answer = await oto.shipment(items=None)
    assert {i["sku"]: i["quantity"] for i in answer["items"]} == {
        "SKU045857": "2",
        "SKU000001": "1",
    }


@pytest.mark.parametrize(
    "quantity", ["0", "-1", "1.5", "1e2", "", "one", 1.5, True, None, "\uff11"]
)
async def test_a_quantity_that_is_not_a_positive_whole_number_is_refused(oto, quantity):
    await oto.configure()
    await oto.order()
    status, answer = await oto.post(
        "createReturnShipment",
        {
            "orderId": ORDER_ID,
            "deliveryOptionId": "156",
            "items": [{"quantity": quantity, "sku": "SKU045857"}],
        },
    )
    assert status == 400
    assert answer == {
        "errors": [
            {
                "code": "INVALID_QUANTITY",
                "field": "items[0].quantity",
                "message": answer["errors"][0]["message"],
            }
        ]
    }


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"orderId": "404", "deliveryOptionId": "156"}, 404, "NOT_FOUND", "orderId"),
        ({"deliveryOptionId": "156"}, 400, "INVALID_INPUT", "orderId"),
        ({"orderId": ORDER_ID}, 400, "INVALID_INPUT", "deliveryOptionId"),
        ({"orderId": ORDER_ID, "deliveryOptionId": "999"}, 400, "UNKNOWN_CODE", "deliveryOptionId"),
        (
            {"orderId": ORDER_ID, "deliveryOptionId": "156", "pickupLocationCode": "nowhere"},
            400,
            "UNKNOWN_CODE",
            "pickupLocationCode",
        ),
        (
            {"orderId": ORDER_ID, "deliveryOptionId": "156", "pickingType": "TELEPORT"},
            400,
            "INVALID_INPUT",
            "pickingType",
        ),
        (
            {
                "orderId": ORDER_ID,
                "deliveryOptionId": "156",
                "pickupLocationCode": "wh1",
                "items": [{"quantity": "3", "sku": "SKU045857"}],
            },
            400,
            "QUANTITY_EXCEEDED",
            "items[0].quantity",
        ),
        (
            {
                "orderId": ORDER_ID,
                "deliveryOptionId": "156",
                "pickupLocationCode": "wh1",
                "items": [{"quantity": "1", "sku": "NOPE"}],
            },
            400,
            "UNKNOWN_SKU",
            "items[0].sku",
        ),
        (
            {"orderId": ORDER_ID, "deliveryOptionId": "156", "items": "all"},
            400,
            "INVALID_INPUT",
            "items",
        ),
        ({"orderId": ["x"], "deliveryOptionId": "156"}, 400, "INVALID_INPUT", "orderId"),
    ],
)
async def test_refusals_name_the_oto_field_and_write_nothing(oto, body, status, code, field):
    await oto.configure()
    await oto.order()
    got, answer = await oto.post("createReturnShipment", body)
    assert (got, answer["errors"][0]["code"], answer["errors"][0]["field"]) == (
        status,
        code,
        field,
    )
    status, details = await oto.post("getReturnDetails", {"orderId": ORDER_ID})
    assert status == 404, details


async def test_numeric_ids_are_taken_as_their_digits(oto):
    await oto.configure()
    await oto.order()
    answer = await oto.shipment(orderId=int(ORDER_ID), deliveryOptionId=156)
    assert (answer["orderId"], answer["reverseShipment"]["deliveryOptionId"]) == (ORDER_ID, "156")


async def test_an_undelivered_order_cannot_be_returned(oto):
    await oto.configure()
    await oto.order(delivered=False)
    status, answer = await oto.post(
        "createReturnShipment", {"orderId": ORDER_ID, "deliveryOptionId": "156"}
    )
    assert (status, answer["errors"][0]["code"]) == (400, "NOT_RETURNABLE")


async def test_the_same_order_reference_of_two_merchants_needs_the_merchant(oto):
    await oto.configure()
    await oto.configure("globex")
    await oto.order()
    await oto.order(merchant="globex")
    status, answer = await oto.post(
        "createReturnShipment", {"orderId": ORDER_ID, "deliveryOptionId": "156"}
    )
    assert (status, answer["errors"][0]["field"]) == (400, "merchant")
    answer = await oto.shipment(merchant="globex")
    assert answer["orderId"] == ORDER_ID


async def test_a_retry_with_the_same_idempotency_key_creates_one_return(oto):
    await oto.configure()
    await oto.order()
    body = {
        "orderId": ORDER_ID,
        "deliveryOptionId": "156",
        "pickupLocationCode": "wh1",
        "items": [{"quantity": "1", "sku": "SKU045857"}],
    }
    headers = {"Idempotency-Key": "oto-retry-1"}
    first = await oto.post("createReturnShipment", body, headers)
    again = await oto.post("createReturnShipment", body, headers)
    assert first == again
    _, details = await oto.post("getReturnDetails", {"orderId": ORDER_ID})
    assert len(details["returns"]) == 1


async def test_items_take_the_same_comment_and_images_as_the_return_portal(oto):
    await oto.configure()
    await oto.order()
    item = {"quantity": "1", "sku": "SKU045857", "comment": "seam open"}
    answer = await oto.shipment(items=[item | {"imageUrls": ["https://img.example/1.jpg"]}])
    seen = await oto.request(answer["returnRequestId"])

    assert answer["items"][0]["comment"] == "seam open"
    assert seen["items"][0]["imageUrls"] == ["https://img.example/1.jpg"]
