"""Store-credit rows: accounts, their ledger, and each merchant's settings.

An account is unique per tenant, merchant, customer key and currency, and its balance can
never be stored below zero (a CHECK, beneath the domain's rule and the row lock)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from persistence.tables import _json, _money, _time
from persistence.types import ExactDecimal


class StoreCreditAccountRow(SQLModel, table=True):
    __tablename__ = "store_credit_accounts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "merchant", "customer_key", "currency"),
        CheckConstraint("balance NOT LIKE '-%'", name="ck_store_credit_balance_not_negative"),
        Index("ix_store_credit_accounts_page", "tenant_id", "merchant", "created_at", "id"),
    )

    id: str = Field(primary_key=True, max_length=32)
    tenant_id: str = Field(max_length=64)
    merchant: str = Field(max_length=100)
    customer_key: str = Field(max_length=330)
    currency: str = Field(max_length=3)
    balance: Decimal = _money()
    created_at: datetime = _time(nullable=False)
    updated_at: datetime = _time(nullable=False)
    version: int = 1


class StoreCreditEntryRow(SQLModel, table=True):
    """One ledger entry. `seq` orders an account's ledger; lots keep `remaining` (an open
    lot has some left, so the expiry job and a debit find them by index)."""

    __tablename__ = "store_credit_entries"
    __table_args__ = (
        UniqueConstraint("tenant_id", "account_id", "seq"),
        UniqueConstraint("tenant_id", "account_id", "idempotency_key"),
        Index("ix_store_credit_entries_refund", "tenant_id", "refund_id"),
        Index("ix_store_credit_entries_open", "tenant_id", "open_lot", "expires_at"),
    )

    id: str = Field(primary_key=True, max_length=32)
    tenant_id: str = Field(max_length=64)
    account_id: str = Field(
        sa_column=Column(
            ForeignKey("store_credit_accounts.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    seq: int
    kind: str = Field(max_length=16)
    amount: Decimal = _money()
    balance_after: Decimal = _money()
    occurred_at: datetime = _time(nullable=False)
    origin_kind: str = Field(max_length=16)
    return_request_id: str | None = Field(default=None, max_length=32)
    refund_id: str | None = Field(default=None, max_length=32)
    order_reference: str | None = Field(default=None, max_length=100)
    actor_source: str = Field(max_length=32)
    actor_user: str | None = Field(default=None, max_length=320)
    expires_at: datetime | None = _time()
    remaining: Decimal = Field(default=Decimal(0), sa_type=ExactDecimal, nullable=False)
    expired: Decimal = Field(default=Decimal(0), sa_type=ExactDecimal, nullable=False)
    open_lot: bool = False
    allocations: list[list[Any]] = _json(list)
    reverses: str | None = Field(default=None, max_length=32)
    reverted_at: datetime | None = _time()
    idempotency_key: str | None = Field(default=None, max_length=255)
    reason: str | None = Field(default=None, max_length=500)


class StoreCreditSettingsRow(SQLModel, table=True):
    __tablename__ = "store_credit_settings"
    __table_args__ = (UniqueConstraint("tenant_id", "merchant"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    merchant: str = Field(max_length=100)
    bonus_basis: str | None = Field(default=None, max_length=16)
    bonus_value: Decimal = _money()
    bonus_cap: Decimal | None = Field(default=None, sa_type=ExactDecimal, nullable=True)
    expiry_days: int | None = None
    updated_at: datetime = _time(nullable=False)
