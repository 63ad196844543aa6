"""staff accounts: users per tenant with roles, their sessions and single-use links

Revision ID: 0016
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import persistence.types

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_TIME = persistence.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", _TEXT(length=32), nullable=False),
        sa.Column("tenant_id", _TEXT(length=64), nullable=False),
        sa.Column("email", _TEXT(length=320), nullable=False),
        sa.Column("name", _TEXT(length=200), nullable=False),
        sa.Column("role", _TEXT(length=16), nullable=False),
        sa.Column("password_hash", _TEXT(length=256), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", _TIME(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "email"),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", _TEXT(length=64), nullable=False),
        sa.Column("tenant_id", _TEXT(length=64), nullable=False),
        sa.Column("user_id", _TEXT(length=32), nullable=False),
        sa.Column("created_at", _TIME(timezone=True), nullable=False),
        sa.Column("expires_at", _TIME(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_staff_sessions_user_id", "staff_sessions", ["user_id"])
    op.create_index("ix_staff_sessions_expires_at", "staff_sessions", ["expires_at"])
    op.create_table(
        "staff_links",
        sa.Column("token_hash", _TEXT(length=64), nullable=False),
        sa.Column("tenant_id", _TEXT(length=64), nullable=False),
        sa.Column("user_id", _TEXT(length=32), nullable=False),
        sa.Column("purpose", _TEXT(length=16), nullable=False),
        sa.Column("expires_at", _TIME(timezone=True), nullable=False),
        sa.Column("used_at", _TIME(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_staff_links_user_id", "staff_links", ["user_id"])


def downgrade() -> None:
    op.drop_table("staff_links")
    op.drop_table("staff_sessions")
    op.drop_table("staff_users")
