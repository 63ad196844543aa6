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
from persistence.database import Database
from persistence.statements import AsyncpgStatements, Row, Statements
from persistence.tables import OutboxEventRow, WebhookEndpointRow


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
_NEWEST = select(func.max(_TABLE.c.sequence)).where(_TABLE.c.tenant_id == bindparam("tenant"))


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

    SQLite: its writers are serialised by the file lock, so the INSERT itself numbers the
    events (`_insert_events`, `Appended.newest`); here this only reads the newest place."""
    if sql.dialect_name == "postgresql":
        return int(await sql.scalar(_SEQUENCE_POSTGRESQL, {"tenant": tenant_id}))
    return int(await sql.scalar(_NEWEST, {"tenant": tenant_id}) or 0)


_STRANDED = select(_TABLE.c.tenant_id).where(_TABLE.c.sequence.is_(None)).distinct()


async def sequence_stranded_events(db: Database) -> dict[str, int]:
    """Number the committed events that no writer numbered: a writer that died (or lost its
    connection) between its commit and its `sequence_events` call leaves them unnumbered,
    so unseen by subscribers and webhooks, until the tenant's next commit; a quiet tenant
    may have none for hours. Run periodically (jobs/event_sequencer.py). Numbering what a
    live writer is about to number is harmless: the sequencer's lock orders the two calls,
    and the second finds nothing left. SQLite numbers in the INSERT, so never strands any.
    Returns the newest place of each tenant it numbered, after telling the listeners."""
    if db.is_sqlite:
        return {}
    numbered: dict[str, int] = {}
    async with db.reading() as sql:
        tenants = [row[0] for row in await sql.rows(_STRANDED)]
        for tenant in tenants:
            numbered[tenant] = await sequence_events(sql, tenant)
    for tenant, newest in numbered.items():
        db.events_committed(tenant, newest)
    return numbered


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


@dataclass(frozen=True, slots=True)
class Appended:
    """Events as inserted: `events` carry their rows' positions (what webhook deliveries
    point at); `newest` is the tenant's newest place in the log when the INSERT numbered
    them itself (SQLite), None when `sequence_events` numbers them after the commit.
    `endpoints`: the tenant's active webhook endpoints' rows, read by the INSERT itself on
    PostgreSQL (a round trip less per write), None when not read (SQLite)."""

    events: list[StoredEvent]
    newest: int | None = None
    endpoints: list[Row] | None = None


async def append_events(
    sql: Statements, tenant_id: str, events: Sequence[tuple[str, DomainEvent]]
) -> Appended:
    """Insert (merchant, event) pairs in order, in one statement, matched back by event id."""
    if not events:
        return Appended([])
    rows = [_row_values(merchant, event, tenant_id) for merchant, event in events]
    numbered = sql.dialect_name == "sqlite"
    inserted = await sql.rows(
        _insert_events(len(rows), numbered=numbered), _numbered(rows) | {"tenant": tenant_id}
    )
    positions = {row["event_id"]: row["position"] for row in inserted}
    stored = [StoredEvent(position=positions[values["event_id"]], **values) for values in rows]
    stored.sort(key=lambda event: event.position)
    newest = max(row["sequence"] for row in inserted) if numbered else None
    endpoints = None
    if isinstance(sql, AsyncpgStatements):
        reader = sql.row_reader(_ENDPOINTS)
        endpoints = [reader(value) for value in inserted[0]["endpoints"]]
    return Appended(stored, newest, endpoints)


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


_ENDPOINTS = WebhookEndpointRow.__table__  # type: ignore[attr-defined]
# The tenant's active webhook endpoints as one array of their rows (PostgreSQL): what
# persistence/webhooks.py's route_deliveries would read next, read by the INSERT instead.
_ACTIVE_ENDPOINTS = func.array(
    select(_ENDPOINTS.table_valued())
    .where(
        _ENDPOINTS.c.tenant_id == bindparam("tenant", type_=String),
        _ENDPOINTS.c.active.is_(True),
    )
    .order_by(_ENDPOINTS.c.id)
    .scalar_subquery()
).label("endpoints")


@functools.lru_cache(maxsize=32)
def _insert_events(count: int, *, numbered: bool) -> Any:
    """INSERT of `count` events in one statement, returning their positions; built once
    per count (a command raises one to a few events). With `numbered` (SQLite, one writer
    at a time) each event also takes its place in the log, after the tenant's newest;
    without (PostgreSQL) it returns the tenant's active webhook endpoints too. Waking
    other processes is the sequencer's (pg_notify in returns_sequence_events): an event is
    news once it has its place in the log."""
    newest = select(func.coalesce(func.max(_TABLE.c.sequence), 0)).where(
        _TABLE.c.tenant_id == bindparam("tenant", type_=String)
    )
    values = [
        {name: bindparam(f"{name}_{n}", type_=_TABLE.c[name].type) for name in _EVENT_COLUMNS}
        | ({"sequence": newest.scalar_subquery() + (n + 1)} if numbered else {})
        for n in range(count)
    ]
    returning = [_TABLE.c.position, _TABLE.c.event_id, _TABLE.c.sequence]
    return (
        insert(_TABLE)
        .values(values)
        .returning(*returning, *(() if numbered else (_ACTIVE_ENDPOINTS,)))
    )


def _numbered(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {f"{name}_{n}": value for n, row in enumerate(rows) for name, value in row.items()}


EVENTS_CHANNEL = "returns_events"


def wakeup_payload(tenant_id: str, position: int) -> str:
    return f"{position} {tenant_id}"


def parse_wakeup(payload: str) -> tuple[str, int] | None:
    position, _, tenant_id = payload.partition(" ")
    return (tenant_id, int(position)) if position.isdigit() and tenant_id else None
