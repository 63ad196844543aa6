"""insights' rollups per merchant, UTC day and month; the search rows carry their request's time

`insight_days` is kept by the repositories' writes from here on; this fills it for the
requests, items, refunds and orders that exist (the same SQL as
persistence/insight_rollups.py's `rebuild`, written out as of today: a migration does not
import the code of later days). `return_search.created_at` is the request's creation time,
so a search's total and newest page are found without reading every matching request.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import persistence.types

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_TIME = persistence.types.UTCDateTime
_BUCKETS = (("UNDER_1_DAY", 0), ("DAYS_1_TO_3", 24), ("DAYS_3_TO_7", 72),
            ("DAYS_7_TO_14", 168), ("OVER_14_DAYS", 336))  # fmt: skip
_FTS = "return_search_fts"
_INSERT = "INSERT INTO insight_days (tenant_id, merchant, chart, span, day, k1, k2, n, amount) "


# A request's status follows onto its search row in the statement that changes it.
_STATUS_TRIGGER = {
    "postgresql": [
        "CREATE FUNCTION returns_search_status() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN UPDATE return_search SET status = NEW.status"
        " WHERE return_request_id = NEW.id; RETURN NULL; END $$",
        "CREATE TRIGGER return_search_status AFTER UPDATE OF status ON return_requests"
        " FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)"
        " EXECUTE FUNCTION returns_search_status()",
    ],
    "sqlite": [
        "CREATE TRIGGER return_search_status AFTER UPDATE OF status ON return_requests"
        " WHEN old.status IS NOT new.status BEGIN UPDATE return_search SET status = new.status"
        " WHERE return_request_id = new.id; END"
    ],
}


def _fts_update_trigger(when: str) -> str:
    return (
        f"CREATE TRIGGER {_FTS}_au {when} BEGIN"
        f" INSERT INTO {_FTS}({_FTS}, rowid, document) VALUES ('delete', old.id, old.document);"
        f" INSERT INTO {_FTS}(rowid, document) VALUES (new.id, new.document); END"
    )


def _fill(postgres: bool) -> list[str]:
    def day(column: str) -> str:
        return (
            f"CAST({column} AT TIME ZONE 'UTC' AS DATE)" if postgres else f"substr({column}, 1, 10)"
        )

    def seconds(column: str) -> str:
        if postgres:
            return f"CAST(floor(extract(epoch FROM {column})) AS BIGINT)"
        return f"CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER)"

    money = (
        "CAST(round(CAST(f.amount AS NUMERIC) * 1000) AS BIGINT)"
        if postgres
        else "CAST(round(CAST(f.amount AS REAL) * 1000) AS INTEGER)"
    )
    bucket = "CASE " + " ".join(
        f"WHEN seconds >= {hours * 3600} THEN '{label}'" for label, hours in reversed(_BUCKETS)
    ) + f" ELSE '{_BUCKETS[0][0]}' END"  # fmt: skip
    month = "CAST(date_trunc('month', day) AS DATE)" if postgres else "date(day, 'start of month')"
    items = "FROM return_requests r JOIN return_items i ON i.return_request_id = r.id"
    refunds = "FROM return_requests r JOIN return_refunds f ON f.return_request_id = r.id"
    rd, fd, od = day("r.created_at"), day("f.created_at"), day("o.created_at")
    who = "r.tenant_id, r.merchant"
    reason, kind = "coalesce(i.reason_code, '')", "coalesce(f.refund_type, '')"
    return [
        f"{_INSERT} SELECT {who}, 'returned', 'day', {rd}, i.sku, '', count(DISTINCT r.id),"
        f" sum(i.quantity) {items} GROUP BY {who}, {rd}, i.sku",
        f"{_INSERT} SELECT o.tenant_id, o.merchant, 'ordered', 'day', {od}, l.sku, '', count(*),"
        " sum(l.quantity) FROM orders o JOIN order_lines l ON l.order_id = o.id"
        f" GROUP BY o.tenant_id, o.merchant, {od}, l.sku",
        f"{_INSERT} SELECT {who}, 'reasons', 'day', {rd}, i.sku, {reason}, count(*),"
        f" sum(i.quantity) {items} GROUP BY {who}, {rd}, i.sku, {reason}",
        f"{_INSERT} SELECT {who}, 'outcomes', 'day', {rd}, {kind}, f.currency, count(*),"
        f" sum({money}) {refunds} GROUP BY {who}, {rd}, {kind}, f.currency",
        f"{_INSERT} SELECT {who}, 'refunds', 'day', {fd}, f.currency, '', count(*), sum({money})"
        f" {refunds} GROUP BY {who}, {fd}, f.currency",
        f"{_INSERT} SELECT tenant_id, merchant, 'delays', 'day', day, {bucket}, '', count(*),"
        f" sum(seconds) FROM (SELECT r.tenant_id AS tenant_id, r.merchant AS merchant,"
        f" {rd} AS day, {seconds('min(f.created_at)')} - {seconds('r.created_at')} AS seconds"
        f" {refunds} GROUP BY r.id, r.tenant_id, r.merchant, r.created_at) requests"
        f" GROUP BY tenant_id, merchant, day, {bucket}",
        f"{_INSERT} SELECT tenant_id, merchant, chart, 'month', {month}, k1, k2, sum(n),"
        " sum(amount) FROM insight_days WHERE span = 'day'"
        f" GROUP BY tenant_id, merchant, chart, {month}, k1, k2",
    ]


def upgrade() -> None:
    op.create_table(
        "insight_days",
        sa.Column("tenant_id", _TEXT(length=64), nullable=False),
        sa.Column("merchant", _TEXT(length=100), nullable=False),
        sa.Column("chart", _TEXT(length=16), nullable=False),
        sa.Column("span", _TEXT(length=5), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("k1", _TEXT(length=100), nullable=False),
        sa.Column("k2", _TEXT(length=100), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "merchant", "chart", "span", "day", "k1", "k2"),
    )
    for statement in _fill(op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)
    # Not a batch: SQLite would rebuild return_search, and its FTS5 triggers with it. The
    # FTS5 table follows the document only: filling the new column must not re-index it.
    op.add_column("return_search", sa.Column("created_at", _TIME(timezone=True), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER {_FTS}_au")
        op.execute(_fts_update_trigger("AFTER UPDATE OF document ON return_search"))
    op.add_column("return_search", sa.Column("status", _TEXT(length=32), nullable=True))
    op.execute(
        "UPDATE return_search SET created_at = (SELECT r.created_at FROM return_requests r"
        " WHERE r.id = return_search.return_request_id), status = (SELECT r.status"
        " FROM return_requests r WHERE r.id = return_search.return_request_id)"
    )
    for statement in _STATUS_TRIGGER[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER return_search_status ON return_requests")
        op.execute("DROP FUNCTION returns_search_status()")
    else:
        op.execute("DROP TRIGGER return_search_status")
    op.drop_column("return_search", "status")
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER {_FTS}_au")
        op.execute(_fts_update_trigger("AFTER UPDATE ON return_search"))
    op.drop_column("return_search", "created_at")
    op.drop_table("insight_days")
