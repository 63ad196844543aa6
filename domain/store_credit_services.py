"""Store-credit use cases: refunds that become credit, and the storefront's and operators'
changes to an account. Each runs in one unit of work; the account is held from load to
commit, so concurrent changes to one account queue and its balance never goes below zero.
"""

from __future__ import annotations

from domain import commands as c
from domain.errors import InvalidInput, NotFound
from domain.orders import Order
from domain.parts import Refund, RefundOutcome
from domain.ports import Clock, UnitOfWork
from domain.reference import ReferenceKind
from domain.returns import ReturnRequest
from domain.store_credit import (
    NO_SETTINGS,
    LedgerEntry,
    Origin,
    OriginKind,
    StoreCreditAccount,
    StoreCreditSettings,
    customer_key,
    validate_store_credit_settings,
)
from domain.values import Actor, currency_code

EXPIRY_BATCH = 100


async def refund_outcome(
    uow: UnitOfWork, merchant: str, refund_type: str | None, asked: RefundOutcome | None
) -> RefundOutcome:
    """What a refund gives: as asked, else store credit when its refund type is marked so."""
    if asked is not None:
        return RefundOutcome(asked)
    if refund_type is None:
        return RefundOutcome.MONEY
    entry = await uow.configuration.entry(ReferenceKind.REFUND_TYPE, merchant, refund_type)
    return RefundOutcome.STORE_CREDIT if entry and entry.store_credit else RefundOutcome.MONEY


async def credit_refund(
    uow: UnitOfWork, request: ReturnRequest, refund: Refund, *, clock: Clock, actor: Actor
) -> list[LedgerEntry]:
    """Issue a refund by store credit (and the merchant's bonus) to the order's customer,
    whether a registered customer or a guest known by e-mail or phone."""
    order = await uow.orders.get(request.merchant, request.order_reference)
    if order is None:
        raise NotFound(f"order {request.order_reference} not found", field="order_reference")
    key = order_customer_key(order)
    account = await uow.store_credit.open(request.merchant, key, refund.currency)
    settings = await uow.store_credit.settings(request.merchant) or NO_SETTINGS
    issued = account.issue_refund(
        amount=refund.amount,
        return_request_id=request.id,
        refund_id=refund.id,
        settings=settings,
        at=clock.now(),
        actor=actor,
    )
    await uow.store_credit.save(account)
    return issued


async def take_back_refund(
    uow: UnitOfWork, merchant: str, refund: Refund, *, clock: Clock, actor: Actor
) -> None:
    """Take back a refund's credit and bonus; refused (STORE_CREDIT_SPENT) if any of it was
    spent. Nothing to do for a refund that issued none."""
    found = await uow.store_credit.refund_lots(merchant, refund.id)
    if found is None:
        return
    account, lots = found
    account.take_back(lots, at=clock.now(), actor=actor)
    await uow.store_credit.save(account)


def order_customer_key(order: Order) -> str:
    """The order's customer as an account key: e-mail first, else phone (orders carry no
    merchant customer id yet; the storefront and operators may name one)."""
    return customer_key(email=order.customer.email, phone=order.customer.phone)


async def debit_store_credit(
    cmd: c.DebitStoreCredit, *, uow: UnitOfWork, clock: Clock
) -> tuple[StoreCreditAccount, LedgerEntry]:
    async with uow:
        account = await uow.store_credit.get(cmd.account_id)
        existing = await uow.store_credit.debit_by_key(account, cmd.idempotency_key)
        origin = (
            Origin(OriginKind.ORDER, order_reference=cmd.order_reference)
            if cmd.order_reference
            else Origin(OriginKind.MANUAL)
        )
        entry = account.debit(
            cmd.amount,
            idempotency_key=cmd.idempotency_key,
            at=clock.now(),
            actor=cmd.actor,
            origin=origin,
            existing=existing,
        )
        if entry is not existing:
            await uow.store_credit.save(account)
            await uow.commit()
    return account, entry


async def revert_store_credit_debit(
    cmd: c.RevertStoreCreditDebit, *, uow: UnitOfWork, clock: Clock
) -> tuple[StoreCreditAccount, LedgerEntry]:
    async with uow:
        account = await uow.store_credit.get(cmd.account_id)
        debit = await uow.store_credit.entry(account, cmd.entry_id)
        if debit is None:
            raise NotFound(f"entry {cmd.entry_id} not found on this account", field="entry_id")
        entry = account.revert_debit(debit, at=clock.now(), actor=cmd.actor)
        await uow.store_credit.save(account)
        await uow.commit()
    return account, entry


async def adjust_store_credit(
    cmd: c.AdjustStoreCredit, *, uow: UnitOfWork, clock: Clock
) -> tuple[StoreCreditAccount, LedgerEntry]:
    async with uow:
        if cmd.account_id is not None:
            account = await uow.store_credit.get(cmd.account_id)
        else:
            if not cmd.merchant or not cmd.currency:
                raise InvalidInput(
                    "name the account, or its merchant and currency", field="merchant"
                )
            key = customer_key(customer_id=cmd.customer_id, email=cmd.email, phone=cmd.phone)
            account = await uow.store_credit.open(cmd.merchant, key, currency_code(cmd.currency))
        entry = account.adjust(cmd.amount, reason=cmd.reason, at=clock.now(), actor=cmd.actor)
        await uow.store_credit.save(account)
        await uow.commit()
    return account, entry


async def expire_store_credit(
    account_id: str, *, uow: UnitOfWork, clock: Clock, actor: Actor
) -> list[LedgerEntry]:
    """Expire what is left of one account's lapsed lots (the periodic job's unit of work)."""
    async with uow:
        account = await uow.store_credit.get(account_id)
        expired = account.expire(at=clock.now(), actor=actor)
        if expired:
            await uow.store_credit.save(account)
            await uow.commit()
    return expired


async def expiring_accounts(*, uow: UnitOfWork, clock: Clock) -> list[str]:
    async with uow:
        return await uow.store_credit.expiring(clock.now(), EXPIRY_BATCH)


async def set_store_credit_settings(
    settings: StoreCreditSettings, *, uow: UnitOfWork, clock: Clock
) -> StoreCreditSettings:
    validate_store_credit_settings(settings)
    async with uow:
        await uow.store_credit.save_settings(settings)
        await uow.commit()
    return settings
