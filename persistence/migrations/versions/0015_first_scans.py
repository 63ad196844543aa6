"""a return request remembers when the carrier first scanned its drop-off slip

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import persistence.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("return_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "first_scanned_at", persistence.types.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("return_requests", schema=None) as batch_op:
        batch_op.drop_column("first_scanned_at")
