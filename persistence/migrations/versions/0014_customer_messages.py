"""customer e-mails: the messages and their outcomes, merchants' sender identity and
templates, and each order's customer language

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import persistence.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_TIME = persistence.types.UTCDateTime(timezone=True)
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "customer_messages",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("message_id", _TEXT(length=36), nullable=False),
        sa.Column("tenant_id", _TEXT(length=64), nullable=False),
        sa.Column("merchant", _TEXT(length=100), nullable=False),
        sa.Column("dedupe_key", _TEXT(length=64), nullable=False),
        sa.Column("return_request_id", _TEXT(length=32), nullable=True),
        sa.Column("order_reference", _TEXT(length=100), nullable=True),
        sa.Column("event_position", sa.BigInteger(), nullable=True),
        sa.Column("event", _TEXT(length=32), nullable=False),
        sa.Column("channel", _TEXT(length=16), nullable=False),
        sa.Column("status", _TEXT(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _TIME, nullable=True),
        sa.Column("last_attempt_at", _TIME, nullable=True),
        sa.Column("last_error", _TEXT(length=500), nullable=True),
        sa.Column("recipient", _TEXT(length=320), nullable=True),
        sa.Column("language", _TEXT(length=8), nullable=True),
        sa.Column("transport", _TEXT(length=16), nullable=True),
        sa.Column("subject", _TEXT(length=300), nullable=True),
        sa.Column("text_body", sa.Text(), nullable=True),
        sa.Column("html_body", sa.Text(), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("sent_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
        sa.UniqueConstraint("tenant_id", "dedupe_key"),
    )
    with op.batch_alter_table("customer_messages", schema=None) as batch_op:
        batch_op.create_index("ix_customer_messages_due", ["status", "next_attempt_at"])
        batch_op.create_index(
            "ix_customer_messages_request", ["tenant_id", "return_request_id", "id"]
        )
    op.create_table(
        "mail_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", _TEXT(length=64), nullable=False),
        sa.Column("merchant", _TEXT(length=100), nullable=False),
        sa.Column("from_address", _TEXT(length=320), nullable=True),
        sa.Column("from_name", _TEXT(length=200), nullable=True),
        sa.Column("reply_to", _TEXT(length=320), nullable=True),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "merchant"),
    )
    op.create_table(
        "message_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", _TEXT(length=64), nullable=False),
        sa.Column("merchant", _TEXT(length=100), nullable=False),
        sa.Column("event", _TEXT(length=32), nullable=False),
        sa.Column("language", _TEXT(length=8), nullable=False),
        sa.Column("subject", _TEXT(length=300), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "merchant", "event", "language"),
    )
    op.create_table(
        "customer_languages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", _TEXT(length=64), nullable=False),
        sa.Column("merchant", _TEXT(length=100), nullable=False),
        sa.Column("order_reference", _TEXT(length=100), nullable=False),
        sa.Column("language", _TEXT(length=8), nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "merchant", "order_reference"),
    )


def downgrade() -> None:
    op.drop_table("customer_languages")
    op.drop_table("message_templates")
    op.drop_table("mail_settings")
    with op.batch_alter_table("customer_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_messages_request")
        batch_op.drop_index("ix_customer_messages_due")
    op.drop_table("customer_messages")
