"""Split: move chosen units of a request into a new request for the same order.

Quantities are conserved per sku: what the original loses, the new request gains. An undecided
request splits its requested units; an approved one splits approved units (rejected units stay
with the original), and each part keeps its own reverse shipment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from domain import events as ev
from domain.errors import InvalidInput, InvalidQuantity, QuantityExceeded, RefundExceedsValue
from domain.lifecycle import APPROVED_FAMILY
from domain.parts import ItemsUpdate, ReturnItem
from domain.values import Actor, Address, new_return_request_id

if TYPE_CHECKING:
    from domain.returns import ReturnRequest


def movable_units(item: ReturnItem, decided: bool) -> int:
    """Undecided: every requested unit. Decided: approved units not yet received (received
    units belong to the parcel that already arrived)."""
    return item.approved_quantity - item.received_quantity if decided else item.quantity


def splittable_units(request: ReturnRequest) -> int:
    decided = request.status in APPROVED_FAMILY
    return sum(movable_units(item, decided) for item in request.items)


def split_request(
    original: ReturnRequest,
    *,
    at: datetime,
    actor: Actor,
    quantities: Mapping[str, int],
    pickup_location_id: str | None,
    new_request_id: str | None,
) -> ReturnRequest:
    decided = original.status in APPROVED_FAMILY
    _check_moves(original, quantities, decided)
    previous = original.item_quantities()
    moved_items = [_move_units(original.item(sku), qty, decided) for sku, qty in quantities.items()]
    original.items = [item for item in original.items if item.quantity > 0]
    original.items_updates.append(
        ItemsUpdate(at, previous, original.item_quantities(), actor.user, actor.source)
    )
    new = _new_request(
        original,
        moved_items,
        at=at,
        actor=actor,
        pickup_location_id=pickup_location_id,
        new_request_id=new_request_id or new_return_request_id(),
    )
    _split_shipment(original, new, at=at, actor=actor)
    original._record(
        ev.ReturnSplit, at, actor, new_return_request_id=new.id, moved=tuple(quantities.items())
    )
    original._touch(at, actor)
    return new


def _check_moves(original: ReturnRequest, quantities: Mapping[str, int], decided: bool) -> None:
    if not quantities:
        raise InvalidInput("choose at least one item to split", field="items")
    for sku, qty in quantities.items():
        item = original.item(sku, field_name="items")
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
            raise InvalidQuantity(f"split quantity for sku {sku} must be ≥ 1", field="items")
        movable = movable_units(item, decided)
        if qty > movable:
            kind = "approved and not yet received" if decided else "requested"
            raise QuantityExceeded(
                f"sku {sku}: cannot split {qty}, only {movable} {kind}", field="items"
            )
    if splittable_units(original) - sum(quantities.values()) < 1:
        raise InvalidQuantity(
            "a split must leave at least one unit in the original request", field="items"
        )
    if decided:
        _check_refunds_stay_covered(original, quantities)


def _check_refunds_stay_covered(original: ReturnRequest, quantities: Mapping[str, int]) -> None:
    """Refunds stay with the original, so its remaining approved value must still cover them."""
    for total in original.refund_totals():
        moved = sum(
            (
                item.unit_price * quantities.get(item.sku, 0)
                for item in original.items
                if item.currency == total.currency
            ),
            Decimal(0),
        )
        if total.refunded > total.approved_value - moved:
            raise RefundExceedsValue(
                f"the split would leave {total.approved_value - moved} {total.currency} of "
                f"approved value against {total.refunded} {total.currency} already refunded; "
                "delete or reduce refunds first",
                field="items",
            )


def _move_units(item: ReturnItem, qty: int, decided: bool) -> ReturnItem:
    item.quantity -= qty
    if decided:
        item.approved_quantity -= qty
    return replace(
        item,
        quantity=qty,
        approved_quantity=qty if decided else 0,
        rejected_quantity=0,
        received_quantity=0,
        returned_quantity=0,
        rejection_reason=None,
    )


def _new_request(
    original: ReturnRequest,
    items: list[ReturnItem],
    *,
    at: datetime,
    actor: Actor,
    pickup_location_id: str | None,
    new_request_id: str,
) -> ReturnRequest:
    pickup = (
        Address(partner_location_id=pickup_location_id) if pickup_location_id else original.pickup
    )
    new = type(original)(
        id=new_request_id,
        merchant=original.merchant,
        order_reference=original.order_reference,
        status=original.status,
        items=items,
        created_at=at,
        updated_at=at,
        creation_source=actor,
        update_source=actor,
        channel=original.channel,
        pickup=pickup,
        dropoff=original.dropoff,
        customer_comment=original.customer_comment,
        resolution=original.resolution,
        refund_method=original.refund_method,
        assigned_to_user=original.assigned_to_user,
        collection=original.collection,
        on_hold_at=original.on_hold_at,
        approved_at=original.approved_at,
        split_from=original.id,
    )
    new._record(
        ev.ReturnRequested,
        at,
        actor,
        merchant=new.merchant,
        order_reference=new.order_reference,
        status=new.status.value,
        items=new.item_quantities(),
        split_from=original.id,
    )
    return new


def _split_shipment(
    original: ReturnRequest, new: ReturnRequest, *, at: datetime, actor: Actor
) -> None:
    shipment = original.open_shipment
    if shipment is None:
        return
    shipment.items = original.shipment_items()
    shipment.updated_at = at
    original._record_shipment(shipment, at=at, actor=actor)
    moved = new._open_shipment(at=at, actor=actor)
    moved.carrier = shipment.carrier
    moved.delivery_option_id = shipment.delivery_option_id
