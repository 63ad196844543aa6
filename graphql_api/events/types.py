"""An event of the log as GraphQL shows it, and the position scalar that orders the log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from domain.lifecycle import ReturnStatus
from graphql_api.context import Info
from graphql_api.returns.columns import request_columns
from graphql_api.returns.parts import RequestSourceType
from graphql_api.returns.types import ReturnRequestType
from graphql_api.scalars import EventPosition
from persistence.outbox import StoredEvent


@strawberry.type(
    name="ReturnEvent",
    description="A committed change to a return request, as the event log keeps it.",
)
class ReturnEventType:
    position: EventPosition
    event_id: str
    event_type: str = strawberry.field(
        description="ReturnRequested, ReturnStatusChanged, RefundAdded, NoteAdded, …"
    )
    return_request_id: str
    merchant: str
    previous_status: ReturnStatus | None
    new_status: ReturnStatus | None
    actor: RequestSourceType
    occurred_at: datetime
    payload: JSON = strawberry.field(description="The event's own facts, as JSON.")

    @strawberry.field(description="The request as it stands now (not as it was then).")
    async def return_request(self, info: Info) -> ReturnRequestType | None:
        columns, whole = request_columns(info)
        row = await info.context.loaders.request_row(self.return_request_id, columns)
        return ReturnRequestType.from_row(row, whole=whole) if row else None

    @classmethod
    def from_stored(cls, event: StoredEvent) -> ReturnEventType:
        return cls(
            position=event.position,
            event_id=event.event_id,
            event_type=event.event_type,
            return_request_id=event.return_request_id,
            merchant=event.merchant,
            previous_status=_status(event.previous_status),
            new_status=_status(event.new_status),
            actor=RequestSourceType(source=event.actor_source, user=event.actor_user),
            occurred_at=event.occurred_at,
            payload=event.payload,
        )


def _status(value: Any) -> ReturnStatus | None:
    return ReturnStatus(value) if value is not None else None
