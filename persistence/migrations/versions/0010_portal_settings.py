"""merchants' return-portal settings (brand, support contact, policy)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import persistence.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portal_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("merchant", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("logo_url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("accent_colour", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("support_email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
        sa.Column("support_phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("return_policy", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=True),
        sa.Column("updated_at", persistence.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "merchant"),
    )


def downgrade() -> None:
    op.drop_table("portal_settings")
