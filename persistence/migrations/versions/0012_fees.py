"""fees: merchants' fee rules, and the fees on each return request

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import persistence.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "fee_rules",
        sa.Column("id", text(length=32), nullable=False),
        sa.Column("tenant_id", text(length=64), nullable=False),
        sa.Column("merchant", text(length=100), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("kind", text(length=32), nullable=False),
        sa.Column("basis", text(length=32), nullable=False),
        sa.Column("value", persistence.types.ExactDecimal(length=40), nullable=False),
        sa.Column("currency", text(length=3), nullable=True),
        sa.Column("resolutions", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("waiving_reasons", sa.JSON(), nullable=False),
        sa.Column("created_at", persistence.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_fee_rules_merchant", "fee_rules", ["tenant_id", "merchant", "position"])
    with op.batch_alter_table("return_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fees", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("return_requests", schema=None) as batch_op:
        batch_op.drop_column("fees")
    op.drop_index("ix_fee_rules_merchant", table_name="fee_rules")
    op.drop_table("fee_rules")
