"""Why things come back, and what it costs: the figures of a merchant's insights page, each
chart one aggregate statement computed by the database over an index (requests by
merchant and creation time, orders likewise, refunds by time).

A period is [start, end) on the request's creation time (refunds: on the refund's time for
money per week). Money is summed in thousandths of the currency as whole numbers: amounts
have at most three decimals, so the sum is exact on SQLite (which has no decimal) as on
PostgreSQL, and each currency is summed apart.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import TextClause, bindparam, text

from persistence.mappers import value_from_thousandths
from persistence.statements import POSTGRESQL, Statements
from persistence.types import UTCDateTime

TOP_PRODUCTS = 20
TOP_REASONS = 50
MAX_OUTCOMES = 100  # refund types x currencies
MAX_WEEK_ROWS = 320  # two years of weeks, in up to three currencies
# Time from request to first refund, in hours: (label, lower bound inclusive).
DELAY_BUCKETS = (("UNDER_1_DAY", 0), ("DAYS_1_TO_3", 24), ("DAYS_3_TO_7", 72),
                 ("DAYS_7_TO_14", 168), ("OVER_14_DAYS", 336))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Period:
    tenant_id: str
    merchant: str
    start: datetime
    end: datetime

    def values(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant_id,
            "merchant": self.merchant,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True, slots=True)
class ProductReturns:
    sku: str
    returns: int
    returned_units: int
    ordered_units: int


@dataclass(frozen=True, slots=True)
class ReasonUnits:
    sku: str
    reason_code: str | None
    units: int


@dataclass(frozen=True, slots=True)
class Outcome:
    refund_type: str | None
    currency: str
    refunds: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class RefundDelay:
    bucket: str
    requests: int
    average_hours: float


@dataclass(frozen=True, slots=True)
class WeeklyRefunds:
    week_start: date
    currency: str
    amount: Decimal


def _sql(body: str) -> TextClause:
    return text(body).bindparams(
        bindparam("start", type_=UTCDateTime), bindparam("end", type_=UTCDateTime)
    )


_REQUESTS_IN = (
    "r.tenant_id = :tenant AND r.merchant = :merchant"
    " AND r.created_at >= :start AND r.created_at < :end"
)


@functools.cache
def _products() -> TextClause:
    return _sql(
        "WITH returned AS (SELECT i.sku AS sku, count(DISTINCT r.id) AS returns,"
        " sum(i.quantity) AS units FROM return_requests r JOIN return_items i"
        f" ON i.return_request_id = r.id WHERE {_REQUESTS_IN} GROUP BY i.sku),"
        " ordered AS (SELECT l.sku AS sku, sum(l.quantity) AS units FROM orders o"
        " JOIN order_lines l ON l.order_id = o.id WHERE o.tenant_id = :tenant"
        " AND o.merchant = :merchant AND o.created_at >= :start AND o.created_at < :end"
        " AND l.sku IN (SELECT sku FROM returned) GROUP BY l.sku)"
        " SELECT returned.sku AS sku, returned.returns AS returns,"
        " returned.units AS returned_units, coalesce(ordered.units, 0) AS ordered_units"
        " FROM returned LEFT JOIN ordered ON ordered.sku = returned.sku"
        f" ORDER BY returned.units DESC, returned.sku LIMIT {TOP_PRODUCTS}"
    )


@functools.cache
def _reasons() -> TextClause:
    return _sql(
        "SELECT i.sku AS sku, i.reason_code AS reason_code, sum(i.quantity) AS units"
        " FROM return_requests r JOIN return_items i ON i.return_request_id = r.id"
        f" WHERE {_REQUESTS_IN} GROUP BY i.sku, i.reason_code"
        f" ORDER BY units DESC, i.sku, i.reason_code LIMIT {TOP_REASONS}"
    )


def _thousandths(dialect: str, column: str) -> str:
    if dialect == POSTGRESQL:
        return f"CAST(round(CAST({column} AS NUMERIC) * 1000) AS BIGINT)"
    return f"CAST(round(CAST({column} AS REAL) * 1000) AS INTEGER)"


@functools.cache
def _outcomes(dialect: str) -> TextClause:
    return _sql(
        "SELECT f.refund_type AS refund_type, f.currency AS currency, count(*) AS refunds,"
        f" sum({_thousandths(dialect, 'f.amount')}) AS thousandths"
        " FROM return_requests r JOIN return_refunds f ON f.return_request_id = r.id"
        f" WHERE {_REQUESTS_IN} GROUP BY f.refund_type, f.currency"
        f" ORDER BY thousandths DESC, f.currency LIMIT {MAX_OUTCOMES}"
    )


@functools.cache
def _delays(dialect: str) -> TextClause:
    if dialect == POSTGRESQL:
        hours = "extract(epoch FROM min(f.created_at) - r.created_at) / 3600.0"
    else:
        hours = "(julianday(min(f.created_at)) - julianday(r.created_at)) * 24.0"
    bucket = "CASE " + " ".join(
        f"WHEN hours >= {low} THEN '{label}'" for label, low in reversed(DELAY_BUCKETS)
    ) + f" ELSE '{DELAY_BUCKETS[0][0]}' END"  # fmt: skip
    return _sql(
        f"SELECT {bucket} AS bucket, count(*) AS requests, avg(hours) AS average_hours"
        f" FROM (SELECT {hours} AS hours FROM return_requests r JOIN return_refunds f"
        f" ON f.return_request_id = r.id WHERE {_REQUESTS_IN} GROUP BY r.id, r.created_at)"
        " delays GROUP BY 1"
    )


@functools.cache
def _weekly(dialect: str) -> TextClause:
    if dialect == POSTGRESQL:
        week = "CAST(date_trunc('week', f.created_at AT TIME ZONE 'UTC') AS DATE)"
    else:
        week = "date(f.created_at, '-6 days', 'weekday 1')"
    return _sql(
        f"SELECT {week} AS week_start, f.currency AS currency,"
        f" sum({_thousandths(dialect, 'f.amount')}) AS thousandths"
        " FROM return_refunds f JOIN return_requests r ON r.id = f.return_request_id"
        " WHERE f.tenant_id = :tenant AND f.created_at >= :start AND f.created_at < :end"
        " AND r.tenant_id = :tenant AND r.merchant = :merchant"
        f" GROUP BY 1, f.currency ORDER BY 1, f.currency LIMIT {MAX_WEEK_ROWS}"
    )


async def products(reads: Statements, period: Period) -> list[ProductReturns]:
    rows = await reads.rows(_products(), period.values())
    return [
        ProductReturns(
            sku=row["sku"],
            returns=int(row["returns"]),
            returned_units=int(row["returned_units"]),
            ordered_units=int(row["ordered_units"]),
        )
        for row in rows
    ]


async def reasons(reads: Statements, period: Period) -> list[ReasonUnits]:
    rows = await reads.rows(_reasons(), period.values())
    return [ReasonUnits(row["sku"], row["reason_code"], int(row["units"])) for row in rows]


async def outcomes(reads: Statements, period: Period) -> list[Outcome]:
    rows = await reads.rows(_outcomes(reads.dialect_name), period.values())
    return [
        Outcome(
            refund_type=row["refund_type"],
            currency=row["currency"],
            refunds=int(row["refunds"]),
            amount=value_from_thousandths(int(row["thousandths"])),
        )
        for row in rows
    ]


async def refund_delays(reads: Statements, period: Period) -> list[RefundDelay]:
    """Every bucket, in order, zero included."""
    rows = await reads.rows(_delays(reads.dialect_name), period.values())
    found = {row["bucket"]: row for row in rows}
    return [
        RefundDelay(
            bucket=label,
            requests=int(found[label]["requests"]) if label in found else 0,
            average_hours=round(float(found[label]["average_hours"]), 1) if label in found else 0,
        )
        for label, _ in DELAY_BUCKETS
    ]


async def weekly_refunds(reads: Statements, period: Period) -> list[WeeklyRefunds]:
    rows = await reads.rows(_weekly(reads.dialect_name), period.values())
    return [
        WeeklyRefunds(
            week_start=_day(row["week_start"]),
            currency=row["currency"],
            amount=value_from_thousandths(int(row["thousandths"])),
        )
        for row in rows
    ]


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


CHARTS: Sequence[str] = ("products", "reasons", "outcomes", "refund_delays", "weekly_refunds")
