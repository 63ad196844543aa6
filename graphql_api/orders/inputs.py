"""Inputs for ingesting orders."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from domain.commands import OrderLineSpec, UpsertOrder
from domain.orders import Customer
from domain.values import Actor
from graphql_api.common import AddressInput, MutationInput, optional_address


@strawberry.input
class CustomerInput:
    name: str | None = None
    email: str | None = None
    phone: str | None = None


@strawberry.input
class OrderLineInput:
    sku: str
    description: str = ""
    quantity: int
    unit_price: Decimal
    delivered_quantity: int | None = strawberry.field(
        default=None, description="Defaults to the whole quantity when deliveredAt is set."
    )
    delivered_at: datetime | None = None


@strawberry.input(description="Create or replace an order by (merchant, reference).")
class UpsertOrderInput(MutationInput):
    merchant: str
    reference: str
    currency: str
    lines: list[OrderLineInput]
    customer: CustomerInput | None = None
    delivery_address: AddressInput | None = None

    def to_command(self, actor: Actor) -> UpsertOrder:
        customer = self.customer or CustomerInput()
        return UpsertOrder(
            actor=actor,
            merchant=self.merchant,
            reference=self.reference,
            currency=self.currency,
            customer=Customer(customer.name, customer.email, customer.phone),
            delivery_address=optional_address(self.delivery_address),
            lines=[
                OrderLineSpec(
                    line.sku,
                    line.description,
                    line.quantity,
                    line.unit_price,
                    line.delivered_quantity,
                    line.delivered_at,
                )
                for line in self.lines
            ],
        )
