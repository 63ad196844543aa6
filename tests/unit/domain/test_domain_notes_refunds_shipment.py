"""The side actions of a request: notes, assignment, refunds and the reverse shipment."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import events as ev
from domain.eligibility import ANY_CODE
from domain.errors import DomainError, ErrorCode, InvalidTransition
from domain.lifecycle import ReturnStatus
from domain.parts import ShipmentStatus
from domain.returns import RefundTotal

# ------------------------------------------------------------------ notes


def test_add_note_keeps_the_text_author_and_time(pending, later, actor):
    note = pending.add_note(text="  customer called  ", at=later, actor=actor)

    assert pending.notes == [note]
    assert note.text == "customer called"
    assert note.user == actor.user
    assert note.created_at == later
    assert note.id.startswith("NT-")
    assert pending.updated_at == later
    [event] = pending.pull_events()
    assert isinstance(event, ev.NoteAdded)
    assert (event.note_id, event.text) == (note.id, "customer called")


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001])
def test_add_note_refuses_empty_or_oversized_text(pending, now, actor, text):
    with pytest.raises(DomainError) as caught:
        pending.add_note(text=text, at=now, actor=actor)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.field == "text"
    assert pending.notes == []


def test_notes_can_be_added_to_a_terminal_request(build_request_in, now, actor):
    request = build_request_in(ReturnStatus.CANCELLED)
    request.add_note(text="refund sent by bank transfer", at=now, actor=actor)
    assert len(request.notes) == 1


def test_delete_note_removes_it(pending, now, actor):
    keep = pending.add_note(text="keep", at=now, actor=actor)
    drop = pending.add_note(text="drop", at=now, actor=actor)
    pending.pull_events()

    pending.delete_note(drop.id, at=now, actor=actor)

    assert pending.notes == [keep]
    [event] = pending.pull_events()
    assert isinstance(event, ev.NoteDeleted)
    assert event.note_id == drop.id


def test_delete_an_unknown_note_is_not_found(pending, now, actor):
    pending.add_note(text="keep", at=now, actor=actor)
    with pytest.raises(DomainError) as caught:
        pending.delete_note("NT-NOPE", at=now, actor=actor)
    assert caught.value.code == ErrorCode.NOT_FOUND
    assert caught.value.field == "note_id"
    assert len(pending.notes) == 1


# ------------------------------------------------------------------ assignment


def test_assign_sets_the_user_and_records_it(pending, later, actor):
    pending.assign("  ops@merchant.example ", at=later, actor=actor)

    assert pending.assigned_to_user == "ops@merchant.example"
    [event] = pending.pull_events()
    assert isinstance(event, ev.ReturnAssigned)
    assert event.assigned_to_user == "ops@merchant.example"


@pytest.mark.parametrize("nobody", [None, ""])
def test_unassign_clears_the_user(pending, now, actor, nobody):
    pending.assign("ops@merchant.example", at=now, actor=actor)
    pending.pull_events()

    pending.assign(nobody, at=now, actor=actor)

    assert pending.assigned_to_user is None
    [event] = pending.pull_events()
    assert event.assigned_to_user is None


def test_assign_refuses_a_user_over_320_characters(pending, now, actor):
    with pytest.raises(DomainError) as caught:
        pending.assign("u" * 321, at=now, actor=actor)
    assert caught.value.code == ErrorCode.INVALID_INPUT


def test_assign_a_terminal_request_is_an_invalid_transition(build_request_in, now, actor):
    request = build_request_in(ReturnStatus.COMPLETED)
    with pytest.raises(InvalidTransition):
        request.assign("ops", at=now, actor=actor)


# ------------------------------------------------------------------ refunds


def test_add_refund_within_the_approved_value(approved, later, actor):
    refund = approved.add_refund(
        rules=ANY_CODE,
        amount=Decimal("100.50"),
        currency="AED",
        at=later,
        actor=actor,
        reference=" PSP-1 ",
        refund_type="ORIGINAL_PAYMENT",
        note="first half",
    )

    assert approved.refunds == [refund]
    assert refund.id.startswith("RF-")
    assert (refund.amount, refund.currency) == (Decimal("100.50"), "AED")
    assert (refund.reference, refund.refund_type, refund.note) == (
        "PSP-1",
        "ORIGINAL_PAYMENT",
        "first half",
    )
    assert refund.refund_date == refund.created_at == later
    assert approved.remaining_refundable("AED") == Decimal("149.00")
    [event] = approved.pull_events()
    assert isinstance(event, ev.RefundAdded)
    assert (event.refund_id, event.amount, event.currency, event.refund_type) == (
        refund.id,
        Decimal("100.50"),
        "AED",
        "ORIGINAL_PAYMENT",
    )


def test_add_refund_keeps_an_explicit_refund_date(approved, now, later, actor):
    refund = approved.add_refund(
        rules=ANY_CODE, amount=Decimal("1"), currency="AED", at=later, actor=actor, refund_date=now
    )
    assert refund.refund_date == now


def test_refunds_may_reach_exactly_the_approved_value(approved, now, actor):
    approved.add_refund(rules=ANY_CODE, amount=Decimal("200"), currency="AED", at=now, actor=actor)
    approved.add_refund(rules=ANY_CODE, amount=Decimal("49.5"), currency="AED", at=now, actor=actor)
    assert approved.remaining_refundable("AED") == 0
    assert approved.refund_totals() == [RefundTotal("AED", Decimal("249.50"), Decimal("249.5"))]


def test_refund_beyond_the_approved_value_is_refused(approved, now, actor):
    approved.add_refund(rules=ANY_CODE, amount=Decimal("200"), currency="AED", at=now, actor=actor)
    approved.pull_events()

    with pytest.raises(DomainError) as caught:
        approved.add_refund(
            rules=ANY_CODE, amount=Decimal("49.51"), currency="AED", at=now, actor=actor
        )

    assert caught.value.code == ErrorCode.REFUND_EXCEEDS_VALUE
    assert caught.value.field == "amount"
    assert len(approved.refunds) == 1
    assert approved.events == []


def test_rejected_units_do_not_count_towards_the_refundable_value(build_request, rules, now, actor):
    request = build_request({"SKU-A": 2, "SKU-B": 1})
    request.approve(
        at=now,
        actor=actor,
        rules=rules,
        quantities={"SKU-A": 1, "SKU-B": 1},
        rejection_reason="worn",
    )
    assert request.remaining_refundable("AED") == Decimal("149.50")
    with pytest.raises(DomainError) as caught:
        request.add_refund(
            rules=ANY_CODE, amount=Decimal("149.51"), currency="AED", at=now, actor=actor
        )
    assert caught.value.code == ErrorCode.REFUND_EXCEEDS_VALUE


def test_another_currency_has_no_refundable_value(approved, now, actor):
    assert approved.remaining_refundable("USD") == 0
    with pytest.raises(DomainError) as caught:
        approved.add_refund(
            rules=ANY_CODE, amount=Decimal("0.01"), currency="USD", at=now, actor=actor
        )
    assert caught.value.code == ErrorCode.REFUND_EXCEEDS_VALUE


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("-1"),
        Decimal("0"),
        Decimal("0.0001"),
        Decimal("1.2345"),
        "abc",
        "",
    ],
    ids=["nan", "infinity", "negative", "zero", "tiny", "four-decimals", "text", "empty"],
)
def test_add_refund_refuses_an_amount_that_is_not_a_positive_money_amount(
    approved, now, actor, amount
):
    with pytest.raises(DomainError) as caught:
        approved.add_refund(rules=ANY_CODE, amount=amount, currency="AED", at=now, actor=actor)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.field == "amount"
    assert approved.refunds == []


@pytest.mark.parametrize("amount", [Decimal("0.001"), Decimal("12.340"), 5, "7.25"])
def test_add_refund_accepts_up_to_three_decimals_and_plain_numbers(approved, now, actor, amount):
    refund = approved.add_refund(rules=ANY_CODE, amount=amount, currency="AED", at=now, actor=actor)
    assert refund.amount == Decimal(str(amount))
    assert isinstance(refund.amount, Decimal)


@pytest.mark.parametrize("currency", ["aed", "AE", "", "DIRHAM"])
def test_add_refund_refuses_a_bad_currency(approved, now, actor, currency):
    with pytest.raises(DomainError) as caught:
        approved.add_refund(
            rules=ANY_CODE, amount=Decimal("1"), currency=currency, at=now, actor=actor
        )
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.field == "currency"


def test_refunds_before_approval_are_an_invalid_transition(pending, now, actor):
    with pytest.raises(InvalidTransition):
        pending.add_refund(rules=ANY_CODE, amount=Decimal("1"), currency="AED", at=now, actor=actor)


@pytest.mark.parametrize("status", [ReturnStatus.REJECTED, ReturnStatus.CANCELLED], ids=str)
def test_refunds_on_rejected_or_cancelled_requests_are_refused(
    build_request_in, now, actor, status
):
    request = build_request_in(status)
    with pytest.raises(InvalidTransition):
        request.add_refund(rules=ANY_CODE, amount=Decimal("1"), currency="AED", at=now, actor=actor)


def test_refunds_can_be_recorded_after_completion(build_request_in, now, actor):
    request = build_request_in(ReturnStatus.COMPLETED)
    request.add_refund(
        rules=ANY_CODE, amount=Decimal("249.50"), currency="AED", at=now, actor=actor
    )
    assert request.remaining_refundable("AED") == 0


def test_delete_refund_gives_its_value_back(approved, now, actor):
    refund = approved.add_refund(
        rules=ANY_CODE, amount=Decimal("249.50"), currency="AED", at=now, actor=actor
    )
    approved.pull_events()

    approved.delete_refund(refund.id, at=now, actor=actor)

    assert approved.refunds == []
    assert approved.remaining_refundable("AED") == Decimal("249.50")
    [event] = approved.pull_events()
    assert isinstance(event, ev.RefundDeleted)
    assert (event.refund_id, event.amount, event.currency) == (refund.id, Decimal("249.50"), "AED")


def test_delete_an_unknown_refund_is_not_found(approved, now, actor):
    approved.add_refund(rules=ANY_CODE, amount=Decimal("1"), currency="AED", at=now, actor=actor)
    with pytest.raises(DomainError) as caught:
        approved.delete_refund("RF-NOPE", at=now, actor=actor)
    assert caught.value.code == ErrorCode.NOT_FOUND
    assert caught.value.field == "refund_id"
    assert len(approved.refunds) == 1


def test_refund_totals_are_empty_before_approval(pending):
    assert pending.refund_totals() == []
    assert pending.remaining_refundable("AED") == 0


# ------------------------------------------------------------------ reverse shipment


def test_update_shipment_records_tracking_label_and_carrier(approved, later, actor):
    shipment = approved.update_shipment(
        at=later,
        actor=actor,
        tracking_number=" TRK-123 ",
        label_url="https://labels.example/123.pdf",
        carrier="Aramex",
    )

    assert shipment is approved.shipments[0]
    assert shipment.tracking_number == "TRK-123"
    assert shipment.label_url == "https://labels.example/123.pdf"
    assert shipment.carrier == "Aramex"
    assert shipment.status == ShipmentStatus.CREATED
    assert shipment.updated_at == later
    [event] = approved.pull_events()
    assert isinstance(event, ev.ReverseShipmentUpdated)
    assert (event.shipment_id, event.status, event.tracking_number) == (
        shipment.id,
        "CREATED",
        "TRK-123",
    )


def test_update_shipment_in_transit_keeps_it_open(approved, now, actor):
    shipment = approved.update_shipment(at=now, actor=actor, in_transit=True)
    assert shipment.status == ShipmentStatus.IN_TRANSIT
    assert approved.open_shipment is shipment


def test_update_shipment_leaves_unset_fields_and_none_clears(approved, now, actor):
    approved.update_shipment(at=now, actor=actor, tracking_number="T1", label_url="L1")
    shipment = approved.update_shipment(at=now, actor=actor, tracking_number=None)
    assert (shipment.tracking_number, shipment.label_url, shipment.carrier) == (
        None,
        "L1",
        "manual",
    )


@pytest.mark.parametrize("carrier", ["", "  ", None, "c" * 101])
def test_update_shipment_refuses_a_blank_or_oversized_carrier(approved, now, actor, carrier):
    with pytest.raises(DomainError) as caught:
        approved.update_shipment(at=now, actor=actor, carrier=carrier)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.field == "carrier"


def test_update_shipment_without_an_open_shipment_is_not_found(
    build_request, no_shipment_rules, now, actor
):
    request = build_request()
    request.approve(at=now, actor=actor, rules=no_shipment_rules)
    with pytest.raises(DomainError) as caught:
        request.update_shipment(at=now, actor=actor, tracking_number="T")
    assert caught.value.code == ErrorCode.NOT_FOUND


def test_update_shipment_after_receipt_is_an_invalid_transition(build_request_in, now, actor):
    request = build_request_in(ReturnStatus.RECEIVED)
    with pytest.raises(InvalidTransition):
        request.update_shipment(at=now, actor=actor, tracking_number="T")
