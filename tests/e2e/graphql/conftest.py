"""Scene-setting for the GraphQL end-to-end tests.

Everything here goes through raw GraphQL over HTTP, the way a merchant's integration would
call the service: load an order, ask for a return, move it along. Tests get the `api` fixture;
what they assert on they write out as their own operation strings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.settings import Settings
from ops.app import create_app
from persistence.database import Database
from tests.clocks import FixedClock

MERCHANT = "acme"
ORDER_REFERENCE = "SO-1001"
DELIVERED_AT = "2026-11-20T10:00:00+00:00"
PICKUP = {
    "contactName": "Ann Lee",
    "contactPhone": "+971500000000",
    "address1": "1 Palm St",
    "city": "Dubai",
    "country": "AE",
}
DROPOFF = {"partnerLocationId": "WH-DXB"}
DEFAULT_LINES = [
    {"sku": "SHIRT-M", "description": "Shirt M", "quantity": 3, "unitPrice": "49.90"},
    {"sku": "CAP", "description": "Cap", "quantity": 1, "unitPrice": "20.00"},
]

REQUEST_FIELDS = """
fragment AddressFields on Address {
  contactName contactPhone contactEmail address1 address2 city state postcode country
  partnerLocationId
}
fragment RequestFields on ReturnRequest {
  id returnRequestId merchant orderReference status version allowedActions
  channel customerComment resolutionCode refundMethod assignedToUser rejectionReason splitFrom
  autoClosed
  pickup { ...AddressFields }
  dropoff { ...AddressFields }
  collection { start end }
  items {
    sku description unitPrice currency quantity approvedQuantity rejectedQuantity
    returnedQuantity receivedQuantity reasonCode comment commentCodes imageUrls itemConditionCode
    resolutionCode refundTypeCode rejectionReason
  }
  notes { id text user createdAt }
  refunds { id amount currency reference refundType note refundDate createdAt }
  refundTotals { currency approvedValue refunded remaining }
  reverseShipments {
    id carrier status items { sku quantity } trackingNumber labelUrl createdAt updatedAt
  }
  itemsUpdates { updatedAt previous { sku quantity } current { sku quantity } user source }
  creationSource { source user }
  updateSource { source user }
  updatedByUser
  createdAt updatedAt onHoldAt approvedAt rejectedAt cancelledAt receivedAt completedAt
  autoClosedAt
}
"""

UPSERT_ORDER = """
mutation UpsertOrder($input: UpsertOrderInput!) {
  upsertOrder(input: $input) {
    order { id merchant reference currency lines { sku quantity deliveredQuantity } }
    userErrors { code field message }
  }
}
"""

CREATE_RETURN = (
    """
mutation CreateReturn($input: CreateReturnInput!) {
  createReturn(input: $input) {
    returnRequest { ...RequestFields }
    userErrors { code field message }
  }
}
"""
    + REQUEST_FIELDS
)

RETURN_REQUEST = (
    """
query ReturnRequest($id: ID!) { returnRequest(id: $id) { ...RequestFields } }
"""
    + REQUEST_FIELDS
)

RETURNABLE_ITEMS = """
query Returnable($reference: String!, $merchant: String!) {
  returnableItems(orderReference: $reference, merchant: $merchant) {
    sku orderedQuantity deliveredQuantity alreadyRequested returnableQuantity returnable
    blockers { code message }
  }
}
"""

COUNT = """
query Count { returnRequests(first: 100) { totalCount } }
"""

# Every mutation that acts on an existing request, with what its payload adds to the request.
REQUEST_MUTATIONS = {
    "updateReturn": "",
    "approveReturn": "",
    "rejectReturn": "",
    "holdReturn": "",
    "resumeReturn": "",
    "cancelReturn": "",
    "receiveReturn": "",
    "completeReturn": "",
    "setReturnStatus": "",
    "assignReturn": "",
    "deleteReturnNote": "",
    "deleteRefund": "",
    "updateReverseShipment": "",
    "splitReturn": "newReturnRequest { ...RequestFields }",
    "addReturnNote": "note { id text user createdAt }",
    "addRefund": "refund { id amount currency reference refundType note refundDate createdAt }",
}


def _request_mutation(name: str, extra: str) -> str:
    input_type = name[0].upper() + name[1:] + "Input"
    return (
        f"mutation Run($input: {input_type}!) {{\n"
        f"  {name}(input: $input) {{\n"
        f"    returnRequest {{ ...RequestFields }}\n"
        f"    {extra}\n"
        f"    userErrors {{ code field message }}\n"
        f"  }}\n"
        f"}}\n" + REQUEST_FIELDS
    )


REQUEST_MUTATION_OPERATIONS = {
    name: _request_mutation(name, extra) for name, extra in REQUEST_MUTATIONS.items()
}


def order_lines(lines: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Order lines delivered on DELIVERED_AT unless a line says otherwise."""
    return [{"deliveredAt": DELIVERED_AT, **line} for line in (lines or DEFAULT_LINES)]


class ReturnsApi:
    """The calls a merchant's integration makes, over the real HTTP server."""

    def __init__(self, graphql: Any) -> None:
        self.graphql = graphql

    @staticmethod
    def _headers(user: str | None) -> dict[str, str] | None:
        return {"X-User": user} if user else None

    async def upsert_order(
        self,
        reference: str = ORDER_REFERENCE,
        lines: list[dict[str, Any]] | None = None,
        *,
        merchant: str = MERCHANT,
        **extra: Any,
    ) -> dict[str, Any]:
        order_input = {
            "merchant": merchant,
            "reference": reference,
            "currency": "AED",
            "lines": order_lines(lines),
            **extra,
        }
        data = await self.graphql.data(UPSERT_ORDER, {"input": order_input})
        payload = data["upsertOrder"]
        assert payload["userErrors"] == [], payload["userErrors"]
        return payload["order"]

    async def create_return_payload(
        self,
        items: list[dict[str, Any]],
        *,
        reference: str = ORDER_REFERENCE,
        merchant: str = MERCHANT,
        user: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        return_input = {"merchant": merchant, "orderReference": reference, "items": items}
        return_input |= {"pickup": PICKUP, "dropoff": DROPOFF} | extra
        data = await self.graphql.data(
            CREATE_RETURN, {"input": return_input}, headers=self._headers(user)
        )
        return data["createReturn"]

    async def create_return(
        self, items: list[dict[str, Any]] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        payload = await self.create_return_payload(
            items or [{"sku": "SHIRT-M", "quantity": 2}], **kwargs
        )
        assert payload["userErrors"] == [], payload["userErrors"]
        return payload["returnRequest"]

    async def run(
        self, mutation: str, input: dict[str, Any], *, user: str | None = None
    ) -> dict[str, Any]:
        """The payload of a mutation on an existing request, userErrors and all."""
        data = await self.graphql.data(
            REQUEST_MUTATION_OPERATIONS[mutation], {"input": input}, headers=self._headers(user)
        )
        return data[mutation]

    async def change(
        self, mutation: str, input: dict[str, Any], *, user: str | None = None
    ) -> dict[str, Any]:
        """Run a mutation that must succeed; the request as it is afterwards."""
        payload = await self.run(mutation, input, user=user)
        assert payload["userErrors"] == [], payload["userErrors"]
        return payload["returnRequest"]

    async def get(self, id: str) -> dict[str, Any] | None:
        data = await self.graphql.data(RETURN_REQUEST, {"id": id})
        return data["returnRequest"]

    async def returnable(
        self, reference: str = ORDER_REFERENCE, merchant: str = MERCHANT
    ) -> list[dict[str, Any]] | None:
        data = await self.graphql.data(
            RETURNABLE_ITEMS, {"reference": reference, "merchant": merchant}
        )
        return data["returnableItems"]

    async def count(self) -> int:
        return (await self.graphql.data(COUNT))["returnRequests"]["totalCount"]

    # ------------------------------------------------------------- requests in a given state

    async def pending_return(self, **kwargs: Any) -> dict[str, Any]:
        await self.upsert_order()
        return await self.create_return(**kwargs)

    async def approved_return(self, **kwargs: Any) -> dict[str, Any]:
        request = await self.pending_return(**kwargs)
        return await self.change("approveReturn", {"returnRequestId": request["returnRequestId"]})


@pytest.fixture
def api(graphql: Any) -> ReturnsApi:
    return ReturnsApi(graphql)


Serve = Callable[[float], Awaitable[TestClient]]


@pytest.fixture
async def served(db: Database, clock: FixedClock) -> AsyncIterator[Serve]:
    """Serving processes over one database, each with its own auth cache time (`ttl`)."""
    clients: list[TestClient] = []

    async def serve(ttl: float) -> TestClient:
        settings = Settings(migrate_on_start=False, auth_cache_seconds=ttl)
        client = TestClient(TestServer(create_app(settings, db=db, clock=clock)))
        await client.start_server()
        clients.append(client)
        return client

    yield serve
    for client in clients:
        await client.close()
