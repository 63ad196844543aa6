"""The views of the insights figures (persistence/insights.py computes them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import strawberry

from domain.reference import ReferenceKind
from graphql_api.context import Info
from graphql_api.returns.parts import RefundTypeRef, ReturnReasonRef, referenced
from persistence import insights

T = TypeVar("T")


@strawberry.type(description="Returns of one product in the period.")
class ProductReturns:
    sku: str
    returns: int = strawberry.field(description="Requests that return this sku.")
    returned_units: int
    ordered_units: int = strawberry.field(description="Units of it ordered in the period.")

    @strawberry.field(description="Returned units over ordered units; null when none ordered.")
    def return_rate(self) -> float | None:
        if not self.ordered_units:
            return None
        return round(self.returned_units / self.ordered_units, 4)


@strawberry.type(description="Units of one product returned for one reason.")
class ReasonUnits:
    sku: str
    reason_code: str | None
    units: int
    merchant: strawberry.Private[str]

    @strawberry.field(description="The reason behind reasonCode, in the language asked for.")
    async def reason(self, info: Info, language: str | None = None) -> ReturnReasonRef | None:
        return await referenced(  # type: ignore[no-any-return]
            info, ReferenceKind.RETURN_REASON, self.merchant, self.reason_code, language
        )


@strawberry.type(description="Refunds of one refund type and currency.")
class RefundsByType:
    refund_type_code: str | None
    currency: str
    refunds: int
    amount: Decimal
    merchant: strawberry.Private[str]

    @strawberry.field(description="The refund type behind refundTypeCode.")
    async def refund_type(self, info: Info, language: str | None = None) -> RefundTypeRef | None:
        return await referenced(  # type: ignore[no-any-return]
            info, ReferenceKind.REFUND_TYPE, self.merchant, self.refund_type_code, language
        )


@strawberry.type(description="Requests whose first refund came within this many days.")
class RefundDelay:
    bucket: str = strawberry.field(
        description="UNDER_1_DAY, DAYS_1_TO_3, DAYS_3_TO_7, DAYS_7_TO_14 or OVER_14_DAYS."
    )
    requests: int
    average_hours: float


@strawberry.type(description="Money refunded in one week (Monday to Sunday, UTC).")
class WeeklyRefunds:
    week_start: date
    currency: str
    amount: Decimal


@strawberry.type(
    description="A merchant's insights for a period: each chart is one statement in the "
    "database, run only when selected."
)
class ReturnInsights:
    period: strawberry.Private[insights.Period]

    @strawberry.field
    def merchant(self) -> str:
        return self.period.merchant

    @strawberry.field(description=f"The {insights.TOP_PRODUCTS} most returned products.")
    async def products(self, info: Info) -> list[ProductReturns]:
        found = await _chart(info, insights.products, self.period)
        return [ProductReturns(**vars_of(one)) for one in found]

    @strawberry.field(description="Returned units per product and reason, most first.")
    async def reasons(self, info: Info) -> list[ReasonUnits]:
        found = await _chart(info, insights.reasons, self.period)
        return [ReasonUnits(**vars_of(one), merchant=self.period.merchant) for one in found]

    @strawberry.field(description="Refunds per refund type and currency.")
    async def outcomes(self, info: Info) -> list[RefundsByType]:
        found = await _chart(info, insights.outcomes, self.period)
        return [
            RefundsByType(
                refund_type_code=one.refund_type,
                currency=one.currency,
                refunds=one.refunds,
                amount=one.amount,
                merchant=self.period.merchant,
            )
            for one in found
        ]

    @strawberry.field(description="Time from request to first refund, every bucket listed.")
    async def time_to_refund(self, info: Info) -> list[RefundDelay]:
        found = await _chart(info, insights.refund_delays, self.period)
        return [RefundDelay(**vars_of(one)) for one in found]

    @strawberry.field(description="Money refunded per week (by the refund's time) and currency.")
    async def money_per_week(self, info: Info) -> list[WeeklyRefunds]:
        found = await _chart(info, insights.weekly_refunds, self.period)
        return [WeeklyRefunds(**vars_of(one)) for one in found]


def vars_of(figure: Any) -> dict[str, Any]:
    return {name: getattr(figure, name) for name in figure.__slots__}


async def _chart(info: Info, chart: Callable[..., Awaitable[T]], period: insights.Period) -> T:
    async with info.context.db.reading() as reads:
        return await chart(reads, period)
