"""Split: chosen units move into a new request for the same order; per sku, what the
original loses the new request gains (DESIGN.md §3)."""

from __future__ import annotations

from collections import Counter
from dataclasses import fields, replace
from decimal import Decimal

import pytest

from domain import events as ev
from domain.eligibility import ANY_CODE
from domain.errors import DomainError, ErrorCode, InvalidTransition
from domain.lifecycle import ReturnStatus
from domain.parts import ShipmentStatus
from domain.values import Address


def _totals(*requests, attr: str = "quantity") -> Counter:
    totals: Counter = Counter()
    for request in requests:
        for item in request.items:
            totals[item.sku] += getattr(item, attr)
    return totals


def _partly_approved(build_request, rules, now, actor):
    """APPROVED: SKU-A 3 requested (2 approved, 1 rejected), SKU-B 2 approved."""
    request = build_request({"SKU-A": 3, "SKU-B": 2})
    request.approve(
        at=now,
        actor=actor,
        rules=rules,
        quantities={"SKU-A": 2, "SKU-B": 2},
        rejection_reason="worn",
    )
    request.pull_events()
    return request


# ------------------------------------------------------------------ undecided requests


def test_split_keeps_total_quantity_per_sku(pending, now, actor):
    before = _totals(pending)
    new = pending.split(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 1})

    assert _totals(pending, new) == before
    assert pending.item_quantities() == (("SKU-A", 1), ("SKU-B", 1))
    assert new.item_quantities() == (("SKU-A", 1),)


def test_split_of_a_pending_request_makes_a_pending_request(pending, later, actor):
    new = pending.split(
        rules=ANY_CODE, at=later, actor=actor, quantities={"SKU-B": 1}, new_request_id="RR-NEW2"
    )

    assert new.id == "RR-NEW2"
    assert new.status == ReturnStatus.PENDING
    assert new.split_from == pending.id
    assert (new.merchant, new.order_reference) == (pending.merchant, pending.order_reference)
    assert new.details.pickup == pending.details.pickup
    assert new.details.dropoff == pending.details.dropoff
    assert new.created_at == new.updated_at == later
    assert new.creation_source == actor
    [item] = new.items
    assert (item.sku, item.quantity, item.approved_quantity, item.unit_price) == (
        "SKU-B",
        1,
        0,
        Decimal("49.50"),
    )
    assert new.shipments == []


def test_split_moving_every_unit_of_a_sku_drops_it_from_the_original(pending, now, actor):
    pending.split(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-B": 1})
    assert [item.sku for item in pending.items] == ["SKU-A"]


def test_split_records_the_original_change_in_the_items_history(pending, later, actor):
    pending.split(rules=ANY_CODE, at=later, actor=actor, quantities={"SKU-A": 2})

    [entry] = pending.items_updates
    assert entry.previous == (("SKU-A", 2), ("SKU-B", 1))
    assert entry.current == (("SKU-B", 1),)
    assert entry.updated_at == later
    assert pending.updated_at == later


def test_split_records_return_split_and_return_requested_with_split_from(pending, now, actor):
    new = pending.split(
        rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 1}, new_request_id="RR-NEW3"
    )

    [split] = pending.pull_events()
    assert isinstance(split, ev.ReturnSplit)
    assert split.return_request_id == pending.id
    assert split.new_return_request_id == "RR-NEW3"
    assert split.moved == (("SKU-A", 1),)
    [requested] = new.pull_events()
    assert isinstance(requested, ev.ReturnRequested)
    assert requested.return_request_id == "RR-NEW3"
    assert requested.split_from == pending.id
    assert requested.status == "PENDING"
    assert requested.items == (("SKU-A", 1),)


def test_split_of_an_on_hold_request_stays_on_hold(build_request_in, now, actor):
    original = build_request_in(ReturnStatus.ON_HOLD)
    new = original.split(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 1})

    assert new.status == original.status == ReturnStatus.ON_HOLD
    assert new.on_hold_at == original.on_hold_at


def test_split_with_a_pickup_location_gives_the_new_request_that_pickup(pending, now, actor):
    new = pending.split(
        rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 1}, pickup_location_id="BR-9"
    )

    assert new.details.pickup == Address(partner_location_id="BR-9")
    assert pending.details.pickup is not None
    assert pending.details.pickup.partner_location_id is None


def test_split_copies_the_request_level_fields(pending, now, actor):
    pending.update(
        rules=ANY_CODE,
        at=now,
        actor=actor,
        changes={"resolution": "EXCHANGE", "customer_comment": "hi"},
    )
    pending.assign("ops", at=now, actor=actor)

    new = pending.split(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 1})

    assert (new.details.resolution, new.details.customer_comment, new.assigned_to_user) == (
        "EXCHANGE",
        "hi",
        "ops",
    )


def test_split_keeps_every_field_it_does_not_start_afresh(pending, later, actor):
    """A field added to the request is carried by a split unless the split says otherwise:
    the new request equals the original in every field but those it sets or starts afresh."""
    from domain.request_state import ReturnRequestState
    from domain.splitting import _starts_afresh

    pending.update(
        rules=ANY_CODE,
        at=later,
        actor=actor,
        changes={"refund_method": "CARD", "customer_comment": "hi"},
    )
    set_by_the_split = {"id", "items", "created_at", "updated_at", "creation_source"}
    set_by_the_split |= {"update_source", "details", "split_from", *_starts_afresh()}

    new = pending.split(rules=ANY_CODE, at=later, actor=actor, quantities={"SKU-A": 1})

    kept = [f.name for f in fields(ReturnRequestState) if f.name not in set_by_the_split]
    assert {name: getattr(new, name) for name in kept} == {
        name: getattr(pending, name) for name in kept
    }
    # Of the details, only the pickup may differ (a split may name its own).
    assert replace(new.details, pickup=pending.details.pickup) == pending.details
    assert (new.details.refund_method, new.details.customer_comment) == ("CARD", "hi")
    assert (new.notes, new.refunds, new.version, new.split_from) == ([], [], 0, pending.id)


def test_split_generates_a_new_readable_id(pending, now, actor):
    new = pending.split(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 1})
    assert new.id != pending.id
    assert new.id.startswith("RR-")


# ------------------------------------------------------------------ approved requests


def test_split_of_an_approved_request_moves_approved_units(build_request, rules, now, actor):
    original = _partly_approved(build_request, rules, now, actor)
    before = {attr: _totals(original, attr=attr) for attr in ("quantity", "approved_quantity")}
    before["rejected_quantity"] = _totals(original, attr="rejected_quantity")

    new = original.split(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 2, "SKU-B": 1})

    for attr, totals in before.items():
        assert _totals(original, new, attr=attr) == totals, attr
    assert new.status == ReturnStatus.APPROVED
    assert new.approved_at == original.approved_at
    assert [(i.sku, i.quantity, i.approved_quantity, i.rejected_quantity) for i in new.items] == [
        ("SKU-A", 2, 2, 0),
        ("SKU-B", 1, 1, 0),
    ]


def test_split_leaves_rejected_units_with_the_original(build_request, rules, now, actor):
    original = _partly_approved(build_request, rules, now, actor)
    original.split(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 2})

    a = original.item("SKU-A")
    assert (a.quantity, a.approved_quantity, a.rejected_quantity, a.rejection_reason) == (
        1,
        0,
        1,
        "worn",
    )


def test_split_cannot_move_rejected_units(build_request, rules, now, actor):
    original = _partly_approved(build_request, rules, now, actor)
    with pytest.raises(DomainError) as caught:
        original.split(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 3})
    assert caught.value.code == ErrorCode.QUANTITY_EXCEEDED
    assert "approved" in caught.value.message


def test_split_of_an_approved_request_opens_a_shipment_for_the_new_part(approved, later, actor):
    approved.update_shipment(at=later, actor=actor, carrier="Aramex")
    approved.pull_events()

    new = approved.split(rules=ANY_CODE, at=later, actor=actor, quantities={"SKU-A": 1})

    [original_shipment] = approved.shipments
    assert original_shipment.items == [("SKU-A", 1), ("SKU-B", 1)]
    assert original_shipment.updated_at == later
    [new_shipment] = new.shipments
    assert new_shipment.id != original_shipment.id
    assert new_shipment.status == ShipmentStatus.CREATED
    assert new_shipment.carrier == "Aramex"
    assert new_shipment.items == [("SKU-A", 1)]
    assert new_shipment.pickup == new.details.pickup
    assert [e.event_type for e in approved.pull_events()] == [
        "ReverseShipmentUpdated",
        "ReturnSplit",
    ]
    assert [e.event_type for e in new.pull_events()] == [
        "ReturnRequested",
        "ReverseShipmentCreated",
    ]


def test_split_shipment_uses_the_new_pickup_location(approved, now, actor):
    new = approved.split(
        rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 1}, pickup_location_id="BR-2"
    )
    assert new.shipments[0].pickup == Address(partner_location_id="BR-2")


def test_split_of_an_approved_request_without_shipment_opens_none(
    build_request, no_shipment_rules, now, actor
):
    request = build_request()
    request.approve(at=now, actor=actor, rules=no_shipment_rules)
    new = request.split(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 1})
    assert new.shipments == []
    assert request.shipments == []


def test_a_split_approved_part_can_be_received_on_its_own(approved, now, actor):
    new = approved.split(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 2})
    new.receive(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 2})

    assert new.status == ReturnStatus.RECEIVED
    assert approved.status == ReturnStatus.APPROVED


# ------------------------------------------------------------------ refusals


def test_split_must_leave_at_least_one_unit(pending, now, actor):
    with pytest.raises(DomainError) as caught:
        pending.split(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 2, "SKU-B": 1})
    assert caught.value.code == ErrorCode.INVALID_QUANTITY
    assert "at least one unit" in caught.value.message
    assert pending.item_quantities() == (("SKU-A", 2), ("SKU-B", 1))


def test_split_of_an_approved_request_must_leave_an_approved_unit(build_request, rules, now, actor):
    original = _partly_approved(build_request, rules, now, actor)
    with pytest.raises(DomainError) as caught:
        original.split(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 2, "SKU-B": 2})
    assert caught.value.code == ErrorCode.INVALID_QUANTITY


@pytest.mark.parametrize(
    ("quantities", "code"),
    [
        ({}, ErrorCode.INVALID_INPUT),
        ({"SKU-Z": 1}, ErrorCode.UNKNOWN_SKU),
        ({"SKU-A": 0}, ErrorCode.INVALID_QUANTITY),
        ({"SKU-A": -1}, ErrorCode.INVALID_QUANTITY),
        ({"SKU-A": True}, ErrorCode.INVALID_QUANTITY),
        ({"SKU-A": 3}, ErrorCode.QUANTITY_EXCEEDED),
    ],
    ids=["nothing", "unknown-sku", "zero", "negative", "bool", "over-requested"],
)
def test_split_refuses_invalid_moves_and_changes_nothing(pending, now, actor, quantities, code):
    with pytest.raises(DomainError) as caught:
        pending.split(rules=ANY_CODE, at=now, actor=actor, quantities=quantities)

    assert caught.value.code == code
    assert caught.value.field == "items"
    assert pending.item_quantities() == (("SKU-A", 2), ("SKU-B", 1))
    assert pending.items_updates == []
    assert pending.events == []


@pytest.mark.parametrize(
    "status",
    [
        ReturnStatus.PARTIALLY_RECEIVED,
        ReturnStatus.RECEIVED,
        ReturnStatus.COMPLETED,
        ReturnStatus.REJECTED,
        ReturnStatus.CANCELLED,
    ],
    ids=str,
)
def test_split_after_receipt_or_a_final_decision_is_an_invalid_transition(
    build_request_in, now, actor, status
):
    request = build_request_in(status)
    with pytest.raises(InvalidTransition):
        request.split(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 1})


# ------------------------------------------------------------------ refunds and receipts


def test_split_refuses_to_leave_refunds_above_the_approved_value(approved, now, actor):
    approved.add_refund(
        rules=ANY_CODE, amount=Decimal("249.50"), currency="AED", at=now, actor=actor
    )
    before = approved.item_quantities()

    with pytest.raises(DomainError) as refused:
        approved.split(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 2})

    assert refused.value.code == ErrorCode.REFUND_EXCEEDS_VALUE
    assert approved.item_quantities() == before


def test_split_keeps_refunds_that_the_remaining_value_still_covers(approved, now, actor):
    approved.add_refund(
        rules=ANY_CODE, amount=Decimal("49.50"), currency="AED", at=now, actor=actor
    )

    new = approved.split(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 1})

    for request in (approved, new):
        for total in request.refund_totals():
            assert total.refunded <= total.approved_value, (request.id, total)


def test_received_units_cannot_be_sent_back_to_approved_and_split(build_request, rules, now, actor):
    request = build_request({"SKU-A": 2, "SKU-B": 2})
    request.approve(at=now, actor=actor, rules=rules)
    request.receive(rules=ANY_CODE, at=now, actor=actor, quantities={"SKU-A": 2})

    with pytest.raises(DomainError) as refused:
        request.set_status(ReturnStatus.APPROVED, at=now, actor=actor)

    assert refused.value.code == ErrorCode.INVALID_TRANSITION
    assert "received" in refused.value.message
    assert request.status == ReturnStatus.PARTIALLY_RECEIVED
