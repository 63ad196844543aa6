"""Where a return stands, as the customer follows it: the timeline of what happened and what
is still ahead, and the one thing the customer must do (or wait for) next.

Pure rules over the aggregate and its committed events, in no language: the status page
words them (pages/portal), and a message to the customer can word them the same way. The
timeline's milestones are the ones a customer counts: submitted, approved, in transit (the
carrier's first scan of the slip, or the merchant marking the parcel in transit), received,
refunded or credited; a rejected, cancelled or completed request ends with that."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from domain.lifecycle import APPROVED_FAMILY, ReturnStatus
from domain.parts import ShipmentStatus
from domain.returns import ReturnRequest
from domain.values import Address, TimeWindow

# What marks store credit rather than money back: the refund's type, the request's refund
# method or its resolution carries this word (the demo's STORE_CREDIT resolution does).
CREDIT_WORD = "CREDIT"


class Milestone(StrEnum):
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    IN_TRANSIT = "IN_TRANSIT"
    RECEIVED = "RECEIVED"
    REFUNDED = "REFUNDED"
    CREDITED = "CREDITED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"


class Next(StrEnum):
    """What the customer does, or waits for, now."""

    WAIT_FOR_REVIEW = "WAIT_FOR_REVIEW"  # the shop has not decided yet
    DROP_OFF = "DROP_OFF"  # print the slip, take the parcel to the drop-off place
    WAIT_FOR_PICKUP = "WAIT_FOR_PICKUP"  # print the slip, a courier collects it (in a window)
    IN_TRANSIT = "IN_TRANSIT"  # the carrier has it: nothing to do
    WAIT_FOR_REFUND = "WAIT_FOR_REFUND"  # the shop has the items; the money is on its way
    WAIT_FOR_EXCHANGE = "WAIT_FOR_EXCHANGE"  # the shop has the items; the exchange comes next
    NOTHING = "NOTHING"  # closed: refunded, credited, completed, rejected or cancelled


class EventRecord(Protocol):
    """A committed event as the event log reads it (persistence.outbox.StoredEvent)."""

    event_type: str
    occurred_at: datetime
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class Entry:
    """One milestone: when it happened (None while it is still ahead), the amount of a
    refund or credit, and whether a receipt was of part of the items."""

    milestone: Milestone
    at: datetime | None
    amount: Decimal | None = None
    currency: str | None = None
    partial: bool = False

    @property
    def done(self) -> bool:
        return self.at is not None


@dataclass(frozen=True)
class NextStep:
    what: Next
    place: Address | None = None  # the courier's pickup address or the drop-off place
    window: TimeWindow | None = None  # when the courier calls, if agreed
    slip: bool = False  # the drop-off slip applies: print it, or show its QR code


def timeline(request: ReturnRequest, events: Iterable[EventRecord] = ()) -> list[Entry]:
    """What happened, oldest first, then what is still ahead of a live request."""
    events = list(events)
    done = [Entry(Milestone.SUBMITTED, request.created_at)]
    if request.approved_at and request.status in APPROVED_FAMILY | {ReturnStatus.CANCELLED}:
        done.append(Entry(Milestone.APPROVED, request.approved_at))
    transit = in_transit_since(request, events)
    if transit:
        done.append(Entry(Milestone.IN_TRANSIT, transit))
    done.extend(_receipt(request, events))
    credited = is_credit(request)
    for refund in sorted(request.refunds, key=lambda r: r.created_at):
        as_credit = credited or is_credit_type(refund.refund_type)
        milestone = Milestone.CREDITED if as_credit else Milestone.REFUNDED
        done.append(Entry(milestone, refund.created_at, refund.amount, refund.currency))
    done.extend(_ending(request))
    done.sort(key=lambda entry: entry.at or request.created_at)
    return done + _ahead(request, {entry.milestone for entry in done})


def in_transit_since(request: ReturnRequest, events: Iterable[EventRecord]) -> datetime | None:
    """The carrier's first scan, or the first time the merchant marked the parcel in
    transit, whichever came first."""
    marked = [
        event.occurred_at
        for event in events
        if event.event_type == "ReverseShipmentUpdated"
        and event.payload.get("status") == ShipmentStatus.IN_TRANSIT.value
    ]
    times = [*marked, *([request.first_scanned_at] if request.first_scanned_at else [])]
    return min(times) if times else None


def next_step(request: ReturnRequest, events: Iterable[EventRecord] = ()) -> NextStep:
    status = request.status
    pickup = request.details.pickup
    if status.is_undecided:
        return NextStep(Next.WAIT_FOR_REVIEW)
    if status.is_terminal or (request.refunds and status == ReturnStatus.RECEIVED):
        return NextStep(Next.NOTHING)
    if status == ReturnStatus.RECEIVED:
        return NextStep(
            Next.WAIT_FOR_REFUND if money_comes_back(request) else Next.WAIT_FOR_EXCHANGE
        )
    if in_transit_since(request, events) or status == ReturnStatus.PARTIALLY_RECEIVED:
        return NextStep(Next.IN_TRANSIT)
    if pickup is not None and pickup.partner_location_id:
        return NextStep(Next.DROP_OFF, place=pickup, slip=True)
    return NextStep(
        Next.WAIT_FOR_PICKUP, place=pickup, window=request.details.collection, slip=True
    )


def slip_available(request: ReturnRequest) -> bool:
    """A slip is for a parcel that is to travel: approved, and not all of it arrived yet."""
    return request.status in (ReturnStatus.APPROVED, ReturnStatus.PARTIALLY_RECEIVED)


def is_credit(request: ReturnRequest) -> bool:
    details = request.details
    return is_credit_type(details.refund_method) or is_credit_type(details.resolution)


def is_credit_type(code: str | None) -> bool:
    return bool(code) and CREDIT_WORD in (code or "").upper()


def _receipt(request: ReturnRequest, events: list[EventRecord]) -> list[Entry]:
    if request.received_at:
        return [Entry(Milestone.RECEIVED, request.received_at)]
    first = min(
        (e.occurred_at for e in events if e.event_type == "ReturnItemsReceived"), default=None
    )
    if first and any(item.received_quantity for item in request.items):
        return [Entry(Milestone.RECEIVED, first, partial=True)]
    return []


def _ending(request: ReturnRequest) -> list[Entry]:
    endings = {
        ReturnStatus.REJECTED: (Milestone.REJECTED, request.rejected_at),
        ReturnStatus.CANCELLED: (Milestone.CANCELLED, request.cancelled_at),
        ReturnStatus.COMPLETED: (Milestone.COMPLETED, request.completed_at),
    }
    ending = endings.get(request.status)
    if ending is None:
        return []
    milestone, at = ending
    return [Entry(milestone, at or request.updated_at)]


def _ahead(request: ReturnRequest, reached: set[Milestone]) -> list[Entry]:
    """The milestones a live request has still to reach, in the order it reaches them."""
    if request.status.is_terminal:
        return []
    money = Milestone.CREDITED if is_credit(request) else Milestone.REFUNDED
    path = [Milestone.APPROVED, Milestone.IN_TRANSIT, Milestone.RECEIVED, money]
    if reached & {Milestone.REFUNDED, Milestone.CREDITED} or not money_comes_back(request):
        path = path[:-1]
    return [Entry(milestone, None) for milestone in path if milestone not in reached]


def money_comes_back(request: ReturnRequest) -> bool:
    """Whether money or credit is ahead: always for a plain return; for an exchange, only
    when what is returned is worth more than what comes instead (the difference due is
    below zero in some currency), else the exchange itself is what the customer gets."""
    if not request.has_exchange:
        return True
    return any(balance.difference_due < 0 for balance in request.balance())
