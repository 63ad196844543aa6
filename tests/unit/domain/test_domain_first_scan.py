"""The carrier's first scan of a drop-off slip: recorded once, as ReturnFirstScanned, on a
request that waits for its parcel; a later scan records nothing; an undecided or closed
request refuses it."""

from __future__ import annotations

import pytest

from domain import events as ev
from domain.errors import ErrorCode, InvalidTransition
from domain.lifecycle import ReturnStatus
from domain.parts import ShipmentStatus
from domain.webhooks import EVENT_TYPES
from tests.unit.domain.conftest import ACTOR, LATER, NoShipmentRules, request_in

CARRIER = ACTOR.__class__(source="REST", user="scanner")


def test_the_first_scan_records_one_event_and_puts_the_parcel_in_transit() -> None:
    request = request_in(ReturnStatus.APPROVED)

    assert request.record_first_scan(at=LATER, actor=CARRIER, location="SMSA-DXB-7") is True

    assert request.first_scanned_at == LATER
    scanned = [e for e in request.events if isinstance(e, ev.ReturnFirstScanned)]
    assert [(e.location, e.occurred_at, e.actor) for e in scanned] == [
        ("SMSA-DXB-7", LATER, CARRIER)
    ]
    assert request.shipments[0].status == ShipmentStatus.IN_TRANSIT
    assert any(isinstance(e, ev.ReverseShipmentUpdated) for e in request.events)
    assert request.status == ReturnStatus.APPROVED  # the scan moves the parcel, not the request
    assert "ReturnFirstScanned" in EVENT_TYPES  # webhooks may subscribe to it by name


def test_a_second_scan_is_answered_as_done_and_records_nothing() -> None:
    request = request_in(ReturnStatus.APPROVED)
    request.record_first_scan(at=LATER, actor=CARRIER)
    request.pull_events()

    assert request.record_first_scan(at=LATER, actor=CARRIER, location="elsewhere") is False
    assert request.events == []
    assert request.first_scanned_at == LATER


def test_a_request_without_a_reverse_shipment_is_scanned_all_the_same() -> None:
    rules = NoShipmentRules()
    request = request_in(ReturnStatus.APPROVED, rules=rules)
    assert request.shipments == []

    assert request.record_first_scan(at=LATER, actor=CARRIER) is True
    assert [type(e) for e in request.events] == [ev.ReturnFirstScanned]


@pytest.mark.parametrize(
    "status",
    [ReturnStatus.PENDING, ReturnStatus.ON_HOLD, ReturnStatus.REJECTED, ReturnStatus.RECEIVED],
)
def test_a_request_not_waiting_for_its_parcel_refuses_a_scan(status: ReturnStatus) -> None:
    request = request_in(status)

    with pytest.raises(InvalidTransition) as refused:
        request.record_first_scan(at=LATER, actor=CARRIER)

    assert refused.value.code == ErrorCode.INVALID_TRANSITION
    assert status.value in refused.value.message
    assert request.first_scanned_at is None and request.events == []
