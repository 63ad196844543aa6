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
from typing import Self

from domain import events as ev
from domain.eligibility import MerchantRules
from domain.errors import InvalidInput, InvalidQuantity, QuantityExceeded, RefundExceedsValue
from domain.exchanges import Exchanges
from domain.lifecycle import APPROVED_FAMILY, Action
from domain.parts import ItemsUpdate, ReturnItem
from domain.refunds import Refunds
from domain.shipments import ReverseShipments
from domain.values import Actor, Address, new_return_request_id


def _starts_afresh() -> dict[str, object]:
    """What a split does not copy: the original's children, the decisions it has not shared
    yet, its version and events. Everything else (status, the customer's details, when it
    was held or approved) the new request keeps, so a field added to the request is carried
    by a split without a line here."""
    return {
        "notes": [],
        "refunds": [],
        "fees": [],
        "shipments": [],
        "items_updates": [],
        "exchange_lines": [],
        "exchange_payments": [],
        "rejected_at": None,
        "cancelled_at": None,
        "received_at": None,
        "completed_at": None,
        "rejection_reason": None,
        "auto_closed": False,
        "auto_closed_at": None,
        "version": 0,
        "events": [],
    }


def movable_units(item: ReturnItem, decided: bool) -> int:
    """Undecided: every requested unit. Decided: approved units not yet received (received
    units belong to the parcel that already arrived)."""
    return item.approved_quantity - item.received_quantity if decided else item.quantity


class Splitting(ReverseShipments, Refunds, Exchanges):
    """The split's part of a ReturnRequest (domain/returns.py)."""

    def splittable_units(self) -> int:
        decided = self.status in APPROVED_FAMILY
        return sum(movable_units(item, decided) for item in self.items)

    def split(
        self,
        *,
        at: datetime,
        actor: Actor,
        quantities: Mapping[str, int],
        pickup_location_id: str | None = None,
        new_request_id: str | None = None,
        rules: MerchantRules,
    ) -> Self:
        """The new request, holding the units moved out of this one."""
        self._require(Action.SPLIT)
        pickup = Address(partner_location_id=pickup_location_id) if pickup_location_id else None
        problem = rules.location_problem(pickup, field="partner_location_id", as_pickup=False)
        if problem is not None:
            raise problem
        decided = self.status in APPROVED_FAMILY
        self._check_moves(quantities, decided)
        previous = self.item_quantities()
        moved_items = [_move_units(self.item(sku), qty, decided) for sku, qty in quantities.items()]
        carried = self._carry_exchange_lines(quantities)
        self.items = [item for item in self.items if item.quantity > 0]
        self.items_updates.append(
            ItemsUpdate(at, previous, self.item_quantities(), actor.user, actor.source)
        )
        new = self._split_off(
            moved_items,
            at=at,
            actor=actor,
            pickup=pickup,
            new_request_id=new_request_id or new_return_request_id(),
        )
        new.exchange_lines = carried
        self._split_shipment(new, at=at, actor=actor)
        if decided:
            # Each part is a return of its own, with its own parcel: its fees are those of
            # its own units (what a person waived or set stays with the original).
            self._evaluate_fees(rules.fee_rules, at=at, actor=actor)
            new._evaluate_fees(rules.fee_rules, at=at, actor=actor)
        self._record(
            ev.ReturnSplit, at, actor, new_return_request_id=new.id, moved=tuple(quantities.items())
        )
        self._touch(at, actor)
        return new

    def _check_moves(self, quantities: Mapping[str, int], decided: bool) -> None:
        if not quantities:
            raise InvalidInput("choose at least one item to split", field="items")
        for sku, qty in quantities.items():
            item = self.item(sku, field_name="items")
            if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
                raise InvalidQuantity(f"split quantity for sku {sku} must be ≥ 1", field="items")
            movable = movable_units(item, decided)
            if qty > movable:
                kind = "approved and not yet received" if decided else "requested"
                raise QuantityExceeded(
                    f"sku {sku}: cannot split {qty}, only {movable} {kind}", field="items"
                )
        if self.splittable_units() - sum(quantities.values()) < 1:
            raise InvalidQuantity(
                "a split must leave at least one unit in the original request", field="items"
            )
        if decided:
            self._check_refunds_stay_covered(quantities)

    def _check_refunds_stay_covered(self, quantities: Mapping[str, int]) -> None:
        """Refunds stay with the original, so its remaining approved value must still cover
        them."""
        for total in self.refund_totals():
            moved = sum(
                (
                    item.unit_price * quantities.get(item.sku, 0)
                    for item in self.items
                    if item.currency == total.currency
                ),
                Decimal(0),
            )
            if total.refunded > total.approved_value - moved:
                raise RefundExceedsValue(
                    f"the split would leave {total.approved_value - moved} {total.currency} of "
                    f"approved value against {total.refunded} {total.currency} already "
                    "refunded; delete or reduce refunds first",
                    field="items",
                )

    def _split_off(
        self,
        items: list[ReturnItem],
        *,
        at: datetime,
        actor: Actor,
        pickup: Address | None,
        new_request_id: str,
    ) -> Self:
        new = replace(
            self,
            id=new_request_id,
            items=items,
            created_at=at,
            updated_at=at,
            creation_source=actor,
            update_source=actor,
            details=replace(self.details, pickup=pickup or self.details.pickup),
            split_from=self.id,
            **_starts_afresh(),
        )
        new._record(
            ev.ReturnRequested,
            at,
            actor,
            merchant=new.merchant,
            order_reference=new.order_reference,
            status=new.status.value,
            items=new.item_quantities(),
            split_from=self.id,
        )
        return new

    def _split_shipment(self, new: Splitting, *, at: datetime, actor: Actor) -> None:
        shipment = self.open_shipment
        if shipment is None:
            return
        shipment.items = self.shipment_items()
        shipment.updated_at = at
        self._record_shipment(shipment, at=at, actor=actor)
        moved = new._open_shipment(at=at, actor=actor)
        moved.carrier = shipment.carrier
        moved.delivery_option_id = shipment.delivery_option_id


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
