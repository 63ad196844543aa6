"""Store-credit queries: a merchant's accounts (by customer, paged), one account by id with
its ledger, and the merchant's settings. Reads only: what is committed."""

from __future__ import annotations

import base64
from datetime import datetime

import strawberry

from core.global_ids import from_global_id
from domain.errors import DomainError, ErrorCode
from domain.store_credit import customer_key
from graphql_api.common import PageInfo, PageSize, check_first
from graphql_api.context import Info
from graphql_api.errors import ClientError
from graphql_api.store_credit import types as t
from persistence import store_credit_reads
from persistence.store_credit import SqlStoreCreditRepository


def account_key(value: str) -> str:
    """Accept the readable account id (SC-…) or its global id."""
    decoded = from_global_id(value) if not value.startswith("SC-") else None
    return decoded[1] if decoded and decoded[0] == t.ACCOUNT else value


def _cursor(account: t.AccountType) -> str:
    raw = f"acct:{account.created_at.isoformat()}|{account.account_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _after(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
        kind, _, rest = raw.partition(":")
        at, _, account_id = rest.partition("|")
        if kind == "acct" and account_id:
            moment = datetime.fromisoformat(at)
            if moment.utcoffset() is not None:
                return moment, account_id
    except (ValueError, UnicodeDecodeError):
        pass
    raise ClientError("`after` is not a cursor returned by this API", ErrorCode.INVALID_INPUT)


@strawberry.type
class StoreCreditQueries:
    @strawberry.field(
        description="A merchant's store-credit accounts, oldest first; with a customer's "
        "id, e-mail or phone, only that customer's (one per currency)."
    )
    async def store_credit_accounts(
        self,
        info: Info,
        merchant: str,
        first: PageSize,
        after: str | None = None,
        customer_id: str | None = None,
        email: str | None = None,
        phone: str | None = None,
    ) -> t.AccountConnection:
        first = check_first(first)
        keys = None
        if customer_id or email or phone:
            try:
                keys = [customer_key(customer_id=customer_id, email=email, phone=phone)]
            except DomainError as error:
                raise ClientError(error.message, error.code) from error
        async with info.context.db.reading() as reads:
            found = await store_credit_reads.accounts(
                reads,
                info.context.tenant_id,
                merchant=merchant,
                customer_keys=keys,
                after=_after(after),
                first=first + 1,
            )
        nodes = [t.AccountType.from_domain(account) for account in found[:first]]
        edges = [t.AccountEdge(cursor=_cursor(node), node=node) for node in nodes]
        return t.AccountConnection(
            edges=edges,
            page_info=PageInfo.of(edges, has_next=len(found) > first, has_previous=bool(after)),
        )

    @strawberry.field(description="An account by its id (SC-…) or global id; null if unknown.")
    async def store_credit_account(self, info: Info, id: strawberry.ID) -> t.AccountType | None:
        async with info.context.db.reading() as reads:
            found = await store_credit_reads.account(reads, info.context.tenant_id, account_key(id))
        return t.AccountType.from_domain(found) if found else None

    @strawberry.field(description="Null when the merchant has none (no bonus, no expiry).")
    async def store_credit_settings(self, info: Info, merchant: str) -> t.SettingsType | None:
        async with info.context.db.reading() as reads:
            repository = SqlStoreCreditRepository(
                reads, info.context.tenant_id, info.context.clock.now
            )
            found = await repository.settings(merchant)
        return t.SettingsType.from_domain(found) if found else None
