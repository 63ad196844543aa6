"""OTO's JSON: camelCase fields, `success` on every answer, statuses in lower case (DESIGN.md
§8), quantities as strings the way OTO sends them, times ISO 8601 in UTC. Each writer
returns the answer declared in models.py."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.notifications import Notification
from domain.orders import Order
from domain.parts import ReturnItem, ReverseShipment
from domain.returns import ReturnRequest
from rest.oto.models import (
    OtoCreateReturnShipmentAnswer,
    OtoReturnDetailsAnswer,
    OtoReturnItem,
    OtoReturnLinkAnswer,
    OtoReturnShipment,
    OtoReturnSmsAnswer,
    OtoShipment,
)


def _time(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def _shipment(shipment: ReverseShipment | None) -> OtoShipment | None:
    if shipment is None:
        return None
    return {
        "shipmentId": shipment.id,
        "deliveryOptionId": shipment.delivery_option_id,
        "carrier": shipment.carrier,
        "status": shipment.status.value.lower(),
        "trackingNumber": shipment.tracking_number,
        "labelUrl": shipment.label_url,
        "items": [{"sku": sku, "quantity": str(qty)} for sku, qty in shipment.items],
    }


def _item(item: ReturnItem) -> OtoReturnItem:
    return {
        "sku": item.sku,
        "name": item.description,
        "quantity": str(item.quantity),
        "approvedQuantity": str(item.approved_quantity),
        "receivedQuantity": str(item.received_quantity),
        "returnReason": item.reason_code,
        "comment": item.comment,
        "itemCondition": item.item_condition,
    }


def _latest_shipment(request: ReturnRequest) -> ReverseShipment | None:
    return request.open_shipment or (request.shipments[-1] if request.shipments else None)


def return_shipment(request: ReturnRequest) -> OtoReturnShipment:
    """One return request with its reverse shipment, as getReturnDetails lists them."""
    reasons = [item.reason_code for item in request.items if item.reason_code]
    return {
        "returnRequestId": request.id,
        "orderId": request.order_reference,
        "status": request.status.value.lower(),
        "returnReason": reasons[0] if reasons else None,
        "customerComment": request.details.customer_comment,
        "createdAt": _time(request.created_at),
        "updatedAt": _time(request.updated_at),
        "reverseShipment": _shipment(_latest_shipment(request)),
        "items": [_item(item) for item in request.items],
    }


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
        "expiresAt": _time(expires_at),
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
