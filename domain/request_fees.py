"""The fees of a return request: fixed at approval, re-evaluated at receipt once the
warehouse knows each item's condition, waived or set by hand by a person (which the next
re-evaluation keeps), and never taking more than is left to give back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from domain import events as ev
from domain.balance import Balance, request_balance
from domain.currencies import minor_units, round_money
from domain.errors import DomainError, ErrorCode, InvalidInput, InvalidTransition, NotFound
from domain.fees import (
    Fee,
    FeeBasis,
    FeeKind,
    FeeLine,
    FeeRule,
    cap_fees,
    evaluate_fees,
    new_fee_id,
    reevaluate,
)
from domain.lifecycle import APPROVED_FAMILY, Action
from domain.request_state import ReturnRequestState
from domain.values import MAX_AMOUNT, REASON_LIMIT, Actor, bounded_text, currency_code

CHANGE_FEE = "CHANGE_FEE"


class RequestFees(ReturnRequestState):
    def balance(self) -> list[Balance]:
        return request_balance(
            approved=self.status in APPROVED_FAMILY,
            undecided=self.status.is_undecided,
            items=self.items,
            fees=self.fees,
            refunds=self.refunds,
            exchanges=self.exchange_lines,
            payments=self.exchange_payments,
        )

    def fee_lines(self, *, requested: bool = False) -> list[FeeLine]:
        """The lines fees are judged on: approved units, or (for a quote of an undecided
        request) the requested ones. An item without its own resolution takes the
        request's."""
        return [
            FeeLine(
                sku=item.sku,
                currency=item.currency,
                value=item.unit_price * quantity,
                reason=item.reason_code,
                condition=item.item_condition,
                resolution=item.resolution or self.details.resolution,
                quantity=quantity,
            )
            for item in self.items
            if (quantity := item.quantity if requested else item.approved_quantity) > 0
        ]

    @property
    def fee_country(self) -> str | None:
        """Where the parcel comes from: the country fee rules filter on."""
        pickup = self.details.pickup
        return pickup.country if pickup else None

    def _evaluate_fees(self, rules: Sequence[FeeRule], *, at: datetime, actor: Actor) -> None:
        """Evaluate the merchant's fee rules on the approved units; a fee never takes back
        money already refunded, so what rules give is capped at what is left."""
        computed = evaluate_fees(rules, self.fee_lines(), country=self.fee_country)
        limits = {
            total.currency: total.approved_value - total.refunded - total.credited
            for total in request_balance(
                approved=True, items=self.items, fees=(), refunds=self.refunds
            )
        }
        fees = cap_fees(reevaluate(self.fees, computed), limits)
        before = {fee.id: fee for fee in self.fees}
        for fee in fees:
            old = before.get(fee.id)
            if old is None or (old.amount, old.waived) != (fee.amount, fee.waived):
                self._record_fee(fee, at=at, actor=actor)
        self.fees = fees

    def _record_fee(self, fee: Fee, *, at: datetime, actor: Actor) -> None:
        if fee.waived:
            self._record(
                ev.ReturnFeeWaived,
                at,
                actor,
                fee_id=fee.id,
                fee_kind=fee.kind.value,
                amount=fee.amount,
                currency=fee.currency,
                reason=fee.waived_reason,
            )
            return
        self._record(
            ev.ReturnFeeApplied,
            at,
            actor,
            fee_id=fee.id,
            fee_kind=fee.kind.value,
            basis=fee.basis.value,
            amount=fee.amount,
            currency=fee.currency,
            rule_id=fee.rule_id,
            sku=fee.sku,
        )

    def fee(self, fee_id: str) -> Fee:
        found = next((fee for fee in self.fees if fee.id == fee_id), None)
        if found is None:
            raise NotFound(f"fee {fee_id} not found on return request {self.id}", field="fee_id")
        return found

    def waive_fee(self, fee_id: str, *, reason: str, at: datetime, actor: Actor) -> Fee:
        """A person waives a fee, with why; it then takes nothing and stays waived."""
        self._require(Action.WAIVE_FEE)
        reason = bounded_text(reason or "", field="reason", limit=REASON_LIMIT)
        fee = self.fee(fee_id)
        if fee.waived:
            raise InvalidInput(f"fee {fee_id} is already waived", field="fee_id")
        waived = replace(
            fee,
            waived=True,
            waived_reason=reason,
            waived_by=actor.user or actor.source,
            waived_at=at,
            manual=True,
        )
        self._replace_fee(waived)
        self._record_fee(waived, at=at, actor=actor)
        self._touch(at, actor)
        return waived

    def set_fee(
        self,
        *,
        amount: Decimal,
        at: datetime,
        actor: Actor,
        fee_id: str | None = None,
        kind: FeeKind | None = None,
        currency: str | None = None,
        reason: str | None = None,
    ) -> Fee:
        """A person sets a fee's amount (an existing fee by id, or a new one of a kind),
        which takes effect even where a rule waived it, and which re-evaluation keeps."""
        self._require_fee_change()
        reason = bounded_text(reason, field="reason", limit=REASON_LIMIT) if reason else None
        before = self.fee(fee_id) if fee_id is not None else None
        if before is None:
            if kind is None or currency is None:
                raise InvalidInput("a new fee needs its kind and currency", field="kind")
            currency = currency_code(currency)
        else:
            currency = before.currency
        amount = _fee_amount(amount, currency)
        fee = replace(
            before or Fee(new_fee_id(), FeeKind(kind), FeeBasis.FLAT, amount, currency),  # type: ignore[arg-type]
            amount=amount,
            waived=False,
            waived_reason=None,
            waived_by=None,
            waived_at=None,
            manual=True,
            set_by=actor.user or actor.source,
            set_reason=reason,
            set_at=at,
        )
        self._check_fee_fits(fee, currency)
        self._replace_fee(fee)
        self._record(
            ev.ReturnFeeSet,
            at,
            actor,
            fee_id=fee.id,
            fee_kind=fee.kind.value,
            amount=amount,
            previous_amount=before.charged if before else None,
            currency=currency,
            reason=reason,
        )
        self._touch(at, actor)
        return fee

    def _check_fee_fits(self, fee: Fee, currency: str) -> None:
        others = [other for other in self.fees if other.id != fee.id]
        balance = request_balance(
            approved=True, items=self.items, fees=[*others, fee], refunds=self.refunds
        )
        total = next((b for b in balance if b.currency == currency), None)
        if total is None or total.remaining < 0:
            left = total.remaining + fee.charged if total else Decimal(0)
            raise DomainError(
                f"a fee of {fee.amount} {currency} would take more than the {left} {currency} "
                f"left to give back on return request {self.id}",
                field="amount",
                code=ErrorCode.FEE_EXCEEDS_VALUE,
            )

    def _replace_fee(self, fee: Fee) -> None:
        kept = [other for other in self.fees if other.id != fee.id]
        index = next((i for i, other in enumerate(self.fees) if other.id == fee.id), len(kept))
        self.fees = [*kept[:index], fee, *kept[index:]]

    def _require_fee_change(self) -> None:
        """Fees change while money may still move: once units are approved."""
        if self.status not in APPROVED_FAMILY:
            raise InvalidTransition(
                CHANGE_FEE, self.status.value, [a.value for a in self.allowed_actions]
            )


def _fee_amount(amount: Decimal, currency: str) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
        raise InvalidInput(f"a fee is 0 or more, got {amount}", field="amount")
    if amount >= MAX_AMOUNT:
        raise InvalidInput(f"a fee is below {MAX_AMOUNT:,.0f}", field="amount")
    if round_money(amount, currency) != amount:
        raise InvalidInput(
            f"{currency} has {minor_units(currency)} decimals; {amount} has more",
            field="amount",
        )
    return round_money(amount, currency)
