"""The Quote (DESIGN.md §2): what a customer gets back for a return, per line and in total,
by outcome (money refund, store credit with its bonus), less fees. Computed, never stored:
the same pure function answers for a return about to be created and for one that exists."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from domain.currencies import round_money
from domain.exchange_lines import ExchangeLineStatus
from domain.fees import Fee, FeeLine, FeeRule, charged_by_currency, evaluate_fees, line_values
from domain.parts import RefundOutcome
from domain.request_fees import RequestFees

# The store-credit bonus for an amount of credit in a currency (the merchant's setting,
# flat or percent and capped); the quote rounds it in the currency's minor units.
Bonus = Callable[[str, Decimal], Decimal]


def no_bonus(currency: str, amount: Decimal) -> Decimal:
    return Decimal(0)


@dataclass(frozen=True, slots=True)
class QuoteLine:
    sku: str
    quantity: int
    currency: str
    value: Decimal
    fees: tuple[Fee, ...]

    @property
    def fees_total(self) -> Decimal:
        return sum((fee.charged for fee in self.fees), Decimal(0))

    @property
    def net(self) -> Decimal:
        return self.value - self.fees_total


@dataclass(frozen=True, slots=True)
class QuoteOutcome:
    outcome: RefundOutcome
    amount: Decimal  # the value less fees
    bonus: Decimal

    @property
    def total(self) -> Decimal:
        return self.amount + self.bonus


@dataclass(frozen=True, slots=True)
class QuoteTotal:
    currency: str
    value: Decimal
    fees: Decimal
    outcomes: tuple[QuoteOutcome, ...]
    exchange_total: Decimal = Decimal(0)

    @property
    def net(self) -> Decimal:
        return self.value - self.fees

    @property
    def difference_due(self) -> Decimal:
        """As the balance reckons it (domain/balance.py), on the quoted value and fees."""
        if not self.exchange_total:
            return Decimal(0)
        return round_money(self.exchange_total - (self.value - self.fees), self.currency)


@dataclass(frozen=True, slots=True)
class QuoteExchangeLine:
    """A live exchange line of the quoted return: what the customer receives instead."""

    sku: str
    title: str
    quantity: int
    replaces_sku: str
    unit_price: Decimal
    currency: str
    exchangeable: bool

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True, slots=True)
class Quote:
    lines: tuple[QuoteLine, ...]
    fees: tuple[Fee, ...]  # every fee, per line and on the whole return
    totals: tuple[QuoteTotal, ...]
    exchange_lines: tuple[QuoteExchangeLine, ...] = ()


def quote_return(
    lines: Sequence[FeeLine], fees: Sequence[Fee], *, bonus: Bonus = no_bonus
) -> Quote:
    """The quote for these lines and the fees they bear (evaluated for a return about to
    be created, or those a request has). Store credit adds the bonus, which takes nothing
    from the money outcome."""
    quoted = tuple(
        QuoteLine(
            line.sku,
            line.quantity,
            line.currency,
            line.value,
            tuple(fee for fee in fees if fee.sku == line.sku and fee.currency == line.currency),
        )
        for line in lines
    )
    values, charged = line_values(lines), charged_by_currency(fees)
    totals = []
    for currency in sorted(set(values) | set(charged)):
        value, taken = values.get(currency, Decimal(0)), charged.get(currency, Decimal(0))
        net = value - taken
        totals.append(
            QuoteTotal(
                currency,
                value,
                taken,
                (
                    QuoteOutcome(RefundOutcome.MONEY, net, round_money(Decimal(0), currency)),
                    QuoteOutcome(
                        RefundOutcome.STORE_CREDIT, net, round_money(bonus(currency, net), currency)
                    ),
                ),
            )
        )
    return Quote(quoted, tuple(fees), tuple(totals))


def request_quote(
    request: RequestFees, rules: Sequence[FeeRule], *, bonus: Bonus = no_bonus
) -> Quote:
    """The quote of a request: once decided, its approved units and its own fees (as they
    stand, waivers and hand-set amounts included); before that, the requested units and
    the fees the merchant's rules would put on them."""
    if request.status.is_undecided:
        return new_return_quote(request, rules, bonus=bonus)
    return _with_exchange(quote_return(request.fee_lines(), request.fees, bonus=bonus), request)


def new_return_quote(
    request: RequestFees, rules: Sequence[FeeRule], *, bonus: Bonus = no_bonus
) -> Quote:
    """The quote of every requested unit, as if approved: what the customer is told before
    submitting. Its fees are numbered in order (QF-1, QF-2…), so the same question gets
    the same answer."""
    lines = request.fee_lines(requested=True)
    numbers = itertools.count(1)
    fees = evaluate_fees(
        rules, lines, country=request.fee_country, make_id=lambda: f"QF-{next(numbers)}"
    )
    return _with_exchange(quote_return(lines, fees, bonus=bonus), request)


def _with_exchange(quote: Quote, request: RequestFees) -> Quote:
    """The quote with the request's live exchange lines and, per currency, their total and
    the difference due (each currency the lines are in has a total)."""
    live = [line for line in request.exchange_lines if line.is_live]
    if not live:
        return quote
    lines = tuple(
        QuoteExchangeLine(
            line.sku,
            line.title,
            line.quantity,
            line.replaces_sku,
            line.unit_price,
            line.currency,
            line.status != ExchangeLineStatus.OUT_OF_STOCK,
        )
        for line in live
    )
    exchanged: dict[str, Decimal] = {}
    for line in lines:
        exchanged[line.currency] = exchanged.get(line.currency, Decimal(0)) + line.total
    totals = tuple(
        replace(total, exchange_total=exchanged.get(total.currency, Decimal(0)))
        for total in quote.totals
    )
    return replace(quote, totals=totals, exchange_lines=lines)
