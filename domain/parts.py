"""The parts a return request is made of: items, notes, refunds, item-update history,
and the reverse shipment that carries the parcel back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from domain.values import Address


@dataclass(frozen=True, slots=True)
class ItemRequest:
    """What a customer (or merchant on their behalf) asks to return for one sku."""

    sku: str
    quantity: int
    reason_code: str | None = None
    comment: str | None = None
    comment_codes: tuple[str, ...] = ()
    image_urls: tuple[str, ...] = ()
    item_condition: str | None = None
    resolution: str | None = None
    refund_type: str | None = None


@dataclass(slots=True)
class ReturnItem:
    sku: str
    description: str
    unit_price: Decimal
    currency: str
    quantity: int
    reason_code: str | None = None
    comment: str | None = None
    comment_codes: tuple[str, ...] = ()
    image_urls: tuple[str, ...] = ()
    item_condition: str | None = None
    resolution: str | None = None
    refund_type: str | None = None
    approved_quantity: int = 0
    rejected_quantity: int = 0
    returned_quantity: int = 0
    received_quantity: int = 0
    rejection_reason: str | None = None

    @property
    def undecided_quantity(self) -> int:
        return self.quantity - self.approved_quantity - self.rejected_quantity

    @property
    def outstanding_quantity(self) -> int:
        """Approved units the warehouse has not confirmed yet."""
        return self.approved_quantity - self.received_quantity

    @property
    def approved_value(self) -> Decimal:
        return self.unit_price * self.approved_quantity


@dataclass(frozen=True, slots=True)
class Note:
    id: str
    text: str
    created_at: datetime
    user: str | None = None


class RefundOutcome(StrEnum):
    """What a refund gave the customer: money (a record of what the merchant's system paid)
    or store credit (issued by us, to the order's customer's account)."""

    MONEY = "MONEY"
    STORE_CREDIT = "STORE_CREDIT"


@dataclass(frozen=True, slots=True)
class Refund:
    id: str
    amount: Decimal
    currency: str
    created_at: datetime
    reference: str | None = None
    refund_type: str | None = None
    note: str | None = None
    refund_date: datetime | None = None
    outcome: RefundOutcome = RefundOutcome.MONEY


@dataclass(frozen=True, slots=True)
class ItemsUpdate:
    """One entry of Carriyo's `return_items_updates`: what the item list was and became."""

    updated_at: datetime
    previous: tuple[tuple[str, int], ...]
    current: tuple[tuple[str, int], ...]
    user: str | None = None
    source: str | None = None


class ShipmentStatus(StrEnum):
    CREATED = "CREATED"
    IN_TRANSIT = "IN_TRANSIT"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


MANUAL_CARRIER = "manual"


@dataclass(slots=True)
class ReverseShipment:
    """The parcel coming back. With the default `manual` carrier the merchant enters the
    tracking number and label; carrier integrations can fill them later."""

    id: str
    carrier: str
    status: ShipmentStatus
    created_at: datetime
    items: list[tuple[str, int]] = field(default_factory=list)
    pickup: Address | None = None
    dropoff: Address | None = None
    tracking_number: str | None = None
    label_url: str | None = None
    updated_at: datetime | None = None
    delivery_option_id: str | None = None  # OTO's deliveryOptionId, when one was chosen

    @property
    def is_open(self) -> bool:
        return self.status not in (ShipmentStatus.DELIVERED, ShipmentStatus.CANCELLED)
