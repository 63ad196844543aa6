"""Builders for the persistence tests: a settable clock, and a `world` that runs the real use
cases through real units of work on the `db` fixture (SQLite, and PostgreSQL when configured).

Nothing here replaces a layer: every write goes domain → use case → SqlUnitOfWork → database,
and every check reads back through a fresh unit of work or a plain read session.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from domain import commands as c
from domain import services
from domain.orders import Customer, Order
from domain.parts import ItemRequest
from domain.request_details import RequestDetails
from domain.returns import ReturnRequest
from domain.values import Actor, Address
from persistence import read_model
from persistence.database import Database
from persistence.tables import DEFAULT_TENANT, OutboxEventRow, ReturnRequestRow
from persistence.unit_of_work import SqlUnitOfWork
from tests.clocks import FixedClock

# Microseconds on purpose: both backends must keep them.
START = datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
DELIVERED_AT = datetime(2025, 2, 20, 9, 30, 15, 654321, tzinfo=UTC)
MERCHANT = "acme"
ACTOR = Actor(source="API", user="agent@acme.example")
PICKUP = Address(
    contact_name="Layla Haddad",
    contact_phone="+971500000000",
    contact_email="layla@example.com",
    address1="12 Al Wasl Road",
    address2="Villa 4",
    city="Dubai",
    state="Dubai",
    postcode="00000",
    country="AE",
)
DROPOFF = Address(partner_location_id="WH-DXB-1")

# sku -> (ordered, delivered, unit price)
Lines = Mapping[str, tuple[int, int, Decimal]]
DEFAULT_LINES: Lines = {
    "SKU-A": (3, 3, Decimal("100.00")),
    "SKU-B": (2, 2, Decimal("49.50")),
}


def item_requests(quantities: Mapping[str, int]) -> list[ItemRequest]:
    return [
        ItemRequest(sku=sku, quantity=qty, reason_code="DAMAGED") for sku, qty in quantities.items()
    ]


@dataclass
class World:
    """The real stack on one database: use cases, units of work, and read-back helpers."""

    db: Database
    clock: FixedClock
    actor: Actor = ACTOR
    pickup: Address = PICKUP
    dropoff: Address = DROPOFF

    def uow(self, tenant_id: str = DEFAULT_TENANT) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.db, tenant_id=tenant_id, clock=self.clock)

    async def run(
        self,
        use_case: Callable[..., Awaitable[Any]],
        cmd: Any,
        *,
        tenant_id: str = DEFAULT_TENANT,
        uow: SqlUnitOfWork | None = None,
    ) -> Any:
        return await use_case(cmd, uow=uow or self.uow(tenant_id), clock=self.clock)

    async def order(
        self,
        reference: str = "ORD-1",
        lines: Lines = DEFAULT_LINES,
        *,
        merchant: str = MERCHANT,
        currency: str = "AED",
        tenant_id: str = DEFAULT_TENANT,
        customer: Customer | None = None,
        delivery_address: Address | None = None,
    ) -> Order:
        cmd = c.UpsertOrder(
            actor=ACTOR,
            merchant=merchant,
            reference=reference,
            currency=currency,
            customer=customer or Customer("Layla Haddad", "layla@example.com", "+971500000000"),
            delivery_address=delivery_address,
            lines=[
                c.OrderLineSpec(
                    sku,
                    f"Item {sku}",
                    ordered,
                    price,
                    delivered,
                    DELIVERED_AT if delivered else None,
                )
                for sku, (ordered, delivered, price) in lines.items()
            ],
        )
        return await self.run(services.upsert_order, cmd, tenant_id=tenant_id)

    async def create(
        self,
        reference: str = "ORD-1",
        items: Mapping[str, int] | Sequence[ItemRequest] | None = None,
        *,
        merchant: str = MERCHANT,
        tenant_id: str = DEFAULT_TENANT,
        pickup: Address | None = PICKUP,
        dropoff: Address | None = DROPOFF,
        **fields: Any,
    ) -> ReturnRequest:
        items = {"SKU-A": 2, "SKU-B": 1} if items is None else items
        requested = item_requests(items) if isinstance(items, Mapping) else list(items)
        cmd = c.CreateReturn(
            actor=ACTOR,
            merchant=merchant,
            order_reference=reference,
            items=requested,
            details=RequestDetails(pickup=pickup, dropoff=dropoff, **fields),
        )
        return await self.run(services.create_return, cmd, tenant_id=tenant_id)

    @staticmethod
    def items(quantities: Mapping[str, int]) -> list[ItemRequest]:
        return item_requests(quantities)

    async def load(self, request_id: str, tenant_id: str = DEFAULT_TENANT) -> ReturnRequest:
        async with self.uow(tenant_id) as uow:
            return await uow.returns.get(request_id)

    async def read(
        self, request_ids: Sequence[str], tenant_id: str = DEFAULT_TENANT
    ) -> dict[str, ReturnRequest]:
        """Through the read side's batch loader (no repository, no write transaction)."""
        async with self.db.reading() as reads:
            return await read_model.load_return_requests(reads, tenant_id, request_ids)

    async def header(self, request_id: str) -> ReturnRequestRow | None:
        async with self.db.read_session() as session:
            return await session.get(ReturnRequestRow, request_id)

    async def version(self, request_id: str) -> int:
        row = await self.header(request_id)
        assert row is not None
        return row.version

    async def outbox(self, request_id: str | None = None) -> list[OutboxEventRow]:
        query = select(OutboxEventRow).order_by(OutboxEventRow.sequence, OutboxEventRow.position)
        if request_id is not None:
            query = query.where(OutboxEventRow.return_request_id == request_id)
        async with self.db.read_session() as session:
            return list((await session.scalars(query)).all())

    async def outbox_count(self) -> int:
        async with self.db.read_session() as session:
            return int(await session.scalar(select(func.count()).select_from(OutboxEventRow)))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def world(db: Database, clock: FixedClock) -> World:
    return World(db, clock)
