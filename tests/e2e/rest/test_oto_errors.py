"""What every OTO call does with bad credentials and bad bodies: 401, 403 or 400 with an
error body naming OTO's fields, never a 500; and the calls are in /openapi.json."""

from __future__ import annotations

import pytest

from domain.access import Role
from tests.e2e.rest.oto_support import ORDER_ID

CALLS = ["createReturnShipment", "getReturnLink", "getReturnDetails", "triggerReturnSms"]
WRITES = {"createReturnShipment", "getReturnLink", "triggerReturnSms"}


@pytest.mark.parametrize("call", CALLS)
async def test_calls_without_matching_credentials_are_401(oto, call):
    for headers in (
        {"Authorization": "", "x-api-key": "", "tenant-id": ""},
        {"tenant-id": "other-co"},
        {"Authorization": "Bearer not-a-token"},
    ):
        status, answer = await oto.post(call, {"orderId": ORDER_ID}, headers)
        assert (status, answer["errors"][0]["code"]) == (401, "UNAUTHENTICATED")


@pytest.mark.parametrize("call", CALLS)
async def test_read_only_keys_may_only_read(oto, call):
    await oto.configure()
    await oto.order()
    await oto.shipment()
    read_only = await oto.headers_of("default", Role.READ_ONLY)
    status, answer = await oto.post(
        call, {"orderId": ORDER_ID, "deliveryOptionId": "156"}, read_only
    )
    if call in WRITES:
        assert (status, answer["errors"][0]["code"]) == (403, "FORBIDDEN")
    else:
        assert status == 200


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'"orderId"', "application/json"),
        (b"", "application/json"),
        (b'{"orderId": NaN}', "application/json"),
        (b'{"orderId": "1\\u0000"}', "application/json"),
        (b"orderId=1", "application/x-www-form-urlencoded"),
        (b'{"orderId": 1e999999}', "application/json"),
        (b'{"orderId": {"$ne": null}}', "application/json"),
        (b'{"orderId": "\\ud800", "deliveryOptionId": "1"}', "application/json"),
        (b'{"orderId": "' + b"9" * 5000 + b'"}', "application/json"),
    ],
)
async def test_malformed_bodies_are_400_never_500(oto, call, raw, content_type):
    response = await oto.http.post(
        f"/rest/v2/{call}", data=raw, headers={"Content-Type": content_type}
    )
    assert response.status in (400, 404), await response.text()
    body = await response.json()
    assert body["errors"][0]["code"] in ("INVALID_INPUT", "NOT_FOUND")


async def test_the_oto_calls_are_in_the_openapi_document(oto):
    document = await (await oto.http.get("/openapi.json")).json()
    for call in CALLS:
        operation = document["paths"][f"/rest/v2/{call}"]["post"]
        assert operation["operationId"] == call
        assert operation["tags"] == ["OTO"]
    schema = document["components"]["schemas"]["OtoCreateReturnShipmentRequest"]
    assert schema["required"] == ["orderId", "deliveryOptionId"]
    assert set(schema["properties"]) >= {
        "orderId",
        "deliveryOptionId",
        "pickupLocationCode",
        "pickingType",
        "items",
    }
