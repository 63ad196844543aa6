"""Measure what a page of return requests costs: SQL statements and wall time, for N = 1, 10
and 100 requests, each with items, a note, a refund and a reverse shipment.

    .venv/bin/python bench/list_statements.py                      # SQLite (temporary file)
    .venv/bin/python bench/list_statements.py postgresql+asyncpg://postgres@127.0.0.1/bench

Prints one line per N; the statement count must not grow with N.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import event, text
from sqlmodel import SQLModel

from core.context import Context
from domain import commands as c
from domain import services
from domain.parts import ItemRequest
from domain.ports import SystemClock
from domain.request_details import RequestDetails
from domain.values import Address
from graphql_api.schema import schema
from persistence import migrate
from persistence.database import Database
from persistence.unit_of_work import SqlUnitOfWork, UnitsOfWork

PAGE_QUERY = """
query Page($first: Int!) {
  returnRequests(first: $first) {
    totalCount
    edges { node {
      returnRequestId status allowedActions
      items { sku quantity approvedQuantity }
      notes { text } refunds { amount currency } refundTotals { remaining }
      reverseShipments { id status items { sku quantity } }
      itemsUpdates { updatedAt }
      order { reference lines { sku } }
    } }
  }
}
"""
RUNS = 20


async def seed(db: Database, count: int) -> None:
    clock = SystemClock()
    uow = SqlUnitOfWork(db)
    delivered = datetime(2026, 11, 1, tzinfo=UTC)
    for n in range(count):
        reference = f"BENCH-{n}"
        await services.upsert_order(
            c.UpsertOrder(
                merchant="bench",
                reference=reference,
                currency="AED",
                lines=[
                    c.OrderLineSpec("SKU-A", "A", 2, Decimal("10"), None, delivered),
                    c.OrderLineSpec("SKU-B", "B", 1, Decimal("5"), None, delivered),
                ],
            ),
            uow=uow,
            clock=clock,
        )
        request = await services.create_return(
            c.CreateReturn(
                merchant="bench",
                order_reference=reference,
                items=[ItemRequest("SKU-A", 2), ItemRequest("SKU-B", 1)],
                details=RequestDetails(
                    pickup=Address(address1="1 Bench St", country="AE"),
                    dropoff=Address(partner_location_id="WH1"),
                ),
            ),
            uow=uow,
            clock=clock,
        )
        rid = request.id
        await services.approve_return(c.ApproveReturn(return_request_id=rid), uow=uow, clock=clock)
        await services.add_return_note(
            c.AddReturnNote(return_request_id=rid, text="checked"), uow=uow, clock=clock
        )
        await services.add_refund(
            c.AddRefund(return_request_id=rid, amount=Decimal("5"), currency="AED"),
            uow=uow,
            clock=clock,
        )


async def measure(db: Database, first: int, counted: list[str]) -> tuple[int, float]:
    """Statements of one page (`counted` hears those that run straight on asyncpg too)."""
    listener = lambda *args: counted.append(args[2])  # noqa: E731
    event.listen(db.engine.sync_engine, "before_cursor_execute", listener)
    timings = []
    for _ in range(RUNS):
        counted.clear()
        context = Context(units=UnitsOfWork(db, SystemClock()), tenant_id="default")
        started = time.perf_counter()
        result = await schema.execute(PAGE_QUERY, {"first": first}, context_value=context)
        timings.append((time.perf_counter() - started) * 1000)
        assert result.errors is None, result.errors
        assert len(result.data["returnRequests"]["edges"]) == first
    event.remove(db.engine.sync_engine, "before_cursor_execute", listener)
    statements = [s for s in counted if not s.upper().startswith(("BEGIN", "COMMIT", "PRAGMA"))]
    return len(statements), statistics.median(timings)


async def fresh(url: str) -> Database:
    db = Database(url)
    await migrate.upgrade(db)
    if not db.is_sqlite:
        async with db.engine.begin() as connection:
            tables = ", ".join(SQLModel.metadata.tables)
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return db


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = (
            sys.argv[1] if len(sys.argv) > 1 else f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        )
        db = await fresh(url)
        await seed(db, 100)
        counted: list[str] = []
        db.on_statement(counted.append)
        print(f"backend={db.url.get_backend_name()} runs={RUNS}")
        for first in (1, 10, 100):
            count, median_ms = await measure(db, first, counted)
            print(f"page of {first:>3} requests: {count} SQL statements, median {median_ms:.1f} ms")
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
