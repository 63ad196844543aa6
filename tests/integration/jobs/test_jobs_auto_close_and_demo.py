"""The auto-close job and the demo seed, against real databases, plus the CLI as a user runs it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from core.settings import Settings
from domain import commands as c
from domain import configuration_services as config
from domain import services
from domain.lifecycle import ReturnStatus
from domain.parts import ItemRequest, ShipmentStatus
from domain.reference import ReturnSettings
from domain.request_details import RequestDetails
from domain.values import Address
from jobs.auto_close import auto_close_idle_returns
from ops.app import create_app
from ops.demo import MERCHANT, seed_demo
from persistence.database import Database
from persistence.idempotency import KEY_LIFETIME, IdempotencyStore
from persistence.tables import IdempotencyKeyRow
from persistence.unit_of_work import SqlUnitOfWork, UnitsOfWork
from tests.clocks import FixedClock

ROOT = Path(__file__).resolve().parents[3]
JOBS_NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


async def _request(
    db: Database,
    clock: FixedClock,
    reference: str,
    *,
    approve: bool,
    merchant: str = "acme",
    tenant: str = "default",
) -> str:
    uow = SqlUnitOfWork(db, tenant_id=tenant, clock=clock)
    await services.upsert_order(
        c.UpsertOrder(
            merchant=merchant,
            reference=reference,
            currency="AED",
            lines=[c.OrderLineSpec("SKU-A", "A", 2, Decimal("10"), None, clock.now())],
        ),
        uow=uow,
        clock=clock,
    )
    request = await services.create_return(
        c.CreateReturn(
            merchant=merchant,
            order_reference=reference,
            items=[ItemRequest("SKU-A", 2)],
            details=RequestDetails(
                pickup=Address(address1="1 Main", country="AE"),
                dropoff=Address(address1="Warehouse", country="AE"),
            ),
        ),
        uow=uow,
        clock=clock,
    )
    if approve:
        await services.approve_return(
            c.ApproveReturn(return_request_id=request.id), uow=uow, clock=clock
        )
    return request.id


async def _load(db: Database, rid: str, tenant: str = "default"):  # type: ignore[no-untyped-def]
    async with SqlUnitOfWork(db, tenant_id=tenant) as uow:
        return await uow.returns.get(rid)


async def _auto_close_after(
    db: Database, days: int, merchant: str = "acme", tenant: str = "default"
) -> None:
    await config.upsert_settings(
        ReturnSettings(merchant=merchant, auto_close_days=days),
        uow=SqlUnitOfWork(db, tenant_id=tenant),
    )


async def test_idle_approved_requests_are_closed_and_fresh_ones_kept(db: Database) -> None:
    clock = FixedClock(JOBS_NOW)
    await _auto_close_after(db, 30)
    idle = await _request(db, clock, "SO-1", approve=True)
    pending = await _request(db, clock, "SO-2", approve=False)
    clock.current += timedelta(days=20)
    recent = await _request(db, clock, "SO-3", approve=True)
    clock.current += timedelta(days=10)

    closed = await auto_close_idle_returns(UnitsOfWork(db, clock))

    assert closed == [idle]
    closed_request = await _load(db, idle)
    assert closed_request.status == ReturnStatus.COMPLETED
    assert closed_request.auto_closed and closed_request.auto_closed_at == clock.now()
    assert [s.status for s in closed_request.shipments] == [ShipmentStatus.CANCELLED]
    assert (await _load(db, pending)).status == ReturnStatus.PENDING
    assert (await _load(db, recent)).status == ReturnStatus.APPROVED
    assert await auto_close_idle_returns(UnitsOfWork(db, clock)) == [], (
        "a second run closes nothing"
    )


async def test_merchants_without_auto_close_days_are_left_alone(db: Database) -> None:
    clock = FixedClock(JOBS_NOW)
    await _auto_close_after(db, 5, merchant="other")
    kept = await _request(db, clock, "SO-1", approve=True)
    clock.current += timedelta(days=365)

    assert await auto_close_idle_returns(UnitsOfWork(db, clock)) == []
    assert (await _load(db, kept)).status == ReturnStatus.APPROVED


async def test_every_tenant_is_closed_under_its_own_settings(db: Database) -> None:
    clock = FixedClock(JOBS_NOW)
    await _auto_close_after(db, 10, tenant="t1")
    await _auto_close_after(db, 40, tenant="t2")
    first = await _request(db, clock, "SO-1", approve=True, tenant="t1")
    second = await _request(db, clock, "SO-1", approve=True, tenant="t2")
    clock.current += timedelta(days=11)

    assert await auto_close_idle_returns(UnitsOfWork(db, clock)) == [first]
    assert (await _load(db, second, tenant="t2")).status == ReturnStatus.APPROVED


async def test_the_server_runs_auto_close_periodically(db: Database) -> None:
    clock = FixedClock(JOBS_NOW)
    await _auto_close_after(db, 1)
    rid = await _request(db, clock, "SO-1", approve=True)
    clock.current += timedelta(days=2)
    app = create_app(
        Settings(migrate_on_start=False, auto_close_interval_seconds=0.05), db=db, clock=clock
    )

    async with TestClient(TestServer(app)):
        for _ in range(100):
            if (await _load(db, rid)).status == ReturnStatus.COMPLETED:
                break
            await asyncio.sleep(0.05)

    assert (await _load(db, rid)).auto_closed


async def test_the_server_forgets_expired_idempotency_keys_on_its_own_interval(
    db: Database,
) -> None:
    """The purge is a job of its own: it runs with auto-close switched off."""
    clock = FixedClock(JOBS_NOW)
    store = IdempotencyStore(db)
    await store.claim("default", "old-key", "f" * 64, clock.now())
    clock.current += KEY_LIFETIME + timedelta(minutes=1)
    await store.claim("default", "fresh-key", "f" * 64, clock.now())
    settings = Settings(
        migrate_on_start=False,
        webhook_interval_seconds=0,
        auto_close_interval_seconds=0,
        idempotency_purge_interval_seconds=0.05,
    )

    async with TestClient(TestServer(create_app(settings, db=db, clock=clock))):
        for _ in range(100):
            if await _idempotency_keys(db) == ["fresh-key"]:
                break
            await asyncio.sleep(0.05)

    assert await _idempotency_keys(db) == ["fresh-key"]


async def _idempotency_keys(db: Database) -> list[str]:
    async with db.read_session() as session:
        return list((await session.execute(select(IdempotencyKeyRow.key))).scalars())


async def test_seed_demo_loads_a_usable_merchant_and_can_run_twice(db: Database) -> None:
    clock = FixedClock(JOBS_NOW)
    first = await seed_demo(UnitsOfWork(db, clock))
    again = await seed_demo(UnitsOfWork(db, clock))

    assert first == again
    assert first.orders == ["DEMO-1001", "DEMO-1002", "DEMO-1003", "DEMO-1004"]
    uow = SqlUnitOfWork(db, tenant_id="dev", clock=clock)
    request = await services.create_return(
        c.CreateReturn(
            merchant=MERCHANT,
            order_reference="DEMO-1001",
            items=[ItemRequest("TSHIRT-M-BLUE", 1, reason_code="WRONG_SIZE")],
            details=RequestDetails(pickup=Address(address1="1 Palm", country="AE")),
        ),
        uow=uow,
        clock=clock,
    )
    assert request.status == ReturnStatus.APPROVED, "WRONG_SIZE auto-approves"
    assert request.details.dropoff == Address(partner_location_id="WH-DXB")


async def test_demo_data_is_readable_with_the_dev_key_and_has_address_and_phone(
    db: Database, tmp_path: Path
) -> None:
    """`make demo` then `make run`: the printed dev key sees the demo merchant's orders, with
    what pickups and SMS need."""
    from ops.dev_credentials import ensure_dev_credentials

    clock = FixedClock(JOBS_NOW)
    await seed_demo(UnitsOfWork(db, clock))
    headers = await ensure_dev_credentials(db, clock, tmp_path / "dev.json")
    app = create_app(
        Settings(migrate_on_start=False, webhook_interval_seconds=0), db=db, clock=clock
    )
    query = (
        '{ order(reference: "DEMO-1001", merchant: "demo-store") '
        "{ customer { phone } deliveryAddress { contactPhone city } } }"
    )
    async with TestClient(TestServer(app), headers=headers) as client:
        answer = await (await client.post("/graphql", json={"query": query})).json()

    order = answer["data"]["order"]
    assert order["customer"]["phone"] == order["deliveryAddress"]["contactPhone"] == "+971501111111"
    assert order["deliveryAddress"]["city"] == "Dubai"


def test_the_cli_migrates_seeds_and_auto_closes_a_fresh_sqlite_file(tmp_path: Path) -> None:
    env = os.environ | {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    cli = [sys.executable, "-m", "ops.cli"]

    def run(*args: str) -> str:
        done = subprocess.run(
            [*cli, *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout

    assert "database at revision" in run("migrate")
    assert "merchant 'demo-store' ready in tenant 'dev': 18 codes" in run("seed-demo")
    assert "auto-closed 0 return request(s)" in run("auto-close")
