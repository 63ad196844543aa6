"""The outbox: domain events become rows in the same transaction as the change."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.events import DomainEvent
from persistence.tables import OutboxEventRow


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """A committed event as subscribers and webhooks see it."""

    position: int
    event_id: str
    tenant_id: str
    event_type: str
    return_request_id: str
    previous_status: str | None
    new_status: str | None
    actor_source: str
    actor_user: str | None
    occurred_at: datetime
    payload: dict[str, Any]


def _row_values(event: DomainEvent, tenant_id: str) -> dict[str, Any]:
    previous, new = event.status_change
    return {
        "event_id": str(uuid.uuid4()),
        "tenant_id": tenant_id,
        "event_type": event.event_type,
        "return_request_id": event.return_request_id,
        "previous_status": previous,
        "new_status": new,
        "actor_source": event.actor.source,
        "actor_user": event.actor.user,
        "occurred_at": event.occurred_at,
        "payload": event.payload(),
    }


async def append_events(
    session: AsyncSession, tenant_id: str, events: Sequence[DomainEvent]
) -> list[StoredEvent]:
    """Insert events in order and return them with their log positions."""
    if not events:
        return []
    rows = [_row_values(event, tenant_id) for event in events]
    positions = (
        (
            await session.execute(
                insert(OutboxEventRow).returning(
                    OutboxEventRow.position, sort_by_parameter_order=True
                ),
                rows,
            )
        )
        .scalars()
        .all()
    )
    return [
        StoredEvent(position=position, **values)
        for position, values in zip(positions, rows, strict=True)
    ]
