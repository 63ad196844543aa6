"""Two splits racing on one request: each alone is valid, together they would empty it. Exactly
one wins and every unit is still accounted for, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from domain import commands as c
from domain import services
from domain.errors import DomainError, ErrorCode
from tests.integration.persistence.test_persistence_concurrency import outcomes


async def test_two_concurrent_splits_cannot_both_take_the_last_units(world):
    await world.order(lines={"SKU-A": (3, 3, Decimal("10")), "SKU-B": (1, 1, Decimal("5"))})
    rid = (await world.create(items={"SKU-A": 3, "SKU-B": 1})).id

    async def split(sku: str, qty: int):
        cmd = c.SplitReturn(return_request_id=rid, quantities={sku: qty})
        return await services.split_return(cmd, uow=world.uow(), clock=world.clock)

    # Each split alone leaves at least one unit behind; all three together would not.
    results = await asyncio.gather(
        split("SKU-A", 3), split("SKU-B", 1), split("SKU-A", 3), return_exceptions=True
    )

    wins, losses = outcomes(results)
    assert wins, "at least one split goes through"
    assert all(
        error.code
        in (ErrorCode.INVALID_QUANTITY, ErrorCode.QUANTITY_EXCEEDED, ErrorCode.UNKNOWN_SKU)
        for error in losses
    ), losses
    parts = [await world.load(rid)] + [await world.load(new.id) for _, new in wins]
    totals: dict[str, int] = {}
    for part in parts:
        assert sum(item.quantity for item in part.items) >= 1, "no part is left empty"
        for item in part.items:
            totals[item.sku] = totals.get(item.sku, 0) + item.quantity
    assert totals == {"SKU-A": 3, "SKU-B": 1}
    assert all(isinstance(error, DomainError) for error in losses)
