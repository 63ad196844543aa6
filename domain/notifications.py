"""Notifications to customers (the OTO "return SMS"): what was queued, to whom, and what became
of it. The log is the record a merchant checks when a customer says no message arrived, so a
message is written QUEUED before any attempt, and every attempt's outcome is kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import NotFound, RequirementMissing
from domain.orders import Order
from domain.returns import ReturnRequest
from domain.values import new_id

ERROR_LIMIT = 1000


class NotificationChannel(StrEnum):
    SMS = "SMS"


class NotificationStatus(StrEnum):
    QUEUED = "QUEUED"  # written, not yet handed to a sender
    LOGGED = "LOGGED"  # no gateway is configured: the log entry is the delivery
    SENT = "SENT"  # the gateway accepted it
    FAILED = "FAILED"  # the gateway refused it or could not be reached


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """What a sender reports for one attempt."""

    status: NotificationStatus
    error: str | None = None

    @classmethod
    def failed(cls, error: str) -> DeliveryOutcome:
        return cls(NotificationStatus.FAILED, error[:ERROR_LIMIT])


@dataclass(slots=True)
class Notification:
    id: str
    channel: NotificationChannel
    merchant: str
    order_reference: str
    return_request_id: str
    recipient: str
    body: str
    status: NotificationStatus
    created_at: datetime
    updated_at: datetime
    attempts: int = 0
    sent_at: datetime | None = None
    error: str | None = None

    def record(self, outcome: DeliveryOutcome, *, at: datetime) -> None:
        """Keep one attempt's outcome; a later success clears an earlier failure."""
        self.attempts += 1
        self.status = outcome.status
        self.error = outcome.error
        self.updated_at = at
        if outcome.status in (NotificationStatus.SENT, NotificationStatus.LOGGED):
            self.sent_at = at


def return_sms(order: Order, request: ReturnRequest, *, at: datetime) -> Notification:
    """The SMS telling the customer their return request was registered."""
    phone = (order.customer.phone or "").strip()
    if not phone:
        raise RequirementMissing(
            f"order {order.reference} has no customer phone number to send an SMS to",
            field="order_reference",
        )
    units = sum(item.quantity for item in request.items)
    name = order.customer.name or "customer"
    body = (
        f"Hello {name}, your return request {request.id} for order {order.reference} "
        f"({units} item{'s' if units != 1 else ''}) is {request.status.value.lower()}. "
        "We will keep you posted."
    )
    return Notification(
        id=new_id("NT"),
        channel=NotificationChannel.SMS,
        merchant=order.merchant,
        order_reference=order.reference,
        return_request_id=request.id,
        recipient=phone,
        body=body,
        status=NotificationStatus.QUEUED,
        created_at=at,
        updated_at=at,
    )


def successful_request(requests: list[ReturnRequest], order_reference: str) -> ReturnRequest:
    """The request an order's return SMS is about: its newest live (not rejected, not
    cancelled) one."""
    live = [request for request in requests if request.status.is_live]
    if not live:
        raise NotFound(
            f"order {order_reference} has no successful return request to send an SMS about",
            field="order_reference",
        )
    return max(live, key=lambda request: (request.created_at, request.id))
