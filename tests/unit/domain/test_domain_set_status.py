"""`set_status`: the audited administrative override (DESIGN.md §3). It may skip steps but
refuses to leave a terminal state, reopen a decided request or break a money/receipt rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import events as ev
from domain.eligibility import ANY_CODE
from domain.errors import DomainError, ErrorCode, InvalidTransition
from domain.lifecycle import TERMINAL, ReturnStatus
from domain.parts import ShipmentStatus

S = ReturnStatus


def test_set_status_records_a_set_status_change_with_the_reason(pending, later, actor):
    pending.set_status(S.ON_HOLD, at=later, actor=actor, reason="fraud check")

    assert pending.status == S.ON_HOLD
    assert pending.on_hold_at == later
    assert pending.updated_at == later
    [event] = pending.pull_events()
    assert isinstance(event, ev.ReturnStatusChanged)
    assert (event.previous_status, event.status) == ("PENDING", "ON_HOLD")
    assert event.action == "SET_STATUS"
    assert event.reason == "fraud check"


def test_set_status_without_a_reason_records_the_default_one(pending, now, actor):
    pending.set_status(S.CANCELLED, at=now, actor=actor)
    [event] = pending.pull_events()
    assert event.reason == "status set by administrative override"


def test_set_status_to_the_same_status_is_refused(pending, now, actor):
    with pytest.raises(DomainError) as caught:
        pending.set_status(S.PENDING, at=now, actor=actor)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.field == "status"
    assert pending.events == []


@pytest.mark.parametrize("status", sorted(TERMINAL), ids=str)
@pytest.mark.parametrize("target", [S.PENDING, S.APPROVED, S.RECEIVED], ids=str)
def test_set_status_never_leaves_a_terminal_status(build_request_in, now, actor, status, target):
    request = build_request_in(status)
    with pytest.raises(InvalidTransition) as caught:
        request.set_status(target, at=now, actor=actor)
    assert caught.value.code == ErrorCode.INVALID_TRANSITION
    assert status.value in caught.value.message
    assert request.status == status


@pytest.mark.parametrize("status", [S.APPROVED, S.PARTIALLY_RECEIVED, S.RECEIVED], ids=str)
@pytest.mark.parametrize("target", [S.PENDING, S.ON_HOLD], ids=str)
def test_set_status_never_reopens_a_decided_request(build_request_in, now, actor, status, target):
    request = build_request_in(status)
    with pytest.raises(DomainError) as caught:
        request.set_status(target, at=now, actor=actor)
    assert caught.value.code == ErrorCode.INVALID_TRANSITION
    assert "cannot be reopened" in caught.value.message
    assert request.status == status
    assert request.events == []


def test_set_status_between_undecided_statuses_is_allowed(build_request_in, now, actor):
    request = build_request_in(S.ON_HOLD)
    request.set_status(S.PENDING, at=now, actor=actor)
    assert request.status == S.PENDING


@pytest.mark.parametrize("target", [S.APPROVED, S.PARTIALLY_RECEIVED], ids=str)
def test_set_status_into_an_approved_status_approves_every_unit(pending, later, actor, target):
    pending.set_status(target, at=later, actor=actor)

    assert pending.status == target
    assert pending.approved_at == later
    assert [(i.approved_quantity, i.rejected_quantity) for i in pending.items] == [(2, 0), (1, 0)]
    assert pending.received_at is None


def test_set_status_pending_to_received_approves_all_units(pending, later, actor):
    pending.set_status(S.RECEIVED, at=later, actor=actor)

    assert pending.status == S.RECEIVED
    assert all(i.approved_quantity == i.quantity for i in pending.items)
    assert all(i.rejected_quantity == 0 for i in pending.items)
    assert pending.approved_at == pending.received_at == later
    assert pending.remaining_refundable("AED") == Decimal("249.50")
    assert [e.status_change for e in pending.pull_events()] == [("PENDING", "RECEIVED")]


def test_set_status_to_completed_stamps_completion(pending, later, actor):
    pending.set_status(S.COMPLETED, at=later, actor=actor)
    assert pending.status == S.COMPLETED
    assert pending.completed_at == pending.received_at == later
    assert all(i.approved_quantity == i.quantity for i in pending.items)


def test_set_status_keeps_a_partial_approval(build_request, rules, now, later, actor):
    request = build_request({"SKU-A": 2})
    request.approve(
        at=now, actor=actor, rules=rules, quantities={"SKU-A": 1}, rejection_reason="worn"
    )
    request.set_status(S.RECEIVED, at=later, actor=actor)

    [item] = request.items
    assert (item.approved_quantity, item.rejected_quantity) == (1, 1)
    assert request.approved_at == now
    assert request.received_at == later


def test_set_status_cancelled_cancels_the_open_shipment(approved, later, actor):
    approved.set_status(S.CANCELLED, at=later, actor=actor)

    assert approved.status == S.CANCELLED
    assert approved.cancelled_at == later
    assert approved.shipments[0].status == ShipmentStatus.CANCELLED
    assert sorted(e.event_type for e in approved.pull_events()) == [
        "ReturnStatusChanged",
        "ReverseShipmentUpdated",
    ]


def test_set_status_cancelled_with_refunds_is_refused(approved, now, actor):
    approved.add_refund(rules=ANY_CODE, amount=Decimal("1"), currency="AED", at=now, actor=actor)
    with pytest.raises(DomainError) as caught:
        approved.set_status(S.CANCELLED, at=now, actor=actor)
    assert caught.value.code == ErrorCode.REFUNDS_EXIST
    assert approved.status == S.APPROVED
    assert approved.open_shipment is not None


def test_set_status_rejected_rejects_every_unit_and_cancels_the_shipment(approved, later, actor):
    approved.set_status(S.REJECTED, at=later, actor=actor, reason="fraud")

    assert approved.status == S.REJECTED
    assert approved.rejected_at == later
    assert approved.rejection_reason == "fraud"
    assert all(
        (i.approved_quantity, i.rejected_quantity, i.rejection_reason) == (0, i.quantity, "fraud")
        for i in approved.items
    )
    assert approved.open_shipment is None
    assert approved.live_quantities() == {}


def test_set_status_rejected_without_a_reason_uses_the_default(pending, now, actor):
    pending.set_status(S.REJECTED, at=now, actor=actor)
    assert pending.rejection_reason == "status set by administrative override"


@pytest.mark.parametrize("status", [S.PARTIALLY_RECEIVED, S.RECEIVED], ids=str)
def test_set_status_refuses_to_reject_received_units(build_request_in, now, actor, status):
    request = build_request_in(status)
    with pytest.raises(DomainError) as caught:
        request.set_status(S.REJECTED, at=now, actor=actor)
    assert caught.value.code == ErrorCode.INVALID_TRANSITION
    assert "received" in caught.value.message
    assert request.status == status
    assert all(i.rejected_quantity == 0 for i in request.items)


def test_set_status_refuses_to_reject_after_refunds(approved, now, actor):
    approved.add_refund(rules=ANY_CODE, amount=Decimal("1"), currency="AED", at=now, actor=actor)
    with pytest.raises(DomainError) as caught:
        approved.set_status(S.REJECTED, at=now, actor=actor)
    assert caught.value.code == ErrorCode.INVALID_TRANSITION
    assert "refunds" in caught.value.message
    assert approved.status == S.APPROVED
    assert all(i.approved_quantity == i.quantity for i in approved.items)
