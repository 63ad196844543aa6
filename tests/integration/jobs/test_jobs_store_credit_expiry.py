"""The store-credit expiry job, in every tenant: lapsed credit is removed up to what is left
of it, credit still valid stays, and a second run finds nothing more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain import commands as c
from domain import store_credit_services as credit
from domain.store_credit import MANUAL, EntryKind
from domain.values import SYSTEM
from jobs.store_credit_expiry import expire_store_credit
from persistence import store_credit_reads
from persistence.unit_of_work import UnitsOfWork
from tests.clocks import FixedClock

NOW = datetime(2026, 3, 1, tzinfo=UTC)


async def funded(units: UnitsOfWork, tenant: str, days: int) -> str:
    """An account of the tenant with 10 lapsing after `days` and 5 that never lapse."""
    async with units(tenant) as uow:
        account = await uow.store_credit.open("acme", "email:a@b.co", "AED")
        expires = NOW + timedelta(days=days)
        account.issue(Decimal(10), origin=MANUAL, at=NOW, actor=SYSTEM, expires_at=expires)
        account.issue(Decimal(5), origin=MANUAL, at=NOW, actor=SYSTEM)
        await uow.store_credit.save(account)
        await uow.commit()
    return account.id


async def test_the_job_expires_only_what_is_left_of_lapsed_credit_in_every_tenant(db):
    clock = FixedClock(NOW)
    units = UnitsOfWork(db, clock)
    soon = await funded(units, "t1", days=1)
    late = await funded(units, "t2", days=30)
    debit = c.DebitStoreCredit(account_id=soon, amount=Decimal(3), idempotency_key="k")
    await credit.debit_store_credit(debit, uow=units("t1"), clock=clock)

    clock.advance(days=2)
    assert await expire_store_credit(units) == 1
    assert await expire_store_credit(units) == 0

    async with db.reading() as reads:
        t1 = await store_credit_reads.whole_ledger(reads, "t1", soon)
        t2 = await store_credit_reads.account(reads, "t2", late)
        kept = await store_credit_reads.account(reads, "t1", soon)
    assert [(e.kind, e.amount) for e in t1 if e.kind == EntryKind.EXPIRATION] == [
        (EntryKind.EXPIRATION, Decimal(-7))
    ]
    assert kept is not None and kept.balance == Decimal(5)
    assert t2 is not None and t2.balance == Decimal(15)
