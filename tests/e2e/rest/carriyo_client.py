"""A legacy Carriyo client for the REST shim tests: raw HTTP with the seed's headers, paths
and snake_case bodies. Orders are ingested through GraphQL, as they are in production (the
Carriyo API has no order ingestion)."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

MERCHANT = "acme"
ORDER = "SO-1001"
EMAIL = "ann@example.com"
PHONE = "+971500000000"
DELIVERED_AT = "2026-11-20T10:00:00+00:00"
PICKUP = {
    "contact_name": "Ann Lee",
    "contact_phone": PHONE,
    "address1": "1 Palm St",
    "city": "Dubai",
    "country": "AE",
}
DROPOFF = {"partner_location_id": "WH-DXB"}
LINES = [
    {"sku": "SHIRT-M", "description": "Shirt M", "quantity": 3, "unitPrice": "49.90"},
    {"sku": "CAP", "description": "Cap", "quantity": 1, "unitPrice": "20.00"},
]

UPSERT_ORDER = """
mutation UpsertOrder($input: UpsertOrderInput!) {
  upsertOrder(input: $input) { order { reference } userErrors { code field message } }
}
"""


class Carriyo:
    """What a Carriyo integration sends: JSON bodies, query parameters, x-user."""

    def __init__(self, http: TestClient) -> None:
        self.http = http

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        response = await self.http.request(method, path, json=body, params=params, headers=headers)
        assert response.content_type == "application/json", await response.text()
        return response.status, await response.json()

    async def ok(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        status, answer = await self.call(method, path, body, **kwargs)
        assert status == 200, answer
        return answer

    async def order(
        self, reference: str = ORDER, *, merchant: str = MERCHANT, **extra: Any
    ) -> None:
        order = {
            "merchant": merchant,
            "reference": reference,
            "currency": "AED",
            "customer": {"name": "Ann Lee", "email": EMAIL, "phone": PHONE},
            "deliveryAddress": {"address1": "1 Palm St", "city": "Dubai", "country": "AE"},
            "lines": [{"deliveredAt": DELIVERED_AT, **line} for line in LINES],
            **extra,
        }
        response = await self.http.post(
            "/graphql", json={"query": UPSERT_ORDER, "variables": {"input": order}}
        )
        payload = (await response.json())["data"]["upsertOrder"]
        assert payload["userErrors"] == [], payload

    def create_body(self, items: list[dict[str, Any]] | None = None, **extra: Any) -> dict:
        return {
            "merchant": MERCHANT,
            "partner_order_reference": ORDER,
            "items": items or [{"sku": "SHIRT-M", "quantity": 2, "return_reason": "TOO_SMALL"}],
            "pickup": PICKUP,
            "dropoff": DROPOFF,
            "channel": "portal",
            "resolution": "REFUND",
            **extra,
        }

    async def create(self, items: list[dict[str, Any]] | None = None, **extra: Any) -> dict:
        return await self.ok("POST", "/returns/requests", self.create_body(items, **extra))

    async def pending(self, **extra: Any) -> dict:
        await self.order()
        return await self.create(**extra)

    async def approved(self, **extra: Any) -> dict:
        request = await self.pending(**extra)
        rid = request["return_request_id"]
        return await self.ok("PATCH", f"/returns/requests/{rid}/approve")

    async def get(self, rid: str) -> tuple[int, Any]:
        return await self.call("GET", f"/returns/requests/{rid}")
