"""Row ⇄ domain mappers. Each pair is round-trip tested: to_rows(from_rows(x)) == x."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.exchange_lines import ExchangeLine, ExchangePayment
from domain.fees import FILTERS, Fee, FeeBasis, FeeKind, FeeRule
from domain.lifecycle import ReturnStatus
from domain.notifications import Notification, NotificationChannel, NotificationStatus
from domain.orders import Customer, Order, OrderLine
from domain.parts import (
    ItemsUpdate,
    Note,
    Refund,
    RefundOutcome,
    ReturnItem,
    ReverseShipment,
    ShipmentStatus,
)
from domain.request_details import RequestDetails
from domain.returns import ReturnRequest
from domain.values import Actor, Address, TimeWindow, decimal_text
from domain.webhooks import WebhookEndpoint
from persistence.exchange_mappers import exchange_line_values, exchange_payment_values
from persistence.statements import Row
from persistence.tables import (
    ExchangeLineRow,
    ExchangePaymentRow,
    ItemsUpdateRow,
    RefundRow,
    ReturnItemRow,
    ReturnNoteRow,
    ReturnRequestRow,
    ReverseShipmentRow,
)

# --------------------------------------------------------------------------- values


_ADDRESS_FIELDS = tuple(f.name for f in dataclasses.fields(Address))


def address_to_json(address: Address | None) -> dict[str, Any] | None:
    """Its fields that are set (all text): read by name, as `dataclasses.asdict`'s deep
    copy cost a write more than its two addresses were worth (bench/profile_writes.py)."""
    if address is None:
        return None
    values = ((name, getattr(address, name)) for name in _ADDRESS_FIELDS)
    return {name: value for name, value in values if value is not None}


def address_from_json(data: dict[str, Any] | None) -> Address | None:
    if data is None:
        return None
    known = {f.name for f in dataclasses.fields(Address)}
    return Address(**{key: value for key, value in data.items() if key in known})


def _pairs(data: list[list[Any]]) -> tuple[tuple[str, int], ...]:
    return tuple((str(sku), int(qty)) for sku, qty in data)


def fees_to_json(fees: Sequence[Fee]) -> list[dict[str, Any]]:
    """A request's fees as its JSON column holds them: decimals and times as text."""
    return [
        {key: _json_value(value) for key, value in dataclasses.asdict(fee).items()} for fee in fees
    ]


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return decimal_text(value)
    return str(value)


def fees_from_json(data: list[dict[str, Any]] | None) -> list[Fee]:
    def value(name: str, raw: Any) -> Any:
        if raw is None or name not in _FEE_TYPES:
            return raw
        return _FEE_TYPES[name](raw)

    return [Fee(**{name: value(name, raw) for name, raw in fee.items()}) for fee in data or ()]


_FEE_TYPES: dict[str, Any] = {
    "kind": FeeKind,
    "basis": FeeBasis,
    "amount": Decimal,
    "rate": Decimal,
    "waived_at": datetime.fromisoformat,
    "set_at": datetime.fromisoformat,
}


def fee_rule_values(rule: FeeRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "merchant": rule.merchant,
        "kind": rule.kind.value,
        "basis": rule.basis.value,
        "value": rule.value,
        "currency": rule.currency,
        **{name: list(getattr(rule, name)) for name in FILTERS},
    }


def fee_rule_from_row(row: Row) -> FeeRule:
    return FeeRule(
        id=row["id"],
        merchant=row["merchant"],
        kind=FeeKind(row["kind"]),
        basis=FeeBasis(row["basis"]),
        value=row["value"],
        currency=row["currency"],
        **{name: tuple(row[name] or ()) for name in FILTERS},
    )


# --------------------------------------------------------------------------- orders
#
# Rows go to the database as plain dicts of column values (inserted many at once) and come
# back as mappings (SQLAlchemy's RowMapping, an asyncpg Record or a dict): key access is
# what every driver's row answers fast.


def order_values(order: Order, tenant_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The order's row and its lines' rows (without `order_id`, known after the insert)."""
    row = {
        "tenant_id": tenant_id,
        "merchant": order.merchant,
        "reference": order.reference,
        "currency": order.currency,
        "customer_name": order.customer.name,
        "customer_email": order.customer.email,
        "customer_phone": order.customer.phone,
        "delivery_address": address_to_json(order.delivery_address),
        "created_at": order.created_at,
        "updated_at": order.updated_at,
    }
    lines = [
        {
            "tenant_id": tenant_id,
            "position": index,
            "sku": line.sku,
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "delivered_quantity": line.delivered_quantity,
            "delivered_at": line.delivered_at,
        }
        for index, line in enumerate(order.lines)
    ]
    return row, lines


def order_from_rows(row: Row, lines: Sequence[Row]) -> Order:
    return Order(
        merchant=row["merchant"],
        reference=row["reference"],
        currency=row["currency"],
        customer=Customer(row["customer_name"], row["customer_email"], row["customer_phone"]),
        lines=[
            OrderLine(
                line["sku"],
                line["description"],
                line["quantity"],
                line["unit_price"],
                line["delivered_quantity"],
                line["delivered_at"],
            )
            for line in sorted(lines, key=lambda line: line["position"])
        ],
        delivery_address=address_from_json(row["delivery_address"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


# --------------------------------------------------------------------------- return requests


# A request's fields and details stored as they are, each in the column of its name: a field
# or detail added to the request and to its table is saved and loaded without a line here.
# The others (an enum, addresses, a time window, actors) are converted below.
_COLUMNS = {column.name for column in ReturnRequestRow.__table__.columns}  # type: ignore[attr-defined]
PLAIN_REQUEST_FIELDS = tuple(
    f.name
    for f in dataclasses.fields(ReturnRequest)
    if f.name in _COLUMNS and f.name not in {"status", "creation_source", "update_source", "fees"}
)
PLAIN_DETAILS = tuple(
    f.name
    for f in dataclasses.fields(RequestDetails)
    if f.name in _COLUMNS and f.name not in {"pickup", "dropoff"}
)


def request_values(request: ReturnRequest, tenant_id: str) -> dict[str, Any]:
    details = request.details
    collection = details.collection
    return (
        {name: getattr(request, name) for name in PLAIN_REQUEST_FIELDS}
        | {name: getattr(details, name) for name in PLAIN_DETAILS}
        | {
            "tenant_id": tenant_id,
            "status": request.status.value,
            "pickup": address_to_json(details.pickup),
            "dropoff": address_to_json(details.dropoff),
            "collection_start": collection.start if collection else None,
            "collection_end": collection.end if collection else None,
            "creation_source": request.creation_source.source,
            "creation_user": request.creation_source.user,
            "update_source": request.update_source.source,
            "update_user": request.update_source.user,
            "fees": fees_to_json(request.fees),
        }
        | value_values(request)
    )


def value_values(request: ReturnRequest) -> dict[str, Any]:
    """The requested units' value in thousandths (exact: amounts have at most three
    decimals) and its currency: what the desk shows and sorts by."""
    total = sum((item.unit_price * item.quantity for item in request.items), Decimal(0))
    currency = request.items[0].currency if request.items else None
    return {"value_thousandths": int(total * 1000), "currency": currency}


def value_from_thousandths(thousandths: int) -> Decimal:
    """The stored value as an amount: two decimals unless it needs the third."""
    amount = Decimal(thousandths) / 1000
    cents = amount.quantize(Decimal("0.01"))
    return cents if cents == amount else amount.quantize(Decimal("0.001"))


def item_values(item: ReturnItem) -> dict[str, Any]:
    return {
        "sku": item.sku,
        "description": item.description,
        "unit_price": item.unit_price,
        "currency": item.currency,
        "quantity": item.quantity,
        "reason_code": item.reason_code,
        "comment": item.comment,
        "comment_codes": list(item.comment_codes),
        "image_urls": list(item.image_urls),
        "item_condition": item.item_condition,
        "resolution": item.resolution,
        "refund_type": item.refund_type,
        "approved_quantity": item.approved_quantity,
        "rejected_quantity": item.rejected_quantity,
        "returned_quantity": item.returned_quantity,
        "received_quantity": item.received_quantity,
        "rejection_reason": item.rejection_reason,
    }


def note_values(note: Note) -> dict[str, Any]:
    return {"id": note.id, "text": note.text, "user": note.user, "created_at": note.created_at}


def refund_values(refund: Refund) -> dict[str, Any]:
    return {
        "id": refund.id,
        "amount": refund.amount,
        "currency": refund.currency,
        "reference": refund.reference,
        "refund_type": refund.refund_type,
        "note": refund.note,
        "refund_date": refund.refund_date,
        "created_at": refund.created_at,
        "outcome": refund.outcome.value,
    }


def shipment_values(shipment: ReverseShipment) -> dict[str, Any]:
    return {
        "id": shipment.id,
        "carrier": shipment.carrier,
        "status": shipment.status.value,
        "items": [list(pair) for pair in shipment.items],
        "pickup": address_to_json(shipment.pickup),
        "dropoff": address_to_json(shipment.dropoff),
        "tracking_number": shipment.tracking_number,
        "label_url": shipment.label_url,
        "created_at": shipment.created_at,
        "updated_at": shipment.updated_at,
        "delivery_option_id": shipment.delivery_option_id,
    }


def items_update_values(update: ItemsUpdate) -> dict[str, Any]:
    return {
        "updated_at": update.updated_at,
        "previous": [list(pair) for pair in update.previous],
        "current": [list(pair) for pair in update.current],
        "user": update.user,
        "source": update.source,
    }


def children_values(request: ReturnRequest, tenant_id: str) -> dict[type, list[dict[str, Any]]]:
    """The aggregate's child rows by table, each with its position in the request."""
    parts: list[tuple[type, Sequence[Any], Any]] = [
        (ReturnItemRow, request.items, item_values),
        (ReturnNoteRow, request.notes, note_values),
        (RefundRow, request.refunds, refund_values),
        (ReverseShipmentRow, request.shipments, shipment_values),
        (ItemsUpdateRow, request.items_updates, items_update_values),
        (ExchangeLineRow, request.exchange_lines, exchange_line_values),
        (ExchangePaymentRow, request.exchange_payments, exchange_payment_values),
    ]
    common = {"tenant_id": tenant_id, "return_request_id": request.id}
    return {
        table: [
            {**common, "position": position, **to_values(part)}
            for position, part in enumerate(values)
        ]
        for table, values, to_values in parts
    }


def item_from_row(row: Row) -> ReturnItem:
    return ReturnItem(
        sku=row["sku"],
        description=row["description"],
        unit_price=row["unit_price"],
        currency=row["currency"],
        quantity=row["quantity"],
        reason_code=row["reason_code"],
        comment=row["comment"],
        comment_codes=tuple(row["comment_codes"] or ()),
        image_urls=tuple(row["image_urls"] or ()),
        item_condition=row["item_condition"],
        resolution=row["resolution"],
        refund_type=row["refund_type"],
        approved_quantity=row["approved_quantity"],
        rejected_quantity=row["rejected_quantity"],
        returned_quantity=row["returned_quantity"],
        received_quantity=row["received_quantity"],
        rejection_reason=row["rejection_reason"],
    )


def note_from_row(row: Row) -> Note:
    return Note(row["id"], row["text"], row["created_at"], row["user"])


def refund_from_row(row: Row) -> Refund:
    return Refund(
        row["id"],
        row["amount"],
        row["currency"],
        row["created_at"],
        row["reference"],
        row["refund_type"],
        row["note"],
        row["refund_date"],
        RefundOutcome(row["outcome"]),
    )


def shipment_from_row(row: Row) -> ReverseShipment:
    return ReverseShipment(
        id=row["id"],
        carrier=row["carrier"],
        status=ShipmentStatus(row["status"]),
        created_at=row["created_at"],
        items=list(_pairs(row["items"])),
        pickup=address_from_json(row["pickup"]),
        dropoff=address_from_json(row["dropoff"]),
        tracking_number=row["tracking_number"],
        label_url=row["label_url"],
        updated_at=row["updated_at"],
        delivery_option_id=row["delivery_option_id"],
    )


def items_update_from_row(row: Row) -> ItemsUpdate:
    return ItemsUpdate(
        row["updated_at"],
        _pairs(row["previous"]),
        _pairs(row["current"]),
        row["user"],
        row["source"],
    )


def request_fields(row: Row) -> dict[str, Any]:
    """A request's own fields (no children) from its row, with the aggregate's names and
    value types."""
    start, end = row["collection_start"], row["collection_end"]
    details = RequestDetails(
        **{name: row[name] for name in PLAIN_DETAILS},
        pickup=address_from_json(row["pickup"]),
        dropoff=address_from_json(row["dropoff"]),
        collection=TimeWindow(start, end) if start and end else None,
    )
    return {name: row[name] for name in PLAIN_REQUEST_FIELDS} | {
        "status": ReturnStatus(row["status"]),
        "details": details,
        "creation_source": Actor(row["creation_source"], row["creation_user"]),
        "update_source": Actor(row["update_source"], row["update_user"]),
        "fees": fees_from_json(row["fees"]),
    }


def request_from_rows(
    row: Row,
    *,
    items: list[ReturnItem],
    notes: list[Note],
    refunds: list[Refund],
    shipments: list[ReverseShipment],
    items_updates: list[ItemsUpdate],
    exchange_lines: list[ExchangeLine] | None = None,
    exchange_payments: list[ExchangePayment] | None = None,
) -> ReturnRequest:
    return ReturnRequest(
        **request_fields(row),
        items=items,
        notes=notes,
        refunds=refunds,
        shipments=shipments,
        items_updates=items_updates,
        exchange_lines=exchange_lines or [],
        exchange_payments=exchange_payments or [],
    )


# --------------------------------------------------------------------------- notifications


def notification_values(notification: Notification, tenant_id: str) -> dict[str, Any]:
    values = {f.name: getattr(notification, f.name) for f in dataclasses.fields(Notification)}
    values["channel"] = notification.channel.value
    values["status"] = notification.status.value
    return {"tenant_id": tenant_id, **values}


def notification_from_row(row: Row) -> Notification:
    return Notification(
        id=row["id"],
        channel=NotificationChannel(row["channel"]),
        merchant=row["merchant"],
        order_reference=row["order_reference"],
        return_request_id=row["return_request_id"],
        recipient=row["recipient"],
        body=row["body"],
        status=NotificationStatus(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        attempts=row["attempts"],
        sent_at=row["sent_at"],
        error=row["error"],
    )


# --------------------------------------------------------------------------- webhooks


def webhook_endpoint_values(endpoint: WebhookEndpoint, tenant_id: str) -> dict[str, Any]:
    values = {f.name: getattr(endpoint, f.name) for f in dataclasses.fields(WebhookEndpoint)}
    values["event_types"] = list(endpoint.event_types)
    return {"tenant_id": tenant_id, **values}


def webhook_endpoint_from_row(row: Row) -> WebhookEndpoint:
    return WebhookEndpoint(
        endpoint_id=row["endpoint_id"],
        merchant=row["merchant"],
        url=row["url"],
        event_types=tuple(row["event_types"]),
        secret=row["secret"],
        active=row["active"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )
