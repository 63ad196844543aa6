"""The exchange parts of a return request: what the customer asked to receive instead of a
returned item (ExchangeItem), the line kept for it (ExchangeLine) with its status, and what
the customer paid towards a positive difference (ExchangePayment)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from domain.parts import RefundOutcome


@dataclass(frozen=True, slots=True)
class ExchangeItem:
    """`quantity` units of variant `sku` in place of as many returned units of
    `replaces_sku`."""

    sku: str
    quantity: int
    replaces_sku: str


class ExchangeLineStatus(StrEnum):
    PENDING = "PENDING"  # the request is undecided
    RESERVED = "RESERVED"  # its units approved; waiting for the release trigger
    PAYMENT_REQUIRED = "PAYMENT_REQUIRED"  # release due, the customer owes a difference
    RELEASED = "RELEASED"  # sent to the merchant's order system (ExchangeReleased)
    FULFILLED = "FULFILLED"  # the merchant shipped it
    OUT_OF_STOCK = "OUT_OF_STOCK"  # unavailable at release; the fallback applies
    CONVERTED = "CONVERTED"  # turned into money or store credit
    CANCELLED = "CANCELLED"  # its unit rejected, the request ended, or removed by an edit

    @property
    def is_live(self) -> bool:
        return self not in (ExchangeLineStatus.CANCELLED, ExchangeLineStatus.CONVERTED)

    @property
    def is_released(self) -> bool:
        return self in (ExchangeLineStatus.RELEASED, ExchangeLineStatus.FULFILLED)


# Lines a release considers: reserved, waiting for payment, or out of stock (a retry).
RELEASABLE = frozenset(
    {
        ExchangeLineStatus.RESERVED,
        ExchangeLineStatus.PAYMENT_REQUIRED,
        ExchangeLineStatus.OUT_OF_STOCK,
    }
)
# Lines that may still become money or store credit instead: live and not sent yet.
CONVERTIBLE = RELEASABLE | {ExchangeLineStatus.PENDING}


@dataclass(frozen=True, slots=True)
class ExchangeFulfilment:
    tracking_number: str
    fulfilled_at: datetime
    carrier: str | None = None
    tracking_url: str | None = None


@dataclass(slots=True)
class ExchangeLine:
    line_id: str  # "XL-1", "XL-2"…: unique within its request (a split keeps the ids)
    sku: str
    title: str
    quantity: int
    replaces_sku: str
    unit_price: Decimal
    currency: str
    status: ExchangeLineStatus = ExchangeLineStatus.PENDING
    released_at: datetime | None = None
    fulfilment: ExchangeFulfilment | None = None
    converted_to: RefundOutcome | None = None

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def is_live(self) -> bool:
        return self.status.is_live


@dataclass(frozen=True, slots=True)
class ExchangePayment:
    amount: Decimal
    currency: str
    recorded_at: datetime
    reference: str | None = None
