"""Order ingestion: returns are judged against the orders merchants load here."""

from __future__ import annotations

import strawberry

from domain import services
from domain.errors import DomainError
from graphql_api.context import Info
from graphql_api.errors import user_errors
from graphql_api.execution import execute
from graphql_api.orders.inputs import UpsertOrderInput
from graphql_api.orders.types import OrderType, UpsertOrderPayload


@strawberry.type
class OrderMutations:
    @strawberry.mutation(description="Create or replace an order by (merchant, reference).")
    async def upsert_order(self, info: Info, input: UpsertOrderInput) -> UpsertOrderPayload:
        try:
            order = await execute(
                info, services.upsert_order, lambda: input.to_command(info.context.actor)
            )
        except DomainError as error:
            return UpsertOrderPayload(order=None, user_errors=user_errors(error))
        info.context.loaders.remember_order(order)
        return UpsertOrderPayload(order=OrderType.from_domain(order), user_errors=[])
