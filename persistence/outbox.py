"""The outbox: domain events become rows in the same transaction as the change."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, bindparam, func, insert, select, update

from domain.events import DomainEvent
from persistence.correlation import request_id
from persistence.statements import Statements
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
    request_id: str | None = None  # the X-Request-Id of the request that committed it


# Namespace of our advisory locks, so they cannot collide with another application's. The
# sequencer (migration 0018's returns_sequence_events) takes (namespace, hashtext(tenant)).
SEQUENCER_LOCK_NAMESPACE = 0x52455455  # "RETU"

_SEQUENCE_POSTGRESQL = select(func.returns_sequence_events(bindparam("tenant", type_=String)))
_TABLE = OutboxEventRow.__table__  # type: ignore[attr-defined]
_SEQUENCE_SQLITE = (
    update(_TABLE)
    .where(_TABLE.c.tenant_id == bindparam("tenant"), _TABLE.c.sequence.is_(None))
    .values(sequence=_TABLE.c.position)
)
_NEWEST = select(func.coalesce(func.max(_TABLE.c.sequence), 0)).where(
    _TABLE.c.tenant_id == bindparam("tenant")
)


async def sequence_events(sql: Statements, tenant_id: str) -> int:
    """Number the tenant's committed events that have no place in its log yet, and return
    the newest place. No lock is held from an append to its commit any more.

    PostgreSQL: called right AFTER the writer's commit (outside any transaction). The
    function takes a per-tenant lock for its own short transaction, then numbers, in insert
    order, every unnumbered event it can see: its fresh snapshot holds every transaction
    committed before the call, so a writer's events are numbered by its own call or by one
    that started after its commit; numbers become visible only with the sequencer's commit,
    one sequencer after another, so a reader never finds a smaller number appearing behind
    a larger one it already read. It also notifies the other processes (pg_notify at its
    commit). A writer that dies between its commit and this call leaves its events to the
    tenant's next call.

    SQLite: called INSIDE the write transaction, whose writers are serialised by the file
    lock; the place is the row's own position."""
    if sql.dialect_name == "postgresql":
        return int(await sql.scalar(_SEQUENCE_POSTGRESQL, {"tenant": tenant_id}))
    await sql.execute(_SEQUENCE_SQLITE, {"tenant": tenant_id})
    return int(await sql.scalar(_NEWEST, {"tenant": tenant_id}))


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
        "request_id": request_id.get(),
    }


async def append_events(
    sql: Statements, tenant_id: str, events: Sequence[tuple[str, DomainEvent]]
) -> list[StoredEvent]:
    """Insert (merchant, event) pairs in order, in one statement, and return them with
    their rows' positions (what webhook deliveries point at), matched back by event id.
    Their places in the log are given by `sequence_events`."""
    if not events:
        return []
    rows = [_row_values(merchant, event, tenant_id) for merchant, event in events]
    inserted = await sql.rows(_insert_events(len(rows)), _numbered(rows))
    positions = {row["event_id"]: row["position"] for row in inserted}
    stored = [StoredEvent(position=positions[values["event_id"]], **values) for values in rows]
    stored.sort(key=lambda event: event.position)
    return stored


_EVENT_COLUMNS = (
    "event_id",
    "tenant_id",
    "event_type",
    "return_request_id",
    "merchant",
    "previous_status",
    "new_status",
    "actor_source",
    "actor_user",
    "occurred_at",
    "payload",
    "request_id",
)


@functools.lru_cache(maxsize=32)
def _insert_events(count: int) -> Any:
    """INSERT of `count` events in one statement, returning their positions; built once
    per count (a command raises one to a few events). Waking the other processes is the
    sequencer's (pg_notify in returns_sequence_events): an event is news once it has its
    place in the log."""
    values = [
        {name: bindparam(f"{name}_{n}", type_=_TABLE.c[name].type) for name in _EVENT_COLUMNS}
        for n in range(count)
    ]
    return insert(_TABLE).values(values).returning(_TABLE.c.position, _TABLE.c.event_id)


def _numbered(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {f"{name}_{n}": value for n, row in enumerate(rows) for name, value in row.items()}


EVENTS_CHANNEL = "returns_events"


def wakeup_payload(tenant_id: str, position: int) -> str:
    return f"{position} {tenant_id}"


def parse_wakeup(payload: str) -> tuple[str, int] | None:
    position, _, tenant_id = payload.partition(" ")
    return (tenant_id, int(position)) if position.isdigit() and tenant_id else None
