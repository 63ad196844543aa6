"""`notifications`: the tenant's customer notifications, newest first."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.global_ids import return_request_key
from graphql_api.common import PageInfo
from graphql_api.context import Info
from graphql_api.notifications.types import (
    NotificationConnection,
    NotificationEdge,
    NotificationType,
)
from graphql_api.returns.queries import PageSize, check_first, decode_cursor, encode_cursor
from persistence.notifications import page_notifications


@strawberry.type
class NotificationQueries:
    @strawberry.field(
        description="Customer notifications (return SMS) and what became of them, newest "
        "first; optionally those of one return request."
    )
    async def notifications(
        self,
        info: Info,
        first: PageSize,
        after: str | None = None,
        return_request_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Readable (RR-…) or global id of a request."),
        ] = None,
    ) -> NotificationConnection:
        context = info.context
        position = decode_cursor(after) if after else None
        async with context.db.read_session() as session:
            found, has_next = await page_notifications(
                session,
                context.tenant_id,
                first=check_first(first),
                after=position,
                return_request_id=return_request_key(return_request_id)
                if return_request_id
                else None,
            )
        edges = [
            NotificationEdge(
                cursor=encode_cursor(n.created_at, n.id), node=NotificationType.from_domain(n)
            )
            for n in found
        ]
        return NotificationConnection(
            edges=edges,
            page_info=PageInfo.of(edges, has_next=has_next, has_previous=position is not None),
        )
