"""OTO's JSON: camelCase fields, `success` on every answer, statuses in lower case (DESIGN.md
§8), quantities as strings the way OTO sends them, times ISO 8601 in UTC. Each writer
returns the answer declared in models.py."""

from __future__ import annotations

from datetime import datetime

from core.oto_format import iso_time, return_shipment
from domain.notifications import Notification
from domain.orders import Order
from domain.returns import ReturnRequest
from rest.oto.models import (
    OtoCreateReturnShipmentAnswer,
    OtoReturnDetailsAnswer,
    OtoReturnLinkAnswer,
    OtoReturnSmsAnswer,
)


def shipment_created(request: ReturnRequest) -> OtoCreateReturnShipmentAnswer:
    return {"success": True, **return_shipment(request)}


def return_details(order: Order, requests: list[ReturnRequest]) -> OtoReturnDetailsAnswer:
    return {
        "success": True,
        "orderId": order.reference,
        "returns": [return_shipment(request) for request in requests],
    }


def return_link(order: Order, link: str, expires_at: datetime) -> OtoReturnLinkAnswer:
    return {
        "success": True,
        "orderId": order.reference,
        "returnLink": link,
        "expiresAt": iso_time(expires_at),
    }


def sms_queued(notification: Notification) -> OtoReturnSmsAnswer:
    return {
        "success": True,
        "orderId": notification.order_reference,
        "returnRequestId": notification.return_request_id,
        "notificationId": notification.id,
        "status": notification.status.value.lower(),
        "message": "the return SMS is queued; its delivery is recorded in the notifications log",
    }
