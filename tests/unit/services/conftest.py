"""Fixtures for the service-layer tests: a store holding one delivered order, a fixed clock,
and a way to run a use case on a fresh in-memory unit of work over that store."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from domain import commands as c
from domain import services
from domain.request_details import RequestDetails
from domain.returns import ReturnRequest
from tests.clocks import FixedClock
from tests.unit.domain.conftest import (
    ACTOR,
    DROPOFF,
    MERCHANT,
    NOW,
    ORDER_REFERENCE,
    PICKUP,
    item_requests,
    make_order,
)
from tests.unit.services.memory import MemoryStore, MemoryUnitOfWork

Run = Callable[..., Awaitable[Any]]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store() -> MemoryStore:
    order = make_order()
    order.created_at = order.updated_at = NOW
    return MemoryStore(orders={(MERCHANT, ORDER_REFERENCE): order})


@pytest.fixture
def run(store: MemoryStore, clock: FixedClock) -> Run:
    """`await run(use_case, command)`: the use case on a new unit of work over the store."""

    async def run(use_case: Callable[..., Awaitable[Any]], cmd: Any, **options: Any) -> Any:
        uow = MemoryUnitOfWork(store, clock=clock, **options)
        return await use_case(cmd, uow=uow, clock=clock)

    return run


@pytest.fixture
def create(run: Run) -> Callable[..., Awaitable[ReturnRequest]]:
    """A PENDING request (SKU-A x2, SKU-B x1 unless told) made through create_return."""

    async def create(items: dict[str, int] | None = None) -> ReturnRequest:
        cmd = c.CreateReturn(
            actor=ACTOR,
            merchant=MERCHANT,
            order_reference=ORDER_REFERENCE,
            items=item_requests(items or {"SKU-A": 2, "SKU-B": 1}),
            details=RequestDetails(pickup=PICKUP, dropoff=DROPOFF),
        )
        return await run(services.create_return, cmd)

    return create
