"""The outbox: domain events become rows in the same transaction as the change."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, bindparam, func, insert, select

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


# Namespace of our advisory locks, so they cannot collide with another application's.
_OUTBOX_LOCK_NAMESPACE = 0x52455455  # "RETU"


_SERIALISE = select(
    func.pg_advisory_xact_lock(_OUTBOX_LOCK_NAMESPACE, func.hashtext(bindparam("tenant")))
)


async def _serialise_appends(sql: Statements, tenant_id: str) -> None:
    """Make positions visible in commit order, so a reader resuming after position P never
    finds a smaller one committed later.

    PostgreSQL hands out sequence values at INSERT time: two transactions could commit in
    the opposite order. A per-tenant transaction-level advisory lock, taken last in every
    writing transaction and released at commit, orders them. SQLite's single writer already
    does.
    """
    if sql.dialect_name == "postgresql":
        await sql.rows(_SERIALISE, {"tenant": tenant_id})


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
    """Insert (merchant, event) pairs in order and return them with their log positions:
    one statement for all of them (positions matched back by event id)."""
    if not events:
        return []
    await _serialise_appends(sql, tenant_id)
    rows = [_row_values(merchant, event, tenant_id) for merchant, event in events]
    postgresql = sql.dialect_name == "postgresql"
    inserted = await sql.rows(
        _insert_events(len(rows), notify=postgresql),
        _numbered(rows) | {"channel": EVENTS_CHANNEL, "tenant": tenant_id},
    )
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
def _insert_events(count: int, *, notify: bool) -> Any:
    """INSERT of `count` events in one statement, returning their positions; built once
    per count (a command raises one to a few events).

    With `notify` (PostgreSQL), the same statement also wakes every API process when (and
    only if) the transaction commits: `pg_notify` with the tenant and the newest position,
    never the payload (listeners read the log, so a missed notification delays, never
    loses). Every row asks with the same payload, and PostgreSQL delivers identical
    notifications of one transaction once."""
    table = OutboxEventRow.__table__  # type: ignore[attr-defined]
    values = [
        {name: bindparam(f"{name}_{n}", type_=table.c[name].type) for name in _EVENT_COLUMNS}
        for n in range(count)
    ]
    inserted = insert(table).values(values).returning(table.c.position, table.c.event_id)
    if not notify:
        return inserted
    rows = inserted.cte("inserted")
    newest = select(func.max(rows.c.position)).scalar_subquery()
    payload = func.concat(newest, " ", bindparam("tenant", type_=String))  # wakeup_payload
    wake = func.pg_notify(bindparam("channel", type_=String), payload).label("notified")
    return select(rows.c.position, rows.c.event_id, wake)


def _numbered(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {f"{name}_{n}": value for n, row in enumerate(rows) for name, value in row.items()}


EVENTS_CHANNEL = "returns_events"


def wakeup_payload(tenant_id: str, position: int) -> str:
    return f"{position} {tenant_id}"


def parse_wakeup(payload: str) -> tuple[str, int] | None:
    position, _, tenant_id = payload.partition(" ")
    return (tenant_id, int(position)) if position.isdigit() and tenant_id else None
