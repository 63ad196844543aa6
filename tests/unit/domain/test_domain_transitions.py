"""The status transitions of the aggregate: update, hold/resume, approve, reject, cancel,
receive, complete — what each changes, refuses and records."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from domain import events as ev
from domain.eligibility import ANY_CODE
from domain.errors import DomainError, DomainErrors, ErrorCode, InvalidTransition
from domain.lifecycle import ReturnStatus
from domain.parts import ItemRequest, ShipmentStatus
from domain.values import Actor, Address

OTHER = Actor(source="REST", user="warehouse@merchant.example")


def _types(events) -> list[str]:
    return [event.event_type for event in events]


def _status_changes(events) -> list[tuple[str | None, str | None]]:
    return [e.status_change for e in events if isinstance(e, ev.ReturnStatusChanged)]


# ------------------------------------------------------------------ pull_events


def test_pull_events_returns_the_recorded_events_and_empties_the_list(build_request, now, actor):
    request = build_request(keep_events=True)
    request.hold(at=now, actor=actor)

    pulled = request.pull_events()

    assert _types(pulled) == ["ReturnRequested", "ReturnStatusChanged"]
    assert request.events == []
    assert request.pull_events() == []


def test_event_payload_is_json_ready(pending, now, actor):
    pending.hold(at=now, actor=actor, reason="ask for photos")
    [event] = pending.pull_events()
    assert event.payload() == {
        "return_request_id": "RR-TEST0001",
        "occurred_at": now.isoformat(),
        "actor": {"source": "API", "user": "agent@merchant.example"},
        "previous_status": "PENDING",
        "status": "ON_HOLD",
        "action": "HOLD",
        "reason": "ask for photos",
    }


# ------------------------------------------------------------------ update


def test_update_changes_the_given_fields_and_records_them(pending, later):
    new_pickup = Address(partner_location_id="BR-7")
    pending.update(
        rules=ANY_CODE,
        at=later,
        actor=OTHER,
        changes={"pickup": new_pickup, "resolution": "EXCHANGE"},
    )

    assert pending.details.pickup == new_pickup
    assert pending.details.resolution == "EXCHANGE"
    assert pending.updated_at == later
    assert pending.update_source == OTHER
    [event] = pending.pull_events()
    assert isinstance(event, ev.ReturnUpdated)
    assert event.changed_fields == ("pickup", "resolution")


def test_update_with_unchanged_values_records_no_return_updated(pending, now, actor):
    pending.update(
        rules=ANY_CODE,
        at=now,
        actor=actor,
        changes={"pickup": pending.details.pickup, "dropoff": pending.details.dropoff},
    )
    assert pending.pull_events() == []


def test_update_leaves_unset_fields_alone_and_none_clears(pending, now, actor):
    pending.update(
        rules=ANY_CODE, at=now, actor=actor, changes={"customer_comment": "  ring twice  "}
    )
    assert pending.details.customer_comment == "ring twice"
    assert pending.details.pickup is not None

    pending.update(
        rules=ANY_CODE,
        at=now,
        actor=actor,
        changes={"customer_comment": None, "pickup": None},
    )
    assert pending.details.customer_comment is None
    assert pending.details.pickup is None


def test_update_turns_a_blank_comment_into_none(pending, now, actor):
    pending.update(rules=ANY_CODE, at=now, actor=actor, changes={"customer_comment": "text"})
    pending.update(rules=ANY_CODE, at=now, actor=actor, changes={"customer_comment": "   "})
    assert pending.details.customer_comment is None


def test_update_replaces_items_and_keeps_a_history_entry(pending, order, rules, later):
    pending.update(
        at=later,
        actor=OTHER,
        items=[ItemRequest("SKU-B", 2)],
        order=order,
        already_requested={},
        rules=rules,
    )

    assert pending.item_quantities() == (("SKU-B", 2),)
    [entry] = pending.items_updates
    assert entry.updated_at == later
    assert entry.previous == (("SKU-A", 2), ("SKU-B", 1))
    assert entry.current == (("SKU-B", 2),)
    assert (entry.user, entry.source) == (OTHER.user, OTHER.source)
    [event] = pending.pull_events()
    assert isinstance(event, ev.ReturnItemsUpdated)
    assert event.previous_items == (("SKU-A", 2), ("SKU-B", 1))
    assert event.items == (("SKU-B", 2),)


def test_update_items_and_fields_records_both_events(pending, order, rules, now, actor):
    pending.update(
        at=now,
        actor=actor,
        items=[ItemRequest("SKU-A", 1)],
        order=order,
        already_requested={},
        rules=rules,
        changes={"refund_method": "WALLET"},
    )
    assert _types(pending.pull_events()) == ["ReturnItemsUpdated", "ReturnUpdated"]


def test_update_items_applies_the_eligibility_rules(pending, order, rules, now, actor):
    with pytest.raises(DomainErrors) as caught:
        pending.update(
            at=now,
            actor=actor,
            items=[ItemRequest("SKU-A", 2)],
            order=order,
            already_requested={"SKU-A": 2},
            rules=rules,
        )
    assert caught.value.code == ErrorCode.QUANTITY_EXCEEDED
    assert pending.item_quantities() == (("SKU-A", 2), ("SKU-B", 1))
    assert pending.items_updates == []


def test_update_items_needs_the_order_live_quantities_and_rules(pending, now, actor):
    with pytest.raises(ValueError):
        pending.update(rules=ANY_CODE, at=now, actor=actor, items=[ItemRequest("SKU-A", 1)])


def test_update_is_allowed_on_hold(build_request_in, now, actor):
    request = build_request_in(ReturnStatus.ON_HOLD)
    request.update(rules=ANY_CODE, at=now, actor=actor, changes={"resolution": "REFUND"})
    assert request.details.resolution == "REFUND"


def test_update_after_approval_is_not_editable(approved, now, actor):
    with pytest.raises(DomainError) as caught:
        approved.update(rules=ANY_CODE, at=now, actor=actor, changes={"resolution": "REFUND"})
    assert caught.value.code == ErrorCode.NOT_EDITABLE
    assert "APPROVED" in caught.value.message
    assert approved.details.resolution is None
    assert approved.events == []


# ------------------------------------------------------------------ hold / resume


def test_hold_puts_a_pending_request_on_hold(pending, later, actor):
    pending.hold(at=later, actor=actor, reason="waiting for photos")

    assert pending.status == ReturnStatus.ON_HOLD
    assert pending.on_hold_at == later
    [event] = pending.pull_events()
    assert isinstance(event, ev.ReturnStatusChanged)
    assert (event.previous_status, event.status, event.action) == ("PENDING", "ON_HOLD", "HOLD")
    assert event.reason == "waiting for photos"


def test_resume_brings_an_on_hold_request_back_to_pending(build_request_in, now, actor):
    request = build_request_in(ReturnStatus.ON_HOLD)
    request.resume(at=now, actor=actor)

    assert request.status == ReturnStatus.PENDING
    assert _status_changes(request.pull_events()) == [("ON_HOLD", "PENDING")]


def test_hold_twice_is_an_invalid_transition(build_request_in, now, actor):
    request = build_request_in(ReturnStatus.ON_HOLD)
    with pytest.raises(InvalidTransition):
        request.hold(at=now, actor=actor)


def test_approve_from_on_hold_needs_a_resume_first(build_request_in, rules, now, actor):
    request = build_request_in(ReturnStatus.ON_HOLD)
    with pytest.raises(InvalidTransition) as caught:
        request.approve(at=now, actor=actor, rules=rules)
    assert "ON_HOLD" in caught.value.message
    assert "RESUME" in caught.value.message


# ------------------------------------------------------------------ approve


def test_approve_approves_every_unit_by_default(pending, rules, later, actor):
    pending.approve(at=later, actor=actor, rules=rules)

    assert pending.status == ReturnStatus.APPROVED
    assert pending.approved_at == later
    assert [(i.sku, i.approved_quantity, i.rejected_quantity) for i in pending.items] == [
        ("SKU-A", 2, 0),
        ("SKU-B", 1, 0),
    ]


def test_approve_records_the_status_change_and_the_shipment(pending, rules, now, actor):
    pending.approve(at=now, actor=actor, rules=rules)

    changed, created = pending.pull_events()
    assert isinstance(changed, ev.ReturnStatusChanged)
    assert (changed.previous_status, changed.status, changed.action) == (
        "PENDING",
        "APPROVED",
        "APPROVE",
    )
    assert isinstance(created, ev.ReverseShipmentCreated)
    assert created.carrier == "manual"
    assert created.shipment_id == pending.shipments[0].id


def test_approve_creates_a_manual_reverse_shipment_with_the_approved_items(
    build_request, rules, now, actor
):
    request = build_request({"SKU-A": 2, "SKU-B": 2})
    request.approve(
        at=now,
        actor=actor,
        rules=rules,
        quantities={"SKU-A": 1, "SKU-B": 0},
        rejection_reason="worn",
    )

    [shipment] = request.shipments
    assert shipment.carrier == "manual"
    assert shipment.status == ShipmentStatus.CREATED
    assert shipment.items == [("SKU-A", 1)]
    assert shipment.pickup == request.details.pickup
    assert shipment.dropoff == request.details.dropoff
    assert shipment.created_at == now
    assert shipment.id.startswith("RS-")
    assert request.open_shipment is shipment


def test_approve_creates_no_shipment_when_the_rules_need_none(
    pending, no_shipment_rules, now, actor
):
    pending.approve(at=now, actor=actor, rules=no_shipment_rules)

    assert pending.shipments == []
    assert pending.open_shipment is None
    assert _types(pending.pull_events()) == ["ReturnStatusChanged"]


def test_approve_asks_the_rules_only_about_approved_items(build_request, now, actor):
    from domain.eligibility import BaseRules

    class OnlyDamaged(BaseRules):
        def needs_reverse_shipment(self, item):
            return item.reason_code == "DAMAGED"

    request = build_request([ItemRequest("SKU-A", 1, "DAMAGED"), ItemRequest("SKU-B", 1, "SIZE")])
    request.approve(
        at=now,
        actor=actor,
        rules=OnlyDamaged(),
        quantities={"SKU-A": 0, "SKU-B": 1},
        rejection_reason="x",
    )
    assert request.shipments == []


def test_approve_fewer_units_rejects_the_rest_with_the_reason(build_request, rules, now, actor):
    request = build_request({"SKU-A": 3, "SKU-B": 2})
    request.approve(
        at=now,
        actor=actor,
        rules=rules,
        quantities={"SKU-A": 1, "SKU-B": 2},
        rejection_reason="worn",
    )

    a, b = request.items
    assert (a.approved_quantity, a.rejected_quantity, a.rejection_reason) == (1, 2, "worn")
    assert (b.approved_quantity, b.rejected_quantity, b.rejection_reason) == (2, 0, None)


def test_approve_with_items_approves_exactly_the_listed_units(build_request, rules, now, actor):
    """A merchant naming two shirts means those two shirts: an unlisted sku is approved 0."""
    request = build_request({"SKU-A": 3, "SKU-B": 2})
    request.approve(
        at=now, actor=actor, rules=rules, quantities={"SKU-A": 2}, rejection_reason="worn"
    )

    a, b = request.items
    assert (a.approved_quantity, a.rejected_quantity, a.rejection_reason) == (2, 1, "worn")
    assert (b.approved_quantity, b.rejected_quantity, b.rejection_reason) == (0, 2, "worn")
    assert request.live_quantities() == {"SKU-A": 2, "SKU-B": 0}


def test_approve_with_items_leaving_one_out_needs_a_rejection_reason(
    build_request, rules, now, actor
):
    request = build_request({"SKU-A": 3, "SKU-B": 2})
    with pytest.raises(DomainError) as caught:
        request.approve(at=now, actor=actor, rules=rules, quantities={"SKU-A": 3})

    assert caught.value.code == ErrorCode.REQUIREMENT_MISSING
    assert request.status == ReturnStatus.PENDING


def test_approve_with_an_empty_item_list_approves_nothing_and_is_refused(
    build_request, rules, now, actor
):
    request = build_request({"SKU-A": 3})
    with pytest.raises(DomainError) as caught:
        request.approve(at=now, actor=actor, rules=rules, quantities={}, rejection_reason="x")

    assert caught.value.code == ErrorCode.INVALID_QUANTITY
    assert request.status == ReturnStatus.PENDING


def test_partial_approval_needs_a_rejection_reason(pending, rules, now, actor):
    with pytest.raises(DomainError) as caught:
        pending.approve(at=now, actor=actor, rules=rules, quantities={"SKU-A": 1})

    assert caught.value.code == ErrorCode.REQUIREMENT_MISSING
    assert caught.value.field == "rejection_reason"
    assert pending.status == ReturnStatus.PENDING
    assert all(item.approved_quantity == 0 for item in pending.items)


def test_approve_needs_a_pickup(build_request, rules, now, actor):
    request = build_request(pickup=None)
    with pytest.raises(DomainError) as caught:
        request.approve(at=now, actor=actor, rules=rules)
    assert caught.value.code == ErrorCode.MISSING_PICKUP
    assert caught.value.field == "pickup"
    assert request.status == ReturnStatus.PENDING


def test_approve_refuses_a_pickup_address_without_a_country(build_request, rules, now, actor):
    request = build_request(pickup=Address(address1="12 Al Wasl Road", city="Dubai"))
    with pytest.raises(DomainError) as caught:
        request.approve(at=now, actor=actor, rules=rules)
    assert caught.value.code == ErrorCode.MISSING_PICKUP


def test_approve_accepts_a_partner_location_as_pickup(build_request, rules, now, actor):
    request = build_request(pickup=Address(partner_location_id="BR-1"))
    request.approve(at=now, actor=actor, rules=rules)
    assert request.status == ReturnStatus.APPROVED


@pytest.mark.parametrize("dropoff", [None, Address(city="Dubai")], ids=["none", "unusable"])
def test_approve_needs_a_dropoff(build_request, rules, now, actor, dropoff):
    request = build_request(dropoff=dropoff)
    with pytest.raises(DomainError) as caught:
        request.approve(at=now, actor=actor, rules=rules)
    assert caught.value.code == ErrorCode.MISSING_DROPOFF
    assert caught.value.field == "dropoff"


def test_approve_more_than_requested_is_quantity_exceeded(pending, rules, now, actor):
    with pytest.raises(DomainError) as caught:
        pending.approve(at=now, actor=actor, rules=rules, quantities={"SKU-A": 3})
    assert caught.value.code == ErrorCode.QUANTITY_EXCEEDED
    assert pending.status == ReturnStatus.PENDING


def test_approving_zero_units_is_invalid_quantity(pending, rules, now, actor):
    with pytest.raises(DomainError) as caught:
        pending.approve(
            at=now,
            actor=actor,
            rules=rules,
            quantities={"SKU-A": 0, "SKU-B": 0},
            rejection_reason="all bad",
        )
    assert caught.value.code == ErrorCode.INVALID_QUANTITY
    assert pending.status == ReturnStatus.PENDING


@pytest.mark.parametrize("quantity", [-1, True, 1.0])
def test_approve_refuses_a_quantity_that_is_not_a_whole_number(
    pending, rules, now, actor, quantity
):
    with pytest.raises(DomainError) as caught:
        pending.approve(
            at=now, actor=actor, rules=rules, quantities={"SKU-A": quantity}, rejection_reason="x"
        )
    assert caught.value.code == ErrorCode.INVALID_QUANTITY


def test_approve_refuses_a_sku_that_is_not_in_the_request(pending, rules, now, actor):
    with pytest.raises(DomainError) as caught:
        pending.approve(at=now, actor=actor, rules=rules, quantities={"SKU-C": 1})
    assert caught.value.code == ErrorCode.UNKNOWN_SKU
    assert caught.value.field == "items"


def test_approve_twice_is_an_invalid_transition(approved, rules, now, actor):
    with pytest.raises(InvalidTransition):
        approved.approve(at=now, actor=actor, rules=rules)


# ------------------------------------------------------------------ reject


def test_reject_rejects_every_unit_with_the_reason(pending, later, actor):
    pending.reject(rules=ANY_CODE, at=later, actor=actor, reason="  outside the return window  ")

    assert pending.status == ReturnStatus.REJECTED
    assert pending.rejected_at == later
    assert pending.rejection_reason == "outside the return window"
    for item in pending.items:
        assert (item.approved_quantity, item.rejected_quantity) == (0, item.quantity)
        assert item.rejection_reason == "outside the return window"
    [event] = pending.pull_events()
    assert event.status_change == ("PENDING", "REJECTED")
    assert event.reason == "outside the return window"


def test_reject_is_allowed_on_hold(build_request_in, now, actor):
    request = build_request_in(ReturnStatus.ON_HOLD)
    request.reject(rules=ANY_CODE, at=now, actor=actor, reason="fraud")
    assert request.status == ReturnStatus.REJECTED


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reject_needs_a_reason(pending, now, actor, reason):
    with pytest.raises(DomainError) as caught:
        pending.reject(rules=ANY_CODE, at=now, actor=actor, reason=reason)  # type: ignore[arg-type]
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.field == "rejection_reason"
    assert pending.status == ReturnStatus.PENDING


def test_reject_refuses_a_reason_over_200_characters(pending, now, actor):
    with pytest.raises(DomainError) as caught:
        pending.reject(rules=ANY_CODE, at=now, actor=actor, reason="x" * 201)
    assert caught.value.code == ErrorCode.INVALID_INPUT


def test_reject_after_approval_is_an_invalid_transition(approved, now, actor):
    with pytest.raises(InvalidTransition):
        approved.reject(rules=ANY_CODE, at=now, actor=actor, reason="changed my mind")


# ------------------------------------------------------------------ cancel


def test_cancel_a_pending_request(pending, later, actor):
    pending.cancel(at=later, actor=actor, reason="customer asked")

    assert pending.status == ReturnStatus.CANCELLED
    assert pending.cancelled_at == later
    [event] = pending.pull_events()
    assert event.status_change == ("PENDING", "CANCELLED")
    assert (event.action, event.reason) == ("CANCEL", "customer asked")


def test_cancel_cancels_the_open_reverse_shipment(approved, later, actor):
    approved.cancel(at=later, actor=actor)

    [shipment] = approved.shipments
    assert shipment.status == ShipmentStatus.CANCELLED
    assert shipment.updated_at == later
    assert approved.open_shipment is None
    changed, updated = approved.pull_events()
    assert changed.status_change == ("APPROVED", "CANCELLED")
    assert isinstance(updated, ev.ReverseShipmentUpdated)
    assert (updated.shipment_id, updated.status) == (shipment.id, "CANCELLED")


def test_cancel_with_refunds_is_refused(approved, now, actor):
    approved.add_refund(rules=ANY_CODE, amount=Decimal("10"), currency="AED", at=now, actor=actor)
    approved.pull_events()

    with pytest.raises(DomainError) as caught:
        approved.cancel(at=now, actor=actor)

    assert caught.value.code == ErrorCode.REFUNDS_EXIST
    assert approved.status == ReturnStatus.APPROVED
    assert approved.open_shipment is not None
    assert approved.events == []


@pytest.mark.parametrize(
    "status",
    [ReturnStatus.ON_HOLD, ReturnStatus.PARTIALLY_RECEIVED, ReturnStatus.RECEIVED],
    ids=str,
)
def test_cancel_works_from_any_non_terminal_status(build_request_in, now, actor, status):
    request = build_request_in(status)
    request.cancel(at=now, actor=actor)
    assert request.status == ReturnStatus.CANCELLED


# ------------------------------------------------------------------ receive


def test_receive_part_of_the_units_is_partially_received(approved, later, actor):
    approved.receive(rules=ANY_CODE, at=later, actor=actor, quantities={"SKU-A": 1})

    assert approved.status == ReturnStatus.PARTIALLY_RECEIVED
    a, b = approved.items
    assert (a.received_quantity, a.returned_quantity, a.outstanding_quantity) == (1, 1, 1)
    assert b.received_quantity == 0
    assert approved.received_at is None
    assert approved.open_shipment is not None
    received, changed = approved.pull_events()
    assert isinstance(received, ev.ReturnItemsReceived)
    assert received.received == (("SKU-A", 1),)
    assert changed.status_change == ("APPROVED", "PARTIALLY_RECEIVED")
    assert changed.action == "RECEIVE"


def test_receive_every_unit_is_received_and_delivers_the_shipment(approved, later, actor):
    approved.receive(rules=ANY_CODE, at=later, actor=actor, quantities={"SKU-A": 2, "SKU-B": 1})

    assert approved.status == ReturnStatus.RECEIVED
    assert approved.received_at == later
    [shipment] = approved.shipments
    assert shipment.status == ShipmentStatus.DELIVERED
    assert _types(approved.pull_events()) == [
        "ReturnItemsReceived",
        "ReturnStatusChanged",
        "ReverseShipmentUpdated",
    ]


def test_receive_in_two_steps_goes_through_partially_received(approved, now, actor):
    approved.receive(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 1})
    approved.receive(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 1})
    assert approved.status == ReturnStatus.PARTIALLY_RECEIVED
    approved.receive(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-B": 1})

    assert approved.status == ReturnStatus.RECEIVED
    assert _status_changes(approved.pull_events()) == [
        ("APPROVED", "PARTIALLY_RECEIVED"),
        ("PARTIALLY_RECEIVED", "RECEIVED"),
    ]


def test_receive_records_the_item_condition(approved, now, actor):
    approved.receive(
        rules=ANY_CODE,
        at=now,
        actor=actor,
        quantities={"SKU-A": 1},
        conditions={"SKU-A": "OPENED", "SKU-B": "SEALED"},
    )
    a, b = approved.items
    assert a.item_condition == "OPENED"
    assert b.item_condition is None


def test_receive_more_than_outstanding_is_quantity_exceeded(approved, now, actor):
    approved.receive(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 1})
    with pytest.raises(DomainError) as caught:
        approved.receive(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 2})
    assert caught.value.code == ErrorCode.QUANTITY_EXCEEDED
    assert approved.items[0].received_quantity == 1


def test_receive_units_that_were_rejected_is_quantity_exceeded(build_request, rules, now, actor):
    request = build_request({"SKU-A": 2, "SKU-B": 1})
    request.approve(
        at=now,
        actor=actor,
        rules=rules,
        quantities={"SKU-A": 2, "SKU-B": 0},
        rejection_reason="late",
    )
    with pytest.raises(DomainError) as caught:
        request.receive(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-B": 1})
    assert caught.value.code == ErrorCode.QUANTITY_EXCEEDED


def test_receive_an_unknown_sku_is_unknown_sku(approved, now, actor):
    with pytest.raises(DomainError) as caught:
        approved.receive(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-Z": 1})
    assert caught.value.code == ErrorCode.UNKNOWN_SKU
    assert caught.value.field == "items"


@pytest.mark.parametrize("quantity", [0, -2, True])
def test_receive_a_quantity_below_one_is_invalid_quantity(approved, now, actor, quantity):
    with pytest.raises(DomainError) as caught:
        approved.receive(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": quantity})
    assert caught.value.code == ErrorCode.INVALID_QUANTITY


def test_receive_nothing_is_invalid_input(approved, now, actor):
    with pytest.raises(DomainError) as caught:
        approved.receive(rules=ANY_CODE, at=now, actor=actor, quantities={})
    assert caught.value.code == ErrorCode.INVALID_INPUT


def test_receive_checks_every_line_before_recording_any(approved, now, actor):
    with pytest.raises(DomainError):
        approved.receive(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 1, "SKU-B": 5})
    assert [item.received_quantity for item in approved.items] == [0, 0]
    assert approved.status == ReturnStatus.APPROVED
    assert approved.events == []


def test_receive_before_approval_is_an_invalid_transition(pending, now, actor):
    with pytest.raises(InvalidTransition):
        pending.receive(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 1})


def test_receive_without_a_shipment_still_reaches_received(
    build_request, no_shipment_rules, now, actor
):
    request = build_request({"SKU-A": 1})
    request.approve(at=now, actor=actor, rules=no_shipment_rules)
    request.receive(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 1})
    assert request.status == ReturnStatus.RECEIVED


# ------------------------------------------------------------------ complete


@pytest.mark.parametrize(
    "status", [ReturnStatus.RECEIVED, ReturnStatus.PARTIALLY_RECEIVED], ids=str
)
def test_complete_closes_a_received_request(build_request_in, later, actor, status):
    request = build_request_in(status)
    request.complete(at=later, actor=actor)

    assert request.status == ReturnStatus.COMPLETED
    assert request.completed_at == later
    assert not request.auto_closed
    assert request.auto_closed_at is None
    [event] = [e for e in request.pull_events() if isinstance(e, ev.ReturnStatusChanged)]
    assert event.status_change == (status.value, "COMPLETED")
    assert (event.action, event.reason) == ("COMPLETE", None)
    assert all(shipment.status == ShipmentStatus.DELIVERED for shipment in request.shipments)


@pytest.mark.parametrize(
    "status",
    [ReturnStatus.APPROVED, ReturnStatus.PARTIALLY_RECEIVED, ReturnStatus.RECEIVED],
    ids=str,
)
def test_auto_close_completes_an_idle_decided_request_with_the_flag(
    build_request_in, now, actor, status
):
    request = build_request_in(status)
    request.pull_events()
    closing_time = now + timedelta(days=30)

    request.auto_close(at=closing_time, actor=actor, idle_days=30)

    assert request.status == ReturnStatus.COMPLETED
    assert request.auto_closed
    assert (request.auto_closed_at, request.completed_at) == (closing_time, closing_time)
    [event] = [e for e in request.pull_events() if isinstance(e, ev.ReturnStatusChanged)]
    assert event.status_change == (status.value, "COMPLETED")
    assert event.action == "COMPLETE"
    assert event.reason == "auto-closed: no progress for 30 days"
    assert all(not shipment.is_open for shipment in request.shipments)


def test_auto_close_refuses_a_request_that_progressed_within_the_window(approved, now, actor):
    with pytest.raises(DomainError) as refused:
        approved.auto_close(at=now + timedelta(days=29), actor=actor, idle_days=30)
    assert refused.value.code == ErrorCode.INVALID_INPUT
    assert approved.status == ReturnStatus.APPROVED


@pytest.mark.parametrize(
    "status",
    [ReturnStatus.PENDING, ReturnStatus.ON_HOLD, ReturnStatus.COMPLETED, ReturnStatus.CANCELLED],
    ids=str,
)
def test_auto_close_leaves_undecided_and_finished_requests_alone(
    build_request_in, now, actor, status
):
    request = build_request_in(status)
    with pytest.raises(InvalidTransition):
        request.auto_close(at=now + timedelta(days=365), actor=actor, idle_days=1)
    assert request.status == status
    assert not request.auto_closed


def test_complete_before_anything_arrived_is_an_invalid_transition(approved, now, actor):
    with pytest.raises(InvalidTransition) as caught:
        approved.complete(at=now, actor=actor)
    assert "APPROVED" in caught.value.message
