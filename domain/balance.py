"""Where a request's money stands, per currency: the value of the returned units, the fees
it takes, what the exchange lines cost and what was paid towards them, what was refunded
and credited, and what remains. One pure function computes it for every use: the refund
cap, `ReturnRequest.balance` on GraphQL, Carriyo's refund totals, the quote of an existing
request and the exchange's difference due, so they never disagree."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from domain.currencies import round_money
from domain.exchange_lines import ExchangeLine, ExchangePayment
from domain.fees import Fee
from domain.parts import Refund, RefundOutcome, ReturnItem

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Balance:
    currency: str
    approved_value: Decimal
    fees: Decimal
    refunded: Decimal
    credited: Decimal
    exchange_total: Decimal = ZERO  # live exchange lines: unit price x quantity
    paid: Decimal = ZERO  # what the customer paid towards a positive difference
    returned_value: Decimal = ZERO  # counted units: requested while undecided, else approved

    @property
    def refundable(self) -> Decimal:
        """What the customer may get back in all: the approved value less fees."""
        return self.approved_value - self.fees

    @property
    def difference_due(self) -> Decimal:
        """exchange total - (returned value - fees), in minor units: positive, the customer
        owes it; negative, the merchant does. 0 when the request exchanges nothing, so a
        plain return never shows its refund as a difference."""
        if not self.exchange_total:
            return round_money(ZERO, self.currency)
        due = self.exchange_total - (self.returned_value - self.fees)
        return round_money(due, self.currency)

    @property
    def unpaid(self) -> Decimal:
        """What the customer still owes, in minor units (never below 0): leftover fractions
        of a minor unit never block a release."""
        owed = self.difference_due - round_money(self.paid, self.currency)
        return max(round_money(ZERO, self.currency), owed)

    @property
    def remaining(self) -> Decimal:
        left = self.refundable - self.refunded - self.credited
        if not self.exchange_total:
            return left
        return round_money(max(ZERO, left - self.exchange_total), self.currency)


def request_balance(
    *,
    approved: bool,
    items: Iterable[ReturnItem],
    fees: Iterable[Fee],
    refunds: Iterable[Refund],
    undecided: bool = False,
    exchanges: Iterable[ExchangeLine] = (),
    payments: Iterable[ExchangePayment] = (),
) -> list[Balance]:
    """The balance of each currency the request has money in, by currency code. Before
    approval (or after a rejection) no unit is approved, so nothing is refundable; an
    undecided request's returned value is its requested units (what an exchange's
    difference is judged on until the decision).

    A refund by store credit counts as credited (its bonus is not part of the refund, so not
    of the balance); every other refund is refunded money. Only live exchange lines count."""
    value: dict[str, Decimal] = defaultdict(Decimal)
    returned: dict[str, Decimal] = defaultdict(Decimal)
    charged: dict[str, Decimal] = defaultdict(Decimal)
    refunded: dict[str, Decimal] = defaultdict(Decimal)
    credited: dict[str, Decimal] = defaultdict(Decimal)
    exchanged: dict[str, Decimal] = defaultdict(Decimal)
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for item in items:
        if approved:
            value[item.currency] += item.approved_value
            returned[item.currency] += item.approved_value
        elif undecided:
            returned[item.currency] += item.unit_price * item.quantity
    if approved:
        for fee in fees:
            charged[fee.currency] += fee.charged
    for refund in refunds:
        outcome = credited if refund.outcome == RefundOutcome.STORE_CREDIT else refunded
        outcome[refund.currency] += refund.amount
    for line in exchanges:
        if line.is_live:
            exchanged[line.currency] += line.total
    for payment in payments:
        paid[payment.currency] += payment.amount
    money = (value, charged, refunded, credited, exchanged, paid)
    currencies = sorted(set().union(*money))
    return [
        Balance(
            c, value[c], charged[c], refunded[c], credited[c], exchanged[c], paid[c], returned[c]
        )
        for c in currencies
    ]
