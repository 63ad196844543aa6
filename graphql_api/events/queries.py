"""`returnEvents`: the tenant's audit trail, oldest first, paged by log position."""

from __future__ import annotations

import strawberry

from core.global_ids import return_request_key
from domain.lifecycle import ReturnStatus
from graphql_api.common import PageInfo
from graphql_api.context import Info
from graphql_api.events.types import ReturnEventType
from graphql_api.returns.queries import PageSize, check_first
from graphql_api.scalars import EventPosition
from persistence import event_log


@strawberry.input
class ReturnEventFilter:
    merchant: str | None = None
    return_request_id: str | None = strawberry.field(
        default=None, description="The readable id (RR-…) or the global id."
    )
    event_types: list[str] | None = None
    statuses: list[ReturnStatus] | None = strawberry.field(
        default=None, description="Events that moved a request into any of these statuses."
    )
    status_changes_only: bool = strawberry.field(
        default=False,
        description="Only events that set a status: what returnStatusChanged sends, "
        "resumable with `after`.",
    )

    def to_query(self) -> event_log.EventFilter:
        rid = self.return_request_id
        return event_log.EventFilter(
            merchant=self.merchant,
            return_request_id=return_request_key(rid) if rid else None,
            event_types=tuple(self.event_types or ()),
            statuses=tuple(status.value for status in self.statuses or ()),
            status_changes_only=self.status_changes_only,
        )


@strawberry.type
class ReturnEventEdge:
    cursor: str = strawberry.field(description="The event's position, as `after` takes it.")
    node: ReturnEventType


@strawberry.type
class ReturnEventConnection:
    edges: list[ReturnEventEdge]
    page_info: PageInfo


@strawberry.type
class EventQueries:
    @strawberry.field(
        description="Committed changes of the tenant's return requests, oldest first."
    )
    async def return_events(
        self,
        info: Info,
        first: PageSize,
        after: EventPosition | None = None,
        filter: ReturnEventFilter | None = None,
    ) -> ReturnEventConnection:
        context = info.context
        size = check_first(first)
        async with context.db.read_session() as session:
            events = await event_log.read_events(
                session,
                context.tenant_id,
                after=after or 0,
                limit=size + 1,
                flt=(filter or ReturnEventFilter()).to_query(),
            )
        edges = [
            ReturnEventEdge(cursor=str(event.position), node=ReturnEventType.from_stored(event))
            for event in events[:size]
        ]
        return ReturnEventConnection(
            edges=edges,
            page_info=PageInfo.of(edges, has_next=len(events) > size, has_previous=bool(after)),
        )
