"""The exchange's part of a ReturnRequest (domain/returns.py): the lines a customer asked to
receive instead of returned units, kept consistent with the units on every change, released
to the merchant's order system once (DESIGN §2 "ExchangeLine").

The invariant: per replaced sku, the live exchange quantity never exceeds the counted units
of that sku (requested while undecided, approved after the decision, none once rejected or
cancelled). Every change of a request ends in `_touch`, so that is where lines whose units
went away are cancelled and approved ones reserved; a split carries lines with its units.

Money is the balance's (domain/balance.py): the difference due is one of its figures, and a
release compares it with what was paid in minor units, so leftover fractions never block."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, replace
from datetime import datetime
from decimal import Decimal

from domain import events as ev
from domain.balance import request_balance
from domain.errors import (
    DomainError,
    DomainErrors,
    ErrorCode,
    InvalidInput,
    InvalidTransition,
    NotFound,
    QuantityExceeded,
)
from domain.exchange_lines import (
    CONVERTIBLE,
    RELEASABLE,
    ExchangeFulfilment,
    ExchangeItem,
    ExchangeLine,
    ExchangeLineStatus,
    ExchangePayment,
)
from domain.lifecycle import APPROVED_FAMILY, Action
from domain.parts import RefundOutcome
from domain.request_fees import RequestFees
from domain.values import (
    Actor,
    Address,
    bounded_text,
    currency_code,
    money_amount,
    optional_text,
    positive_quantity,
)
from domain.variants import Catalogue, ExchangeRelease, OutOfStockFallback

S = ExchangeLineStatus
FIELD = "exchange_items"
FALLBACK_OUTCOME = {
    OutOfStockFallback.REFUND: RefundOutcome.MONEY,
    OutOfStockFallback.STORE_CREDIT: RefundOutcome.STORE_CREDIT,
}


class PaymentRequired(DomainError):
    code = ErrorCode.PAYMENT_REQUIRED


class Exchanges(RequestFees):
    # ----------------------------------------------------------------- reading

    def counted_units(self) -> dict[str, int]:
        """The units exchange lines may replace, per sku."""
        if not self.status.is_live:
            return {}
        if self.status.is_undecided:
            return {item.sku: item.quantity for item in self.items}
        return {item.sku: item.approved_quantity for item in self.items}

    def exchange_line(self, line_id: str) -> ExchangeLine:
        found = next((line for line in self.exchange_lines if line.line_id == line_id), None)
        if found is None:
            raise NotFound(
                f"exchange line {line_id} not found on return request {self.id}", field="line_id"
            )
        return found

    @property
    def has_exchange(self) -> bool:
        return any(line.is_live for line in self.exchange_lines)

    def _exchange_precondition(self, action: Action) -> bool:
        """The checks beyond status for the exchange actions (allowedActions)."""
        statuses = {line.status for line in self.exchange_lines}
        if action == Action.RELEASE_EXCHANGE:
            return bool(statuses & RELEASABLE)
        if action == Action.RECORD_EXCHANGE_PAYMENT:
            return any(b.unpaid > 0 for b in self.balance())
        if action == Action.CONVERT_EXCHANGE:
            return bool(statuses & CONVERTIBLE)
        if action == Action.FULFIL_EXCHANGE:
            return S.RELEASED in statuses
        if action == Action.CANCEL:
            return not self._released_lines()
        return True

    # ----------------------------------------------------------------- asking

    def _ask_exchanges(
        self, items: Sequence[ExchangeItem], catalogue: Catalogue, *, at: datetime, actor: Actor
    ) -> None:
        """Replace the lines not yet decided with new ones for `items` (all checked first);
        a request asking for an exchange takes the merchant's exchange resolution."""
        new = self._checked_lines(items, catalogue)
        for line in self.exchange_lines:
            if line.is_live:
                self._cancel_line(line, line.quantity, "EDITED", at=at, actor=actor)
        number = self._last_line_number()
        for offset, line in enumerate(new, start=1):
            line.line_id = f"XL-{number + offset}"
        self.exchange_lines.extend(new)
        if new and catalogue.exchange_resolution:
            self.details = replace(self.details, resolution=catalogue.exchange_resolution)
        if new:
            self._record(
                ev.ExchangeRequested,
                at,
                actor,
                merchant=self.merchant,
                order_reference=self.order_reference,
                lines=_facts(new),
            )

    def _checked_lines(
        self, items: Sequence[ExchangeItem], catalogue: Catalogue
    ) -> list[ExchangeLine]:
        problems: list[DomainError] = []
        lines: list[ExchangeLine] = []
        asked: dict[str, int] = defaultdict(int)
        for item in items:
            try:
                line = self._checked_line(item, catalogue)
            except DomainError as problem:
                problems.append(problem)
                continue
            lines.append(line)
            asked[line.replaces_sku] += line.quantity
        counted = self.counted_units()
        for sku, quantity in asked.items():
            if quantity > counted.get(sku, 0):
                problems.append(
                    QuantityExceeded(
                        f"{quantity} units exchanged for sku {sku}, but only "
                        f"{counted.get(sku, 0)} are returned",
                        field=f"{FIELD}.quantity",
                    )
                )
        if problems:
            raise DomainErrors(problems)
        return lines

    def _checked_line(self, item: ExchangeItem, catalogue: Catalogue) -> ExchangeLine:
        quantity = positive_quantity(item.quantity, field=f"{FIELD}.quantity")
        returned = self.item(item.replaces_sku, field_name=f"{FIELD}.replaces_sku")
        variant = catalogue.variant(item.sku)
        if variant is None:
            raise DomainError(
                f"sku {item.sku} is not a variant merchant {self.merchant} exchanges into",
                field=f"{FIELD}.sku",
                code=ErrorCode.UNKNOWN_SKU,
            )
        if not variant.exchangeable:
            raise DomainError(
                f"sku {item.sku} is neither available nor backorderable",
                field=f"{FIELD}.sku",
                code=ErrorCode.OUT_OF_STOCK,
            )
        if variant.currency != returned.currency:
            raise _not_allowed(
                f"sku {item.sku} is priced in {variant.currency}, the returned item in "
                f"{returned.currency}"
            )
        group = catalogue.group_of(returned.sku)
        if not catalogue.settings.allow_any_product and group != variant.group_key:
            raise _not_allowed(
                f"sku {item.sku} is another product than {returned.sku}; merchant "
                f"{self.merchant} exchanges within a product only"
            )
        return ExchangeLine(
            line_id="",
            sku=variant.sku,
            title=variant.title,
            quantity=quantity,
            replaces_sku=returned.sku,
            unit_price=variant.price,
            currency=variant.currency,
        )

    def _last_line_number(self) -> int:
        numbers = [int(line.line_id.rpartition("-")[2] or 0) for line in self.exchange_lines]
        return max(numbers, default=0)

    # ----------------------------------------------------------------- consistency

    def _touch(self, at: datetime, actor: Actor) -> None:
        super()._touch(at, actor)
        self._sync_exchanges(at=at, actor=actor)

    def _sync_exchanges(self, *, at: datetime, actor: Actor) -> None:
        """Cancel the live quantity beyond each sku's counted units (latest lines first, sent
        ones never) and reserve pending lines once their units are approved."""
        if not self.exchange_lines:
            return
        counted = self.counted_units()
        reason = "UNITS_REJECTED" if self.status.is_live else "REQUEST_ENDED"
        for sku in {line.replaces_sku for line in self.exchange_lines}:
            excess = self._live_quantity(sku) - counted.get(sku, 0)
            for line in reversed(self.exchange_lines):
                if excess <= 0:
                    break
                if line.replaces_sku == sku and line.is_live and not line.status.is_released:
                    taken = min(excess, line.quantity)
                    self._cancel_line(line, taken, reason, at=at, actor=actor)
                    excess -= taken
        if self.status in APPROVED_FAMILY:
            for line in self.exchange_lines:
                if line.status == S.PENDING:
                    line.status = S.RESERVED

    def _live_quantity(self, sku: str) -> int:
        return sum(
            line.quantity
            for line in self.exchange_lines
            if line.replaces_sku == sku and line.is_live
        )

    def _cancel_line(
        self, line: ExchangeLine, quantity: int, reason: str, *, at: datetime, actor: Actor
    ) -> None:
        """Cancel `quantity` units of the line: all of it, or a part that stays on as a
        cancelled line of its own (the next id), so what was asked remains visible."""
        if quantity < line.quantity:
            line.quantity -= quantity
            cut = f"XL-{self._last_line_number() + 1}"
            self.exchange_lines.append(
                replace(line, line_id=cut, quantity=quantity, status=S.CANCELLED)
            )
        else:
            line.status = S.CANCELLED
        self._record(
            ev.ExchangeCancelled,
            at,
            actor,
            line_id=line.line_id,
            sku=line.sku,
            quantity=quantity,
            reason=reason,
        )

    def _released_lines(self) -> list[ExchangeLine]:
        return [line for line in self.exchange_lines if line.status.is_released]

    def _require_nothing_released(self, verb: str) -> None:
        if self._released_lines():
            raise DomainError(
                f"cannot {verb} return request {self.id}: its exchange was released to the "
                "merchant's order system",
                code=ErrorCode.INVALID_TRANSITION,
            )

    def _carry_exchange_lines(self, moved: Mapping[str, int]) -> list[ExchangeLine]:
        """Split: moved units take their exchange lines with them (latest first), a line
        cut in two when only some of its units move; the ids stay."""
        carried: list[ExchangeLine] = []
        for sku, units in moved.items():
            for line in reversed(self.exchange_lines):
                if units <= 0:
                    break
                if line.replaces_sku != sku or not line.is_live:
                    continue
                taken = min(units, line.quantity)
                carried.insert(0, replace(line, quantity=taken))
                line.quantity -= taken
                units -= taken
        self.exchange_lines = [line for line in self.exchange_lines if line.quantity > 0]
        return carried

    # ----------------------------------------------------------------- release

    def release_exchange(
        self,
        catalogue: Catalogue,
        *,
        at: datetime,
        actor: Actor,
        ship_to: Address | None,
        trigger: ExchangeRelease | None = None,
    ) -> bool:
        """Release the waiting lines: by hand (`trigger` None; refused when nothing waits or
        the customer owes a difference: PAYMENT_REQUIRED), or by the merchant's trigger
        (APPROVAL, FIRST_SCAN, RECEIPT; anything else is ignored, and an unpaid difference
        waits in PAYMENT_REQUIRED). Lines unavailable now become OUT_OF_STOCK and the
        fallback applies. True when lines were released."""
        if trigger is None:
            self._require(Action.RELEASE_EXCHANGE)
            candidates = [line for line in self.exchange_lines if line.status in RELEASABLE]
            if not candidates:
                raise InvalidTransition(
                    Action.RELEASE_EXCHANGE.value,
                    self.status.value,
                    [a.value for a in self.allowed_actions],
                )
        else:
            if trigger != catalogue.settings.release_on or self.status not in APPROVED_FAMILY:
                return False
            candidates = self._waiting_for(trigger)
        if not candidates:
            return False
        gone = [line for line in candidates if not _in_stock(line, catalogue)]
        going = [line for line in candidates if line not in gone]
        fallback = catalogue.settings.out_of_stock_fallback
        owed = self._owed_after(gone, fallback) if going else {}
        if owed and trigger is None:
            shown = ", ".join(f"{amount} {currency}" for currency, amount in owed.items())
            raise PaymentRequired(
                f"the customer owes {shown} on return request {self.id}; record the payment "
                "before releasing the exchange",
                field="return_request_id",
            )
        for line in gone:
            self._out_of_stock(line, fallback, at=at, actor=actor)
        if owed:
            for line in going:
                line.status = S.PAYMENT_REQUIRED
        else:
            self._release(going, at=at, actor=actor, ship_to=ship_to)
        self._touch(at, actor)
        return bool(going) and not owed

    def _waiting_for(self, trigger: ExchangeRelease) -> list[ExchangeLine]:
        waiting = [
            line for line in self.exchange_lines if line.status in (S.RESERVED, S.PAYMENT_REQUIRED)
        ]
        if trigger != ExchangeRelease.RECEIPT:
            return waiting
        received = {
            item.sku
            for item in self.items
            if item.received_quantity and not item.outstanding_quantity
        }
        return [line for line in waiting if line.replaces_sku in received]

    def _owed_after(
        self, gone: Sequence[ExchangeLine], fallback: OutOfStockFallback
    ) -> dict[str, Decimal]:
        """What the customer would still owe once the unavailable lines took the fallback."""
        converts = fallback in FALLBACK_OUTCOME
        lines = [
            replace(line, status=S.CONVERTED) if converts and line in gone else line
            for line in self.exchange_lines
        ]
        balance = request_balance(
            approved=self.status in APPROVED_FAMILY,
            items=self.items,
            fees=self.fees,
            refunds=self.refunds,
            exchanges=lines,
            payments=self.exchange_payments,
        )
        return {b.currency: b.unpaid for b in balance if b.unpaid > 0}

    def _out_of_stock(
        self, line: ExchangeLine, fallback: OutOfStockFallback, *, at: datetime, actor: Actor
    ) -> None:
        line.status = S.OUT_OF_STOCK
        self._record(
            ev.ExchangeOutOfStock,
            at,
            actor,
            line_id=line.line_id,
            sku=line.sku,
            fallback=fallback.value,
        )
        outcome = FALLBACK_OUTCOME.get(fallback)
        if outcome is not None:
            self._convert(line, outcome, at=at, actor=actor)

    def _release(
        self,
        lines: Sequence[ExchangeLine],
        *,
        at: datetime,
        actor: Actor,
        ship_to: Address | None,
    ) -> None:
        if not lines:
            return
        for line in lines:
            line.status = S.RELEASED
            line.released_at = at
        self._record(
            ev.ExchangeReleased,
            at,
            actor,
            merchant=self.merchant,
            order_reference=self.order_reference,
            lines=_facts(lines),
            ship_to=_address(self.details.pickup or ship_to),
        )

    # ----------------------------------------------------------------- payment, fulfilment

    def record_exchange_payment(
        self,
        *,
        amount: Decimal,
        currency: str,
        catalogue: Catalogue,
        at: datetime,
        actor: Actor,
        ship_to: Address | None,
        reference: str | None = None,
    ) -> ExchangePayment:
        """Record what the customer paid towards the difference (never more than owed); a
        payment that covers it releases the lines waiting for it."""
        self._require(Action.RECORD_EXCHANGE_PAYMENT)
        amount = money_amount(amount)
        currency = currency_code(currency)
        owed = next((b.unpaid for b in self.balance() if b.currency == currency), Decimal(0))
        if amount > owed:
            raise InvalidInput(
                f"the customer owes {owed} {currency} on return request {self.id}, "
                f"not {amount} {currency}",
                field="amount",
            )
        payment = ExchangePayment(amount, currency, at, optional_text(reference, "reference"))
        self.exchange_payments.append(payment)
        self._record(
            ev.ExchangePaymentRecorded,
            at,
            actor,
            amount=amount,
            currency=currency,
            reference=payment.reference,
        )
        waiting = [line for line in self.exchange_lines if line.status == S.PAYMENT_REQUIRED]
        if waiting and not any(b.unpaid > 0 for b in self.balance()):
            self._release(waiting, at=at, actor=actor, ship_to=ship_to)
        self._touch(at, actor)
        return payment

    def mark_exchange_fulfilled(
        self,
        *,
        tracking_number: str,
        at: datetime,
        actor: Actor,
        line_ids: Sequence[str] | None = None,
        carrier: str | None = None,
        tracking_url: str | None = None,
    ) -> list[ExchangeLine]:
        """The merchant shipped released lines (all of them when `line_ids` is None)."""
        self._require(Action.FULFIL_EXCHANGE)
        if line_ids is None:
            lines = [line for line in self.exchange_lines if line.status == S.RELEASED]
        else:
            lines = [self.exchange_line(line_id) for line_id in dict.fromkeys(line_ids)]
        waiting = [line.line_id for line in lines if line.status != S.RELEASED]
        if not lines or waiting:
            raise DomainError(
                f"only released exchange lines can be fulfilled; not {', '.join(waiting)}"
                if waiting
                else f"return request {self.id} has no released exchange line",
                field="line_ids",
                code=ErrorCode.INVALID_TRANSITION,
            )
        fulfilment = ExchangeFulfilment(
            bounded_text(tracking_number, field="tracking_number", limit=200),
            at,
            optional_text(carrier, "carrier", 100),
            optional_text(tracking_url, "tracking_url", 2000),
        )
        for line in lines:
            line.status = S.FULFILLED
            line.fulfilment = fulfilment
        self._record(
            ev.ExchangeFulfilled,
            at,
            actor,
            line_ids=tuple(line.line_id for line in lines),
            tracking_number=fulfilment.tracking_number,
            carrier=fulfilment.carrier,
            tracking_url=fulfilment.tracking_url,
        )
        self._touch(at, actor)
        return lines

    def convert_exchange(
        self, line_id: str, outcome: RefundOutcome, *, at: datetime, actor: Actor
    ) -> ExchangeLine:
        """Turn a line not yet sent into money or store credit: its value leaves the exchange
        total and becomes refundable (the refund itself is recorded as any other)."""
        self._require(Action.CONVERT_EXCHANGE)
        line = self.exchange_line(line_id)
        if line.status not in CONVERTIBLE:
            raise DomainError(
                f"exchange line {line_id} is {line.status.value}; only a line not yet "
                "released can be converted",
                field="line_id",
                code=ErrorCode.INVALID_TRANSITION,
            )
        self._convert(line, RefundOutcome(outcome), at=at, actor=actor)
        self._touch(at, actor)
        return line

    def _convert(
        self, line: ExchangeLine, outcome: RefundOutcome, *, at: datetime, actor: Actor
    ) -> None:
        line.status = S.CONVERTED
        line.converted_to = outcome
        self._record(
            ev.ExchangeConverted,
            at,
            actor,
            line_id=line.line_id,
            outcome=outcome.value,
            amount=line.total,
            currency=line.currency,
        )


def _in_stock(line: ExchangeLine, catalogue: Catalogue) -> bool:
    variant = catalogue.variant(line.sku)
    return variant is not None and variant.exchangeable


def _not_allowed(message: str) -> DomainError:
    return DomainError(message, field=f"{FIELD}.sku", code=ErrorCode.EXCHANGE_NOT_ALLOWED)


def _facts(lines: Sequence[ExchangeLine]) -> ev.ExchangeLineFacts:
    return tuple(
        (line.line_id, line.sku, line.quantity, line.replaces_sku, line.unit_price, line.currency)
        for line in lines
    )


def _address(address: Address | None) -> dict[str, object] | None:
    if address is None:
        return None
    return {key: value for key, value in asdict(address).items() if value is not None}
