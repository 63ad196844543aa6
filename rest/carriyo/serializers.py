"""Domain objects as Carriyo's JSON: snake_case fields, lower-case statuses, `*_date` times
(ISO 8601 with offset, UTC) and money as JSON numbers. Views only: nothing is decided here.
Each writer returns the answer declared in models.py; reference codes and settings answer
in the shape of their bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.eligibility import LineEligibility
from domain.parts import ItemsUpdate as DomainUpdate
from domain.parts import Note, Refund
from domain.parts import ReturnItem as DomainItem
from domain.parts import ReverseShipment as DomainShipment
from domain.reference import REASON_SCOPED, ReferenceEntry, ReferenceKind, ReturnSettings
from domain.request_details import DETAILS, RequestDetails
from domain.returns import ReturnRequest as DomainRequest
from domain.values import Actor, TimeWindow
from domain.values import Address as DomainAddress
from rest.carriyo.models import (
    AvailableItem,
    ItemsUpdate,
    RequestSource,
    ReturnItem,
    ReturnNote,
    ReturnRefund,
    ReturnRefundInfo,
    ReturnRequest,
    ReverseShipment,
)

JsonObject = dict[str, Any]

ADDRESS_FIELDS = DomainAddress.__slots__


def date(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def address(value: DomainAddress | None) -> JsonObject | None:
    if value is None:
        return None
    return {name: getattr(value, name) for name in ADDRESS_FIELDS}


def return_request(r: DomainRequest) -> ReturnRequest:
    return {
        "return_request_id": r.id,
        "status": r.status.value.lower(),
        "shipments": [shipment.id for shipment in r.shipments],
        "reverse_shipments": [reverse_shipment(s) for s in r.shipments],
        "partner_order_reference": r.order_reference,
        "merchant": r.merchant,
        **details(r.details),  # type: ignore[typeddict-item]
        "notes": [note(n) for n in r.notes],
        "items": [item(i) for i in r.items],
        "refund_info": refund_info(r),
        "rejection_reason": r.rejection_reason,
        **_dates(r),  # type: ignore[typeddict-item]
        "return_items_updates": [items_update(u) for u in r.items_updates],
        "assigned_to_user": r.assigned_to_user,
        "auto_closed": r.auto_closed,
        "auto_closed_date": date(r.auto_closed_at),
        "creation_source": source(r.creation_source),
        "update_source": source(r.update_source),
        "updated_by_user": r.update_source.user,
        "split_from": r.split_from,
        "version": r.version,
        "allowed_actions": [action.value.lower() for action in r.allowed_actions],
    }


def _dates(r: DomainRequest) -> JsonObject:
    return {
        "creation_date": date(r.created_at),
        "update_date": date(r.updated_at),
        "on_hold_date": date(r.on_hold_at),
        "approval_date": date(r.approved_at),
        "cancellation_date": date(r.cancelled_at),
        "rejection_date": date(r.rejected_at),
        "received_date": date(r.received_at),
        "completion_date": date(r.completed_at),
    }


def details(d: RequestDetails) -> JsonObject:
    """The request's details by name (Carriyo names them as the domain does), so a detail
    added to the domain and declared in the answer is written without a line here."""
    return {name: _wire(getattr(d, name)) for name in DETAILS}


def _wire(value: object) -> object:
    """A detail's value in Carriyo's shape: addresses and time windows are objects."""
    if isinstance(value, DomainAddress):
        return address(value)
    if isinstance(value, TimeWindow):
        return {"start_date": date(value.start), "end_date": date(value.end)}
    return value


def item(i: DomainItem) -> ReturnItem:
    return {
        "sku": i.sku,
        "description": i.description,
        "price": i.unit_price,
        "currency": i.currency,
        "quantity": i.quantity,
        "approved_quantity": i.approved_quantity,
        "rejected_quantity": i.rejected_quantity,
        "returned_quantity": i.returned_quantity,
        "received_quantity": i.received_quantity,
        "return_reason": i.reason_code,
        "comment": i.comment,
        "comment_codes": list(i.comment_codes),
        "images": list(i.image_urls),
        "item_condition": i.item_condition,
        "resolution": i.resolution,
        "refund_type": i.refund_type,
        "rejection_reason": i.rejection_reason,
    }


def note(n: Note) -> ReturnNote:
    return {"note_id": n.id, "text": n.text, "user": n.user, "creation_date": date(n.created_at)}


def refund(f: Refund) -> ReturnRefund:
    return {
        "refund_id": f.id,
        "reference": f.reference,
        "type": f.refund_type,
        "amount": f.amount,
        "currency": f.currency,
        "note": f.note,
        "refund_date": date(f.refund_date),
        "creation_date": date(f.created_at),
    }


def refund_info(r: DomainRequest) -> ReturnRefundInfo:
    """Carriyo's return-refund-info, with the per-currency totals the workflow enforces."""
    return {
        "refunds": [refund(f) for f in r.refunds],
        "totals": [
            {
                "currency": total.currency,
                "approved_value": total.approved_value,
                "refunded": total.refunded,
                "remaining": total.remaining,
            }
            for total in r.refund_totals()
        ],
    }


def items_update(u: DomainUpdate) -> ItemsUpdate:
    return {
        "update_date": date(u.updated_at),
        "previous_items": [{"sku": sku, "quantity": qty} for sku, qty in u.previous],
        "items": [{"sku": sku, "quantity": qty} for sku, qty in u.current],
        "user": u.user,
        "source": u.source,
    }


def reverse_shipment(s: DomainShipment) -> ReverseShipment:
    return {
        "shipment_id": s.id,
        "carrier": s.carrier,
        "status": s.status.value.lower(),
        "tracking_number": s.tracking_number,
        "label_url": s.label_url,
        "items": [{"sku": sku, "quantity": qty} for sku, qty in s.items],
        "creation_date": date(s.created_at),
        "update_date": date(s.updated_at),
    }


def source(actor: Actor) -> RequestSource:
    return {"source": actor.source, "user": actor.user}


def available_item(e: LineEligibility) -> AvailableItem:
    return {
        "sku": e.line.sku,
        "quantity": e.returnable_quantity,
        "description": e.line.description,
        "delivery_date": date(e.line.delivered_at),
    }


# --------------------------------------------------------------------------- configuration


def reference_entry(entry: ReferenceEntry, language: str | None = None) -> JsonObject:
    """With `language`, `name` is the translation (else the default name)."""
    body: JsonObject = {
        "code": entry.code,
        "name": entry.display_name(language),
        "merchant": entry.merchant,
        "translations": dict(entry.translations),
    }
    if entry.kind == ReferenceKind.RETURN_REASON:
        body |= {
            "require_comments": entry.require_comments,
            "require_images": entry.require_images,
            "require_item_condition": entry.require_item_condition,
            "reverse_shipment_create_enabled": entry.reverse_shipment_create_enabled,
            "auto_approve": entry.auto_approve,
        }
    if entry.kind in REASON_SCOPED:
        body["allowed_return_reasons"] = list(entry.allowed_return_reasons)
    return body


def settings(s: ReturnSettings) -> JsonObject:
    return {
        "merchant": s.merchant,
        "allowed_days_for_return": s.allowed_days_for_return,
        "default_dropoff_locations": dict(s.default_dropoff_locations),
        "allow_undelivered_items": s.allow_undelivered_items,
        "allow_pickup_location_selection": s.allow_pickup_location_selection,
        "notification_users": [{"email": u.email, "name": u.name} for u in s.notification_users],
        "order_lookup_methods": list(s.order_lookup_methods),
        "auto_close_days": s.auto_close_days,
        "shopify_integration_enabled": s.shopify_integration_enabled,
        "shopify_connector_id": s.shopify_connector_id,
    }
