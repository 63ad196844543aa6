"""The read side of store credit: accounts and pages of their ledger, one statement each,
whatever the page size (not locked: what is committed)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select, tuple_

from domain.store_credit import LedgerEntry, StoreCreditAccount
from persistence.statements import Statements, one_of
from persistence.store_credit import ACCOUNTS, ENTRIES, account_from_row, entry_from_row


async def account(reads: Statements, tenant_id: str, account_id: str) -> StoreCreditAccount | None:
    rows = await reads.rows(_ACCOUNT, {"tenant": tenant_id, "id": account_id})
    return account_from_row(rows[0]) if rows else None


async def accounts(
    reads: Statements,
    tenant_id: str,
    *,
    merchant: str | None,
    customer_keys: Sequence[str] | None,
    after: tuple[Any, str] | None,
    first: int,
) -> list[StoreCreditAccount]:
    """A page of the tenant's accounts, oldest first, optionally of one merchant and of some
    customer keys; `after` is the (created_at, id) of the last account of the page before."""
    statement = _accounts(
        reads.dialect_name, merchant is not None, customer_keys is not None, after is not None
    )
    params: dict[str, Any] = {"tenant": tenant_id, "first": first, "merchant": merchant}
    if customer_keys is not None:
        params["keys"] = list(customer_keys)
    if after is not None:
        params["after_at"], params["after_id"] = after
    rows = await reads.rows(statement, params)
    return [account_from_row(row) for row in rows]


async def ledger(
    reads: Statements, tenant_id: str, account_id: str, *, after: int, first: int
) -> list[tuple[int, LedgerEntry]]:
    """A page of an account's ledger in order, after the entry numbered `after`."""
    rows = await reads.rows(
        _LEDGER, {"tenant": tenant_id, "account": account_id, "after": after, "first": first}
    )
    return [(row["seq"], entry_from_row(row)) for row in rows]


async def whole_ledger(reads: Statements, tenant_id: str, account_id: str) -> list[LedgerEntry]:
    return [entry for _, entry in await ledger(reads, tenant_id, account_id, after=0, first=10**9)]


async def accounts_of_customers(
    reads: Statements, tenant_id: str, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], list[StoreCreditAccount]]:
    """Each (merchant, customer key)'s accounts, one per currency, in one statement."""
    found: dict[tuple[str, str], list[StoreCreditAccount]] = {key: [] for key in keys}
    if not keys:
        return found
    statement = _accounts(reads.dialect_name, False, True, False)
    rows = await reads.rows(
        statement,
        {"tenant": tenant_id, "keys": sorted({key for _, key in keys}), "first": 10 * len(keys)},
    )
    for row in rows:
        wanted = found.get((row["merchant"], row["customer_key"]))
        if wanted is not None:
            wanted.append(account_from_row(row))
    return found


async def expiring_accounts(reads: Statements, at: Any, limit: int) -> list[tuple[str, str]]:
    """(tenant, account) of accounts, in every tenant, holding credit whose expiry passed."""
    rows = await reads.rows(_EXPIRING, {"at": at, "limit": limit})
    return [(row["tenant_id"], row["account_id"]) for row in rows]


_EXPIRING = (
    select(ENTRIES.c.tenant_id, ENTRIES.c.account_id)
    .where(
        ENTRIES.c.open_lot.is_(True),
        ENTRIES.c.expires_at <= bindparam("at", type_=ENTRIES.c.expires_at.type),
    )
    .group_by(ENTRIES.c.tenant_id, ENTRIES.c.account_id)
    .order_by(ENTRIES.c.tenant_id, ENTRIES.c.account_id)
    .limit(bindparam("limit"))
)
_ACCOUNT = select(ACCOUNTS).where(
    ACCOUNTS.c.tenant_id == bindparam("tenant"), ACCOUNTS.c.id == bindparam("id")
)
_LEDGER = (
    select(ENTRIES)
    .where(
        ENTRIES.c.tenant_id == bindparam("tenant"),
        ENTRIES.c.account_id == bindparam("account"),
        ENTRIES.c.seq > bindparam("after"),
    )
    .order_by(ENTRIES.c.seq)
    .limit(bindparam("first"))
)


@functools.cache
def _accounts(dialect_name: str, by_merchant: bool, by_keys: bool, paged: bool) -> Any:
    statement = select(ACCOUNTS).where(ACCOUNTS.c.tenant_id == bindparam("tenant"))
    if by_merchant:
        statement = statement.where(ACCOUNTS.c.merchant == bindparam("merchant"))
    if by_keys:
        statement = statement.where(one_of(ACCOUNTS.c.customer_key, "keys", dialect_name))
    if paged:
        after_at = bindparam("after_at", type_=ACCOUNTS.c.created_at.type)
        statement = statement.where(
            tuple_(ACCOUNTS.c.created_at, ACCOUNTS.c.id) > tuple_(after_at, bindparam("after_id"))
        )
    return statement.order_by(ACCOUNTS.c.created_at, ACCOUNTS.c.id).limit(bindparam("first"))
