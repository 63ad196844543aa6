"""Scene-setting for the OTO end-to-end tests: a merchant configured and an order loaded
through GraphQL (as the merchant's back office would), then raw HTTP calls with the headers
and bodies of the OTO seed, the way a legacy OTO client sends them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.settings import Settings
from domain.access import Role
from ops.app import create_app
from persistence.database import Database
from persistence.tables import DEFAULT_TENANT
from tests.clocks import FixedClock
from tests.e2e.conftest import GraphQLClient, credentials

MERCHANT = "acme"
ORDER_ID = "202111080914"
PORTAL_SECRET = "s" * 40
PUBLIC_URL = "https://returns.acme.example"
DELIVERED_AT = "2026-11-20T10:00:00+00:00"

SETUP = """
mutation Setup($location: PickupLocationInput!, $option: DeliveryOptionInput!) {
  createPickupLocation(input: $location) { userErrors { code message } }
  createDeliveryOption(input: $option) { userErrors { code message } }
}
"""
UPSERT_ORDER = """
mutation Order($input: UpsertOrderInput!) {
  upsertOrder(input: $input) { userErrors { code field message } }
}
"""
RETURN_REQUEST = """
query Request($id: ID!) {
  returnRequest(id: $id) {
    returnRequestId status channel orderReference
    items { sku quantity approvedQuantity imageUrls }
    reverseShipments { id carrier deliveryOptionId status items { sku quantity } }
    dropoff { partnerLocationId }
    pickup { contactName contactPhone address1 country }
    creationSource { source }
  }
}
"""
NOTIFICATIONS = """
query Notifications($first: Int!, $after: String, $request: ID) {
  notifications(first: $first, after: $after, returnRequestId: $request) {
    edges { cursor node {
      id notificationId channel merchant orderReference returnRequestId recipient body
      status attempts error createdAt sentAt
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def oto_settings(**overrides: Any) -> Settings:
    values = {
        "migrate_on_start": False,
        "portal_secret": PORTAL_SECRET,
        "public_base_url": PUBLIC_URL,
    }
    return Settings(**(values | overrides))


class Oto:
    """A legacy OTO client and the merchant's GraphQL back office, on one real server."""

    def __init__(self, http: TestClient, db: Database, clock: FixedClock) -> None:
        self.http = http
        self.db = db
        self.clock = clock
        self.graphql = GraphQLClient(http)

    async def post(
        self, path: str, body: Any, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """POST like OTO's own examples: a JSON body to /rest/v2/<call>."""
        response = await self.http.post(f"/rest/v2/{path}", json=body, headers=headers)
        return response.status, await response.json()

    async def configure(self, merchant: str = MERCHANT) -> None:
        data = await self.graphql.data(
            SETUP,
            {
                "location": {
                    "merchant": merchant,
                    "code": "wh1",
                    "name": "Dubai warehouse",
                    "address": {"address1": "Al Quoz 3", "city": "Dubai", "country": "AE"},
                },
                "option": {
                    "merchant": merchant,
                    "id": "156",
                    "name": "Aramex",
                    "carrier": "aramex",
                },
            },
        )
        assert data["createPickupLocation"]["userErrors"] == []
        assert data["createDeliveryOption"]["userErrors"] == []

    async def order(
        self,
        reference: str = ORDER_ID,
        *,
        merchant: str = MERCHANT,
        delivered: bool = True,
        headers: dict[str, str] | None = None,
    ) -> None:
        when = DELIVERED_AT if delivered else None
        order = {
            "merchant": merchant,
            "reference": reference,
            "currency": "SAR",
            "customer": {"name": "Sara Ali", "email": "sara@example.com", "phone": "+966500000001"},
            "deliveryAddress": {"address1": "King Fahd Rd 1", "city": "Riyadh", "country": "SA"},
            "lines": [
                {
                    "sku": "SKU045857",
                    "description": "Abaya",
                    "quantity": 2,
                    "unitPrice": "150.00",
                    "deliveredAt": when,
                },
                {
                    "sku": "SKU000001",
                    "description": "Scarf",
                    "quantity": 1,
                    "unitPrice": "40.00",
                    "deliveredAt": when,
                },
            ],
        }
        data = await self.graphql.data(UPSERT_ORDER, {"input": order}, headers=headers)
        assert data["upsertOrder"]["userErrors"] == []

    async def shipment(self, **body: Any) -> dict[str, Any]:
        """A successful createReturnShipment with the seed's body."""
        status, answer = await self.post(
            "createReturnShipment",
            {
                "orderId": ORDER_ID,
                "deliveryOptionId": "156",
                "pickupLocationCode": "wh1",
                "items": [{"quantity": "1", "sku": "SKU045857"}],
            }
            | body,
        )
        assert status == 200, answer
        return answer

    async def request(self, rid: str) -> dict[str, Any] | None:
        return (await self.graphql.data(RETURN_REQUEST, {"id": rid}))["returnRequest"]

    async def notifications(self, **variables: Any) -> list[dict[str, Any]]:
        data = await self.graphql.data(NOTIFICATIONS, {"first": 100} | variables)
        return [edge["node"] for edge in data["notifications"]["edges"]]

    async def headers_of(self, tenant_id: str, role: Role = Role.FULL) -> dict[str, str]:
        return await credentials(self.db, self.clock, tenant_id, role)


async def serve(db: Database, clock: FixedClock, settings: Settings) -> AsyncIterator[TestClient]:
    app = create_app(settings, db=db, clock=clock)
    headers = await credentials(db, clock, DEFAULT_TENANT)
    async with TestClient(TestServer(app), headers=headers) as client:
        yield client


@pytest.fixture
async def oto(db: Database, clock: FixedClock) -> AsyncIterator[Oto]:
    async for client in serve(db, clock, oto_settings()):
        yield Oto(client, db, clock)
