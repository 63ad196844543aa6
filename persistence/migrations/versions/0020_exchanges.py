"""exchanges: the variants merchants exchange into, their exchange settings, a request's
exchange lines and payments, and resolutions marked as the exchange one

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import persistence.types

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_text = sqlmodel.sql.sqltypes.AutoString
_money = persistence.types.ExactDecimal
_time = persistence.types.UTCDateTime


def _child(name: str, *columns: sa.Column) -> None:
    """A table of a return request's children, in their order (position)."""
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", _text(length=64), nullable=False),
        sa.Column("return_request_id", _text(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(["return_request_id"], ["return_requests.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f(f"ix_{name}_return_request_id"), name, ["return_request_id"])


def upgrade() -> None:
    op.create_table(
        "exchange_variants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", _text(length=64), nullable=False),
        sa.Column("merchant", _text(length=100), nullable=False),
        sa.Column("sku", _text(length=100), nullable=False),
        sa.Column("group_key", _text(length=100), nullable=False),
        sa.Column("title", _text(length=500), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("price", _money(), nullable=False),
        sa.Column("currency", _text(length=3), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("backorderable", sa.Boolean(), nullable=False),
        sa.Column("image_url", _text(length=5000), nullable=True),
        sa.Column("updated_at", _time(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "merchant", "sku"),
    )
    op.create_index(
        "ix_exchange_variants_group",
        "exchange_variants",
        ["tenant_id", "merchant", "group_key", "sku"],
    )
    op.create_table(
        "exchange_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", _text(length=64), nullable=False),
        sa.Column("merchant", _text(length=100), nullable=False),
        sa.Column("release_on", _text(length=16), nullable=False),
        sa.Column("allow_any_product", sa.Boolean(), nullable=False),
        sa.Column("out_of_stock_fallback", _text(length=16), nullable=False),
        sa.Column("updated_at", _time(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "merchant"),
    )
    _child(
        "return_exchange_lines",
        sa.Column("line_id", _text(length=32), nullable=False),
        sa.Column("sku", _text(length=100), nullable=False),
        sa.Column("title", _text(length=500), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("replaces_sku", _text(length=100), nullable=False),
        sa.Column("unit_price", _money(), nullable=False),
        sa.Column("currency", _text(length=3), nullable=False),
        sa.Column("status", _text(length=32), nullable=False),
        sa.Column("released_at", _time(timezone=True), nullable=True),
        sa.Column("fulfilment", sa.JSON(), nullable=True),
        sa.Column("converted_to", _text(length=16), nullable=True),
    )
    _child(
        "return_exchange_payments",
        sa.Column("amount", _money(), nullable=False),
        sa.Column("currency", _text(length=3), nullable=False),
        sa.Column("reference", _text(length=5000), nullable=True),
        sa.Column("recorded_at", _time(timezone=True), nullable=False),
    )
    with op.batch_alter_table("reference_entries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_exchange", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("reference_entries", schema=None) as batch_op:
        batch_op.drop_column("is_exchange")
    for name in ("return_exchange_payments", "return_exchange_lines"):
        op.drop_index(op.f(f"ix_{name}_return_request_id"), table_name=name)
        op.drop_table(name)
    op.drop_table("exchange_settings")
    op.drop_index("ix_exchange_variants_group", table_name="exchange_variants")
    op.drop_table("exchange_variants")
