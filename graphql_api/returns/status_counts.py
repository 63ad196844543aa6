"""`returnStatusCounts`: the number of requests per status under the queue's own filter, so a
dashboard can show its status tabs with their counts in one round trip."""

from __future__ import annotations

import strawberry

from domain.lifecycle import ReturnStatus
from graphql_api.context import Info
from graphql_api.returns.queries import ReturnRequestFilter
from persistence.read_model import count_by_status


@strawberry.type
class StatusCount:
    status: ReturnStatus
    count: int


@strawberry.type
class StatusCountQueries:
    @strawberry.field(
        description="Requests matching the filter, per status, every status listed (zero "
        "included) in lifecycle order. Pass the queue's filter without `status` to count the "
        "tabs of every status."
    )
    async def return_status_counts(
        self, info: Info, filter: ReturnRequestFilter | None = None
    ) -> list[StatusCount]:
        context = info.context
        flt = (filter or ReturnRequestFilter()).to_query()
        async with context.db.reading() as reads:
            counts = await count_by_status(reads, context.tenant_id, flt)
        return [StatusCount(status=status, count=counts.get(status, 0)) for status in ReturnStatus]
