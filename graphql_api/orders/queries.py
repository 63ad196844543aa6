"""Order queries: the order itself, and which of its lines may still be returned."""

from __future__ import annotations

import strawberry

from core.order_lookup import returnable_lines
from graphql_api.context import Info
from graphql_api.orders.types import BlockerType, OrderType, ReturnableLineType

__all__ = ["OrderQueries", "returnable_lines"]  # the Carriyo shim reads it from here


@strawberry.type
class OrderQueries:
    @strawberry.field
    async def order(self, info: Info, reference: str, merchant: str) -> OrderType | None:
        order = await info.context.loaders.order_by_reference.load((merchant, reference))
        return OrderType.from_domain(order) if order else None

    @strawberry.field(
        description="Every line of the order with how many units may still be "
        "returned and, when none, the rules that block it. Null for an unknown "
        "order."
    )
    async def returnable_items(
        self, info: Info, order_reference: str, merchant: str
    ) -> list[ReturnableLineType] | None:
        context = info.context
        order = await context.loaders.order_by_reference.load((merchant, order_reference))
        if order is None:
            return None
        explained = await returnable_lines(context, order)
        return [
            ReturnableLineType(
                sku=e.line.sku,
                description=e.line.description,
                ordered_quantity=e.line.quantity,
                delivered_quantity=e.line.delivered_quantity,
                delivered_at=e.line.delivered_at,
                unit_price=e.line.unit_price,
                already_requested=e.already_requested,
                returnable_quantity=e.returnable_quantity,
                returnable=e.returnable,
                blockers=[BlockerType(code=b.code, message=b.message) for b in e.blockers],
            )
            for e in explained
        ]
