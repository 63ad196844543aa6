"""Store-credit mutations: the storefront's idempotent debit and its revert, an operator's
adjustment, and the merchant's settings. Expected failures are userErrors with stable codes
(INSUFFICIENT_STORE_CREDIT, ALREADY_REVERTED, IDEMPOTENCY_MISMATCH, …); nothing is written
then."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import strawberry

from domain import commands as c
from domain import store_credit_services as use
from domain.errors import DomainError
from domain.store_credit import BonusBasis, StoreCreditSettings
from graphql_api.common import MutationInput
from graphql_api.context import Info
from graphql_api.errors import user_errors
from graphql_api.store_credit import types as t
from graphql_api.store_credit.queries import account_key


@strawberry.input
class DebitStoreCreditInput(MutationInput):
    account_id: strawberry.ID = strawberry.field(description="SC-… or the global id.")
    amount: Decimal
    idempotency_key: str = strawberry.field(  # type: ignore[assignment]
        description="Required for a debit: one key per debit (the storefront's payment or "
        "order id). Retrying with it returns the same entry and spends nothing more, "
        "however long after; the same key for another amount is IDEMPOTENCY_MISMATCH."
    )
    order_reference: str | None = strawberry.field(
        default=None, description="The storefront order the credit pays for."
    )


@strawberry.input
class RevertStoreCreditDebitInput(MutationInput):
    account_id: strawberry.ID
    entry_id: str = strawberry.field(description="The debit's entry id (SE-…).")


@strawberry.input(
    description="An operator's correction, up (positive) or down (negative), with a reason: "
    "an account by id, or a customer's (opened if need be) by merchant, currency and id, "
    "e-mail or phone."
)
class AdjustStoreCreditInput(MutationInput):
    amount: Decimal
    reason: str
    account_id: strawberry.ID | None = None
    merchant: str | None = None
    currency: str | None = None
    customer_id: str | None = None
    email: str | None = None
    phone: str | None = None


@strawberry.input(description="A merchant's store-credit settings (replaces them whole).")
class StoreCreditSettingsInput(MutationInput):
    merchant: str
    bonus_basis: BonusBasis | None = strawberry.field(
        default=None, description="FLAT (an amount) or PERCENT (of the credit); null: none."
    )
    bonus_value: Decimal = Decimal(0)
    bonus_cap: Decimal | None = strawberry.field(
        default=None, description="At most this much bonus per refund."
    )
    expiry_days: int | None = strawberry.field(
        default=None, description="Credit expires this many days after it is issued."
    )


async def _entry(info: Info, run: Callable[[], Awaitable[Any]]) -> t.StoreCreditEntryPayload:
    try:
        account, entry = await run()
    except DomainError as error:
        return t.StoreCreditEntryPayload(account=None, entry=None, user_errors=user_errors(error))
    return t.StoreCreditEntryPayload(
        account=t.AccountType.from_domain(account),
        entry=t.LedgerEntryType.from_domain(entry),
        user_errors=[],
    )


@strawberry.type
class StoreCreditMutations:
    @strawberry.mutation(
        description="Spend store credit (soonest-expiring first); never below zero "
        "(INSUFFICIENT_STORE_CREDIT)."
    )
    async def debit_store_credit(
        self, info: Info, input: DebitStoreCreditInput
    ) -> t.StoreCreditEntryPayload:
        context = info.context

        def run() -> Awaitable[Any]:
            cmd = c.DebitStoreCredit(
                actor=context.actor,
                account_id=account_key(input.account_id),
                amount=input.amount,
                idempotency_key=input.idempotency_key,
                order_reference=input.order_reference,
            )
            return use.debit_store_credit(cmd, uow=context.unit_of_work(), clock=context.clock)

        return await _entry(info, run)

    @strawberry.mutation(description="Undo a debit: its credit returns to where it came from.")
    async def revert_store_credit_debit(
        self, info: Info, input: RevertStoreCreditDebitInput
    ) -> t.StoreCreditEntryPayload:
        context = info.context
        cmd = c.RevertStoreCreditDebit(
            actor=context.actor, account_id=account_key(input.account_id), entry_id=input.entry_id
        )
        return await _entry(
            info,
            lambda: use.revert_store_credit_debit(
                cmd, uow=context.unit_of_work(), clock=context.clock
            ),
        )

    @strawberry.mutation(description="Correct a balance, with a reason.")
    async def adjust_store_credit(
        self, info: Info, input: AdjustStoreCreditInput
    ) -> t.StoreCreditEntryPayload:
        context = info.context
        cmd = c.AdjustStoreCredit(
            actor=context.actor,
            amount=input.amount,
            reason=input.reason,
            account_id=account_key(input.account_id) if input.account_id else None,
            merchant=input.merchant,
            currency=input.currency,
            customer_id=input.customer_id,
            email=input.email,
            phone=input.phone,
        )
        return await _entry(
            info,
            lambda: use.adjust_store_credit(cmd, uow=context.unit_of_work(), clock=context.clock),
        )

    @strawberry.mutation(description="Create or replace a merchant's store-credit settings.")
    async def upsert_store_credit_settings(
        self, info: Info, input: StoreCreditSettingsInput
    ) -> t.StoreCreditSettingsPayload:
        settings = StoreCreditSettings(
            merchant=input.merchant,
            bonus_basis=input.bonus_basis,
            bonus_value=input.bonus_value,
            bonus_cap=input.bonus_cap,
            expiry_days=input.expiry_days,
        )
        try:
            saved = await use.set_store_credit_settings(
                settings, uow=info.context.unit_of_work(), clock=info.context.clock
            )
        except DomainError as error:
            return t.StoreCreditSettingsPayload(
                store_credit_settings=None, user_errors=user_errors(error)
            )
        return t.StoreCreditSettingsPayload(
            store_credit_settings=t.SettingsType.from_domain(saved), user_errors=[]
        )
