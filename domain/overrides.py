"""`setStatus`: the audited administrative override of Carriyo's "set status" operation.

It may jump over steps (PENDING straight to RECEIVED, say) but never breaks an invariant: it
refuses to leave a terminal state, to reopen a decided request, to move a request with
received units back to APPROVED, and to reject or cancel what has been received or refunded.
Landing in an approved status approves every undecided unit. It changes statuses, quantities
and timestamps only: it does not check pickup/dropoff nor open a reverse shipment (use
approveReturn for that); it closes open shipments when the request ends.
"""

from __future__ import annotations

from datetime import datetime

from domain import events as ev
from domain.errors import DomainError, ErrorCode, InvalidInput
from domain.exchanges import Exchanges
from domain.lifecycle import APPROVED_FAMILY, Action, ReturnStatus
from domain.refunds import Refunds
from domain.shipments import ReverseShipments
from domain.values import REASON_LIMIT, Actor, bounded_text

_DEFAULT_REASON = "status set by administrative override"


class StatusOverrides(ReverseShipments, Refunds, Exchanges):
    """The override's part of a ReturnRequest (domain/returns.py)."""

    def set_status(
        self, target: ReturnStatus, *, at: datetime, actor: Actor, reason: str | None = None
    ) -> None:
        self._require(Action.SET_STATUS)
        reason = _optional_reason(reason) or _DEFAULT_REASON
        self._check_override(target)
        previous, self.status = self.status, target
        self._record(
            ev.ReturnStatusChanged,
            at,
            actor,
            previous_status=previous.value,
            status=target.value,
            action="SET_STATUS",
            reason=reason,
        )
        self._apply_override(previous, target, at=at, actor=actor, reason=reason)
        self._touch(at, actor)

    def _check_override(self, target: ReturnStatus) -> None:
        """Every refusal happens before anything changes."""
        if target == self.status:
            raise InvalidInput(
                f"return request {self.id} is already {target.value}", field="status"
            )
        if target.is_undecided and not self.status.is_undecided:
            self._refuse_override(target, "a decided request cannot be reopened")
        received = any(item.received_quantity for item in self.items)
        if target == ReturnStatus.APPROVED and received:
            self._refuse_override(target, "units have already been received")
        if target == ReturnStatus.REJECTED and received:
            self._refuse_override(target, "units have already been received")
        if target == ReturnStatus.REJECTED and self.refunds:
            self._refuse_override(target, "refunds have been recorded")
        if target == ReturnStatus.CANCELLED:
            self._require_no_refunds("cancel")
        if target in (ReturnStatus.CANCELLED, ReturnStatus.REJECTED):
            self._require_nothing_released(f"set to {target.value}")

    def _apply_override(
        self,
        previous: ReturnStatus,
        target: ReturnStatus,
        *,
        at: datetime,
        actor: Actor,
        reason: str,
    ) -> None:
        if target in APPROVED_FAMILY:
            if previous.is_undecided:
                self._approve_all(at)
            if target in (ReturnStatus.RECEIVED, ReturnStatus.COMPLETED):
                self.received_at = self.received_at or at
            if target == ReturnStatus.COMPLETED:
                self.completed_at = at
                self._finish_shipments(at=at, actor=actor)
        elif target == ReturnStatus.REJECTED:
            self._reject_all(reason, at)
            self._cancel_shipments(at=at, actor=actor)
        elif target == ReturnStatus.CANCELLED:
            self.cancelled_at = at
            self._cancel_shipments(at=at, actor=actor)
        elif target == ReturnStatus.ON_HOLD:
            self.on_hold_at = at

    def _approve_all(self, at: datetime) -> None:
        for item in self.items:
            item.approved_quantity = item.quantity
            item.rejected_quantity = 0
        self.approved_at = at

    def _reject_all(self, reason: str, at: datetime) -> None:
        for item in self.items:
            item.approved_quantity = 0
            item.rejected_quantity = item.quantity
            item.rejection_reason = reason
        self.rejection_reason = reason
        self.rejected_at = at

    def _refuse_override(self, target: ReturnStatus, why: str) -> None:
        raise DomainError(
            f"cannot set return request {self.id} from {self.status.value} to "
            f"{target.value}: {why}",
            field="status",
            code=ErrorCode.INVALID_TRANSITION,
        )


def _optional_reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    return bounded_text(reason, field="reason", required=False, limit=REASON_LIMIT) or None
