"""search (trigram index / FTS5), the request's value for sorting, indexes for insights

Revision ID: 0017
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS = "return_search_fts"
# The standard way to keep an external-content FTS5 table in step with its table.
SQLITE_FTS = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(document, content='return_search',"
    " content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER {FTS}_ai AFTER INSERT ON return_search BEGIN"
    f" INSERT INTO {FTS}(rowid, document) VALUES (new.id, new.document); END",
    f"CREATE TRIGGER {FTS}_ad AFTER DELETE ON return_search BEGIN"
    f" INSERT INTO {FTS}({FTS}, rowid, document) VALUES ('delete', old.id, old.document); END",
    f"CREATE TRIGGER {FTS}_au AFTER UPDATE ON return_search BEGIN"
    f" INSERT INTO {FTS}({FTS}, rowid, document) VALUES ('delete', old.id, old.document);"
    f" INSERT INTO {FTS}(rowid, document) VALUES (new.id, new.document); END",
]


def _backfill(dialect: str) -> None:
    """Existing requests: their value and their search document."""
    if dialect == "postgresql":
        value = "round(CAST(i.unit_price AS NUMERIC) * 1000) * i.quantity"
        skus = "string_agg(i.sku, ' ')"
    else:
        value = "CAST(round(CAST(i.unit_price AS REAL) * 1000) AS INTEGER) * i.quantity"
        skus = "group_concat(i.sku, ' ')"
    op.execute(
        "UPDATE return_requests SET"
        f" value_thousandths = coalesce((SELECT sum({value}) FROM return_items i"
        " WHERE i.return_request_id = return_requests.id), 0),"
        " currency = (SELECT min(i.currency) FROM return_items i"
        " WHERE i.return_request_id = return_requests.id)"
    )
    op.execute(
        "INSERT INTO return_search (tenant_id, return_request_id, document)"
        " SELECT r.tenant_id, r.id, lower(r.id || ' ' || r.order_reference || ' '"
        f" || coalesce((SELECT {skus} FROM return_items i WHERE i.return_request_id = r.id), '')"
        " || coalesce((SELECT ' ' || coalesce(o.customer_name, '') || ' '"
        " || coalesce(o.customer_email, '') || ' ' || coalesce(o.customer_phone, '')"
        " FROM orders o WHERE o.tenant_id = r.tenant_id AND o.merchant = r.merchant"
        " AND o.reference = r.order_reference), ''))"
        " FROM return_requests r"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("return_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("value_thousandths", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True)
        )
    with op.batch_alter_table("return_requests", schema=None) as batch_op:
        batch_op.alter_column("value_thousandths", server_default=None)
        batch_op.create_index(
            "ix_return_requests_updated", ["tenant_id", "updated_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_return_requests_value", ["tenant_id", "value_thousandths", "id"], unique=False
        )
        batch_op.create_index(
            "ix_return_requests_merchant_created",
            ["tenant_id", "merchant", "created_at"],
            unique=False,
        )
    op.create_index("ix_orders_merchant_created", "orders", ["tenant_id", "merchant", "created_at"])
    op.create_index("ix_return_refunds_created", "return_refunds", ["tenant_id", "created_at"])
    op.create_table(
        "return_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("return_request_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["return_request_id"], ["return_requests.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("return_request_id"),
    )
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_return_search_document_trgm ON return_search"
            " USING gin (document gin_trgm_ops)"
        )
    else:
        for statement in SQLITE_FTS:
            op.execute(statement)
    _backfill(dialect)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_return_search_document_trgm")
    else:
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {FTS}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
    op.drop_table("return_search")
    op.drop_index("ix_return_refunds_created", table_name="return_refunds")
    op.drop_index("ix_orders_merchant_created", table_name="orders")
    with op.batch_alter_table("return_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_return_requests_merchant_created")
        batch_op.drop_index("ix_return_requests_value")
        batch_op.drop_index("ix_return_requests_updated")
        batch_op.drop_column("currency")
        batch_op.drop_column("value_thousandths")
