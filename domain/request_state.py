"""The data of a ReturnRequest and the few internals all of its behaviour shares: guarding
an action with the lifecycle table, moving status, touching, recording events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain import events as ev
from domain.errors import DomainError, ErrorCode, InvalidTransition
from domain.exchange_lines import ExchangeLine, ExchangePayment
from domain.fees import Fee
from domain.lifecycle import Action, ReturnStatus, status_allows
from domain.parts import ItemsUpdate, Note, Refund, ReturnItem, ReverseShipment
from domain.request_details import RequestDetails
from domain.values import Actor


@dataclass(eq=False)
class ReturnRequestState:
    id: str
    merchant: str
    order_reference: str
    status: ReturnStatus
    items: list[ReturnItem]
    created_at: datetime
    updated_at: datetime
    creation_source: Actor = field(default_factory=Actor)
    update_source: Actor = field(default_factory=Actor)
    details: RequestDetails = field(default_factory=RequestDetails)
    assigned_to_user: str | None = None
    notes: list[Note] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    fees: list[Fee] = field(default_factory=list)
    shipments: list[ReverseShipment] = field(default_factory=list)
    items_updates: list[ItemsUpdate] = field(default_factory=list)
    exchange_lines: list[ExchangeLine] = field(default_factory=list)
    exchange_payments: list[ExchangePayment] = field(default_factory=list)
    on_hold_at: datetime | None = None
    approved_at: datetime | None = None
    rejected_at: datetime | None = None
    cancelled_at: datetime | None = None
    received_at: datetime | None = None
    completed_at: datetime | None = None
    first_scanned_at: datetime | None = None  # the carrier's first scan of the slip
    rejection_reason: str | None = None
    auto_closed: bool = False
    auto_closed_at: datetime | None = None
    split_from: str | None = None
    version: int = 0
    events: list[ev.DomainEvent] = field(default_factory=list, repr=False)

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

    def pull_events(self) -> list[ev.DomainEvent]:
        pulled, self.events = self.events, []
        return pulled

    @property
    def allowed_actions(self) -> list[Action]:
        """Status-allowed actions whose other preconditions hold right now: what clients see
        as `allowedActions`, and what a refused action's error lists, so both faces agree."""
        return [
            action
            for action in Action
            if status_allows(self.status, action) and self._precondition_holds(action)
        ]

    def _precondition_holds(self, action: Action) -> bool:
        """Overridden by the aggregate with the checks beyond status (notes to delete, …)."""
        return True

    def _require(self, action: Action) -> None:
        if not status_allows(self.status, action):
            raise InvalidTransition(
                action.value, self.status.value, [a.value for a in self.allowed_actions]
            )

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
            ev.ReturnStatusChanged,
            at,
            actor,
            previous_status=previous.value,
            status=target.value,
            action=action.value,
            reason=reason,
        )
        self._touch(at, actor)

    def _touch(self, at: datetime, actor: Actor) -> None:
        self.updated_at = at
        self.update_source = actor

    def _record(
        self, kind: type[ev.DomainEvent], at: datetime, actor: Actor, **fields: object
    ) -> None:
        self.events.append(kind(return_request_id=self.id, occurred_at=at, actor=actor, **fields))  # type: ignore[arg-type]
