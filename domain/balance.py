"""Where a request's money stands, per currency: the value of approved units, the fees it
takes, what was refunded and credited, and what remains. One pure function computes it for
every use: the refund cap, `ReturnRequest.balance` on GraphQL, Carriyo's refund totals and
the quote of an existing request, so they never disagree."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from domain.fees import Fee
from domain.parts import Refund, RefundOutcome, ReturnItem


@dataclass(frozen=True, slots=True)
class Balance:
    currency: str
    approved_value: Decimal
    fees: Decimal
    refunded: Decimal
    credited: Decimal

    @property
    def refundable(self) -> Decimal:
        """What the customer may get back in all: the approved value less fees."""
        return self.approved_value - self.fees

    @property
    def remaining(self) -> Decimal:
        return self.refundable - self.refunded - self.credited


def request_balance(
    *, approved: bool, items: Iterable[ReturnItem], fees: Iterable[Fee], refunds: Iterable[Refund]
) -> list[Balance]:
    """The balance of each currency the request has money in, by currency code. Before
    approval (or after a rejection) no unit is approved, so nothing is refundable.

    A refund by store credit counts as credited (its bonus is not part of the refund, so not
    of the balance); every other refund is refunded money."""
    value: dict[str, Decimal] = defaultdict(Decimal)
    charged: dict[str, Decimal] = defaultdict(Decimal)
    refunded: dict[str, Decimal] = defaultdict(Decimal)
    credited: dict[str, Decimal] = defaultdict(Decimal)
    if approved:
        for item in items:
            value[item.currency] += item.approved_value
        for fee in fees:
            charged[fee.currency] += fee.charged
    for refund in refunds:
        outcome = credited if refund.outcome == RefundOutcome.STORE_CREDIT else refunded
        outcome[refund.currency] += refund.amount
    currencies = sorted(set(value) | set(charged) | set(refunded) | set(credited))
    return [Balance(c, value[c], charged[c], refunded[c], credited[c]) for c in currencies]
