"""Domain events: facts in the past tense, raised by the aggregate, stored with the change.

Every event names the return request, when it happened and who did it. `payload()` is the
JSON-ready body that the outbox stores and that subscribers and webhooks receive.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from domain.values import Actor


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    return_request_id: str
    occurred_at: datetime
    actor: Actor = field(default_factory=Actor)

    @property
    def event_type(self) -> str:
        return type(self).__name__

    @property
    def status_change(self) -> tuple[str | None, str | None]:
        """(previous, new) status when the event moved the request; (None, None) otherwise."""
        return None, None

    def payload(self) -> dict[str, Any]:
        return _jsonable(dataclasses.asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


@dataclass(frozen=True, kw_only=True)
class ReturnRequested(DomainEvent):
    merchant: str
    order_reference: str
    status: str
    items: tuple[tuple[str, int], ...]
    split_from: str | None = None

    @property
    def status_change(self) -> tuple[str | None, str | None]:
        return None, self.status


@dataclass(frozen=True, kw_only=True)
class ReturnStatusChanged(DomainEvent):
    previous_status: str
    status: str
    action: str
    reason: str | None = None

    @property
    def status_change(self) -> tuple[str | None, str | None]:
        return self.previous_status, self.status


@dataclass(frozen=True, kw_only=True)
class ReturnUpdated(DomainEvent):
    changed_fields: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ReturnItemsUpdated(DomainEvent):
    previous_items: tuple[tuple[str, int], ...]
    items: tuple[tuple[str, int], ...]


@dataclass(frozen=True, kw_only=True)
class ReturnItemsReceived(DomainEvent):
    received: tuple[tuple[str, int], ...]


@dataclass(frozen=True, kw_only=True)
class ReturnSplit(DomainEvent):
    new_return_request_id: str
    moved: tuple[tuple[str, int], ...]


@dataclass(frozen=True, kw_only=True)
class ReturnAssigned(DomainEvent):
    assigned_to_user: str | None


@dataclass(frozen=True, kw_only=True)
class NoteAdded(DomainEvent):
    note_id: str
    text: str


@dataclass(frozen=True, kw_only=True)
class NoteDeleted(DomainEvent):
    note_id: str


@dataclass(frozen=True, kw_only=True)
class RefundAdded(DomainEvent):
    refund_id: str
    amount: Decimal
    currency: str
    refund_type: str | None
    outcome: str = "MONEY"


@dataclass(frozen=True, kw_only=True)
class RefundOutcomeChanged(DomainEvent):
    """A refund switched between money and store credit."""

    refund_id: str
    previous_outcome: str
    outcome: str


@dataclass(frozen=True, kw_only=True)
class RefundDeleted(DomainEvent):
    refund_id: str
    amount: Decimal
    currency: str


@dataclass(frozen=True, kw_only=True)
class ReverseShipmentCreated(DomainEvent):
    shipment_id: str
    carrier: str


@dataclass(frozen=True, kw_only=True)
class ReverseShipmentUpdated(DomainEvent):
    shipment_id: str
    status: str
    tracking_number: str | None


@dataclass(frozen=True, kw_only=True)
class ReturnFeeApplied(DomainEvent):
    """A fee a merchant's rule put on the request (at approval, or changed at receipt)."""

    fee_id: str
    fee_kind: str
    basis: str
    amount: Decimal
    currency: str
    rule_id: str | None
    sku: str | None


@dataclass(frozen=True, kw_only=True)
class ReturnFeeWaived(DomainEvent):
    """A fee that takes nothing: waived by a person, or by a reason that waives its rule."""

    fee_id: str
    fee_kind: str
    amount: Decimal
    currency: str
    reason: str | None


@dataclass(frozen=True, kw_only=True)
class ReturnFeeSet(DomainEvent):
    """A fee whose amount a person set by hand (re-evaluation then leaves it alone)."""

    fee_id: str
    fee_kind: str
    amount: Decimal
    previous_amount: Decimal | None
    currency: str
    reason: str | None


# --------------------------------------------------------------------------- store credit
# Each names the account and its ledger entry; `return_request_id` is the return request the
# credit came from (a refund), else the account's id (a storefront debit, an adjustment).


@dataclass(frozen=True, kw_only=True)
class StoreCreditMoved(DomainEvent):
    """What every store-credit event names: the account, its ledger entry, the amount moved,
    the balance after it, and the refund it came from (if any). Not an event of its own:
    each kind below is (domain/webhooks.EVENT_TYPES lists the concrete ones)."""

    account_id: str
    entry_id: str
    amount: Decimal
    currency: str
    balance: Decimal
    refund_id: str | None = None


class StoreCreditIssued(StoreCreditMoved):
    """A refund by store credit credited the customer's account."""


class StoreCreditBonusIssued(StoreCreditMoved):
    """The merchant's bonus for choosing store credit, an entry of its own."""


class StoreCreditRevoked(StoreCreditMoved):
    """A refund's credit taken back (the refund was deleted or became money)."""


class StoreCreditBonusRevoked(StoreCreditMoved):
    """A refund's bonus taken back with its credit."""


class StoreCreditDebited(StoreCreditMoved):
    """The storefront spent credit (idempotent by its key)."""


class StoreCreditDebitReverted(StoreCreditMoved):
    """A debit undone: what it took is back in the lots it came from."""


class StoreCreditExpired(StoreCreditMoved):
    """What was left of lapsed credit removed (never what was spent)."""


class StoreCreditAdjusted(StoreCreditMoved):
    """An operator's correction, with a reason."""


@dataclass(frozen=True, kw_only=True)
class ReturnFirstScanned(DomainEvent):
    """The carrier scanned the parcel's slip for the first time (at a drop-off point, or on
    pickup): the parcel is on its way back. A later scan of the same slip records nothing."""

    location: str | None = None


# --------------------------------------------------------------------------- exchanges
# A line as the events carry it: (line_id, sku, quantity, replaces_sku, unit_price, currency).
ExchangeLineFacts = tuple[tuple[str, str, int, str, Decimal, str], ...]


@dataclass(frozen=True, kw_only=True)
class ExchangeRequested(DomainEvent):
    """Exchange lines were asked for (at creation, or by an edit that replaced them)."""

    merchant: str
    order_reference: str
    lines: ExchangeLineFacts


@dataclass(frozen=True, kw_only=True)
class ExchangeReleased(DomainEvent):
    """The merchant's order system may create the outbound order: these lines, to this
    address (the request's pickup address, else the order's delivery address)."""

    merchant: str
    order_reference: str
    lines: ExchangeLineFacts
    ship_to: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class ExchangePaymentRecorded(DomainEvent):
    amount: Decimal
    currency: str
    reference: str | None = None


@dataclass(frozen=True, kw_only=True)
class ExchangeFulfilled(DomainEvent):
    line_ids: tuple[str, ...]
    tracking_number: str
    carrier: str | None = None
    tracking_url: str | None = None


@dataclass(frozen=True, kw_only=True)
class ExchangeConverted(DomainEvent):
    """A line turned into money or store credit (by a person, or by the out-of-stock
    fallback); its value becomes refundable."""

    line_id: str
    outcome: str
    amount: Decimal
    currency: str


@dataclass(frozen=True, kw_only=True)
class ExchangeOutOfStock(DomainEvent):
    line_id: str
    sku: str
    fallback: str


@dataclass(frozen=True, kw_only=True)
class ExchangeCancelled(DomainEvent):
    """`quantity` units of a line cancelled: all of it, or the part whose returned units
    were rejected or split off without it."""

    line_id: str
    sku: str
    quantity: int
    reason: str
