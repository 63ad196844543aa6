"""Property tests of store credit on both databases: hypothesis draws sequences of issue,
debit, revert, adjust, expire and take-back (with time passing between them); each runs
through the real use cases on its own tenant, and after every step the stored ledger must
hold its invariants:

- the account's balance equals the sum of its ledger, and no balance is ever negative;
- every lot's amount is what is left of it, plus what expired of it, plus what the live
  (unreverted) debits and downward adjustments hold of it: expiry and debits never touch
  credit another entry already used;
- what is left of the lots is the balance.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from domain import commands as c
from domain import store_credit_services as credit
from domain.errors import DomainError
from domain.store_credit import (
    EntryKind,
    LedgerEntry,
    Origin,
    OriginKind,
    customer_key,
)
from domain.values import SYSTEM, Actor
from persistence import store_credit_reads
from persistence.unit_of_work import SqlUnitOfWork
from tests.drawn import drawn

EXAMPLES = 25
AMOUNTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("80"), places=2)
STEPS = st.one_of(
    st.tuples(st.just("issue"), AMOUNTS, st.sampled_from([None, 1, 3, 10])),
    st.tuples(st.just("debit"), AMOUNTS, st.integers(0, 3)),  # key: retries reuse one
    st.tuples(st.just("revert"), st.integers(0, 10)),
    st.tuples(st.just("adjust"), st.decimals(min_value=-50, max_value=50, places=2)),
    st.tuples(st.just("wait"), st.integers(1, 5)),
    st.tuples(st.just("expire")),
    st.tuples(st.just("take_back"), st.integers(0, 10)),
)


class Scenario:
    def __init__(self, world: Any, tenant: str) -> None:
        self.world, self.tenant = world, tenant
        self.account_id: str | None = None
        self.debits: list[str] = []
        self.refunds: list[str] = []
        self.issued = 0

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.world.db, tenant_id=self.tenant, clock=self.world.clock)

    async def step(self, step: tuple[Any, ...]) -> None:
        name, *args = step
        with contextlib.suppress(DomainError):  # a refusal writes nothing; check all the same
            await getattr(self, name)(*args)

    async def issue(self, amount: Decimal, days: int | None) -> None:
        self.issued += 1
        refund_id = f"RF-{self.issued}"
        async with self.uow() as uow:
            account = await uow.store_credit.open("acme", customer_key(email="a@b.co"), "AED")
            self.account_id = account.id
            expires = self.world.clock.now() + timedelta(days=days) if days else None
            origin = Origin(OriginKind.REFUND, "RR-1", refund_id)
            account.issue(amount, origin=origin, at=self.world.clock.now(), actor=SYSTEM,
                          expires_at=expires)  # fmt: skip
            if days == 3:  # some credit comes with a bonus lot of the same refund
                account.issue(amount / 10 or Decimal("0.01"), kind=EntryKind.BONUS,
                              origin=origin, at=self.world.clock.now(), actor=SYSTEM,
                              expires_at=expires)  # fmt: skip
            await uow.store_credit.save(account)
            await uow.commit()
        self.refunds.append(refund_id)

    async def debit(self, amount: Decimal, key: int) -> None:
        if self.account_id is None:
            return
        cmd = c.DebitStoreCredit(
            account_id=self.account_id, amount=amount, idempotency_key=f"k{key}-{amount}"
        )
        _, entry = await credit.debit_store_credit(cmd, uow=self.uow(), clock=self.world.clock)
        self.debits.append(entry.id)

    async def revert(self, index: int) -> None:
        if self.account_id is None or not self.debits:
            return
        entry_id = self.debits[index % len(self.debits)]
        cmd = c.RevertStoreCreditDebit(account_id=self.account_id, entry_id=entry_id)
        await credit.revert_store_credit_debit(cmd, uow=self.uow(), clock=self.world.clock)

    async def adjust(self, amount: Decimal) -> None:
        if self.account_id is None or amount.is_zero():
            return
        cmd = c.AdjustStoreCredit(account_id=self.account_id, amount=amount, reason="test")
        await credit.adjust_store_credit(cmd, uow=self.uow(), clock=self.world.clock)

    async def wait(self, days: int) -> None:
        self.world.clock.advance(days=days)

    async def expire(self) -> None:
        if self.account_id is not None:
            await credit.expire_store_credit(
                self.account_id, uow=self.uow(), clock=self.world.clock, actor=SYSTEM
            )

    async def take_back(self, index: int) -> None:
        if not self.refunds:
            return
        async with self.uow() as uow:
            refund_id = self.refunds[index % len(self.refunds)]
            found = await uow.store_credit.refund_lots("acme", refund_id)
            if found is None:
                return
            account, lots = found
            account.take_back(lots, at=self.world.clock.now(), actor=Actor("API"))
            await uow.store_credit.save(account)
            await uow.commit()

    async def check(self) -> None:
        if self.account_id is None:
            return
        async with self.world.db.reading() as reads:
            account = await store_credit_reads.account(reads, self.tenant, self.account_id)
            ledger = await store_credit_reads.whole_ledger(reads, self.tenant, self.account_id)
        assert account is not None
        assert account.balance == sum((e.amount for e in ledger), Decimal(0))
        assert account.balance >= 0
        assert all(e.balance_after >= 0 for e in ledger)
        held = _held_by_live_spenders(ledger)
        lots = [e for e in ledger if e.is_lot]
        for lot in lots:
            assert lot.remaining >= 0 and lot.expired >= 0
            assert lot.amount == lot.remaining + lot.expired + held[lot.id] + _taken_back(
                ledger, lot
            ), lot
        assert sum((lot.remaining for lot in lots), Decimal(0)) == account.balance


def _held_by_live_spenders(ledger: list[LedgerEntry]) -> dict[str, Decimal]:
    """What unreverted debits and downward adjustments hold of each lot."""
    held: dict[str, Decimal] = defaultdict(Decimal)
    for entry in ledger:
        spends = entry.kind == EntryKind.DEBIT and entry.reverted_at is None
        spends |= entry.kind == EntryKind.ADJUSTMENT and entry.amount < 0
        if spends:
            for lot_id, amount in entry.allocations:
                held[lot_id] += amount
    return held


def _taken_back(ledger: list[LedgerEntry], lot: LedgerEntry) -> Decimal:
    return -sum(
        (e.amount for e in ledger if e.reverses == lot.id and e.kind == lot.kind), Decimal(0)
    )


async def test_every_ledger_sums_to_its_balance_and_no_entry_touches_used_credit(world):
    for number, steps in enumerate(drawn(st.lists(STEPS, min_size=1, max_size=25), EXAMPLES)):
        scenario = Scenario(world, tenant=f"prop-{number}")
        for step in steps:
            await scenario.step(step)
            await scenario.check()
