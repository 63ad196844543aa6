"""store credit: accounts, their ledger and merchants' settings; a refund's outcome (money or
store credit) and refund types marked as store credit

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import persistence.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_text = sqlmodel.sql.sqltypes.AutoString
_money = persistence.types.ExactDecimal
_time = persistence.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "store_credit_accounts",
        sa.Column("id", _text(length=32), nullable=False),
        sa.Column("tenant_id", _text(length=64), nullable=False),
        sa.Column("merchant", _text(length=100), nullable=False),
        sa.Column("customer_key", _text(length=330), nullable=False),
        sa.Column("currency", _text(length=3), nullable=False),
        sa.Column("balance", _money(), nullable=False),
        sa.Column("created_at", _time(timezone=True), nullable=False),
        sa.Column("updated_at", _time(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "merchant", "customer_key", "currency"),
        sa.CheckConstraint("balance NOT LIKE '-%'", name="ck_store_credit_balance_not_negative"),
    )
    op.create_index(
        "ix_store_credit_accounts_page",
        "store_credit_accounts",
        ["tenant_id", "merchant", "created_at", "id"],
    )
    op.create_table(
        "store_credit_entries",
        sa.Column("id", _text(length=32), nullable=False),
        sa.Column("tenant_id", _text(length=64), nullable=False),
        sa.Column("account_id", _text(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", _text(length=16), nullable=False),
        sa.Column("amount", _money(), nullable=False),
        sa.Column("balance_after", _money(), nullable=False),
        sa.Column("occurred_at", _time(timezone=True), nullable=False),
        sa.Column("origin_kind", _text(length=16), nullable=False),
        sa.Column("return_request_id", _text(length=32), nullable=True),
        sa.Column("refund_id", _text(length=32), nullable=True),
        sa.Column("order_reference", _text(length=100), nullable=True),
        sa.Column("actor_source", _text(length=32), nullable=False),
        sa.Column("actor_user", _text(length=320), nullable=True),
        sa.Column("expires_at", _time(timezone=True), nullable=True),
        sa.Column("remaining", _money(), nullable=False),
        sa.Column("expired", _money(), nullable=False),
        sa.Column("open_lot", sa.Boolean(), nullable=False),
        sa.Column("allocations", sa.JSON(), nullable=False),
        sa.Column("reverses", _text(length=32), nullable=True),
        sa.Column("reverted_at", _time(timezone=True), nullable=True),
        sa.Column("idempotency_key", _text(length=255), nullable=True),
        sa.Column("reason", _text(length=500), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["store_credit_accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "account_id", "seq"),
        sa.UniqueConstraint("tenant_id", "account_id", "idempotency_key"),
    )
    op.create_index(
        op.f("ix_store_credit_entries_account_id"), "store_credit_entries", ["account_id"]
    )
    op.create_index(
        "ix_store_credit_entries_refund", "store_credit_entries", ["tenant_id", "refund_id"]
    )
    op.create_index(
        "ix_store_credit_entries_open",
        "store_credit_entries",
        ["tenant_id", "open_lot", "expires_at"],
    )
    op.create_table(
        "store_credit_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", _text(length=64), nullable=False),
        sa.Column("merchant", _text(length=100), nullable=False),
        sa.Column("bonus_basis", _text(length=16), nullable=True),
        sa.Column("bonus_value", _money(), nullable=False),
        sa.Column("bonus_cap", _money(), nullable=True),
        sa.Column("expiry_days", sa.Integer(), nullable=True),
        sa.Column("updated_at", _time(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "merchant"),
    )
    with op.batch_alter_table("return_refunds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("outcome", _text(length=16), nullable=False, server_default="MONEY")
        )
    with op.batch_alter_table("reference_entries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("store_credit", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("reference_entries", schema=None) as batch_op:
        batch_op.drop_column("store_credit")
    with op.batch_alter_table("return_refunds", schema=None) as batch_op:
        batch_op.drop_column("outcome")
    op.drop_table("store_credit_settings")
    op.drop_index("ix_store_credit_entries_open", table_name="store_credit_entries")
    op.drop_index("ix_store_credit_entries_refund", table_name="store_credit_entries")
    op.drop_index(op.f("ix_store_credit_entries_account_id"), table_name="store_credit_entries")
    op.drop_table("store_credit_entries")
    op.drop_index("ix_store_credit_accounts_page", table_name="store_credit_accounts")
    op.drop_table("store_credit_accounts")
