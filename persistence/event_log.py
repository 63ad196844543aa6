"""Reading the event log (the outbox): by position for audit pages, subscriptions and
webhooks, and per return request for its history.

A reader's position is the event's `sequence`, its place in the tenant's log, given after
commit by one sequencer at a time (see `outbox.sequence_events`): places appear only in
growing order, so "every event after P" read twice never misses one that committed in
between. Events not numbered yet are not read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.outbox import StoredEvent
from persistence.tables import OutboxEventRow


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Narrows the log; an empty tuple or None means "any"."""

    merchant: str | None = None
    return_request_id: str | None = None
    event_types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    status_changes_only: bool = False

    def matches(self, event: StoredEvent) -> bool:
        """The same test as `_conditions`, for events already in memory (live delivery)."""
        return (
            (self.merchant is None or event.merchant == self.merchant)
            and (
                self.return_request_id is None or event.return_request_id == self.return_request_id
            )
            and (not self.event_types or event.event_type in self.event_types)
            and (not self.statuses or event.new_status in self.statuses)
            and (not self.status_changes_only or event.new_status is not None)
        )


def _conditions(tenant_id: str, flt: EventFilter) -> list[object]:
    conditions: list[object] = [OutboxEventRow.tenant_id == tenant_id]
    if flt.merchant is not None:
        conditions.append(OutboxEventRow.merchant == flt.merchant)
    if flt.return_request_id is not None:
        conditions.append(OutboxEventRow.return_request_id == flt.return_request_id)
    if flt.event_types:
        conditions.append(OutboxEventRow.event_type.in_(flt.event_types))
    if flt.statuses:
        conditions.append(OutboxEventRow.new_status.in_(flt.statuses))
    if flt.status_changes_only:
        conditions.append(OutboxEventRow.new_status.is_not(None))
    return conditions


def stored_event(row: OutboxEventRow) -> StoredEvent:
    """The event at its place in the log (readers only read numbered events)."""
    values = row.model_dump()
    values["position"] = values.pop("sequence")
    return StoredEvent(**values)


async def read_events(
    session: AsyncSession,
    tenant_id: str,
    *,
    after: int = 0,
    limit: int,
    flt: EventFilter | None = None,
) -> list[StoredEvent]:
    """Up to `limit` events with a position greater than `after`, oldest first."""
    statement = (
        select(OutboxEventRow)
        .where(*_conditions(tenant_id, flt or EventFilter()), OutboxEventRow.sequence > after)
        .order_by(OutboxEventRow.sequence)
        .limit(limit)
    )
    return [stored_event(row) for row in (await session.execute(statement)).scalars()]


async def events_of_requests(
    session: AsyncSession, tenant_id: str, return_request_ids: Sequence[str]
) -> dict[str, list[StoredEvent]]:
    """Each request's whole history, oldest first: one statement for any number of requests."""
    statement = (
        select(OutboxEventRow)
        .where(
            OutboxEventRow.tenant_id == tenant_id,
            OutboxEventRow.return_request_id.in_(return_request_ids),
            OutboxEventRow.sequence.is_not(None),
        )
        .order_by(OutboxEventRow.sequence)
    )
    history: dict[str, list[StoredEvent]] = {rid: [] for rid in return_request_ids}
    for row in (await session.execute(statement)).scalars():
        history[row.return_request_id].append(stored_event(row))
    return history


async def last_position(session: AsyncSession, tenant_id: str) -> int:
    """The newest committed position of the tenant (0 for an empty log)."""
    statement = select(func.max(OutboxEventRow.sequence)).where(
        OutboxEventRow.tenant_id == tenant_id
    )
    return (await session.execute(statement)).scalar_one_or_none() or 0
