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
from typing import TYPE_CHECKING

from domain import events as ev
from domain.errors import DomainError, ErrorCode, InvalidInput
from domain.lifecycle import APPROVED_FAMILY, ReturnStatus
from domain.values import REASON_LIMIT, Actor, bounded_text

if TYPE_CHECKING:
    from domain.returns import ReturnRequest

_DEFAULT_REASON = "status set by administrative override"


def override_status(
    request: ReturnRequest,
    target: ReturnStatus,
    *,
    at: datetime,
    actor: Actor,
    reason: str | None,
) -> None:
    reason = _optional_reason(reason)
    _check(request, target)
    previous, request.status = request.status, target
    request._record(
        ev.ReturnStatusChanged,
        at,
        actor,
        previous_status=previous.value,
        status=target.value,
        action="SET_STATUS",
        reason=reason or _DEFAULT_REASON,
    )
    _apply(request, previous, target, at=at, actor=actor, reason=reason or _DEFAULT_REASON)
    request._touch(at, actor)


def _optional_reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    return bounded_text(reason, field="reason", required=False, limit=REASON_LIMIT) or None


def _check(request: ReturnRequest, target: ReturnStatus) -> None:
    """Every refusal happens before anything changes."""
    if target == request.status:
        raise InvalidInput(f"return request {request.id} is already {target.value}", field="status")
    if target.is_undecided and not request.status.is_undecided:
        _refuse(request, target, "a decided request cannot be reopened")
    received = any(item.received_quantity for item in request.items)
    if target == ReturnStatus.APPROVED and received:
        _refuse(request, target, "units have already been received")
    if target == ReturnStatus.REJECTED and received:
        _refuse(request, target, "units have already been received")
    if target == ReturnStatus.REJECTED and request.refunds:
        _refuse(request, target, "refunds have been recorded")
    if target == ReturnStatus.CANCELLED:
        request._require_no_refunds("cancel")


def _apply(
    request: ReturnRequest,
    previous: ReturnStatus,
    target: ReturnStatus,
    *,
    at: datetime,
    actor: Actor,
    reason: str,
) -> None:
    if target in APPROVED_FAMILY:
        if previous.is_undecided:
            _approve_all(request, at)
        if target in (ReturnStatus.RECEIVED, ReturnStatus.COMPLETED):
            request.received_at = request.received_at or at
        if target == ReturnStatus.COMPLETED:
            request.completed_at = at
            request._finish_shipments(at=at, actor=actor)
    elif target == ReturnStatus.REJECTED:
        _reject_all(request, reason, at)
        request._cancel_shipments(at=at, actor=actor)
    elif target == ReturnStatus.CANCELLED:
        request.cancelled_at = at
        request._cancel_shipments(at=at, actor=actor)
    elif target == ReturnStatus.ON_HOLD:
        request.on_hold_at = at


def _approve_all(request: ReturnRequest, at: datetime) -> None:
    for item in request.items:
        item.approved_quantity = item.quantity
        item.rejected_quantity = 0
    request.approved_at = at


def _reject_all(request: ReturnRequest, reason: str, at: datetime) -> None:
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
