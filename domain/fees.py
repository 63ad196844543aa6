"""Fees: deductions from what a customer gets back (DESIGN.md §2 "Fee").

A merchant's FeeRule says which kind of fee (restocking, return shipping, handling), on
which basis (a flat amount, a percent of each item, a percent of the whole return), where it
applies (resolutions, reasons, item conditions, countries; empty means any) and which reasons
waive it (the shop is at fault: no fee). `evaluate_fees` turns rules and the lines of a
return into Fees, rounded per line in the currency's minor units; `reevaluate` merges a new
evaluation into the fees a request has, keeping what a person waived or set by hand; and
`cap_fees` keeps the fees of each currency within what they may take. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from domain.currencies import round_money
from domain.errors import InvalidInput
from domain.values import MAX_AMOUNT, currency_code, new_id, optional_code

MAX_PERCENT = Decimal(100)
MAX_FILTER_CODES = 100


class FeeKind(StrEnum):
    RESTOCKING = "RESTOCKING"
    RETURN_SHIPPING = "RETURN_SHIPPING"
    HANDLING = "HANDLING"


class FeeBasis(StrEnum):
    FLAT = "FLAT"  # an amount in the rule's currency, once per return
    PERCENT_OF_ITEM = "PERCENT_OF_ITEM"  # a percent of each matching line's value
    PERCENT_OF_RETURN = "PERCENT_OF_RETURN"  # a percent of the matching lines' total, once


@dataclass(frozen=True, slots=True)
class FeeLine:
    """One line of a return as fees see it: its value (unit price times units) and what the
    rules filter on. The item condition is None until the warehouse has judged it."""

    sku: str
    currency: str
    value: Decimal
    reason: str | None = None
    condition: str | None = None
    resolution: str | None = None
    quantity: int = 0  # the units the value is of (shown by the quote)


@dataclass(frozen=True, slots=True)
class FeeRule:
    id: str
    merchant: str
    kind: FeeKind
    basis: FeeBasis
    value: Decimal  # the flat amount, or the percent (0 < p ≤ 100)
    currency: str | None = None  # FLAT only: the fee applies to lines in this currency
    resolutions: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    waiving_reasons: tuple[str, ...] = ()

    def checked(self) -> FeeRule:
        """The rule as stored, or the InvalidInput that names what is wrong with it."""
        value = self.value
        if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
            raise InvalidInput(f"fee value must be above 0, got {value}", field="value")
        if self.basis == FeeBasis.FLAT:
            if value >= MAX_AMOUNT:
                raise InvalidInput(f"flat fee must be below {MAX_AMOUNT:,.0f}", field="value")
            if self.currency is None:
                raise InvalidInput("a flat fee needs its currency", field="currency")
            currency_code(self.currency)
        elif value > MAX_PERCENT:
            raise InvalidInput(f"a percent fee is at most 100, got {value}", field="value")
        elif self.currency is not None:
            raise InvalidInput("only a flat fee has a currency", field="currency")
        return replace(
            self,
            kind=FeeKind(self.kind),
            basis=FeeBasis(self.basis),
            **{name: _codes(getattr(self, name), name) for name in FILTERS},
        )

    def matches(self, line: FeeLine, country: str | None) -> bool:
        """Whether the rule applies to the line; an empty filter allows anything, and a
        filter on conditions never matches a line whose condition is not yet known."""
        return (
            _allows(self.resolutions, line.resolution)
            and _allows(self.reasons, line.reason)
            and _allows(self.conditions, line.condition)
            and _allows(self.countries, country)
            and (self.currency is None or self.currency == line.currency)
        )

    def waiver(self, lines: Iterable[FeeLine]) -> str | None:
        """Why the fee is waived for these lines (a reason the merchant marked as its own
        fault), or None."""
        for line in lines:
            if line.reason is not None and line.reason in self.waiving_reasons:
                return f"reason {line.reason} waives this fee"
        return None


FILTERS = ("resolutions", "reasons", "conditions", "countries", "waiving_reasons")


def _codes(values: Sequence[str], name: str) -> tuple[str, ...]:
    if len(values) > MAX_FILTER_CODES:
        raise InvalidInput(f"at most {MAX_FILTER_CODES} {name}", field=name)
    codes = (optional_code(value, field=name) for value in values)
    return tuple(dict.fromkeys(code for code in codes if code))


def _allows(codes: tuple[str, ...], value: str | None) -> bool:
    return not codes or (value is not None and value in codes)


@dataclass(frozen=True, slots=True)
class Fee:
    """A fee on a request (or in a quote). `amount` is what the fee takes; a waived fee
    keeps the amount it would have taken and takes nothing. `manual`: a person waived it
    or set its amount, so re-evaluation leaves it as it is."""

    id: str
    kind: FeeKind
    basis: FeeBasis
    amount: Decimal
    currency: str
    rule_id: str | None = None
    sku: str | None = None  # the line of a per-item fee; None for a fee on the return
    rate: Decimal | None = None  # the rule's percent or flat amount
    waived: bool = False
    waived_reason: str | None = None
    waived_by: str | None = None
    waived_at: datetime | None = None
    manual: bool = False
    set_by: str | None = None
    set_reason: str | None = None
    set_at: datetime | None = None

    @property
    def charged(self) -> Decimal:
        """What the fee takes from the customer."""
        return Decimal(0) if self.waived else self.amount

    @property
    def key(self) -> tuple[str | None, str | None, str]:
        """What a re-evaluation recognises a fee by: its rule, line and currency."""
        return self.rule_id, self.sku, self.currency


IdMaker = Callable[[], str]


def new_fee_id() -> str:
    return new_id("FE")


def evaluate_fees(
    rules: Sequence[FeeRule],
    lines: Sequence[FeeLine],
    *,
    country: str | None,
    make_id: IdMaker = new_fee_id,
) -> list[Fee]:
    """The fees the rules put on these lines, in rule order, each rounded in its currency's
    minor units, capped so that no currency's fees exceed its lines' value."""
    fees: list[Fee] = []
    for rule in rules:
        matching = [line for line in lines if line.value > 0 and rule.matches(line, country)]
        if rule.basis == FeeBasis.PERCENT_OF_ITEM:
            for line in matching:
                amount = line.value * rule.value / MAX_PERCENT
                fees.append(_fee(rule, [line], amount, line.currency, line.sku, make_id))
        else:
            for currency, group in _by_currency(matching).items():
                total = sum((line.value for line in group), Decimal(0))
                if rule.basis == FeeBasis.FLAT:
                    amount = rule.value
                else:
                    amount = total * rule.value / MAX_PERCENT
                fees.append(_fee(rule, group, amount, currency, None, make_id))
    return cap_fees(fees, line_values(lines))


def _fee(
    rule: FeeRule,
    lines: Sequence[FeeLine],
    amount: Decimal,
    currency: str,
    sku: str | None,
    make_id: IdMaker,
) -> Fee:
    waiver = rule.waiver(lines)
    return Fee(
        id=make_id(),
        kind=rule.kind,
        basis=rule.basis,
        amount=round_money(amount, currency),
        currency=currency,
        rule_id=rule.id,
        sku=sku,
        rate=rule.value,
        waived=waiver is not None,
        waived_reason=waiver,
    )


def _by_currency(lines: Iterable[FeeLine]) -> dict[str, list[FeeLine]]:
    groups: dict[str, list[FeeLine]] = defaultdict(list)
    for line in lines:
        groups[line.currency].append(line)
    return groups


def line_values(lines: Iterable[FeeLine]) -> dict[str, Decimal]:
    values: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        values[line.currency] += line.value
    return dict(values)


def cap_fees(fees: Sequence[Fee], limits: Mapping[str, Decimal]) -> list[Fee]:
    """The fees with what they take kept within each currency's limit: fees set by hand
    count first (a person decided them), then the others in order, each cut to what is
    left. A hand-set fee is cut only when the value itself shrank under it (a split).
    Waived fees take nothing and are left as they are."""
    left = {currency: max(limit, Decimal(0)) for currency, limit in limits.items()}
    capped: dict[str, Fee] = {}
    for fee in sorted(fees, key=lambda fee: not fee.manual):  # stable: hand-set first
        if not fee.waived:
            # Cut down to a whole minor unit: a price may have more decimals than money.
            room = max(left.get(fee.currency, Decimal(0)), Decimal(0))
            room = round_money(room, fee.currency, rounding=ROUND_DOWN)
            if fee.amount > room:
                fee = replace(fee, amount=room)
            left[fee.currency] = room - fee.amount
        capped[fee.id] = fee
    return [capped[fee.id] for fee in fees]


def reevaluate(current: Sequence[Fee], computed: Sequence[Fee]) -> list[Fee]:
    """A new evaluation merged into the fees a request has: a fee a person waived or set
    stays as it is (Medusa's bug was recomputing such a change away); any other fee takes
    its new amount and keeps its id; a fee its rule no longer gives goes, unless manual."""
    by_key = {fee.key: fee for fee in current}
    merged = []
    for fee in computed:
        before = by_key.pop(fee.key, None)
        if before is None:
            merged.append(fee)
        else:
            merged.append(before if before.manual else replace(fee, id=before.id))
    merged.extend(fee for fee in by_key.values() if fee.manual)
    return merged


def charged_by_currency(fees: Iterable[Fee]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for fee in fees:
        totals[fee.currency] += fee.charged
    return dict(totals)
