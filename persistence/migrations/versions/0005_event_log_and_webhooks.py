"""event log merchant column, webhook endpoints and deliveries

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

The outbox becomes the event log subscribers filter by merchant, so each event records its
request's merchant (backfilled from the request). `published_at` was never written: the log
is read by position, and webhook deliveries record their own progress.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import persistence.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_TIME = persistence.types.UTCDateTime(timezone=True)
_POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merchant", _TEXT(length=100), nullable=True))
        batch_op.drop_column("published_at")
    op.execute(
        "UPDATE outbox_events SET merchant = COALESCE((SELECT r.merchant FROM return_requests r"
        " WHERE r.tenant_id = outbox_events.tenant_id"
        " AND r.id = outbox_events.return_request_id), '')"
    )
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.alter_column("merchant", existing_type=_TEXT(length=100), nullable=False)

    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", _TEXT(length=64), nullable=False),
        sa.Column("endpoint_id", _TEXT(length=32), nullable=False),
        sa.Column("merchant", _TEXT(length=100), nullable=True),
        sa.Column("url", _TEXT(length=2000), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("secret", _TEXT(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "endpoint_id"),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", _POSITION, autoincrement=True, nullable=False),
        sa.Column("delivery_id", _TEXT(length=36), nullable=False),
        sa.Column("tenant_id", _TEXT(length=64), nullable=False),
        sa.Column("endpoint_id", _TEXT(length=32), nullable=False),
        sa.Column("event_position", sa.BigInteger(), nullable=False),
        sa.Column("status", _TEXT(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _TIME, nullable=True),
        sa.Column("last_attempt_at", _TIME, nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("last_error", _TEXT(length=500), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("delivered_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("delivery_id"),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_deliveries_due", ["status", "next_attempt_at"])
        batch_op.create_index("ix_webhook_deliveries_endpoint", ["tenant_id", "endpoint_id", "id"])


def downgrade() -> None:
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_deliveries_endpoint")
        batch_op.drop_index("ix_webhook_deliveries_due")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_at", _TIME, nullable=True))
        batch_op.drop_column("merchant")
