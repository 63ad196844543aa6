"""Refunds on a return request: never more per currency than the value of approved units
less fees."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from domain import events as ev
from domain.eligibility import MerchantRules
from domain.errors import DomainError, ErrorCode, NotFound, RefundExceedsValue
from domain.lifecycle import Action
from domain.parts import Refund, RefundOutcome
from domain.reference import ReferenceKind
from domain.request_fees import RequestFees
from domain.values import (
    Actor,
    aware,
    currency_code,
    money_amount,
    new_id,
    optional_code,
    optional_text,
)


@dataclass(frozen=True, slots=True)
class RefundTotal:
    """A currency's refund figures as Carriyo's refund info and `refundTotals` show them;
    `remaining` is what may still be refunded: the approved value less fees, refunds and
    what the exchange lines take (the balance's figure, domain/balance.py)."""

    currency: str
    approved_value: Decimal
    refunded: Decimal
    fees: Decimal = Decimal(0)
    remaining: Decimal = Decimal(0)


class Refunds(RequestFees):
    def refund_totals(self) -> list[RefundTotal]:
        return [
            RefundTotal(b.currency, b.approved_value, b.refunded + b.credited, b.fees, b.remaining)
            for b in self.balance()
        ]

    def remaining_refundable(self, currency: str) -> Decimal:
        total = next((b for b in self.balance() if b.currency == currency), None)
        return total.remaining if total else Decimal(0)

    def add_refund(
        self,
        *,
        amount: Decimal,
        currency: str,
        at: datetime,
        actor: Actor,
        reference: str | None = None,
        refund_type: str | None = None,
        note: str | None = None,
        refund_date: datetime | None = None,
        rules: MerchantRules,
        outcome: RefundOutcome = RefundOutcome.MONEY,
    ) -> Refund:
        self._require(Action.ADD_REFUND)
        amount = money_amount(amount)
        refund_date = aware(refund_date, field="refund_date")
        refund_type = optional_code(refund_type, field="refund_type")
        problem = rules.code_problem(
            ReferenceKind.REFUND_TYPE,
            refund_type,
            field="refund_type",
            reasons=[item.reason_code for item in self.items],
        )
        if problem is not None:
            raise problem
        currency = currency_code(currency)
        remaining = self.remaining_refundable(currency)
        if amount > remaining:
            raise RefundExceedsValue(
                f"refund of {amount} {currency} exceeds the {remaining} {currency} still "
                f"refundable on return request {self.id}",
                field="amount",
            )
        refund = Refund(
            new_id("RF"),
            amount,
            currency,
            at,
            optional_text(reference, "reference"),
            refund_type,
            optional_text(note, "note"),
            refund_date or at,
            RefundOutcome(outcome),
        )
        self.refunds.append(refund)
        self._record(
            ev.RefundAdded,
            at,
            actor,
            refund_id=refund.id,
            amount=amount,
            currency=currency,
            refund_type=refund_type,
            outcome=refund.outcome,
        )
        self._touch(at, actor)
        return refund

    def refund(self, refund_id: str) -> Refund:
        found = next((r for r in self.refunds if r.id == refund_id), None)
        if found is None:
            raise NotFound(
                f"refund {refund_id} not found on return request {self.id}", field="refund_id"
            )
        return found

    def set_refund_outcome(
        self, refund_id: str, outcome: RefundOutcome, *, at: datetime, actor: Actor
    ) -> tuple[Refund, Refund]:
        """Switch a refund between money and store credit; (before, after). The credit that
        follows (issued, or taken back with its bonus) is the store-credit account's."""
        self._require(Action.ADD_REFUND)
        before = self.refund(refund_id)
        after = replace(before, outcome=RefundOutcome(outcome))
        if after != before:
            self.refunds[self.refunds.index(before)] = after
            self._record(
                ev.RefundOutcomeChanged,
                at,
                actor,
                refund_id=refund_id,
                previous_outcome=before.outcome,
                outcome=after.outcome,
            )
            self._touch(at, actor)
        return before, after

    def delete_refund(self, refund_id: str, *, at: datetime, actor: Actor) -> Refund:
        self._require(Action.DELETE_REFUND)
        refund = self.refund(refund_id)
        self.refunds.remove(refund)
        self._record(
            ev.RefundDeleted,
            at,
            actor,
            refund_id=refund_id,
            amount=refund.amount,
            currency=refund.currency,
        )
        self._touch(at, actor)
        return refund

    def _require_no_refunds(self, verb: str) -> None:
        if self.refunds:
            raise DomainError(
                f"cannot {verb} return request {self.id}: it has "
                f"{len(self.refunds)} refund(s); delete them first",
                code=ErrorCode.REFUNDS_EXIST,
            )
