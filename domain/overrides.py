"""`setStatus`: the audited administrative override of Carriyo's "set status" operation.

It may jump over steps (PENDING straight to RECEIVED, say) but never breaks an invariant: it
refuses to leave a terminal state or reopen a decided request, approves every undecided unit
when it lands in an approved status, and refuses to reject what has been received or refunded.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from domain import events as ev
from domain.errors import DomainError, ErrorCode, InvalidInput
from domain.lifecycle import APPROVED_FAMILY, ReturnStatus

if TYPE_CHECKING:
    from domain.returns import ReturnRequest

_DEFAULT_REASON = "status set by administrative override"


def override_status(
    request: ReturnRequest, target: ReturnStatus, *, at: datetime, actor, reason: str | None
) -> None:
    if target == request.status:
        raise InvalidInput(f"return request {request.id} is already {target.value}", field="status")
    if target.is_undecided and not request.status.is_undecided:
        _refuse(request, target, "a decided request cannot be reopened")
    previous = request.status
    _apply(request, target, at=at, actor=actor, reason=reason)
    request.status = target
    request._record(
        ev.ReturnStatusChanged(
            return_request_id=request.id,
            occurred_at=at,
            actor=actor,
            previous_status=previous.value,
            status=target.value,
            action="SET_STATUS",
            reason=reason or _DEFAULT_REASON,
        )
    )
    request._touch(at, actor)


def _apply(
    request: ReturnRequest, target: ReturnStatus, *, at: datetime, actor, reason: str | None
) -> None:
    if target in APPROVED_FAMILY:
        _approve_undecided(request, at)
        if target in (ReturnStatus.RECEIVED, ReturnStatus.COMPLETED):
            request.received_at = request.received_at or at
        if target == ReturnStatus.COMPLETED:
            request.completed_at = at
    elif target == ReturnStatus.REJECTED:
        _reject_all(request, reason or _DEFAULT_REASON, at)
        request._cancel_shipments(at=at, actor=actor)
    elif target == ReturnStatus.CANCELLED:
        request._require_no_refunds("cancel")
        request.cancelled_at = at
        request._cancel_shipments(at=at, actor=actor)
    elif target == ReturnStatus.ON_HOLD:
        request.on_hold_at = at


def _approve_undecided(request: ReturnRequest, at: datetime) -> None:
    if not request.status.is_undecided:
        return
    for item in request.items:
        item.approved_quantity = item.quantity
        item.rejected_quantity = 0
    request.approved_at = at


def _reject_all(request: ReturnRequest, reason: str, at: datetime) -> None:
    if any(item.received_quantity for item in request.items):
        _refuse(request, ReturnStatus.REJECTED, "units have already been received")
    if request.refunds:
        _refuse(request, ReturnStatus.REJECTED, "refunds have been recorded")
    for item in request.items:
        item.approved_quantity = 0
        item.rejected_quantity = item.quantity
        item.rejection_reason = reason
    request.rejection_reason = reason
    request.rejected_at = at


def _refuse(request: ReturnRequest, target: ReturnStatus, why: str) -> None:
    raise DomainError(
        f"cannot set return request {request.id} from {request.status.value} to "
        f"{target.value}: {why}",
        field="status",
        code=ErrorCode.INVALID_TRANSITION,
    )
