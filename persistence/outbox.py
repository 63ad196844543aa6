"""The outbox: domain events become rows in the same transaction as the change."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
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
    merchant: str
    previous_status: str | None
    new_status: str | None
    actor_source: str
    actor_user: str | None
    occurred_at: datetime
    payload: dict[str, Any]


# Namespace of our advisory locks, so they cannot collide with another application's.
_OUTBOX_LOCK_NAMESPACE = 0x52455455  # "RETU"


async def _serialise_appends(session: AsyncSession, tenant_id: str) -> None:
    """Make positions visible in commit order, so a reader resuming after position P never
    finds a smaller one committed later.

    PostgreSQL hands out sequence values at INSERT time: two transactions could commit in
    the opposite order. A per-tenant transaction-level advisory lock, taken last in every
    writing transaction and released at commit, orders them. SQLite's single writer already
    does.
    """
    if session.bind.dialect.name != "postgresql":
        return
    await session.execute(
        select(func.pg_advisory_xact_lock(_OUTBOX_LOCK_NAMESPACE, func.hashtext(tenant_id)))
    )


def _row_values(merchant: str, event: DomainEvent, tenant_id: str) -> dict[str, Any]:
    previous, new = event.status_change
    return {
        "event_id": str(uuid.uuid4()),
        "tenant_id": tenant_id,
        "event_type": event.event_type,
        "return_request_id": event.return_request_id,
        "merchant": merchant,
        "previous_status": previous,
        "new_status": new,
        "actor_source": event.actor.source,
        "actor_user": event.actor.user,
        "occurred_at": event.occurred_at,
        "payload": event.payload(),
    }


async def append_events(
    session: AsyncSession, tenant_id: str, events: Sequence[tuple[str, DomainEvent]]
) -> list[StoredEvent]:
    """Insert (merchant, event) pairs in order and return them with their log positions."""
    if not events:
        return []
    await _serialise_appends(session, tenant_id)
    rows = [_row_values(merchant, event, tenant_id) for merchant, event in events]
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
    await _notify_on_commit(session, tenant_id, positions[-1])
    return [
        StoredEvent(position=position, **values)
        for position, values in zip(positions, rows, strict=True)
    ]


EVENTS_CHANNEL = "returns_events"


def wakeup_payload(tenant_id: str, position: int) -> str:
    return f"{position} {tenant_id}"


def parse_wakeup(payload: str) -> tuple[str, int] | None:
    position, _, tenant_id = payload.partition(" ")
    return (tenant_id, int(position)) if position.isdigit() and tenant_id else None


async def _notify_on_commit(session: AsyncSession, tenant_id: str, position: int) -> None:
    """On PostgreSQL, wake every API process when (and only if) this transaction commits.

    The notification carries the tenant and the newest position, never the payload:
    listeners read the events from the log, so a missed notification delays, never loses.
    """
    if session.bind.dialect.name != "postgresql":
        return
    await session.execute(
        select(func.pg_notify(EVENTS_CHANNEL, wakeup_payload(tenant_id, position)))
    )
