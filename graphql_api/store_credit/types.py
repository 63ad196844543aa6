"""GraphQL views of store credit: an account (a Node) with its ledger as a Relay connection,
its entries, and a merchant's store-credit settings."""

from __future__ import annotations

import base64
from datetime import datetime
from decimal import Decimal

import strawberry

from core.global_ids import to_global_id
from domain.errors import ErrorCode
from domain.store_credit import (
    BonusBasis,
    EntryKind,
    LedgerEntry,
    OriginKind,
    StoreCreditAccount,
    StoreCreditSettings,
)
from graphql_api.common import Node, PageInfo, PageSize, check_first
from graphql_api.context import Info
from graphql_api.errors import ClientError, UserError
from graphql_api.returns.parts import RequestSourceType
from persistence import store_credit_reads

strawberry.enum(EntryKind, name="StoreCreditEntryKind")
strawberry.enum(OriginKind, name="StoreCreditOriginKind")
strawberry.enum(BonusBasis, name="StoreCreditBonusBasis")
ACCOUNT = "StoreCreditAccount"


@strawberry.type(name="StoreCreditOrigin", description="Where a ledger entry came from.")
class OriginType:
    kind: OriginKind
    return_request_id: str | None
    refund_id: str | None
    order_reference: str | None


@strawberry.type(
    name="StoreCreditAllocation",
    description="How much of a credit lot a debit, expiration or adjustment used.",
)
class AllocationType:
    entry_id: str
    amount: Decimal


@strawberry.type(
    name="StoreCreditEntry",
    description="One movement of store credit (a ledger entry); `amount` is signed.",
)
class LedgerEntryType:
    entry_id: str
    kind: EntryKind
    amount: Decimal
    balance_after: Decimal
    occurred_at: datetime
    origin: OriginType
    actor: RequestSourceType
    expires_at: datetime | None = strawberry.field(description="When a credit lot expires.")
    remaining: Decimal | None = strawberry.field(
        description="What is left of a credit lot (null for entries that are not lots)."
    )
    allocations: list[AllocationType]
    reverses: str | None = strawberry.field(
        description="The entry this one undoes (a debit revert, a credit taken back)."
    )
    reverted_at: datetime | None
    idempotency_key: str | None
    reason: str | None

    @classmethod
    def from_domain(cls, entry: LedgerEntry) -> LedgerEntryType:
        return cls(
            entry_id=entry.id,
            kind=entry.kind,
            amount=entry.amount,
            balance_after=entry.balance_after,
            occurred_at=entry.occurred_at,
            origin=OriginType(
                kind=entry.origin.kind,
                return_request_id=entry.origin.return_request_id,
                refund_id=entry.origin.refund_id,
                order_reference=entry.origin.order_reference,
            ),
            actor=RequestSourceType(source=entry.actor.source, user=entry.actor.user),
            expires_at=entry.expires_at,
            remaining=entry.remaining if entry.is_lot else None,
            allocations=[AllocationType(entry_id=i, amount=a) for i, a in entry.allocations],
            reverses=entry.reverses,
            reverted_at=entry.reverted_at,
            idempotency_key=entry.idempotency_key,
            reason=entry.reason,
        )


@strawberry.type(name="StoreCreditEntryEdge")
class LedgerEdge:
    cursor: str
    node: LedgerEntryType


@strawberry.type(name="StoreCreditLedgerConnection")
class LedgerConnection:
    edges: list[LedgerEdge]
    page_info: PageInfo


def ledger_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"ledger:{seq}".encode()).decode()


def decode_ledger_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        kind, _, seq = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind == "ledger" and seq.isdigit():
            return int(seq)
    except (ValueError, UnicodeDecodeError):
        pass
    raise ClientError("`after` is not a cursor returned by this API", ErrorCode.INVALID_INPUT)


@strawberry.type(
    name="StoreCreditAccount",
    description="A customer's store credit with one merchant in one currency; its balance "
    "is the sum of its ledger and never below zero.",
)
class AccountType(Node):
    account_id: str
    merchant: str
    customer_key: str = strawberry.field(
        description="The customer as the account knows them: id:<merchant's id>, "
        "email:<address> or phone:<digits>."
    )
    currency: str
    balance: Decimal
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="The ledger, oldest entry first.")
    async def ledger(
        self, info: Info, first: PageSize, after: str | None = None
    ) -> LedgerConnection:
        first = check_first(first)
        since = decode_ledger_cursor(after)
        async with info.context.db.reading() as reads:
            rows = await store_credit_reads.ledger(
                reads, info.context.tenant_id, self.account_id, after=since, first=first + 1
            )
        edges = [
            LedgerEdge(cursor=ledger_cursor(seq), node=LedgerEntryType.from_domain(entry))
            for seq, entry in rows[:first]
        ]
        return LedgerConnection(
            edges=edges,
            page_info=PageInfo.of(edges, has_next=len(rows) > first, has_previous=since > 0),
        )

    @classmethod
    def from_domain(cls, account: StoreCreditAccount) -> AccountType:
        return cls(
            id=strawberry.ID(to_global_id(ACCOUNT, account.id)),
            account_id=account.id,
            merchant=account.merchant,
            customer_key=account.customer_key,
            currency=account.currency,
            balance=account.balance,
            created_at=account.created_at,
            updated_at=account.updated_at,
        )


@strawberry.type(name="StoreCreditAccountEdge")
class AccountEdge:
    cursor: str
    node: AccountType


@strawberry.type(name="StoreCreditAccountConnection")
class AccountConnection:
    edges: list[AccountEdge]
    page_info: PageInfo


@strawberry.type(
    name="StoreCreditSettings",
    description="A merchant's store credit: the bonus for choosing credit (flat or a "
    "percentage, capped) and how long credit lasts.",
)
class SettingsType:
    merchant: str
    bonus_basis: BonusBasis | None
    bonus_value: Decimal
    bonus_cap: Decimal | None
    expiry_days: int | None = strawberry.field(description="Null: credit never expires.")

    @classmethod
    def from_domain(cls, settings: StoreCreditSettings) -> SettingsType:
        return cls(
            merchant=settings.merchant,
            bonus_basis=settings.bonus_basis,
            bonus_value=settings.bonus_value,
            bonus_cap=settings.bonus_cap,
            expiry_days=settings.expiry_days,
        )


@strawberry.type
class StoreCreditEntryPayload:
    account: AccountType | None
    entry: LedgerEntryType | None
    user_errors: list[UserError]


@strawberry.type
class StoreCreditSettingsPayload:
    store_credit_settings: SettingsType | None
    user_errors: list[UserError]
