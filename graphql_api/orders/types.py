"""GraphQL views of orders, the forward orders returns are judged against."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import strawberry

from core.global_ids import to_global_id
from domain.errors import ErrorCode
from domain.orders import Order, OrderLine
from graphql_api.common import AddressType, Node
from graphql_api.errors import UserError


@strawberry.type(name="Customer")
class CustomerType:
    name: str | None
    email: str | None
    phone: str | None


@strawberry.type(name="OrderLine")
class OrderLineType:
    sku: str
    description: str
    quantity: int
    unit_price: Decimal
    delivered_quantity: int
    delivered_at: datetime | None

    @classmethod
    def from_domain(cls, line: OrderLine) -> OrderLineType:
        return cls(
            sku=line.sku,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            delivered_quantity=line.delivered_quantity,
            delivered_at=line.delivered_at,
        )


def order_local_id(merchant: str, reference: str) -> str:
    return json.dumps([merchant, reference], separators=(",", ":"))


def parse_order_local_id(local_id: str) -> tuple[str, str] | None:
    try:
        merchant, reference = json.loads(local_id)
    except (ValueError, TypeError):
        return None
    return (
        (merchant, reference) if isinstance(merchant, str) and isinstance(reference, str) else None
    )


@strawberry.type(name="Order")
class OrderType(Node):
    merchant: str
    reference: str
    currency: str
    customer: CustomerType
    lines: list[OrderLineType]
    delivery_address: AddressType | None
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def from_domain(cls, order: Order) -> OrderType:
        return cls(
            id=to_global_id("Order", order_local_id(order.merchant, order.reference)),
            merchant=order.merchant,
            reference=order.reference,
            currency=order.currency,
            customer=CustomerType(
                name=order.customer.name, email=order.customer.email, phone=order.customer.phone
            ),
            lines=[OrderLineType.from_domain(line) for line in order.lines],
            delivery_address=AddressType.from_domain(order.delivery_address),
            created_at=order.created_at,
            updated_at=order.updated_at,
        )


@strawberry.type(name="ReturnBlocker", description="Why an order line cannot be returned.")
class BlockerType:
    code: ErrorCode
    message: str


@strawberry.type(
    name="ReturnableLine",
    description="One order line, with how many units may still be returned and why.",
)
class ReturnableLineType:
    sku: str
    description: str
    ordered_quantity: int
    delivered_quantity: int
    delivered_at: datetime | None
    unit_price: Decimal
    already_requested: int = strawberry.field(
        description="Units held by live (not rejected or cancelled) return requests."
    )
    returnable_quantity: int
    returnable: bool
    blockers: list[BlockerType]


@strawberry.type
class UpsertOrderPayload:
    order: OrderType | None
    user_errors: list[UserError]
