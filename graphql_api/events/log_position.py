"""`eventLogPosition`: where the tenant's event log stands now. A client reads it *before*
loading a list, then subscribes to `returnEvents(after:)` from it: every change that commits
after the read reaches it, and none is lost between the read and the subscription."""

from __future__ import annotations

import strawberry

from graphql_api.context import Info
from graphql_api.scalars import EventPosition
from persistence import event_log


@strawberry.type
class EventLogPositionQueries:
    @strawberry.field(
        description='The newest committed position of the tenant\'s event log ("0" when '
        "empty). Read it before a list, then subscribe to returnEvents after it."
    )
    async def event_log_position(self, info: Info) -> EventPosition:
        context = info.context
        async with context.db.read_session() as session:
            return EventPosition(await event_log.last_position(session, context.tenant_id))
