"""The customer's view of a return (core/return_progress.py): the timeline's milestones in
the order they happened, what is still ahead, and the next step, with pickup and drop-off
told apart (the portal used to say "a courier collects them or you drop them off" to both)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from core.return_progress import Milestone, Next, next_step, slip_available, timeline
from domain.eligibility import ANY_CODE
from domain.exchange_lines import ExchangeLineStatus
from domain.lifecycle import ReturnStatus
from domain.request_details import RequestDetails
from domain.returns import ReturnRequest
from domain.values import Address, TimeWindow
from tests.unit.domain.conftest import (
    ACTOR,
    NOW,
    PICKUP,
    give_exchange_line,
    make_request,
    request_in,
)

DROP_OFF_POINT = Address(partner_location_id="WH-DXB")


@dataclass(frozen=True)
class Record:
    """A committed event as the event log reads it back."""

    event_type: str
    occurred_at: datetime
    payload: dict[str, Any]


def log(request: ReturnRequest) -> list[Record]:
    return [Record(e.event_type, e.occurred_at, e.payload()) for e in request.pull_events()]


def at(hours: int) -> datetime:
    return NOW + timedelta(hours=hours)


def milestones(request: ReturnRequest, events: list[Record]) -> list[tuple[Milestone, bool]]:
    return [(entry.milestone, entry.done) for entry in timeline(request, events)]


def test_a_new_request_is_submitted_with_the_rest_of_the_way_ahead() -> None:
    request = make_request()

    assert milestones(request, []) == [
        (Milestone.SUBMITTED, True),
        (Milestone.APPROVED, False),
        (Milestone.IN_TRANSIT, False),
        (Milestone.RECEIVED, False),
        (Milestone.REFUNDED, False),
    ]
    assert next_step(request).what == Next.WAIT_FOR_REVIEW
    assert not slip_available(request)


def test_the_whole_way_is_told_in_order_with_times_and_the_amount() -> None:
    request = make_request({"SKU-A": 1})
    events = log(request)
    request.approve(at=at(1), actor=ACTOR, rules=ANY_CODE)
    request.record_first_scan(at=at(2), actor=ACTOR)
    request.receive(at=at(3), actor=ACTOR, quantities={"SKU-A": 1}, rules=ANY_CODE)
    request.add_refund(
        amount=Decimal("100.00"), currency="AED", at=at(4), actor=ACTOR, rules=ANY_CODE
    )
    events += log(request)

    entries = timeline(request, events)

    assert [(e.milestone, e.at) for e in entries] == [
        (Milestone.SUBMITTED, NOW),
        (Milestone.APPROVED, at(1)),
        (Milestone.IN_TRANSIT, at(2)),
        (Milestone.RECEIVED, at(3)),
        (Milestone.REFUNDED, at(4)),
    ]
    assert (entries[-1].amount, entries[-1].currency) == (Decimal("100.00"), "AED")
    assert next_step(request, events).what == Next.NOTHING


def test_the_merchant_marking_the_parcel_in_transit_counts_as_in_transit() -> None:
    request = request_in(ReturnStatus.APPROVED)
    request.update_shipment(at=at(2), actor=ACTOR, tracking_number="TRK1", in_transit=True)
    events = log(request)

    assert (Milestone.IN_TRANSIT, True) in milestones(request, events)
    assert next_step(request, events).what == Next.IN_TRANSIT


def test_part_of_the_items_received_reads_as_partly_received() -> None:
    request = request_in(ReturnStatus.APPROVED)
    request.receive(at=at(3), actor=ACTOR, quantities={"SKU-A": 1}, rules=ANY_CODE)
    events = log(request)

    received = [e for e in timeline(request, events) if e.milestone == Milestone.RECEIVED]
    assert [(e.at, e.partial) for e in received] == [(at(3), True)]
    assert next_step(request, events).what == Next.IN_TRANSIT  # the rest is on its way


def test_store_credit_is_told_as_credit_not_as_a_refund() -> None:
    request = make_request()
    request.details = RequestDetails(
        pickup=PICKUP, dropoff=request.details.dropoff, resolution="STORE_CREDIT"
    )

    ahead = [entry.milestone for entry in timeline(request) if not entry.done]
    assert ahead[-1] == Milestone.CREDITED


def test_a_rejected_request_ends_there_with_nothing_ahead() -> None:
    request = request_in(ReturnStatus.REJECTED)

    assert milestones(request, []) == [(Milestone.SUBMITTED, True), (Milestone.REJECTED, True)]
    assert next_step(request).what == Next.NOTHING


def test_a_cancelled_approval_keeps_its_approval_in_the_story() -> None:
    request = request_in(ReturnStatus.APPROVED)
    request.cancel(at=at(5), actor=ACTOR)

    assert [m for m, _ in milestones(request, [])] == [
        Milestone.SUBMITTED,
        Milestone.APPROVED,
        Milestone.CANCELLED,
    ]


def test_an_approved_pickup_waits_for_the_courier_at_the_customers_address() -> None:
    request = request_in(ReturnStatus.APPROVED)

    step = next_step(request)

    assert (step.what, step.place, step.slip) == (Next.WAIT_FOR_PICKUP, PICKUP, True)
    assert step.window is None
    assert slip_available(request)


def test_an_approved_pickup_says_its_collection_window() -> None:
    window = TimeWindow(at(24), at(28))
    request = request_in(ReturnStatus.APPROVED)
    request.details = RequestDetails(
        pickup=PICKUP, dropoff=request.details.dropoff, collection=window
    )

    assert next_step(request).window == window


def test_an_approved_drop_off_sends_the_customer_to_the_drop_off_point() -> None:
    request = request_in(ReturnStatus.APPROVED, pickup=DROP_OFF_POINT)

    step = next_step(request)

    assert (step.what, step.place, step.slip) == (Next.DROP_OFF, DROP_OFF_POINT, True)


def test_received_without_money_yet_waits_for_the_refund() -> None:
    request = request_in(ReturnStatus.RECEIVED)

    assert next_step(request).what == Next.WAIT_FOR_REFUND
    assert not slip_available(request)


def test_an_exchange_worth_what_is_returned_has_no_refund_ahead() -> None:
    request = make_request({"SKU-A": 1})
    give_exchange_line(request, ExchangeLineStatus.PENDING, price=Decimal("100.00"))

    assert Milestone.REFUNDED not in [entry.milestone for entry in timeline(request, [])]


def test_an_exchange_for_less_still_has_its_refund_ahead() -> None:
    request = make_request({"SKU-A": 1})
    give_exchange_line(request, ExchangeLineStatus.PENDING, sku="MUG-BLUE", price=Decimal("40"))

    assert timeline(request, [])[-1].milestone == Milestone.REFUNDED


def test_a_cancelled_exchange_leaves_the_refund_ahead() -> None:
    request = make_request({"SKU-A": 1})
    give_exchange_line(request, ExchangeLineStatus.CANCELLED)

    assert timeline(request, [])[-1].milestone == Milestone.REFUNDED


def test_received_items_of_an_even_exchange_wait_for_the_exchange_not_money() -> None:
    request = request_in(ReturnStatus.RECEIVED, items={"SKU-A": 1})
    give_exchange_line(request, ExchangeLineStatus.RESERVED, price=Decimal("100.00"))

    assert next_step(request).what == Next.WAIT_FOR_EXCHANGE
