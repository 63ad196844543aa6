"""The ReturnRequest aggregate: one method per transition, each guarded by the lifecycle
table, each recording the events of what it changed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from domain import events as ev
from domain.eligibility import MerchantRules, check_item_requests
from domain.errors import (
    DomainError,
    ErrorCode,
    InvalidInput,
    InvalidQuantity,
    InvalidTransition,
    NotEditable,
    NotFound,
    QuantityExceeded,
    RefundExceedsValue,
    RequirementMissing,
)
from domain.lifecycle import ALLOWED, APPROVED_FAMILY, Action, ReturnStatus, status_allows
from domain.orders import Order
from domain.parts import (
    MANUAL_CARRIER,
    ItemRequest,
    ItemsUpdate,
    Note,
    Refund,
    ReturnItem,
    ReverseShipment,
    ShipmentStatus,
)
from domain.values import (
    MAX_TEXT,
    REASON_LIMIT,
    UNSET,
    Actor,
    Address,
    TimeWindow,
    aware,
    bounded_text,
    currency_code,
    money_amount,
    new_id,
    new_return_request_id,
    optional_code,
)


@dataclass(frozen=True, slots=True)
class RefundTotal:
    currency: str
    approved_value: Decimal
    refunded: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.approved_value - self.refunded


@dataclass(eq=False)
class ReturnRequest:
    id: str
    merchant: str
    order_reference: str
    status: ReturnStatus
    items: list[ReturnItem]
    created_at: datetime
    updated_at: datetime
    creation_source: Actor = field(default_factory=Actor)
    update_source: Actor = field(default_factory=Actor)
    channel: str | None = None
    pickup: Address | None = None
    dropoff: Address | None = None
    customer_comment: str | None = None
    resolution: str | None = None
    refund_method: str | None = None
    assigned_to_user: str | None = None
    collection: TimeWindow | None = None
    notes: list[Note] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    shipments: list[ReverseShipment] = field(default_factory=list)
    items_updates: list[ItemsUpdate] = field(default_factory=list)
    on_hold_at: datetime | None = None
    approved_at: datetime | None = None
    rejected_at: datetime | None = None
    cancelled_at: datetime | None = None
    received_at: datetime | None = None
    completed_at: datetime | None = None
    rejection_reason: str | None = None
    auto_closed: bool = False
    auto_closed_at: datetime | None = None
    split_from: str | None = None
    version: int = 0
    events: list[ev.DomainEvent] = field(default_factory=list, repr=False)

    # ----------------------------------------------------------------- creation

    @classmethod
    def create(
        cls,
        *,
        order: Order,
        items: Sequence[ItemRequest],
        already_requested: Mapping[str, int],
        rules: MerchantRules,
        at: datetime,
        actor: Actor,
        return_request_id: str | None = None,
        pickup: Address | None = None,
        dropoff: Address | None = None,
        channel: str | None = None,
        customer_comment: str | None = None,
        resolution: str | None = None,
        refund_method: str | None = None,
        collection: TimeWindow | None = None,
    ) -> ReturnRequest:
        check_item_requests(order, items, already_requested, rules=rules, now=at)
        request = cls(
            id=return_request_id or new_return_request_id(),
            merchant=order.merchant,
            order_reference=order.reference,
            status=ReturnStatus.PENDING,
            items=_items_from_order(order, items),
            created_at=at,
            updated_at=at,
            creation_source=actor,
            update_source=actor,
            channel=optional_code(channel, field="channel"),
            pickup=pickup,
            dropoff=dropoff,
            customer_comment=_optional_text(customer_comment, "customerComment"),
            resolution=optional_code(resolution, field="resolution"),
            refund_method=optional_code(refund_method, field="refundMethod"),
            collection=collection,
        )
        request._record(
            ev.ReturnRequested(
                return_request_id=request.id,
                occurred_at=at,
                actor=actor,
                merchant=request.merchant,
                order_reference=request.order_reference,
                status=request.status.value,
                items=request.item_quantities(),
            )
        )
        return request

    # ----------------------------------------------------------------- queries

    @property
    def allowed_actions(self) -> list[Action]:
        """Status-allowed actions whose other preconditions hold right now."""
        return [
            action
            for action in Action
            if status_allows(self.status, action) and self._precondition_holds(action)
        ]

    def item(self, sku: str, *, field_name: str = "sku") -> ReturnItem:
        found = next((item for item in self.items if item.sku == sku), None)
        if found is None:
            raise DomainError(
                f"sku {sku} is not in return request {self.id}",
                field=field_name,
                code=ErrorCode.UNKNOWN_SKU,
            )
        return found

    def item_quantities(self) -> tuple[tuple[str, int], ...]:
        return tuple((item.sku, item.quantity) for item in self.items)

    def live_quantities(self) -> dict[str, int]:
        """Units this request holds against the order: requested minus rejected."""
        if not self.status.is_live:
            return {}
        return {item.sku: item.quantity - item.rejected_quantity for item in self.items}

    def refund_totals(self) -> list[RefundTotal]:
        approved: dict[str, Decimal] = defaultdict(Decimal)
        refunded: dict[str, Decimal] = defaultdict(Decimal)
        if self.status in APPROVED_FAMILY:
            for item in self.items:
                approved[item.currency] += item.approved_value
        for refund in self.refunds:
            refunded[refund.currency] += refund.amount
        currencies = sorted(set(approved) | set(refunded))
        return [RefundTotal(c, approved[c], refunded[c]) for c in currencies]

    def remaining_refundable(self, currency: str) -> Decimal:
        total = next((t for t in self.refund_totals() if t.currency == currency), None)
        return total.remaining if total else Decimal(0)

    def pull_events(self) -> list[ev.DomainEvent]:
        pulled, self.events = self.events, []
        return pulled

    # ----------------------------------------------------------------- editing

    def update(
        self,
        *,
        at: datetime,
        actor: Actor,
        items: Sequence[ItemRequest] | None = None,
        order: Order | None = None,
        already_requested: Mapping[str, int] | None = None,
        rules: MerchantRules | None = None,
        pickup: object = UNSET,
        dropoff: object = UNSET,
        resolution: object = UNSET,
        refund_method: object = UNSET,
        customer_comment: object = UNSET,
        collection: object = UNSET,
    ) -> None:
        """Edit a request that is still undecided; fields left unset keep their value."""
        if not status_allows(self.status, Action.UPDATE):
            raise NotEditable(
                f"return request {self.id} is {self.status.value}; it can only be edited "
                "while PENDING or ON_HOLD"
            )
        if items is not None:
            if order is None or already_requested is None or rules is None:
                raise ValueError("replacing items needs the order, live quantities and rules")
            check_item_requests(order, items, already_requested, rules=rules, now=at)
        values = self._validated_fields(
            pickup=pickup,
            dropoff=dropoff,
            resolution=resolution,
            refund_method=refund_method,
            customer_comment=customer_comment,
            collection=collection,
        )
        # Everything is validated above: from here on the edit cannot fail half-way.
        changed = [name for name, value in values.items() if getattr(self, name) != value]
        for name in changed:
            setattr(self, name, values[name])
        if items is not None and order is not None:
            self._replace_items(items, order, at=at, actor=actor)
        if changed:
            self._record(
                ev.ReturnUpdated(
                    return_request_id=self.id,
                    occurred_at=at,
                    actor=actor,
                    changed_fields=tuple(changed),
                )
            )
        self._touch(at, actor)

    @staticmethod
    def _validated_fields(**values: object) -> dict[str, object]:
        """The fields the caller set (not UNSET), normalised; raises before any change."""
        given = {name: value for name, value in values.items() if value is not UNSET}
        for name, field_name in (("resolution", "resolution"), ("refund_method", "refundMethod")):
            if name in given:
                given[name] = optional_code(given[name], field=field_name)  # type: ignore[arg-type]
        if "customer_comment" in given:
            given["customer_comment"] = _optional_text(given["customer_comment"], "customerComment")
        return given

    def _replace_items(
        self, items: Sequence[ItemRequest], order: Order, *, at: datetime, actor: Actor
    ) -> None:
        previous = self.item_quantities()
        self.items = _items_from_order(order, items)
        self.items_updates.append(
            ItemsUpdate(at, previous, self.item_quantities(), actor.user, actor.source)
        )
        self._record(
            ev.ReturnItemsUpdated(
                return_request_id=self.id,
                occurred_at=at,
                actor=actor,
                previous_items=previous,
                items=self.item_quantities(),
            )
        )

    # ----------------------------------------------------------------- transitions

    def hold(self, *, at: datetime, actor: Actor, reason: str | None = None) -> None:
        self._move(Action.HOLD, ReturnStatus.ON_HOLD, at=at, actor=actor, reason=reason)
        self.on_hold_at = at

    def resume(self, *, at: datetime, actor: Actor) -> None:
        self._move(Action.RESUME, ReturnStatus.PENDING, at=at, actor=actor)

    def approve(
        self,
        *,
        at: datetime,
        actor: Actor,
        rules: MerchantRules,
        quantities: Mapping[str, int] | None = None,
        rejection_reason: str | None = None,
    ) -> None:
        """Approve all units, or fewer per sku; the rest count as rejected with a reason."""
        self._require(Action.APPROVE)
        self._require_pickup_and_dropoff()
        approved = self._approved_quantities(quantities or {})
        rejection_reason = _optional_text(rejection_reason, "rejectionReason", REASON_LIMIT)
        if any(qty < item.quantity for item, qty in approved) and not rejection_reason:
            raise RequirementMissing(
                "approving fewer units than requested needs a rejection reason for the rest",
                field="rejectionReason",
            )
        for item, qty in approved:
            item.approved_quantity = qty
            item.rejected_quantity = item.quantity - qty
            item.rejection_reason = rejection_reason if qty < item.quantity else None
        self._move(Action.APPROVE, ReturnStatus.APPROVED, at=at, actor=actor)
        self.approved_at = at
        if any(
            item.approved_quantity and rules.needs_reverse_shipment(item) for item in self.items
        ):
            self._open_shipment(at=at, actor=actor)

    def reject(self, *, at: datetime, actor: Actor, reason: str) -> None:
        self._require(Action.REJECT)
        reason = bounded_text(reason or "", field="rejectionReason", limit=REASON_LIMIT)
        for item in self.items:
            item.approved_quantity = 0
            item.rejected_quantity = item.quantity
            item.rejection_reason = reason
        self.rejection_reason = reason
        self._move(Action.REJECT, ReturnStatus.REJECTED, at=at, actor=actor, reason=reason)
        self.rejected_at = at

    def cancel(self, *, at: datetime, actor: Actor, reason: str | None = None) -> None:
        """Cancel the request and its open reverse shipment; refunds must be deleted first."""
        self._require(Action.CANCEL)
        self._require_no_refunds("cancel")
        self._move(Action.CANCEL, ReturnStatus.CANCELLED, at=at, actor=actor, reason=reason)
        self.cancelled_at = at
        self._cancel_shipments(at=at, actor=actor)

    def receive(
        self,
        *,
        at: datetime,
        actor: Actor,
        quantities: Mapping[str, int],
        conditions: Mapping[str, str] | None = None,
    ) -> None:
        """Record units that arrived; RECEIVED once every approved unit is in."""
        self._require(Action.RECEIVE)
        if not quantities:
            raise InvalidInput("receive at least one item", field="items")
        for sku, qty in quantities.items():
            item = self.item(sku, field_name="items")
            if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
                raise InvalidQuantity(f"received quantity for sku {sku} must be ≥ 1", field="items")
            if qty > item.outstanding_quantity:
                raise QuantityExceeded(
                    f"sku {sku}: {qty} received but only {item.outstanding_quantity} "
                    "approved units are outstanding",
                    field="items",
                )
        for sku, qty in quantities.items():
            item = self.item(sku)
            item.received_quantity += qty
            item.returned_quantity = max(item.returned_quantity, item.received_quantity)
            if conditions and sku in conditions:
                item.item_condition = conditions[sku]
        self._record(
            ev.ReturnItemsReceived(
                return_request_id=self.id,
                occurred_at=at,
                actor=actor,
                received=tuple(quantities.items()),
            )
        )
        self._after_receipt(at=at, actor=actor)

    def _after_receipt(self, *, at: datetime, actor: Actor) -> None:
        complete = all(item.outstanding_quantity == 0 for item in self.items)
        target = ReturnStatus.RECEIVED if complete else ReturnStatus.PARTIALLY_RECEIVED
        if target != self.status:
            self._move(Action.RECEIVE, target, at=at, actor=actor)
        else:
            self._touch(at, actor)
        if complete:
            self.received_at = at
            self._close_shipments(ShipmentStatus.DELIVERED, at=at, actor=actor)

    def complete(self, *, at: datetime, actor: Actor, auto_closed: bool = False) -> None:
        self._require(Action.COMPLETE)
        reason = "auto-closed: no progress within the merchant's window" if auto_closed else None
        self._move(Action.COMPLETE, ReturnStatus.COMPLETED, at=at, actor=actor, reason=reason)
        self.completed_at = at
        self._finish_shipments(at=at, actor=actor)
        if auto_closed:
            self.auto_closed = True
            self.auto_closed_at = at

    # ----------------------------------------------------------------- split & override

    def split(
        self,
        *,
        at: datetime,
        actor: Actor,
        quantities: Mapping[str, int],
        pickup_location_id: str | None = None,
        new_request_id: str | None = None,
    ) -> ReturnRequest:
        from domain.splitting import split_request

        self._require(Action.SPLIT)
        return split_request(
            self,
            at=at,
            actor=actor,
            quantities=quantities,
            pickup_location_id=pickup_location_id,
            new_request_id=new_request_id,
        )

    def set_status(
        self, target: ReturnStatus, *, at: datetime, actor: Actor, reason: str | None = None
    ) -> None:
        from domain.overrides import override_status

        self._require(Action.SET_STATUS)
        override_status(self, target, at=at, actor=actor, reason=reason)

    # ----------------------------------------------------------------- notes, assignment

    def add_note(self, *, text: str, at: datetime, actor: Actor) -> Note:
        self._require(Action.ADD_NOTE)
        note = Note(new_id("NT"), bounded_text(text, field="text"), at, actor.user)
        self.notes.append(note)
        self._record(
            ev.NoteAdded(
                return_request_id=self.id,
                occurred_at=at,
                actor=actor,
                note_id=note.id,
                text=note.text,
            )
        )
        self._touch(at, actor)
        return note

    def delete_note(self, note_id: str, *, at: datetime, actor: Actor) -> None:
        self._require(Action.DELETE_NOTE)
        note = next((n for n in self.notes if n.id == note_id), None)
        if note is None:
            raise NotFound(f"note {note_id} not found on return request {self.id}", field="noteId")
        self.notes.remove(note)
        self._record(
            ev.NoteDeleted(return_request_id=self.id, occurred_at=at, actor=actor, note_id=note_id)
        )
        self._touch(at, actor)

    def assign(self, user: str | None, *, at: datetime, actor: Actor) -> None:
        self._require(Action.ASSIGN)
        user = bounded_text(user, field="assignedToUser", limit=320) if user else None
        self.assigned_to_user = user
        self._record(
            ev.ReturnAssigned(
                return_request_id=self.id, occurred_at=at, actor=actor, assigned_to_user=user
            )
        )
        self._touch(at, actor)

    # ----------------------------------------------------------------- refunds

    def add_refund(
        self,
        *,
        amount: Decimal,
        currency: str,
        at: datetime,
        actor: Actor,
        reference: str | None = None,
        refund_type: str | None = None,
        note: str | None = None,
        refund_date: datetime | None = None,
    ) -> Refund:
        self._require(Action.ADD_REFUND)
        amount = money_amount(amount)
        refund_date = aware(refund_date, field="refundDate")
        refund_type = optional_code(refund_type, field="refundType")
        currency = currency_code(currency)
        remaining = self.remaining_refundable(currency)
        if amount > remaining:
            raise RefundExceedsValue(
                f"refund of {amount} {currency} exceeds the {remaining} {currency} still "
                f"refundable on return request {self.id}",
                field="amount",
            )
        refund = Refund(
            new_id("RF"),
            amount,
            currency,
            at,
            _optional_text(reference, "reference"),
            refund_type,
            _optional_text(note, "note"),
            refund_date or at,
        )
        self.refunds.append(refund)
        self._record(
            ev.RefundAdded(
                return_request_id=self.id,
                occurred_at=at,
                actor=actor,
                refund_id=refund.id,
                amount=amount,
                currency=currency,
                refund_type=refund_type,
            )
        )
        self._touch(at, actor)
        return refund

    def delete_refund(self, refund_id: str, *, at: datetime, actor: Actor) -> None:
        self._require(Action.DELETE_REFUND)
        refund = next((r for r in self.refunds if r.id == refund_id), None)
        if refund is None:
            raise NotFound(
                f"refund {refund_id} not found on return request {self.id}", field="refundId"
            )
        self.refunds.remove(refund)
        self._record(
            ev.RefundDeleted(
                return_request_id=self.id,
                occurred_at=at,
                actor=actor,
                refund_id=refund_id,
                amount=refund.amount,
                currency=refund.currency,
            )
        )
        self._touch(at, actor)

    # ----------------------------------------------------------------- reverse shipment

    def update_shipment(
        self,
        *,
        at: datetime,
        actor: Actor,
        tracking_number: object = UNSET,
        label_url: object = UNSET,
        carrier: object = UNSET,
        in_transit: bool = False,
    ) -> ReverseShipment:
        """Enter what the carrier gave the merchant: tracking number, label, carrier name."""
        self._require(Action.UPDATE_SHIPMENT)
        shipment = self.open_shipment
        if shipment is None:
            raise NotFound(
                f"return request {self.id} has no open reverse shipment", field="returnRequestId"
            )
        if tracking_number is not UNSET:
            shipment.tracking_number = _optional_text(tracking_number, "trackingNumber")
        if label_url is not UNSET:
            shipment.label_url = _optional_text(label_url, "labelUrl")
        if carrier is not UNSET:
            shipment.carrier = bounded_text(carrier, field="carrier", limit=100)  # type: ignore[arg-type]
        if in_transit:
            shipment.status = ShipmentStatus.IN_TRANSIT
        shipment.updated_at = at
        self._record_shipment(shipment, at=at, actor=actor)
        self._touch(at, actor)
        return shipment

    @property
    def open_shipment(self) -> ReverseShipment | None:
        return next((s for s in self.shipments if s.is_open), None)

    def _open_shipment(self, *, at: datetime, actor: Actor) -> ReverseShipment:
        shipment = ReverseShipment(
            id=new_id("RS"),
            carrier=MANUAL_CARRIER,
            status=ShipmentStatus.CREATED,
            created_at=at,
            items=self.shipment_items(),
            pickup=self.pickup,
            dropoff=self.dropoff,
        )
        self.shipments.append(shipment)
        self._record(
            ev.ReverseShipmentCreated(
                return_request_id=self.id,
                occurred_at=at,
                actor=actor,
                shipment_id=shipment.id,
                carrier=shipment.carrier,
            )
        )
        return shipment

    def shipment_items(self) -> list[tuple[str, int]]:
        return [(item.sku, item.approved_quantity) for item in self.items if item.approved_quantity]

    def _finish_shipments(self, *, at: datetime, actor: Actor) -> None:
        """A completed request's parcel journey is over: delivered if anything arrived."""
        arrived = any(item.received_quantity for item in self.items)
        status = ShipmentStatus.DELIVERED if arrived else ShipmentStatus.CANCELLED
        self._close_shipments(status, at=at, actor=actor)

    def _cancel_shipments(self, *, at: datetime, actor: Actor) -> None:
        self._close_shipments(ShipmentStatus.CANCELLED, at=at, actor=actor)

    def _close_shipments(self, status: ShipmentStatus, *, at: datetime, actor: Actor) -> None:
        for shipment in self.shipments:
            if shipment.is_open:
                shipment.status = status
                shipment.updated_at = at
                self._record_shipment(shipment, at=at, actor=actor)

    def _record_shipment(self, shipment: ReverseShipment, *, at: datetime, actor: Actor) -> None:
        self._record(
            ev.ReverseShipmentUpdated(
                return_request_id=self.id,
                occurred_at=at,
                actor=actor,
                shipment_id=shipment.id,
                status=shipment.status.value,
                tracking_number=shipment.tracking_number,
            )
        )

    # ----------------------------------------------------------------- internals

    def _require(self, action: Action) -> None:
        if not status_allows(self.status, action):
            raise InvalidTransition(
                action.value, self.status.value, [a.value for a in ALLOWED[self.status]]
            )

    def _precondition_holds(self, action: Action) -> bool:
        if action == Action.CANCEL:
            return not self.refunds
        if action == Action.SPLIT:
            from domain.splitting import splittable_units

            return splittable_units(self) >= 2
        if action == Action.DELETE_NOTE:
            return bool(self.notes)
        if action == Action.DELETE_REFUND:
            return bool(self.refunds)
        if action == Action.ADD_REFUND:
            return any(total.remaining > 0 for total in self.refund_totals())
        if action == Action.UPDATE_SHIPMENT:
            return self.open_shipment is not None
        if action == Action.RECEIVE:
            return any(item.outstanding_quantity for item in self.items)
        return True

    def _require_pickup_and_dropoff(self) -> None:
        if self.pickup is None or not self.pickup.is_usable():
            raise DomainError(
                f"return request {self.id} needs a pickup address or location "
                "before it can be approved",
                field="pickup",
                code=ErrorCode.MISSING_PICKUP,
            )
        if self.dropoff is None or not self.dropoff.is_usable():
            raise DomainError(
                f"return request {self.id} needs a dropoff location before it can be approved",
                field="dropoff",
                code=ErrorCode.MISSING_DROPOFF,
            )

    def _require_no_refunds(self, verb: str) -> None:
        if self.refunds:
            raise DomainError(
                f"cannot {verb} return request {self.id}: it has "
                f"{len(self.refunds)} refund(s); delete them first",
                code=ErrorCode.REFUNDS_EXIST,
            )

    def _approved_quantities(self, quantities: Mapping[str, int]) -> list[tuple[ReturnItem, int]]:
        for sku in quantities:
            self.item(sku, field_name="items")
        result = []
        for item in self.items:
            qty = quantities.get(item.sku, item.quantity)
            if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
                raise InvalidQuantity(
                    f"approved quantity for sku {item.sku} must be ≥ 0", field="items"
                )
            if qty > item.quantity:
                raise QuantityExceeded(
                    f"sku {item.sku}: cannot approve {qty}, only {item.quantity} requested",
                    field="items",
                )
            result.append((item, qty))
        if not any(qty for _, qty in result):
            raise InvalidQuantity("approve at least one unit, or reject the request", field="items")
        return result

    def _move(
        self,
        action: Action,
        target: ReturnStatus,
        *,
        at: datetime,
        actor: Actor,
        reason: str | None = None,
    ) -> None:
        self._require(action)
        previous, self.status = self.status, target
        self._record(
            ev.ReturnStatusChanged(
                return_request_id=self.id,
                occurred_at=at,
                actor=actor,
                previous_status=previous.value,
                status=target.value,
                action=action.value,
                reason=reason,
            )
        )
        self._touch(at, actor)

    def _touch(self, at: datetime, actor: Actor) -> None:
        self.updated_at = at
        self.update_source = actor

    def _record(self, event: ev.DomainEvent) -> None:
        self.events.append(event)


def _items_from_order(order: Order, items: Sequence[ItemRequest]) -> list[ReturnItem]:
    result = []
    for request in items:
        line = order.line(request.sku)
        assert line is not None, "eligibility checked that every sku is on the order"
        result.append(
            ReturnItem(
                sku=line.sku,
                description=line.description,
                unit_price=line.unit_price,
                currency=order.currency,
                quantity=request.quantity,
                reason_code=request.reason_code,
                comment=_optional_text(request.comment, "comment"),
                comment_codes=tuple(request.comment_codes),
                image_urls=tuple(request.image_urls),
                item_condition=request.item_condition,
                resolution=request.resolution,
                refund_type=request.refund_type,
            )
        )
    return result


def _optional_text(value: object, field_name: str, limit: int = MAX_TEXT) -> str | None:
    if value is None:
        return None
    return bounded_text(value, field=field_name, required=False, limit=limit) or None  # type: ignore[arg-type]


def copy_item(item: ReturnItem, **changes: object) -> ReturnItem:
    return replace(item, **changes)  # type: ignore[arg-type]
