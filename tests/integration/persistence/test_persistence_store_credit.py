"""Store credit on both databases, through the real use cases and units of work: refunds by
store credit with their bonus, debits and their reverts, expiry, take-backs, races and a
debit retried after its answer was lost."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest

from domain import commands as c
from domain import services
from domain import store_credit_services as credit
from domain.errors import DomainError, ErrorCode
from domain.orders import Customer
from domain.parts import RefundOutcome
from domain.reference import ReferenceEntry, ReferenceKind
from domain.store_credit import (
    BonusBasis,
    EntryKind,
    StoreCreditSettings,
    customer_key,
)
from domain.values import SYSTEM
from persistence import store_credit_reads
from persistence.database import Database
from persistence.unit_of_work import SqlUnitOfWork
from tests.integration.persistence.conftest import MERCHANT

BONUS_10_PERCENT = StoreCreditSettings(
    MERCHANT, BonusBasis.PERCENT, Decimal(10), Decimal("15"), expiry_days=30
)
LAYLA = customer_key(email="layla@example.com")


async def approved(world, customer: Customer | None = None) -> str:
    """An approved request worth 249.50 AED (2 x 100 + 49.50)."""
    await world.order(customer=customer)
    rid = (await world.create()).id
    await world.run(services.approve_return, c.ApproveReturn(return_request_id=rid))
    return rid


async def settings(world, value: StoreCreditSettings = BONUS_10_PERCENT) -> None:
    await credit.set_store_credit_settings(value, uow=world.uow(), clock=world.clock)


async def refund(world, rid: str, amount: str, **fields) -> str:
    cmd = c.AddRefund(return_request_id=rid, amount=Decimal(amount), currency="AED", **fields)
    request = await world.run(services.add_refund, cmd)
    return request.refunds[-1].id


async def account_of(world, key: str = LAYLA):
    async with world.uow() as uow:
        return await uow.store_credit.find(MERCHANT, key, "AED")


async def entries(world, account_id: str):
    async with world.db.reading() as reads:
        return await store_credit_reads.whole_ledger(reads, "default", account_id)


async def debit(world, account_id: str, amount: str, key: str, *, uow=None):
    cmd = c.DebitStoreCredit(account_id=account_id, amount=Decimal(amount), idempotency_key=key)
    return await credit.debit_store_credit(cmd, uow=uow or world.uow(), clock=world.clock)


async def test_a_refund_by_store_credit_issues_credit_and_its_bonus_as_two_entries(world):
    rid = await approved(world)
    await settings(world)
    await refund(world, rid, "100", outcome=RefundOutcome.STORE_CREDIT)

    account = await account_of(world)
    assert account.balance == Decimal("110.00")
    ledger = await entries(world, account.id)
    assert [(e.kind, e.amount, e.balance_after) for e in ledger] == [
        (EntryKind.CREDIT, Decimal("100"), Decimal("100")),
        (EntryKind.BONUS, Decimal("10.00"), Decimal("110.00")),
    ]
    assert ledger[0].expires_at == world.clock.now() + timedelta(days=30)
    assert ledger[0].origin.return_request_id == rid
    types = [row.event_type for row in await world.outbox(rid)]
    assert types[-3:] == ["RefundAdded", "StoreCreditIssued", "StoreCreditBonusIssued"]


async def test_a_refund_type_marked_as_store_credit_issues_credit(world):
    rid = await approved(world)
    async with world.uow() as uow:
        entry = ReferenceEntry(
            ReferenceKind.REFUND_TYPE, MERCHANT, "CREDIT", "Store credit", store_credit=True
        )
        await uow.configuration.save_entry(entry, new=True)
        await uow.commit()
    await refund(world, rid, "20", refund_type="CREDIT")
    assert (await account_of(world)).balance == Decimal("20")
    stored = await world.load(rid)
    assert stored.refunds[0].outcome == RefundOutcome.STORE_CREDIT


async def test_the_bonus_does_not_count_against_the_refund_cap(world):
    rid = await approved(world)
    await settings(world)
    await refund(world, rid, "249.50", outcome=RefundOutcome.STORE_CREDIT)
    assert (await account_of(world)).balance == Decimal("264.50")  # bonus capped at 15
    with pytest.raises(DomainError) as refused:
        await refund(world, rid, "0.01", outcome=RefundOutcome.STORE_CREDIT)
    assert refused.value.code == ErrorCode.REFUND_EXCEEDS_VALUE


async def test_a_guest_known_only_by_phone_gets_an_account(world):
    rid = await approved(world, Customer(name="Guest", email=None, phone="00971 50 123 4567"))
    await refund(world, rid, "30", outcome=RefundOutcome.STORE_CREDIT)
    account = await account_of(world, customer_key(phone="+971501234567"))
    assert account is not None and account.balance == Decimal("30")


async def test_deleting_an_unspent_refund_takes_back_credit_and_bonus(world):
    rid = await approved(world)
    await settings(world)
    refund_id = await refund(world, rid, "100", outcome=RefundOutcome.STORE_CREDIT)
    await world.run(
        services.delete_refund, c.DeleteRefund(return_request_id=rid, refund_id=refund_id)
    )
    account = await account_of(world)
    assert account.balance == 0
    kinds = [(e.kind, e.amount) for e in await entries(world, account.id)]
    assert kinds[2:] == [(EntryKind.CREDIT, Decimal("-100")), (EntryKind.BONUS, Decimal("-10.00"))]
    types = [row.event_type for row in await world.outbox(rid)]
    assert types[-3:] == ["RefundDeleted", "StoreCreditRevoked", "StoreCreditBonusRevoked"]


async def test_deleting_a_refund_whose_credit_was_spent_is_refused_and_writes_nothing(world):
    rid = await approved(world)
    await settings(world)
    refund_id = await refund(world, rid, "100", outcome=RefundOutcome.STORE_CREDIT)
    account = await account_of(world)
    await debit(world, account.id, "5", "order-1")
    events = await world.outbox_count()

    with pytest.raises(DomainError) as refused:
        await world.run(
            services.delete_refund, c.DeleteRefund(return_request_id=rid, refund_id=refund_id)
        )
    assert refused.value.code == ErrorCode.STORE_CREDIT_SPENT
    assert len((await world.load(rid)).refunds) == 1
    assert (await account_of(world)).balance == Decimal("105.00")
    assert await world.outbox_count() == events


async def test_switching_a_refund_to_money_takes_the_credit_back(world):
    rid = await approved(world)
    await settings(world)
    refund_id = await refund(world, rid, "50", outcome=RefundOutcome.STORE_CREDIT)
    switch = c.SetRefundOutcome(return_request_id=rid, refund_id=refund_id, outcome="MONEY")
    request = await world.run(services.set_refund_outcome, switch)
    assert request.refunds[0].outcome == RefundOutcome.MONEY
    assert (await account_of(world)).balance == 0
    back = c.SetRefundOutcome(return_request_id=rid, refund_id=refund_id, outcome="STORE_CREDIT")
    await world.run(services.set_refund_outcome, back)
    assert (await account_of(world)).balance == Decimal("55.00")


async def test_a_debit_spends_the_soonest_expiring_credit_first_and_expiry_takes_only_the_rest(
    world,
):
    rid = await approved(world)
    await settings(world, StoreCreditSettings(MERCHANT, expiry_days=10))
    first = await refund(world, rid, "40", outcome=RefundOutcome.STORE_CREDIT)
    world.clock.advance(days=5)
    await refund(world, rid, "60", outcome=RefundOutcome.STORE_CREDIT)
    account = await account_of(world)
    _, entry = await debit(world, account.id, "50", "basket-1")
    lots = {e.origin.refund_id: e.id for e in await entries(world, account.id) if e.is_lot}
    second = next(lot for refund_id, lot in lots.items() if refund_id != first)
    assert entry.allocations == ((lots[first], Decimal("40")), (second, Decimal("10")))

    world.clock.advance(days=6)  # the first lot lapses, fully spent
    expired = await credit.expire_store_credit(
        account.id, uow=world.uow(), clock=world.clock, actor=SYSTEM
    )
    assert expired == []
    world.clock.advance(days=5)  # the second lapses with 50 left
    expired = await credit.expire_store_credit(
        account.id, uow=world.uow(), clock=world.clock, actor=SYSTEM
    )
    assert [e.amount for e in expired] == [Decimal("-50")]
    assert (await account_of(world)).balance == 0


async def test_an_idempotent_debit_retried_returns_the_same_entry(world):
    rid = await approved(world)
    await refund(world, rid, "100", outcome=RefundOutcome.STORE_CREDIT)
    account = await account_of(world)
    _, once = await debit(world, account.id, "30", "order-77")
    _, again = await debit(world, account.id, "30", "order-77")
    assert again.id == once.id
    assert (await account_of(world)).balance == Decimal("70")
    with pytest.raises(DomainError) as refused:
        await debit(world, account.id, "31", "order-77")
    assert refused.value.code == ErrorCode.IDEMPOTENCY_MISMATCH


class AnswerLost(SqlUnitOfWork):
    """Commits, then the connection drops before the caller hears back."""

    async def commit(self) -> None:
        await super().commit()
        raise ConnectionResetError("connection dropped before the answer")


class DroppedBeforeCommit(SqlUnitOfWork):
    async def commit(self) -> None:
        raise ConnectionResetError("connection dropped before the commit")


async def test_a_debit_retried_after_a_crash_is_applied_once(world):
    rid = await approved(world)
    await refund(world, rid, "100", outcome=RefundOutcome.STORE_CREDIT)
    account = await account_of(world)
    with pytest.raises(ConnectionResetError):
        await debit(
            world, account.id, "10", "k-1", uow=DroppedBeforeCommit(world.db, clock=world.clock)
        )
    with pytest.raises(ConnectionResetError):
        await debit(world, account.id, "10", "k-1", uow=AnswerLost(world.db, clock=world.clock))
    _, retried = await debit(world, account.id, "10", "k-1")
    debits = [e for e in await entries(world, account.id) if e.kind == EntryKind.DEBIT]
    assert [e.id for e in debits] == [retried.id]
    assert (await account_of(world)).balance == Decimal("90")


async def test_a_reverted_debit_returns_its_credit_once(world):
    rid = await approved(world)
    await refund(world, rid, "100", outcome=RefundOutcome.STORE_CREDIT)
    account = await account_of(world)
    _, spent = await debit(world, account.id, "60", "k")
    revert = c.RevertStoreCreditDebit(account_id=account.id, entry_id=spent.id)
    await credit.revert_store_credit_debit(revert, uow=world.uow(), clock=world.clock)
    assert (await account_of(world)).balance == Decimal("100")
    with pytest.raises(DomainError) as refused:
        await credit.revert_store_credit_debit(revert, uow=world.uow(), clock=world.clock)
    assert refused.value.code == ErrorCode.ALREADY_REVERTED


async def test_an_adjustment_opens_the_account_and_cannot_take_more_than_the_balance(world):
    cmd = c.AdjustStoreCredit(
        merchant=MERCHANT,
        currency="AED",
        email=" Layla@Example.com",
        amount=Decimal("25"),
        reason="goodwill",
    )
    account, _ = await credit.adjust_store_credit(cmd, uow=world.uow(), clock=world.clock)
    assert account.customer_key == LAYLA and account.balance == Decimal("25")
    down = c.AdjustStoreCredit(account_id=account.id, amount=Decimal("-26"), reason="typo")
    with pytest.raises(DomainError) as refused:
        await credit.adjust_store_credit(down, uow=world.uow(), clock=world.clock)
    assert refused.value.code == ErrorCode.INSUFFICIENT_STORE_CREDIT


RACING_DEBITS = 50
RACING_CONNECTIONS = 10  # the shared PostgreSQL allows 100 in all: the debits queue for these


async def test_racing_debits_spend_exactly_the_balance(world):
    rid = await approved(world)
    await refund(world, rid, "25", outcome=RefundOutcome.STORE_CREDIT)
    account = await account_of(world)
    racing = Database(str(world.db.url.render_as_string(hide_password=False)),
                      pool_size=RACING_CONNECTIONS, max_overflow=0)  # fmt: skip

    async def one(n: int):
        uow = SqlUnitOfWork(racing, clock=world.clock)
        return await debit(world, account.id, "1", f"race-{n}", uow=uow)

    try:
        results = await asyncio.gather(
            *(one(n) for n in range(RACING_DEBITS)), return_exceptions=True
        )
    finally:
        await racing.dispose()
    wins = [r for r in results if not isinstance(r, BaseException)]
    losses = [r for r in results if isinstance(r, BaseException)]
    assert all(
        isinstance(e, DomainError) and e.code == ErrorCode.INSUFFICIENT_STORE_CREDIT for e in losses
    ), losses
    assert len(wins) == 25
    assert (await account_of(world)).balance == 0
    ledger = await entries(world, account.id)
    assert sum(e.amount for e in ledger) == 0
    assert all(e.balance_after >= 0 for e in ledger)
