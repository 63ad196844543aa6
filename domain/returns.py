"""The ReturnRequest aggregate: one method per transition, each guarded by the lifecycle
table, each recording the events of what it changed.

Its behaviour is split by what it concerns, one class per module that ReturnRequest inherits
from: its data and the internals all of them share (request_state.py), refunds (refunds.py),
notes and assignment (notes.py), the reverse shipment (shipments.py), split (splitting.py),
the status override (overrides.py) and the exchange lines (exchanges.py). Each part is a
method of the one object, so none reaches into another's privates and none imports this
module. What the customer tells besides the items (addresses, resolution, comment…) is one
value, RequestDetails (request_details.py), declared there with its checks. This module
holds creation, editing and the lifecycle transitions."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from domain import events as ev
from domain.eligibility import MerchantRules, check_item_requests
from domain.errors import (
    DomainError,
    DomainErrors,
    ErrorCode,
    InvalidInput,
    InvalidQuantity,
    InvalidTransition,
    NotEditable,
    QuantityExceeded,
    RequirementMissing,
)
from domain.exchange_lines import ExchangeItem
from domain.lifecycle import Action, ReturnStatus, status_allows
from domain.notes import NotesAndAssignment
from domain.orders import Order
from domain.overrides import StatusOverrides
from domain.parts import ItemRequest, ItemsUpdate, ReturnItem, ShipmentStatus
from domain.reference import DeliveryOption, ReferenceKind
from domain.refunds import RefundTotal
from domain.request_details import RequestDetails
from domain.splitting import Splitting
from domain.values import (
    REASON_LIMIT,
    Actor,
    Address,
    bounded_text,
    new_return_request_id,
    optional_text,
)
from domain.variants import Catalogue

__all__ = ["RefundTotal", "ReturnRequest"]

# Decided requests waiting for the parcel or the rest of it: what auto-close may complete.
AUTO_CLOSABLE = frozenset(
    {ReturnStatus.APPROVED, ReturnStatus.PARTIALLY_RECEIVED, ReturnStatus.RECEIVED}
)

EXCHANGE_ACTIONS = frozenset(
    {
        Action.RELEASE_EXCHANGE,
        Action.RECORD_EXCHANGE_PAYMENT,
        Action.CONVERT_EXCHANGE,
        Action.FULFIL_EXCHANGE,
    }
)
AUTO_APPROVAL = Actor(source="SYSTEM", user="auto-approve")
REJECTION = ReferenceKind.REJECTION_REASON
CONDITION = ReferenceKind.ITEM_CONDITION


class ReturnRequest(Splitting, StatusOverrides, NotesAndAssignment):
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
        details: RequestDetails | None = None,
        delivery_option: DeliveryOption | None = None,
        exchange_items: Sequence[ExchangeItem] = (),
        catalogue: Catalogue | None = None,
    ) -> ReturnRequest:
        """A new request; `exchange_items` (judged against the `catalogue`) become its
        exchange lines."""
        details = details or RequestDetails()
        pickup = details.pickup
        dropoff = details.dropoff or rules.default_dropoff(pickup)
        check_item_requests(
            order,
            items,
            already_requested,
            rules=rules,
            now=at,
            also=request_problems(rules, pickup, dropoff, details.resolution),
        )
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
            details=replace(details, dropoff=dropoff).checked(),
        )
        request._record(
            ev.ReturnRequested,
            at,
            actor,
            merchant=request.merchant,
            order_reference=request.order_reference,
            status=request.status.value,
            items=request.item_quantities(),
        )
        if exchange_items:
            if catalogue is None:
                raise ValueError("exchange items need the merchant's catalogue")
            request._ask_exchanges(exchange_items, catalogue, at=at, actor=actor)
        if rules.auto_approves(request.items) and request._has_pickup_and_dropoff():
            request.approve(
                at=at, actor=AUTO_APPROVAL, rules=rules, delivery_option=delivery_option
            )
        return request

    # ----------------------------------------------------------------- editing

    def update(
        self,
        *,
        at: datetime,
        actor: Actor,
        items: Sequence[ItemRequest] | None = None,
        order: Order | None = None,
        already_requested: Mapping[str, int] | None = None,
        rules: MerchantRules,
        changes: Mapping[str, object] | None = None,
        exchange_items: Sequence[ExchangeItem] | None = None,
        catalogue: Catalogue | None = None,
    ) -> None:
        """Edit a request that is still undecided: the details named in `changes` take their
        value (None clears one), `items`, when given, replace the items, and
        `exchange_items`, when given, replace the live exchange lines (judged against the
        items as they are after the edit; a failure there leaves nothing stored, since the
        use case saves only what succeeded)."""
        if not status_allows(self.status, Action.UPDATE):
            raise NotEditable(
                f"return request {self.id} is {self.status.value}; it can only be edited "
                "while PENDING or ON_HOLD"
            )
        values = RequestDetails.checked_changes(changes or {})
        problems = request_problems(
            rules, values.get("pickup"), values.get("dropoff"), values.get("resolution")
        )  # type: ignore[arg-type]
        if items is not None:
            if order is None or already_requested is None:
                raise ValueError("replacing items needs the order and live quantities")
            # The window is judged at the request's creation: the customer asked in time.
            check_item_requests(
                order, items, already_requested, rules=rules, now=self.created_at, also=problems
            )
        elif problems:
            raise DomainErrors(problems)
        # Everything is validated above: from here on the edit cannot fail half-way.
        changed = {
            name: value for name, value in values.items() if getattr(self.details, name) != value
        }
        self.details = replace(self.details, **changed)
        if items is not None and order is not None:
            self._replace_items(items, order, at=at, actor=actor)
        if exchange_items is not None:
            if catalogue is None:
                raise ValueError("exchange items need the merchant's catalogue")
            self._ask_exchanges(exchange_items, catalogue, at=at, actor=actor)
        if changed:
            self._record(ev.ReturnUpdated, at, actor, changed_fields=tuple(changed))
        self._touch(at, actor)

    def _replace_items(
        self, items: Sequence[ItemRequest], order: Order, *, at: datetime, actor: Actor
    ) -> None:
        previous = self.item_quantities()
        self.items = _items_from_order(order, items)
        self.items_updates.append(
            ItemsUpdate(at, previous, self.item_quantities(), actor.user, actor.source)
        )
        self._record(
            ev.ReturnItemsUpdated, at, actor, previous_items=previous, items=self.item_quantities()
        )

    # ----------------------------------------------------------------- transitions

    def hold(self, *, at: datetime, actor: Actor, reason: str | None = None) -> None:
        self._move(Action.HOLD, ReturnStatus.ON_HOLD, at=at, actor=actor, reason=reason)
        self.on_hold_at = at

    def resume(self, *, at: datetime, actor: Actor, reason: str | None = None) -> None:
        self._move(Action.RESUME, ReturnStatus.PENDING, at=at, actor=actor, reason=reason)

    def approve(
        self,
        *,
        at: datetime,
        actor: Actor,
        rules: MerchantRules,
        quantities: Mapping[str, int] | None = None,
        rejection_reason: str | None = None,
        delivery_option: DeliveryOption | None = None,
    ) -> None:
        """Approve every unit (`quantities` None), or exactly the listed units per sku: a sku
        left out of the list is approved 0, since a merchant naming two shirts means those two
        shirts. Units not approved count as rejected, which needs a rejection reason.

        With a `delivery_option` (OTO's createReturnShipment names the carrier) the reverse
        shipment is opened on it whatever the items' reasons say, since the caller asked for
        the shipment itself."""
        self._require(Action.APPROVE)
        dropoff = self.details.dropoff or rules.default_dropoff(self.details.pickup)
        self._require_pickup_and_dropoff(dropoff)
        approved = self._approved_quantities(quantities)
        rejection_reason = optional_text(rejection_reason, "rejection_reason", REASON_LIMIT)
        _raise(rules.code_problem(REJECTION, rejection_reason, field="rejection_reason"))
        if any(qty < item.quantity for item, qty in approved) and not rejection_reason:
            raise RequirementMissing(
                "approving fewer units than requested needs a rejection reason for the rest",
                field="rejection_reason",
            )
        # Every check has passed: from here on the approval cannot fail half-way.
        self.details = replace(self.details, dropoff=dropoff)
        for item, qty in approved:
            item.approved_quantity = qty
            item.rejected_quantity = item.quantity - qty
            item.rejection_reason = rejection_reason if qty < item.quantity else None
        self._move(Action.APPROVE, ReturnStatus.APPROVED, at=at, actor=actor)
        self.approved_at = at
        if delivery_option is not None or any(
            item.approved_quantity and rules.needs_reverse_shipment(item) for item in self.items
        ):
            self._open_shipment(at=at, actor=actor, option=delivery_option)
        self._evaluate_fees(rules.fee_rules, at=at, actor=actor)

    def reject(self, *, at: datetime, actor: Actor, reason: str, rules: MerchantRules) -> None:
        self._require(Action.REJECT)
        reason = bounded_text(reason or "", field="rejection_reason", limit=REASON_LIMIT)
        _raise(rules.code_problem(REJECTION, reason, field="rejection_reason"))
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
        self._require_nothing_released("cancel")
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
        rules: MerchantRules,
    ) -> None:
        """Record units that arrived; RECEIVED once every approved unit is in."""
        self._require(Action.RECEIVE)
        if not quantities:
            raise InvalidInput("receive at least one item", field="items")
        for condition in (conditions or {}).values():
            _raise(rules.code_problem(CONDITION, condition, field="items.item_condition"))
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
        self._record(ev.ReturnItemsReceived, at, actor, received=tuple(quantities.items()))
        self._evaluate_fees(rules.fee_rules, at=at, actor=actor)
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

    def complete(self, *, at: datetime, actor: Actor, reason: str | None = None) -> None:
        self._require(Action.COMPLETE)
        self._finish(at=at, actor=actor, action=Action.COMPLETE, reason=reason)

    def transition(
        self, action: Action, *, at: datetime, actor: Actor, reason: str | None = None
    ) -> None:
        """A transition that takes nothing but an optional reason, by its action."""
        move = SIMPLE_TRANSITIONS.get(action)
        if move is None:
            raise ValueError(f"{action} is not a simple transition; call its own method")
        move(self, at=at, actor=actor, reason=reason)

    def auto_close(self, *, at: datetime, actor: Actor, idle_days: int) -> None:
        """Complete a decided request that made no progress for `idle_days` (the merchant's
        auto-close setting): the customer never sent the parcel, or the rest never came."""
        if self.status not in AUTO_CLOSABLE:
            raise InvalidTransition(
                "AUTO_CLOSE", self.status.value, [a.value for a in self.allowed_actions]
            )
        if self.updated_at > at - timedelta(days=idle_days):
            raise InvalidInput(
                f"return request {self.id} changed within the last {idle_days} days",
                field="auto_close_days",
            )
        self._finish(
            at=at,
            actor=actor,
            action=Action.COMPLETE,
            reason=f"auto-closed: no progress for {idle_days} days",
        )
        self.auto_closed = True
        self.auto_closed_at = at

    def _finish(
        self, *, at: datetime, actor: Actor, action: Action, reason: str | None = None
    ) -> None:
        previous, self.status = self.status, ReturnStatus.COMPLETED
        self._record(
            ev.ReturnStatusChanged,
            at,
            actor,
            previous_status=previous.value,
            status=self.status.value,
            action=action.value,
            reason=reason,
        )
        self._touch(at, actor)
        self.completed_at = at
        self._finish_shipments(at=at, actor=actor)

    # ----------------------------------------------------------------- internals

    def _precondition_holds(self, action: Action) -> bool:
        if action in EXCHANGE_ACTIONS:
            return self._exchange_precondition(action)
        if action == Action.CANCEL:
            return not self.refunds and self._exchange_precondition(action)
        if action == Action.SPLIT:
            return self.splittable_units() >= 2
        if action == Action.DELETE_NOTE:
            return bool(self.notes)
        if action == Action.DELETE_REFUND:
            return bool(self.refunds)
        if action == Action.WAIVE_FEE:
            return any(fee.amount > 0 and not fee.waived for fee in self.fees)
        if action == Action.ADD_REFUND:
            return any(total.remaining > 0 for total in self.refund_totals())
        if action == Action.UPDATE_SHIPMENT:
            return self.open_shipment is not None
        if action == Action.RECEIVE:
            return any(item.outstanding_quantity for item in self.items)
        return True

    def _has_pickup_and_dropoff(self) -> bool:
        return bool(
            self.details.pickup
            and self.details.pickup.is_usable()
            and self.details.dropoff
            and self.details.dropoff.is_usable()
        )

    def _require_pickup_and_dropoff(self, dropoff: Address | None) -> None:
        pickup = self.details.pickup
        if pickup is None or not pickup.is_usable():
            raise DomainError(
                f"return request {self.id} needs a pickup address or location "
                "before it can be approved",
                field="pickup",
                code=ErrorCode.MISSING_PICKUP,
            )
        if dropoff is None or not dropoff.is_usable():
            raise DomainError(
                f"return request {self.id} needs a dropoff location before it can be approved",
                field="dropoff",
                code=ErrorCode.MISSING_DROPOFF,
            )

    def _approved_quantities(
        self, quantities: Mapping[str, int] | None
    ) -> list[tuple[ReturnItem, int]]:
        for sku in quantities or {}:
            self.item(sku, field_name="items")
        result = []
        for item in self.items:
            qty = item.quantity if quantities is None else quantities.get(item.sku, 0)
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


# The transitions that take nothing but an optional reason. Each face declares one mutation
# or route per action (graphql_api/returns/mutations.py, rest/carriyo/returns.py), all run
# by `services.transition_return`; a new one is its method above and a line here.
SIMPLE_TRANSITIONS: dict[Action, Callable[..., None]] = {
    Action.HOLD: ReturnRequest.hold,
    Action.RESUME: ReturnRequest.resume,
    Action.CANCEL: ReturnRequest.cancel,
    Action.COMPLETE: ReturnRequest.complete,
}


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
                comment=optional_text(request.comment, "comment"),
                comment_codes=tuple(request.comment_codes),
                image_urls=tuple(request.image_urls),
                item_condition=request.item_condition,
                resolution=request.resolution,
                refund_type=request.refund_type,
            )
        )
    return result


def _raise(problem: DomainError | None) -> None:
    if problem is not None:
        raise problem


def request_problems(
    rules: MerchantRules, pickup: Address | None, dropoff: Address | None, resolution: str | None
) -> list[DomainError]:
    """Request-level codes and places must exist for the merchant."""
    found = [
        rules.location_problem(pickup, field="pickup.partner_location_id", as_pickup=True),
        rules.location_problem(dropoff, field="dropoff.partner_location_id", as_pickup=False),
        rules.code_problem(ReferenceKind.RESOLUTION, resolution, field="resolution"),
    ]
    return [problem for problem in found if problem is not None]
