"""notifications log; reverse shipments remember their delivery option

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import persistence.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("tenant_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("merchant", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("order_reference", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("return_request_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("created_at", persistence.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", persistence.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", persistence.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_page", ["tenant_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_notifications_request", ["tenant_id", "return_request_id"], unique=False
        )
    with op.batch_alter_table("reverse_shipments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "delivery_option_id",
                sqlmodel.sql.sqltypes.AutoString(length=100),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("reverse_shipments", schema=None) as batch_op:
        batch_op.drop_column("delivery_option_id")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_request")
        batch_op.drop_index("ix_notifications_page")
    op.drop_table("notifications")
