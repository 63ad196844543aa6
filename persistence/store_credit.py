"""Store-credit accounts in SQL: the write side (a repository of whole accounts, each held
by its row lock until the transaction ends) and the row ⇄ domain mappers.

An account is loaded with its open lots only (those with credit left), not its whole
ledger: a debit, an expiry or a take-back needs nothing else; an entry a use case names (a
debit to revert, a refund's lots) is looked up on its own and adopted into the account.
PostgreSQL holds the account's row (`FOR UPDATE`); SQLite's unit of work already holds the
database's write lock (`BEGIN IMMEDIATE`). The balance is written only if the version read
is still the stored one, and the table refuses a negative balance: three locks on one door.
"""

from __future__ import annotations

import functools
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, and_, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from domain.errors import NotFound, VersionConflict
from domain.store_credit import (
    BonusBasis,
    EntryKind,
    LedgerEntry,
    Origin,
    OriginKind,
    StoreCreditAccount,
    StoreCreditSettings,
)
from domain.values import Actor
from persistence.statements import Row, Statements, insert_into, one_of, update_where, where
from persistence.store_credit_tables import (
    StoreCreditAccountRow,
    StoreCreditEntryRow,
    StoreCreditSettingsRow,
)

ACCOUNTS: Table = StoreCreditAccountRow.__table__  # type: ignore[attr-defined]
ENTRIES: Table = StoreCreditEntryRow.__table__  # type: ignore[attr-defined]
SETTINGS: Table = StoreCreditSettingsRow.__table__  # type: ignore[attr-defined]
_LOT_CHANGES = ("remaining", "expired", "open_lot", "reverted_at")


class SqlStoreCreditRepository:
    def __init__(self, statements: Statements, tenant_id: str, now: Any) -> None:
        self._sql = statements
        self._tenant = tenant_id
        self._now = now
        self._next_seq: dict[str, int] = {}
        self.seen: list[StoreCreditAccount] = []

    async def get(self, account_id: str) -> StoreCreditAccount:
        rows = await self._sql.rows(
            _account_by(self._sql.dialect_name, "id"),
            {"tenant": self._tenant, "value": account_id},
        )
        if not rows:
            raise NotFound(f"store credit account {account_id} not found", field="account_id")
        return await self._loaded(rows[0])

    async def find(
        self, merchant: str, customer_key: str, currency: str
    ) -> StoreCreditAccount | None:
        rows = await self._sql.rows(
            _account_by_customer(self._sql.dialect_name),
            {
                "tenant": self._tenant,
                "merchant": merchant,
                "key": customer_key,
                "currency": currency,
            },
        )
        return await self._loaded(rows[0]) if rows else None

    async def open(self, merchant: str, customer_key: str, currency: str) -> StoreCreditAccount:
        """Insert the account unless it exists (ON CONFLICT DO NOTHING: of two first
        creators, one inserts and both then lock the same row)."""
        fresh = StoreCreditAccount.open(
            merchant=merchant, customer_key=customer_key, currency=currency, at=self._now()
        )
        values = account_values(fresh, self._tenant) | {"version": 1}
        await self._sql.execute(_insert_account(self._sql.dialect_name), values)
        found = await self.find(merchant, customer_key, currency)
        assert found is not None  # inserted or already there, and we hold it now
        return found

    async def save(self, account: StoreCreditAccount) -> None:
        values = {
            "balance": account.balance,
            "updated_at": account.updated_at,
            "version": account.version + 1,
        }
        key = {"tenant_id": self._tenant, "id": account.id, "version": account.version}
        statement = update_where(ACCOUNTS, tuple(key), tuple(values))
        if await self._sql.execute(statement, where(values, **key)) != 1:
            raise VersionConflict(f"store credit account {account.id} changed meanwhile")
        account.version += 1
        if account.changed:
            changes = [
                where({name: row[name] for name in _LOT_CHANGES}, tenant_id=self._tenant, id=e.id)
                for e in account.changed.values()
                for row in [entry_values(e, self._tenant, 0)]
            ]
            statement = update_where(ENTRIES, ("tenant_id", "id"), _LOT_CHANGES)
            await self._sql.execute_many(statement, changes)
        if account.new_entries:
            seq = self._next_seq.get(account.id, 1)
            rows = [
                entry_values(entry, self._tenant, seq + n)
                for n, entry in enumerate(account.new_entries)
            ]
            self._next_seq[account.id] = seq + len(rows)
            await self._sql.execute_many(insert_into(ENTRIES, tuple(rows[0])), rows)
        account.new_entries.clear()
        account.changed.clear()
        if account not in self.seen:
            self.seen.append(account)

    async def entry(self, account: StoreCreditAccount, entry_id: str) -> LedgerEntry | None:
        rows = await self._sql.rows(
            _entries_by_ids(self._sql.dialect_name),
            {"tenant": self._tenant, "account": account.id, "ids": [entry_id]},
        )
        if not rows:
            return None
        entry = _adopt(account, [entry_from_row(rows[0])])[0]
        lots = [lot_id for lot_id, _ in entry.allocations]
        if lots:
            found = await self._sql.rows(
                _entries_by_ids(self._sql.dialect_name),
                {"tenant": self._tenant, "account": account.id, "ids": lots},
            )
            _adopt(account, [entry_from_row(row) for row in found])
        return entry

    async def debit_by_key(
        self, account: StoreCreditAccount, idempotency_key: str
    ) -> LedgerEntry | None:
        rows = await self._sql.rows(
            _DEBIT_BY_KEY, {"tenant": self._tenant, "account": account.id, "key": idempotency_key}
        )
        return entry_from_row(rows[0]) if rows else None

    async def refund_lots(
        self, merchant: str, refund_id: str
    ) -> tuple[StoreCreditAccount, list[LedgerEntry]] | None:
        rows = await self._sql.rows(_REFUND_LOTS, {"tenant": self._tenant, "refund": refund_id})
        if not rows:
            return None
        account = await self.get(rows[0]["account_id"])  # locked: read the lots again
        fresh = await self._sql.rows(_REFUND_LOTS, {"tenant": self._tenant, "refund": refund_id})
        return account, _adopt(account, [entry_from_row(row) for row in fresh])

    async def expiring(self, at: datetime, limit: int) -> list[str]:
        rows = await self._sql.rows(_EXPIRING, {"tenant": self._tenant, "at": at, "limit": limit})
        return [row["account_id"] for row in rows]

    async def settings(self, merchant: str) -> StoreCreditSettings | None:
        rows = await self._sql.rows(_SETTINGS, {"tenant": self._tenant, "merchant": merchant})
        return settings_from_row(rows[0]) if rows else None

    async def save_settings(self, settings: StoreCreditSettings) -> None:
        values = settings_values(settings) | {"updated_at": self._now(), "tenant_id": self._tenant}
        await self._sql.execute(_upsert_settings(self._sql.dialect_name), values)

    async def _loaded(self, row: Row) -> StoreCreditAccount:
        account = account_from_row(row)
        lots = await self._sql.rows(_OPEN_LOTS, {"tenant": self._tenant, "account": account.id})
        account.lots = [entry_from_row(lot) for lot in lots]
        last = await self._sql.scalar(_LAST_SEQ, {"tenant": self._tenant, "account": account.id})
        self._next_seq[account.id] = (last or 0) + 1
        return account


def _adopt(account: StoreCreditAccount, entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """The account's own objects for these entries (a lot it already holds stays the one it
    holds), so a change through either is one change."""
    held = {lot.id: lot for lot in account.lots}
    adopted = []
    for entry in entries:
        if entry.id not in held:
            held[entry.id] = entry
            if entry.is_lot:
                account.lots.append(entry)
        adopted.append(held[entry.id])
    return adopted


# --------------------------------------------------------------------------- statements


def _values(table: Table, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: bindparam(name, type_=table.c[name].type) for name in names}


@functools.cache
def _insert_account(dialect_name: str) -> Any:
    insert = postgresql_insert if dialect_name == "postgresql" else sqlite_insert
    columns = (
        "id", "tenant_id", "merchant", "customer_key", "currency", "balance",
        "created_at", "updated_at", "version",
    )  # fmt: skip
    return insert(ACCOUNTS).values(_values(ACCOUNTS, columns)).on_conflict_do_nothing()


@functools.cache
def _upsert_settings(dialect_name: str) -> Any:
    insert = postgresql_insert if dialect_name == "postgresql" else sqlite_insert
    columns = (
        "tenant_id", "merchant", "bonus_basis", "bonus_value", "bonus_cap", "expiry_days",
        "updated_at",
    )  # fmt: skip
    statement = insert(SETTINGS).values(_values(SETTINGS, columns))
    return statement.on_conflict_do_update(
        index_elements=["tenant_id", "merchant"],
        set_={name: statement.excluded[name] for name in columns[2:]},
    )


@functools.cache
def _account_by(dialect_name: str, column: str) -> Any:
    statement = select(ACCOUNTS).where(
        ACCOUNTS.c.tenant_id == bindparam("tenant"), ACCOUNTS.c[column] == bindparam("value")
    )
    return statement.with_for_update() if dialect_name == "postgresql" else statement


@functools.cache
def _account_by_customer(dialect_name: str) -> Any:
    statement = select(ACCOUNTS).where(
        ACCOUNTS.c.tenant_id == bindparam("tenant"),
        ACCOUNTS.c.merchant == bindparam("merchant"),
        ACCOUNTS.c.customer_key == bindparam("key"),
        ACCOUNTS.c.currency == bindparam("currency"),
    )
    return statement.with_for_update() if dialect_name == "postgresql" else statement


@functools.cache
def _entries_by_ids(dialect_name: str) -> Any:
    return select(ENTRIES).where(
        ENTRIES.c.tenant_id == bindparam("tenant"),
        ENTRIES.c.account_id == bindparam("account"),
        one_of(ENTRIES.c.id, "ids", dialect_name),
    )


_OPEN_LOTS = (
    select(ENTRIES)
    .where(
        ENTRIES.c.tenant_id == bindparam("tenant"),
        ENTRIES.c.account_id == bindparam("account"),
        ENTRIES.c.open_lot.is_(True),
    )
    .order_by(ENTRIES.c.seq)
)
_LAST_SEQ = select(func.max(ENTRIES.c.seq)).where(
    ENTRIES.c.tenant_id == bindparam("tenant"), ENTRIES.c.account_id == bindparam("account")
)
_DEBIT_BY_KEY = select(ENTRIES).where(
    ENTRIES.c.tenant_id == bindparam("tenant"),
    ENTRIES.c.account_id == bindparam("account"),
    ENTRIES.c.idempotency_key == bindparam("key"),
)
_REFUND_LOTS = (
    select(ENTRIES)
    .where(
        ENTRIES.c.tenant_id == bindparam("tenant"),
        ENTRIES.c.refund_id == bindparam("refund"),
        or_(ENTRIES.c.kind == EntryKind.CREDIT.value, ENTRIES.c.kind == EntryKind.BONUS.value),
        ENTRIES.c.reverses.is_(None),
        ENTRIES.c.reverted_at.is_(None),
    )
    .order_by(ENTRIES.c.seq)
)
_EXPIRING = (
    select(ENTRIES.c.account_id)
    .where(
        and_(
            ENTRIES.c.tenant_id == bindparam("tenant"),
            ENTRIES.c.open_lot.is_(True),
            ENTRIES.c.expires_at <= bindparam("at", type_=ENTRIES.c.expires_at.type),
        )
    )
    .group_by(ENTRIES.c.account_id)
    .order_by(ENTRIES.c.account_id)
    .limit(bindparam("limit"))
)
_SETTINGS = select(SETTINGS).where(
    SETTINGS.c.tenant_id == bindparam("tenant"), SETTINGS.c.merchant == bindparam("merchant")
)


# --------------------------------------------------------------------------- mappers


def account_values(account: StoreCreditAccount, tenant_id: str) -> dict[str, Any]:
    return {
        "id": account.id,
        "tenant_id": tenant_id,
        "merchant": account.merchant,
        "customer_key": account.customer_key,
        "currency": account.currency,
        "balance": account.balance,
        "created_at": account.created_at,
        "updated_at": account.updated_at,
    }


def account_from_row(row: Row) -> StoreCreditAccount:
    return StoreCreditAccount(
        id=row["id"],
        merchant=row["merchant"],
        customer_key=row["customer_key"],
        currency=row["currency"],
        balance=row["balance"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def entry_values(entry: LedgerEntry, tenant_id: str, seq: int) -> dict[str, Any]:
    return {
        "id": entry.id,
        "tenant_id": tenant_id,
        "account_id": entry.account_id,
        "seq": seq,
        "kind": entry.kind.value,
        "amount": entry.amount,
        "balance_after": entry.balance_after,
        "occurred_at": entry.occurred_at,
        "origin_kind": entry.origin.kind.value,
        "return_request_id": entry.origin.return_request_id,
        "refund_id": entry.origin.refund_id,
        "order_reference": entry.origin.order_reference,
        "actor_source": entry.actor.source,
        "actor_user": entry.actor.user,
        "expires_at": entry.expires_at,
        "remaining": entry.remaining,
        "expired": entry.expired,
        "open_lot": entry.is_lot and entry.remaining > 0,
        "allocations": [[lot, str(amount)] for lot, amount in entry.allocations],
        "reverses": entry.reverses,
        "reverted_at": entry.reverted_at,
        "idempotency_key": entry.idempotency_key,
        "reason": entry.reason,
    }


def entry_from_row(row: Row) -> LedgerEntry:
    return LedgerEntry(
        id=row["id"],
        account_id=row["account_id"],
        kind=EntryKind(row["kind"]),
        amount=row["amount"],
        balance_after=row["balance_after"],
        occurred_at=row["occurred_at"],
        origin=Origin(
            OriginKind(row["origin_kind"]),
            row["return_request_id"],
            row["refund_id"],
            row["order_reference"],
        ),
        actor=Actor(row["actor_source"], row["actor_user"]),
        expires_at=row["expires_at"],
        remaining=row["remaining"],
        expired=row["expired"],
        allocations=tuple((lot, Decimal(amount)) for lot, amount in row["allocations"] or ()),
        reverses=row["reverses"],
        reverted_at=row["reverted_at"],
        idempotency_key=row["idempotency_key"],
        reason=row["reason"],
    )


def settings_values(settings: StoreCreditSettings) -> dict[str, Any]:
    return {
        "merchant": settings.merchant,
        "bonus_basis": settings.bonus_basis.value if settings.bonus_basis else None,
        "bonus_value": settings.bonus_value,
        "bonus_cap": settings.bonus_cap,
        "expiry_days": settings.expiry_days,
    }


def settings_from_row(row: Row) -> StoreCreditSettings:
    return StoreCreditSettings(
        merchant=row["merchant"],
        bonus_basis=BonusBasis(row["bonus_basis"]) if row["bonus_basis"] else None,
        bonus_value=row["bonus_value"],
        bonus_cap=row["bonus_cap"],
        expiry_days=row["expiry_days"],
    )
