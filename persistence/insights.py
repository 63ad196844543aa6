"""Why things come back, and what it costs: the figures of a merchant's insights page, each
chart one aggregate statement computed by the database: the period's whole UTC days summed
from the per-day rollups (persistence/insight_rollups.py, by their primary key), its partial
first and last days counted from the source rows (requests by merchant and creation time,
orders likewise, refunds by time).

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

from sqlalchemy import TextClause, text

from persistence import insight_rollups
from persistence.mappers import value_from_thousandths
from persistence.statements import POSTGRESQL, Statements

TOP_PRODUCTS = 20
TOP_REASONS = 50
MAX_OUTCOMES = 100  # refund types x currencies
MAX_WEEK_ROWS = 320  # two years of weeks, in up to three currencies
# Time from request to first refund, in hours: (label, lower bound inclusive).
DELAY_BUCKETS = insight_rollups.DELAY_BUCKETS


@dataclass(frozen=True, slots=True)
class Period:
    tenant_id: str
    merchant: str
    start: datetime
    end: datetime


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


def _sql(dialect: str, charts: tuple[str, ...], body: str, *, months: bool = True) -> TextClause:
    """`body` reads `parts`: the rows of these charts over the period (whole months and days
    from the rollups, the partial first and last days from the source rows)."""
    stored = insight_rollups.parts(dialect, charts, months=months)
    return insight_rollups.bind_period(text(f"WITH parts AS ({stored}) {body}"))


def _values(period: Period) -> dict[str, Any]:
    return {"tenant": period.tenant_id, "merchant": period.merchant} | (
        insight_rollups.period_values(period.start, period.end)
    )


def _of(chart: str, column: str) -> str:
    return f"sum(CASE WHEN chart = '{chart}' THEN {column} ELSE 0 END)"


@functools.cache
def _products(dialect: str) -> TextClause:
    returns = _of("returned", "n")
    return _sql(
        dialect,
        ("returned", "ordered"),
        f"SELECT k1 AS sku, {returns} AS returns, {_of('returned', 'amount')} AS returned_units,"
        f" {_of('ordered', 'amount')} AS ordered_units FROM parts GROUP BY k1"
        f" HAVING {returns} > 0 ORDER BY returned_units DESC, sku LIMIT {TOP_PRODUCTS}",
    )


@functools.cache
def _reasons(dialect: str) -> TextClause:
    return _sql(
        dialect,
        ("reasons",),
        "SELECT k1 AS sku, k2 AS reason_code, sum(amount) AS units FROM parts GROUP BY k1, k2"
        f" HAVING sum(n) > 0 ORDER BY units DESC, sku, reason_code LIMIT {TOP_REASONS}",
    )


@functools.cache
def _outcomes(dialect: str) -> TextClause:
    return _sql(
        dialect,
        ("outcomes",),
        "SELECT k1 AS refund_type, k2 AS currency, sum(n) AS refunds, sum(amount) AS thousandths"
        " FROM parts GROUP BY k1, k2 HAVING sum(n) > 0"
        f" ORDER BY thousandths DESC, currency, refund_type LIMIT {MAX_OUTCOMES}",
    )


@functools.cache
def _delays(dialect: str) -> TextClause:
    return _sql(
        dialect,
        ("delays",),
        "SELECT k1 AS bucket, sum(n) AS requests, sum(amount) AS seconds FROM parts GROUP BY k1",
    )


@functools.cache
def _weekly(dialect: str) -> TextClause:
    if dialect == POSTGRESQL:
        week = "CAST(date_trunc('week', day) AS DATE)"
    else:
        week = "date(day, '-6 days', 'weekday 1')"
    return _sql(
        dialect,
        ("refunds",),
        f"SELECT {week} AS week_start, k1 AS currency, sum(amount) AS thousandths FROM parts"
        f" GROUP BY 1, k1 HAVING sum(n) > 0 ORDER BY 1, k1 LIMIT {MAX_WEEK_ROWS}",
        months=False,  # weeks cross months: summed from days
    )


async def products(reads: Statements, period: Period) -> list[ProductReturns]:
    rows = await reads.rows(_products(reads.dialect_name), _values(period))
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
    rows = await reads.rows(_reasons(reads.dialect_name), _values(period))
    return [ReasonUnits(row["sku"], row["reason_code"] or None, int(row["units"])) for row in rows]


async def outcomes(reads: Statements, period: Period) -> list[Outcome]:
    rows = await reads.rows(_outcomes(reads.dialect_name), _values(period))
    return [
        Outcome(
            refund_type=row["refund_type"] or None,
            currency=row["currency"],
            refunds=int(row["refunds"]),
            amount=value_from_thousandths(int(row["thousandths"])),
        )
        for row in rows
    ]


async def refund_delays(reads: Statements, period: Period) -> list[RefundDelay]:
    """Every bucket, in order, zero included."""
    rows = await reads.rows(_delays(reads.dialect_name), _values(period))
    found = {row["bucket"]: row for row in rows}
    return [
        RefundDelay(
            bucket=label,
            requests=int(found[label]["requests"]) if label in found else 0,
            average_hours=_hours(found[label]) if label in found else 0,
        )
        for label, _ in DELAY_BUCKETS
    ]


async def weekly_refunds(reads: Statements, period: Period) -> list[WeeklyRefunds]:
    rows = await reads.rows(_weekly(reads.dialect_name), _values(period))
    return [
        WeeklyRefunds(
            week_start=_day(row["week_start"]),
            currency=row["currency"],
            amount=value_from_thousandths(int(row["thousandths"])),
        )
        for row in rows
    ]


def _hours(row: Any) -> float:
    """The average of whole seconds, in hours to a tenth."""
    requests = int(row["requests"])
    return round(int(row["seconds"]) / requests / 3600, 1) if requests else 0.0


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


CHARTS: Sequence[str] = ("products", "reasons", "outcomes", "refund_delays", "weekly_refunds")
