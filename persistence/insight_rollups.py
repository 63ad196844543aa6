"""The insights page's figures per merchant and UTC day (`insight_days`), so a chart of a
year sums a few hundred rows per key instead of joining every request of the year with its
items or refunds.

A read model, not a cache: the unit of work keeps it in the transaction that writes the
requests and orders (each write of an aggregate notes the difference between what it
counted as loaded and what it counts now; the commit adds them up in one statement), every
chart still reads the database, and `rebuild` recomputes it from the source rows (migration
0019 does the same for existing data).

What each `chart` row counts, for one (tenant, merchant, day, k1, k2):

- `returned`: requests created that day with an item of sku `k1` (n), and their units of it;
- `ordered`: order lines of sku `k1` in orders created that day (n), and their units;
- `reasons`: item rows of sku `k1` with reason `k2` ('' for none) (n), and their units;
- `outcomes`: refunds of requests created that day, by refund type `k1` ('' for none) and
  currency `k2` (n), and their amount in thousandths;
- `delays`: requests created that day whose first refund came after `k1` (a bucket of
  DELAY_BUCKETS) (n), and the whole seconds from request to first refund;
- `refunds`: refunds made that day (of the merchant's requests) in currency `k1` (n), and
  their amount in thousandths.

The statements that compute a chart sum the whole days of its period from here and count
its partial first and last day from the source rows with `source(...)`, the same SQL that
`rebuild` uses, so a period need not start at midnight UTC.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, TextClause, bindparam, text

from persistence.statements import POSTGRESQL, Statements, Write
from persistence.types import UTCDateTime

Key = tuple[str, date, str, str]  # chart, day, k1, k2
Counts = dict[Key, tuple[int, int]]  # (n, amount)

# Time from request to first refund, in hours: (label, lower bound inclusive).
DELAY_BUCKETS = (("UNDER_1_DAY", 0), ("DAYS_1_TO_3", 24), ("DAYS_3_TO_7", 72),
                 ("DAYS_7_TO_14", 168), ("OVER_14_DAYS", 336))  # fmt: skip
CHARTS = ("returned", "ordered", "reasons", "outcomes", "delays", "refunds")
DAY, MONTH = "day", "month"  # a row's span: one UTC day, or the calendar month from `day`
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


# --------------------------------------------------------------------------- what a write counts


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def whole_seconds(moment: datetime) -> int:
    """Seconds since 1970 of the second `moment` falls in (as the SQL computes it)."""
    return (moment - _EPOCH) // _SECOND


def bucket_of(seconds: int) -> str:
    found = DELAY_BUCKETS[0][0]
    for label, hours in DELAY_BUCKETS:
        if seconds >= hours * 3600:
            found = label
    return found


def thousandths(amount: Decimal | str) -> int:
    return int((Decimal(amount) * 1000).to_integral_value())


def of_request(
    created_at: datetime, items: Iterable[Mapping[str, Any]], refunds: Iterable[Mapping[str, Any]]
) -> Counts:
    """What one request counts: its item rows and refund rows as the repository writes them."""
    counts: defaultdict[Key, list[int]] = defaultdict(lambda: [0, 0])
    day = day_of(created_at)
    for item in items:
        quantity = int(item["quantity"])
        returned = counts[("returned", day, item["sku"], "")]
        returned[0], returned[1] = 1, returned[1] + quantity
        reason = counts[("reasons", day, item["sku"], item["reason_code"] or "")]
        reason[0], reason[1] = reason[0] + 1, reason[1] + quantity
    first: datetime | None = None
    for refund in refunds:
        amount = thousandths(refund["amount"])
        for key in (
            ("outcomes", day, refund["refund_type"] or "", refund["currency"]),
            ("refunds", day_of(refund["created_at"]), refund["currency"], ""),
        ):
            counts[key][0] += 1
            counts[key][1] += amount
        first = refund["created_at"] if first is None else min(first, refund["created_at"])
    if first is not None:
        seconds = whole_seconds(first) - whole_seconds(created_at)
        counts[("delays", day, bucket_of(seconds), "")] = [1, seconds]
    return {key: (n, amount) for key, (n, amount) in counts.items()}


def of_order(created_at: datetime, lines: Iterable[Mapping[str, Any]]) -> Counts:
    """What one order counts: its lines (sku, quantity)."""
    counts: defaultdict[Key, list[int]] = defaultdict(lambda: [0, 0])
    day = day_of(created_at)
    for line in lines:
        ordered = counts[("ordered", day, line["sku"], "")]
        ordered[0], ordered[1] = ordered[0] + 1, ordered[1] + int(line["quantity"])
    return {key: (n, amount) for key, (n, amount) in counts.items()}


def difference(after: Counts, before: Counts) -> Counts:
    """after - before, without the keys that did not change."""
    changed: Counts = {}
    for key in after.keys() | before.keys():
        n1, a1 = after.get(key, (0, 0))
        n0, a0 = before.get(key, (0, 0))
        if (n1 - n0, a1 - a0) != (0, 0):
            changed[key] = (n1 - n0, a1 - a0)
    return changed


_ROLLUP_COLUMNS = ("tenant_id", "merchant", "chart", "span", "day", "k1", "k2", "n", "amount")


@functools.lru_cache(maxsize=64)
def _add(count: int | None = None) -> TextClause:
    """The upsert adding rows to the rollups: of one row bound by column name, or of
    `count` rows in one statement bound as `statements.numbered` binds them."""
    if count is None:
        names = [[name for name in _ROLLUP_COLUMNS]]
    else:
        names = [[f"r{n}_{name}" for name in _ROLLUP_COLUMNS] for n in range(count)]
    rows = ", ".join("(" + ", ".join(f":{name}" for name in row) + ")" for row in names)
    return text(
        f"INSERT INTO insight_days ({', '.join(_ROLLUP_COLUMNS)}) VALUES {rows}"
        " ON CONFLICT (tenant_id, merchant, chart, span, day, k1, k2) DO UPDATE"
        " SET n = insight_days.n + excluded.n, amount = insight_days.amount + excluded.amount"
    ).bindparams(*(bindparam(row[4], type_=Date) for row in names))


def month_of(day: date) -> date:
    return day.replace(day=1)


def with_months(counts: Counts) -> dict[tuple[str, str, date, str, str], tuple[int, int]]:
    """Each day's counts under (chart, DAY, day, k1, k2), and their sums per month under
    (chart, MONTH, first day of the month, k1, k2)."""
    spans: defaultdict[tuple[str, str, date, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for (chart, day, k1, k2), (n, amount) in counts.items():
        for span, first in ((DAY, day), (MONTH, month_of(day))):
            row = spans[(chart, span, first, k1, k2)]
            row[0], row[1] = row[0] + n, row[1] + amount
    return {key: (n, amount) for key, (n, amount) in spans.items() if (n, amount) != (0, 0)}


class Pending:
    """What a unit of work's writes change in the rollups, per merchant, added up as the
    repositories write and added to the rows once, as it commits (`flush`)."""

    def __init__(self) -> None:
        self._changes: defaultdict[str, Counts] = defaultdict(dict)

    def add(self, merchant: str, after: Counts, before: Counts) -> None:
        """An aggregate of `merchant` counted `before` as loaded and counts `after` now."""
        changes = self._changes[merchant]
        for key, (n, amount) in difference(after, before).items():
            n0, a0 = changes.get(key, (0, 0))
            changes[key] = (n0 + n, a0 + amount)

    async def flush(self, statements: Statements, tenant_id: str) -> None:
        """Add the changes to the day and month rows: one statement, none when nothing
        counted changed."""
        await statements.write_all(self.writes(tenant_id))

    def writes(self, tenant_id: str) -> list[Write]:
        """The write adding the changes to the day and month rows (none when nothing counted
        changed), forgetting them here. Rows are touched in key order, so writers adding
        to the same rows never deadlock."""
        rows = [
            {"tenant_id": tenant_id, "merchant": merchant, "chart": chart, "span": span,
             "day": day, "k1": k1, "k2": k2, "n": n, "amount": amount}
            for merchant, counts in sorted(self._changes.items())
            for (chart, span, day, k1, k2), (n, amount) in sorted(with_months(counts).items())
        ]  # fmt: skip
        self._changes.clear()
        return [Write(_add(), rows, _add)] if rows else []


# --------------------------------------------------------------------------- the same from SQL


def _day(dialect: str, column: str) -> str:
    """The UTC day of a timestamp column (SQLite keeps naive UTC text: its first ten
    characters, exactly; date() would round .9995 seconds up)."""
    if dialect == POSTGRESQL:
        return f"CAST({column} AT TIME ZONE 'UTC' AS DATE)"
    return f"substr({column}, 1, 10)"


def _seconds(dialect: str, column: str) -> str:
    if dialect == POSTGRESQL:
        return f"CAST(floor(extract(epoch FROM {column})) AS BIGINT)"
    return f"CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER)"


def _thousandths(dialect: str, column: str) -> str:
    if dialect == POSTGRESQL:
        return f"CAST(round(CAST({column} AS NUMERIC) * 1000) AS BIGINT)"
    return f"CAST(round(CAST({column} AS REAL) * 1000) AS INTEGER)"


def _bucket(column: str) -> str:
    cases = " ".join(
        f"WHEN {column} >= {hours * 3600} THEN '{label}'"
        for label, hours in reversed(DELAY_BUCKETS)
    )
    return f"CASE {cases} ELSE '{DELAY_BUCKETS[0][0]}' END"


# The rows a source statement reads, by chart: whose time counts (alias `{t}` in a
# `where`): the request's, the order's for `ordered`, the refund's for `refunds`.
_TIMED = {"ordered": "o", "refunds": "f"}


def source(dialect: str, chart: str, where: str) -> str:
    """SELECT tenant_id, merchant, chart, day, k1, k2, n, amount: a chart's rows computed
    from the source rows that `where` keeps. `where` is SQL on the columns of `{t}.` (the
    row whose time counts) and, for `refunds`, of `r.` (the request)."""
    timed = _TIMED.get(chart, "r")
    owner = "o" if chart == "ordered" else "r"
    condition = where.replace("{t}", timed)
    day = _day(dialect, f"{timed}.created_at")
    head = (
        f"SELECT {owner}.tenant_id AS tenant_id, {owner}.merchant AS merchant,"
        f" '{chart}' AS chart, {day} AS day,"
    )
    requests_items = "FROM return_requests r JOIN return_items i ON i.return_request_id = r.id"
    requests_refunds = "FROM return_requests r JOIN return_refunds f ON f.return_request_id = r.id"
    money = _thousandths(dialect, "f.amount")
    if chart == "returned":
        return (
            f"{head} i.sku AS k1, '' AS k2, count(DISTINCT r.id) AS n, sum(i.quantity) AS amount"
            f" {requests_items} WHERE {condition} GROUP BY r.tenant_id, r.merchant, {day}, i.sku"
        )
    if chart == "reasons":
        reason = "coalesce(i.reason_code, '')"
        return (
            f"{head} i.sku AS k1, {reason} AS k2, count(*) AS n, sum(i.quantity) AS amount"
            f" {requests_items} WHERE {condition}"
            f" GROUP BY r.tenant_id, r.merchant, {day}, i.sku, {reason}"
        )
    if chart == "ordered":
        return (
            f"{head} l.sku AS k1, '' AS k2, count(*) AS n, sum(l.quantity) AS amount"
            " FROM orders o JOIN order_lines l ON l.order_id = o.id"
            f" WHERE {condition} GROUP BY o.tenant_id, o.merchant, {day}, l.sku"
        )
    if chart == "outcomes":
        kind = "coalesce(f.refund_type, '')"
        return (
            f"{head} {kind} AS k1, f.currency AS k2, count(*) AS n, sum({money}) AS amount"
            f" {requests_refunds} WHERE {condition}"
            f" GROUP BY r.tenant_id, r.merchant, {day}, {kind}, f.currency"
        )
    if chart == "refunds":
        return (
            f"{head} f.currency AS k1, '' AS k2, count(*) AS n, sum({money}) AS amount"
            f" {requests_refunds} WHERE {condition}"
            f" GROUP BY r.tenant_id, r.merchant, {day}, f.currency"
        )
    if chart == "delays":
        seconds = f"{_seconds(dialect, 'min(f.created_at)')} - {_seconds(dialect, 'r.created_at')}"
        return (
            "SELECT tenant_id, merchant, 'delays' AS chart, day,"
            f" {_bucket('seconds')} AS k1, '' AS k2, count(*) AS n, sum(seconds) AS amount"
            f" FROM (SELECT r.tenant_id AS tenant_id, r.merchant AS merchant, {day} AS day,"
            f" {seconds} AS seconds {requests_refunds} WHERE {condition}"
            " GROUP BY r.id, r.tenant_id, r.merchant, r.created_at) requests"
            f" GROUP BY tenant_id, merchant, day, {_bucket('seconds')}"
        )
    raise ValueError(chart)


def in_period(chart: str, low: str, high: str) -> str:
    """The `where` of `source` for one merchant's rows whose time is in [:low, :high)."""
    period = (
        f"{{t}}.tenant_id = :tenant AND {{t}}.created_at >= :{low} AND {{t}}.created_at < :{high}"
    )
    if chart == "refunds":
        return f"{period} AND r.tenant_id = :tenant AND r.merchant = :merchant"
    return f"{period} AND {{t}}.merchant = :merchant"


_STORED_PART = (
    "SELECT chart, day, k1, k2, n, amount FROM insight_days WHERE tenant_id = :tenant"
    " AND merchant = :merchant AND chart IN ({charts}) AND span = '{span}'"
    " AND day >= :{low} AND day < :{high}"
)


@functools.cache
def parts(dialect: str, charts: tuple[str, ...], *, months: bool = True) -> str:
    """SELECT chart, day, k1, k2, n, amount of these charts over a period: its whole months
    from the month rows, its other whole days from the day rows, its partial first and last
    days from the source rows. Without `months` (a chart by week), every whole day from the
    day rows. Bound by `period_values`."""
    listed = ", ".join(f"'{chart}'" for chart in charts)
    spans = (
        ((MONTH, "first_month", "last_month"), (DAY, "first_day", "first_month_day"),
         (DAY, "last_month_day", "last_day"))
        if months
        else ((DAY, "first_day", "last_day"),)
    )  # fmt: skip
    selects = [
        _STORED_PART.format(charts=listed, span=span, low=low, high=high)
        for span, low, high in spans
    ]
    for chart in charts:
        for low, high in (("start", "head_end"), ("tail_start", "end")):
            selects.append(
                "SELECT chart, day, k1, k2, n, amount FROM"
                f" ({source(dialect, chart, in_period(chart, low, high))}) edge"
            )
    return " UNION ALL ".join(selects)


_DAYS = ("first_day", "first_month_day", "first_month", "last_month", "last_month_day", "last_day")


def bind_period(statement: TextClause) -> TextClause:
    """The types of the period's values that `statement` takes."""
    moments = ("start", "head_end", "tail_start", "end")
    return statement.bindparams(
        *(bindparam(name, type_=UTCDateTime) for name in moments),
        *(bindparam(name, type_=Date) for name in _DAYS if f":{name}" in statement.text),
    )


def period_values(start: datetime, end: datetime) -> dict[str, Any]:
    """Where [start, end) splits: whole months [first_month, last_month) from the month
    rows, whole days [first_day, first_month_day) and [last_month_day, last_day) from the
    day rows, [start, head_end) and [tail_start, end) from the source rows."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    first = midnight if midnight == start else midnight + timedelta(days=1)
    last = end.replace(hour=0, minute=0, second=0, microsecond=0)
    if first >= last:  # no whole day: all from the source rows
        day = first.date()
        return {"start": start, "head_end": end, "tail_start": end, "end": end} | dict.fromkeys(
            _DAYS, day
        )
    first_day, last_day = first.date(), last.date()
    first_month = first_day if first_day.day == 1 else _next_month(first_day)
    last_month = month_of(last_day)
    values = {"start": start, "head_end": first, "tail_start": last, "end": end,
              "first_day": first_day, "last_day": last_day}  # fmt: skip
    if first_month < last_month:
        return values | {"first_month": first_month, "last_month": last_month,
                         "first_month_day": first_month, "last_month_day": last_month}  # fmt: skip
    return values | {"first_month": first_day, "last_month": first_day,
                     "first_month_day": last_day, "last_month_day": last_day}  # fmt: skip


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


# --------------------------------------------------------------------------- rebuilding


def _month(dialect: str, column: str) -> str:
    if dialect == POSTGRESQL:
        return f"CAST(date_trunc('month', {column}) AS DATE)"
    return f"date({column}, 'start of month')"


@functools.cache
def _rebuild_statements(dialect: str) -> Sequence[TextClause]:
    columns = "INSERT INTO insight_days (tenant_id, merchant, chart, span, day, k1, k2, n, amount) "
    days = [
        text(
            f"{columns} SELECT tenant_id, merchant, chart, '{DAY}', day, k1, k2, n, amount"
            f" FROM ({source(dialect, chart, '{t}.tenant_id = :tenant')}) counted"
        )
        for chart in CHARTS
    ]
    month = _month(dialect, "day")
    months = text(
        f"{columns} SELECT tenant_id, merchant, chart, '{MONTH}', {month}, k1, k2, sum(n),"
        f" sum(amount) FROM insight_days WHERE tenant_id = :tenant AND span = '{DAY}'"
        f" GROUP BY tenant_id, merchant, chart, {month}, k1, k2"
    )
    return [text("DELETE FROM insight_days WHERE tenant_id = :tenant"), *days, months]


async def rebuild(statements: Statements, tenant_id: str) -> None:
    """Recompute the tenant's rows from its requests, items, refunds and orders (in the
    caller's transaction): the day rows, then the month rows from them."""
    for statement in _rebuild_statements(statements.dialect_name):
        await statements.execute(statement, {"tenant": tenant_id})


@functools.cache
def _recount(dialect: str) -> TextClause:
    return text(
        " UNION ALL ".join(
            f"SELECT * FROM ({source(dialect, chart, '{t}.tenant_id = :tenant')}) counted"
            for chart in CHARTS
        )
    )


@functools.cache
def _stored() -> TextClause:
    return text(
        "SELECT merchant, chart, span, day, k1, k2, n, amount FROM insight_days"
        " WHERE tenant_id = :tenant AND (n <> 0 OR amount <> 0)"
    )


Stored = dict[tuple[str, str, str, date, str, str], tuple[int, int]]


async def recount(statements: Statements, tenant_id: str) -> Stored:
    """The tenant's rows as `rebuild` would write them, counted from the source rows: what
    the stored rows must equal."""
    rows = await statements.rows(_recount(statements.dialect_name), {"tenant": tenant_id})
    by_merchant: defaultdict[str, Counts] = defaultdict(dict)
    for row in rows:
        key = (row["chart"], _as_date(row["day"]), row["k1"], row["k2"])
        by_merchant[row["merchant"]][key] = (int(row["n"]), int(row["amount"]))
    return {
        (merchant, *key): value
        for merchant, counts in by_merchant.items()
        for key, value in with_months(counts).items()
    }


async def stored(statements: Statements, tenant_id: str) -> Stored:
    """The tenant's stored rows that count something (a row brought back to zero stays)."""
    rows = await statements.rows(_stored(), {"tenant": tenant_id})
    return {
        (row["merchant"], row["chart"], row["span"], _as_date(row["day"]), row["k1"], row["k2"]): (
            int(row["n"]),
            int(row["amount"]),
        )
        for row in rows
    }


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
