"""The ports the use cases are written against; persistence/ provides the implementations."""

from __future__ import annotations

from datetime import UTC, datetime
from types import TracebackType
from typing import Protocol

from domain.eligibility import MerchantRules
from domain.events import DomainEvent
from domain.orders import Order
from domain.returns import ReturnRequest


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ReturnRepository(Protocol):
    async def get(self, return_request_id: str) -> ReturnRequest:
        """The whole aggregate; raises NotFound for a missing (or foreign) id."""
        ...

    async def add(self, request: ReturnRequest) -> None: ...

    async def save(self, request: ReturnRequest) -> None:
        """Write the aggregate if nobody else changed it since it was read (VERSION_CONFLICT)."""
        ...

    async def live_quantities(
        self, merchant: str, order_reference: str, *, exclude: str | None = None
    ) -> dict[str, int]:
        """Units per sku held by live requests on the order, optionally leaving one out."""
        ...


class OrderRepository(Protocol):
    async def get(self, merchant: str, reference: str) -> Order | None: ...

    async def upsert(self, order: Order) -> Order: ...


class UnitOfWork(Protocol):
    """One transaction. Re-enterable: each `async with` begins a new one; leaving without
    `commit()` rolls back. Events of saved aggregates are stored with the change."""

    returns: ReturnRepository
    orders: OrderRepository

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rules_for(self, merchant: str) -> MerchantRules:
        """The merchant's eligibility rules (the seam for merchant configuration)."""
        ...


class EventPublisher(Protocol):
    async def publish(self, events: list[DomainEvent]) -> None:
        """Deliver events that have committed; never called for a rolled-back change."""
        ...
