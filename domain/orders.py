"""The forward order a return is judged against."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from domain.errors import (
    DomainError,
    DomainErrors,
    ErrorCode,
    InvalidInput,
    InvalidQuantity,
    NotFound,
)
from domain.values import Address, aware, bounded_text, currency_code, price_amount


@dataclass(frozen=True, slots=True)
class Customer:
    name: str | None = None
    email: str | None = None
    phone: str | None = None

    def matches(self, email_or_phone: str) -> bool:
        """Whether the person looking up an order (Carriyo's `email_or_phone`) is its
        customer: the email ignoring case, or the phone ignoring spacing, dashes and a
        leading + or 00. A blank or a customer without contact details never matches."""
        given = email_or_phone.strip()
        if not given:
            return False
        if "@" in given:
            return bool(self.email) and self.email.strip().lower() == given.lower()  # type: ignore[union-attr]
        digits = _phone_digits(given)
        return bool(digits) and bool(self.phone) and _phone_digits(self.phone) == digits  # type: ignore[arg-type]


def _phone_digits(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[2:] if phone.strip().startswith("00") else digits


@dataclass(frozen=True, slots=True)
class OrderLine:
    sku: str
    description: str
    quantity: int
    unit_price: Decimal
    delivered_quantity: int = 0
    delivered_at: datetime | None = None

    @property
    def is_delivered(self) -> bool:
        return self.delivered_quantity > 0 and self.delivered_at is not None


@dataclass(slots=True)
class Order:
    merchant: str
    reference: str
    currency: str
    customer: Customer = field(default_factory=Customer)
    lines: list[OrderLine] = field(default_factory=list)
    delivery_address: Address | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def line(self, sku: str) -> OrderLine | None:
        return next((line for line in self.lines if line.sku == sku), None)

    @property
    def skus(self) -> list[str]:
        return [line.sku for line in self.lines]

    @property
    def is_delivered(self) -> bool:
        return any(line.is_delivered for line in self.lines)

    def ensure_covers(self, held: Mapping[str, int]) -> None:
        """An order re-sent with fewer delivered units must still cover the units its live
        return requests hold: those customers were promised their return."""
        for sku, units in held.items():
            line = self.line(sku)
            delivered = line.delivered_quantity if line else 0
            if units > delivered:
                raise DomainError(
                    f"sku {sku}: {units} units are in live return requests, so the order "
                    f"cannot deliver fewer ({delivered})",
                    field="lines",
                    code=ErrorCode.QUANTITY_EXCEEDED,
                )

    def delivered(self) -> Order:
        """This order, if any of it was delivered: a reverse shipment needs goods to carry."""
        if not self.is_delivered:
            raise DomainError(
                f"order {self.reference} has not been delivered; only delivered orders "
                "can be returned",
                field="order_reference",
                code=ErrorCode.NOT_RETURNABLE,
            )
        return self

    def customer_address(self) -> Address | None:
        """Where the goods are now: the delivery address, with the customer as contact (what
        a carrier needs to collect a return)."""
        address = self.delivery_address
        if address is None:
            return None
        return replace(
            address,
            contact_name=address.contact_name or self.customer.name,
            contact_phone=address.contact_phone or self.customer.phone,
            contact_email=address.contact_email or self.customer.email,
        )

    def collection_addresses(self) -> list[Address]:
        """Where a carrier may collect a return from the customer: where the order was
        delivered, once any of it was (Carriyo's "available locations")."""
        address = self.customer_address()
        if not self.is_delivered or address is None or not address.is_usable():
            return []
        return [address]


def make_order_line(
    *,
    sku: str,
    description: str,
    quantity: int,
    unit_price: Decimal,
    delivered_quantity: int | None,
    delivered_at: datetime | None,
    index: int,
) -> OrderLine:
    """Validate one ingested line; a delivery date without a count means the whole line."""
    where = f"lines[{index}]"
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidQuantity(f"{where}: quantity must be ≥ 1", field=f"{where}.quantity")
    price = price_amount(unit_price, field=f"{where}.unit_price")
    delivered_at = aware(delivered_at, field=f"{where}.delivered_at")
    if delivered_quantity is None:
        delivered = quantity if delivered_at else 0
    else:
        delivered = delivered_quantity
    if delivered < 0 or delivered > quantity:
        raise InvalidQuantity(
            f"{where}: delivered quantity must be between 0 and {quantity}",
            field=f"{where}.delivered_quantity",
        )
    if delivered and delivered_at is None:
        raise InvalidInput(
            f"{where}: a delivered line needs a delivery date", field=f"{where}.delivered_at"
        )
    return OrderLine(
        sku=bounded_text(sku, field=f"{where}.sku", limit=100),
        description=bounded_text(description or "", field=f"{where}.description", required=False),
        quantity=quantity,
        unit_price=price,
        delivered_quantity=delivered,
        delivered_at=delivered_at if delivered else None,
    )


def ensure_unique_skus(lines: list[OrderLine]) -> None:
    seen: set[str] = set()
    errors = []
    for index, line in enumerate(lines):
        if line.sku in seen:
            errors.append(
                InvalidInput(
                    f"sku {line.sku} appears twice on the order",
                    field=f"lines[{index}].sku",
                    code=ErrorCode.DUPLICATE_SKU,
                )
            )
        seen.add(line.sku)
    if errors:
        raise DomainErrors(errors)


def validate_order(order: Order) -> Order:
    """Whole-order checks that single lines cannot make."""
    bounded_text(order.merchant, field="merchant", limit=100)
    bounded_text(order.reference, field="reference", limit=100)
    currency_code(order.currency)
    customer = order.customer
    bounded_text(customer.name or "", field="customer.name", required=False, limit=200)
    bounded_text(customer.email or "", field="customer.email", required=False, limit=320)
    bounded_text(customer.phone or "", field="customer.phone", required=False, limit=40)
    if not order.lines:
        raise InvalidInput("an order needs at least one line", field="lines")
    ensure_unique_skus(order.lines)
    return order


def choose_merchant(merchants: list[str], reference: str, merchant: str | None) -> str:
    """Which merchant's order a client means when it names an order by reference alone (OTO
    does): the one merchant that has it, or the one it named."""
    if merchant is not None:
        if merchant not in merchants:
            raise NotFound(f"order {reference} not found", field="order_reference")
        return merchant
    if not merchants:
        raise NotFound(f"order {reference} not found", field="order_reference")
    if len(merchants) > 1:
        raise InvalidInput(
            f"order {reference} exists for several merchants ({', '.join(merchants)}); "
            "name the merchant",
            field="merchant",
        )
    return merchants[0]
