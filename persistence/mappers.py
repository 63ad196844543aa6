"""Row ⇄ domain mappers. Each pair is round-trip tested: to_rows(from_rows(x)) == x."""

from __future__ import annotations

import dataclasses
from typing import Any

from domain.lifecycle import ReturnStatus
from domain.notifications import Notification, NotificationChannel, NotificationStatus
from domain.orders import Customer, Order, OrderLine
from domain.parts import (
    ItemsUpdate,
    Note,
    Refund,
    ReturnItem,
    ReverseShipment,
    ShipmentStatus,
)
from domain.returns import ReturnRequest
from domain.values import Actor, Address, TimeWindow
from domain.webhooks import WebhookEndpoint
from persistence.tables import (
    ItemsUpdateRow,
    NotificationRow,
    OrderLineRow,
    OrderRow,
    RefundRow,
    ReturnItemRow,
    ReturnNoteRow,
    ReturnRequestRow,
    ReverseShipmentRow,
    WebhookEndpointRow,
)

# --------------------------------------------------------------------------- values


def address_to_json(address: Address | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {key: value for key, value in dataclasses.asdict(address).items() if value is not None}


def address_from_json(data: dict[str, Any] | None) -> Address | None:
    if data is None:
        return None
    known = {f.name for f in dataclasses.fields(Address)}
    return Address(**{key: value for key, value in data.items() if key in known})


def _pairs(data: list[list[Any]]) -> tuple[tuple[str, int], ...]:
    return tuple((str(sku), int(qty)) for sku, qty in data)


# --------------------------------------------------------------------------- orders


def order_to_rows(order: Order, tenant_id: str) -> tuple[OrderRow, list[OrderLineRow]]:
    row = OrderRow(
        tenant_id=tenant_id,
        merchant=order.merchant,
        reference=order.reference,
        currency=order.currency,
        customer_name=order.customer.name,
        customer_email=order.customer.email,
        customer_phone=order.customer.phone,
        delivery_address=address_to_json(order.delivery_address),
        created_at=order.created_at,
        updated_at=order.updated_at,
    )
    lines = [
        OrderLineRow(
            tenant_id=tenant_id,
            order_id=0,
            position=index,
            sku=line.sku,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            delivered_quantity=line.delivered_quantity,
            delivered_at=line.delivered_at,
        )
        for index, line in enumerate(order.lines)
    ]
    return row, lines


def order_from_rows(row: OrderRow, lines: list[OrderLineRow]) -> Order:
    return Order(
        merchant=row.merchant,
        reference=row.reference,
        currency=row.currency,
        customer=Customer(row.customer_name, row.customer_email, row.customer_phone),
        lines=[
            OrderLine(
                line.sku,
                line.description,
                line.quantity,
                line.unit_price,
                line.delivered_quantity,
                line.delivered_at,
            )
            for line in sorted(lines, key=lambda line: line.position)
        ],
        delivery_address=address_from_json(row.delivery_address),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


# --------------------------------------------------------------------------- return requests


def request_to_row(request: ReturnRequest, tenant_id: str) -> ReturnRequestRow:
    collection = request.collection
    return ReturnRequestRow(
        id=request.id,
        tenant_id=tenant_id,
        merchant=request.merchant,
        order_reference=request.order_reference,
        status=request.status.value,
        channel=request.channel,
        pickup=address_to_json(request.pickup),
        dropoff=address_to_json(request.dropoff),
        customer_comment=request.customer_comment,
        resolution=request.resolution,
        refund_method=request.refund_method,
        assigned_to_user=request.assigned_to_user,
        collection_start=collection.start if collection else None,
        collection_end=collection.end if collection else None,
        created_at=request.created_at,
        updated_at=request.updated_at,
        on_hold_at=request.on_hold_at,
        approved_at=request.approved_at,
        rejected_at=request.rejected_at,
        cancelled_at=request.cancelled_at,
        received_at=request.received_at,
        completed_at=request.completed_at,
        rejection_reason=request.rejection_reason,
        auto_closed=request.auto_closed,
        auto_closed_at=request.auto_closed_at,
        creation_source=request.creation_source.source,
        creation_user=request.creation_source.user,
        update_source=request.update_source.source,
        update_user=request.update_source.user,
        split_from=request.split_from,
        version=request.version,
    )


def children_to_rows(request: ReturnRequest, tenant_id: str) -> list[Any]:
    """Every child row of the aggregate, in the order they must be inserted."""
    rid = request.id
    common = {"tenant_id": tenant_id, "return_request_id": rid}
    rows: list[Any] = []
    for position, item in enumerate(request.items):
        fields = dataclasses.asdict(item)
        fields["comment_codes"] = list(item.comment_codes)
        fields["image_urls"] = list(item.image_urls)
        rows.append(ReturnItemRow(position=position, **common, **fields))
    rows += [
        ReturnNoteRow(
            id=n.id, text=n.text, user=n.user, created_at=n.created_at, position=p, **common
        )
        for p, n in enumerate(request.notes)
    ]
    rows += [
        RefundRow(
            id=r.id,
            amount=r.amount,
            currency=r.currency,
            reference=r.reference,
            refund_type=r.refund_type,
            note=r.note,
            refund_date=r.refund_date,
            created_at=r.created_at,
            position=p,
            **common,
        )
        for p, r in enumerate(request.refunds)
    ]
    rows += [
        ReverseShipmentRow(
            id=s.id,
            carrier=s.carrier,
            status=s.status.value,
            items=[list(i) for i in s.items],
            pickup=address_to_json(s.pickup),
            dropoff=address_to_json(s.dropoff),
            tracking_number=s.tracking_number,
            label_url=s.label_url,
            created_at=s.created_at,
            updated_at=s.updated_at,
            delivery_option_id=s.delivery_option_id,
            position=p,
            **common,
        )
        for p, s in enumerate(request.shipments)
    ]
    rows += [
        ItemsUpdateRow(
            position=position,
            updated_at=u.updated_at,
            previous=[list(p) for p in u.previous],
            current=[list(p) for p in u.current],
            user=u.user,
            source=u.source,
            **common,
        )
        for position, u in enumerate(request.items_updates)
    ]
    return rows


def item_from_row(row: ReturnItemRow) -> ReturnItem:
    return ReturnItem(
        sku=row.sku,
        description=row.description,
        unit_price=row.unit_price,
        currency=row.currency,
        quantity=row.quantity,
        reason_code=row.reason_code,
        comment=row.comment,
        comment_codes=tuple(row.comment_codes or ()),
        image_urls=tuple(row.image_urls or ()),
        item_condition=row.item_condition,
        resolution=row.resolution,
        refund_type=row.refund_type,
        approved_quantity=row.approved_quantity,
        rejected_quantity=row.rejected_quantity,
        returned_quantity=row.returned_quantity,
        received_quantity=row.received_quantity,
        rejection_reason=row.rejection_reason,
    )


def note_from_row(row: ReturnNoteRow) -> Note:
    return Note(row.id, row.text, row.created_at, row.user)


def refund_from_row(row: RefundRow) -> Refund:
    return Refund(
        row.id,
        row.amount,
        row.currency,
        row.created_at,
        row.reference,
        row.refund_type,
        row.note,
        row.refund_date,
    )


def shipment_from_row(row: ReverseShipmentRow) -> ReverseShipment:
    return ReverseShipment(
        id=row.id,
        carrier=row.carrier,
        status=ShipmentStatus(row.status),
        created_at=row.created_at,
        items=list(_pairs(row.items)),
        pickup=address_from_json(row.pickup),
        dropoff=address_from_json(row.dropoff),
        tracking_number=row.tracking_number,
        label_url=row.label_url,
        updated_at=row.updated_at,
        delivery_option_id=row.delivery_option_id,
    )


def items_update_from_row(row: ItemsUpdateRow) -> ItemsUpdate:
    return ItemsUpdate(
        row.updated_at, _pairs(row.previous), _pairs(row.current), row.user, row.source
    )


def request_from_rows(
    row: ReturnRequestRow,
    *,
    items: list[ReturnItem],
    notes: list[Note],
    refunds: list[Refund],
    shipments: list[ReverseShipment],
    items_updates: list[ItemsUpdate],
) -> ReturnRequest:
    collection = (
        TimeWindow(row.collection_start, row.collection_end)
        if row.collection_start and row.collection_end
        else None
    )
    return ReturnRequest(
        id=row.id,
        merchant=row.merchant,
        order_reference=row.order_reference,
        status=ReturnStatus(row.status),
        items=items,
        created_at=row.created_at,
        updated_at=row.updated_at,
        creation_source=Actor(row.creation_source, row.creation_user),
        update_source=Actor(row.update_source, row.update_user),
        channel=row.channel,
        pickup=address_from_json(row.pickup),
        dropoff=address_from_json(row.dropoff),
        customer_comment=row.customer_comment,
        resolution=row.resolution,
        refund_method=row.refund_method,
        assigned_to_user=row.assigned_to_user,
        collection=collection,
        notes=notes,
        refunds=refunds,
        shipments=shipments,
        items_updates=items_updates,
        on_hold_at=row.on_hold_at,
        approved_at=row.approved_at,
        rejected_at=row.rejected_at,
        cancelled_at=row.cancelled_at,
        received_at=row.received_at,
        completed_at=row.completed_at,
        rejection_reason=row.rejection_reason,
        auto_closed=row.auto_closed,
        auto_closed_at=row.auto_closed_at,
        split_from=row.split_from,
        version=row.version,
    )


# --------------------------------------------------------------------------- notifications


def notification_to_row(notification: Notification, tenant_id: str) -> NotificationRow:
    values = {f.name: getattr(notification, f.name) for f in dataclasses.fields(Notification)}
    values["channel"] = notification.channel.value
    values["status"] = notification.status.value
    return NotificationRow(tenant_id=tenant_id, **values)


def notification_from_row(row: NotificationRow) -> Notification:
    return Notification(
        id=row.id,
        channel=NotificationChannel(row.channel),
        merchant=row.merchant,
        order_reference=row.order_reference,
        return_request_id=row.return_request_id,
        recipient=row.recipient,
        body=row.body,
        status=NotificationStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        attempts=row.attempts,
        sent_at=row.sent_at,
        error=row.error,
    )


# --------------------------------------------------------------------------- webhooks


def webhook_endpoint_values(endpoint: WebhookEndpoint, tenant_id: str) -> dict[str, Any]:
    values = {f.name: getattr(endpoint, f.name) for f in dataclasses.fields(WebhookEndpoint)}
    values["event_types"] = list(endpoint.event_types)
    return {"tenant_id": tenant_id, **values}


def webhook_endpoint_from_row(row: WebhookEndpointRow) -> WebhookEndpoint:
    return WebhookEndpoint(
        endpoint_id=row.endpoint_id,
        merchant=row.merchant,
        url=row.url,
        event_types=tuple(row.event_types),
        secret=row.secret,
        active=row.active,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )
