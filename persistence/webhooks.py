"""Webhook endpoints and deliveries in the database.

Endpoints are written through the unit of work (`persistence/webhook_endpoints.py`); this
store reads them. Deliveries are created by `route_deliveries` inside the transaction that
commits the events, so a delivery exists exactly when its event does. Senders then
`claim_due` them (on PostgreSQL with SKIP LOCKED and a lease, so several processes never
send the same one at once) and `record` each outcome.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, select, update

from domain.webhooks import DeliveryStatus, WebhookEndpoint
from persistence import mappers
from persistence.database import Database
from persistence.event_log import stored_event
from persistence.outbox import StoredEvent
from persistence.statements import Row, Statements, Write, inserting
from persistence.tables import OutboxEventRow, WebhookDeliveryRow, WebhookEndpointRow

ENDPOINTS: Table = WebhookEndpointRow.__table__  # type: ignore[attr-defined]
DELIVERIES: Table = WebhookDeliveryRow.__table__  # type: ignore[attr-defined]

ERROR_LIMIT = 500

# A delivery's event, once it has its place in the log (numbered right after its commit):
# a sender never sends, nor a list shows, an event that subscribers cannot see yet.
_EVENT_OF_DELIVERY = (OutboxEventRow.position == WebhookDeliveryRow.event_position) & (
    OutboxEventRow.sequence.is_not(None)
)


@dataclass(frozen=True, slots=True)
class Delivery:
    """A delivery with the event it carries, as lists and senders see it."""

    delivery_id: str
    tenant_id: str
    endpoint_id: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    response_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    event: StoredEvent
    cursor: int


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    delivery: Delivery
    url: str
    secret: str


def _delivery(row: WebhookDeliveryRow, event: OutboxEventRow) -> Delivery:
    return Delivery(
        delivery_id=row.delivery_id,
        tenant_id=row.tenant_id,
        endpoint_id=row.endpoint_id,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_attempt_at=row.last_attempt_at,
        response_status=row.response_status,
        last_error=row.last_error,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
        event=stored_event(event),
        cursor=row.id or 0,
    )


def pending_delivery(
    tenant_id: str, endpoint_id: str, position: int, now: datetime
) -> dict[str, Any]:
    return {
        "delivery_id": str(uuid.uuid4()),
        "tenant_id": tenant_id,
        "endpoint_id": endpoint_id,
        "event_position": position,
        "status": DeliveryStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


_ACTIVE_ENDPOINTS = (
    select(ENDPOINTS)
    .where(ENDPOINTS.c.tenant_id == bindparam("tenant"), ENDPOINTS.c.active.is_(True))
    .order_by(ENDPOINTS.c.id)
)


async def route_deliveries(
    sql: Statements,
    tenant_id: str,
    events: Sequence[StoredEvent],
    now: datetime,
    endpoints: Sequence[Row] | None = None,
) -> list[Write]:
    """One pending delivery per (event, endpoint that wants it): the write that inserts
    them, for the caller to run in its transaction (none when no endpoint wants any).
    `endpoints`: the tenant's active endpoints' rows when already read (outbox.Appended)."""
    if endpoints is None:
        endpoints = await sql.rows(_ACTIVE_ENDPOINTS, {"tenant": tenant_id})
    wanting = [mappers.webhook_endpoint_from_row(row) for row in endpoints]
    values = [
        pending_delivery(tenant_id, endpoint.endpoint_id, event.position, now)
        for event in events
        for endpoint in wanting
        if endpoint.wants(event.event_type, event.merchant)
    ]
    return [inserting(DELIVERIES, values)] if values else []


class WebhookStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # ------------------------------------------------------------------ endpoints

    async def endpoints(self, tenant_id: str, merchant: str | None = None) -> list[WebhookEndpoint]:
        statement = select(ENDPOINTS).where(ENDPOINTS.c.tenant_id == tenant_id)
        if merchant is not None:
            statement = statement.where(ENDPOINTS.c.merchant == merchant)
        async with self._db.read_session() as session:
            rows = await session.execute(statement.order_by(ENDPOINTS.c.id))
            return [mappers.webhook_endpoint_from_row(row) for row in rows.mappings()]

    # ----------------------------------------------------------------- deliveries

    async def deliveries(
        self,
        tenant_id: str,
        *,
        first: int,
        before: int | None = None,
        endpoint_id: str | None = None,
        status: DeliveryStatus | None = None,
        return_request_id: str | None = None,
    ) -> tuple[list[Delivery], bool]:
        """Newest first; (page, whether more follow)."""
        statement = (
            select(WebhookDeliveryRow, OutboxEventRow)
            .join(OutboxEventRow, _EVENT_OF_DELIVERY)
            .where(WebhookDeliveryRow.tenant_id == tenant_id)
        )
        if before is not None:
            statement = statement.where(WebhookDeliveryRow.id < before)
        if endpoint_id is not None:
            statement = statement.where(WebhookDeliveryRow.endpoint_id == endpoint_id)
        if status is not None:
            statement = statement.where(WebhookDeliveryRow.status == status.value)
        if return_request_id is not None:
            statement = statement.where(OutboxEventRow.return_request_id == return_request_id)
        statement = statement.order_by(WebhookDeliveryRow.id.desc()).limit(first + 1)
        async with self._db.read_session() as session:
            rows = (await session.execute(statement)).all()
        page = [_delivery(delivery, event) for delivery, event in rows[:first]]
        return page, len(rows) > first

    async def delivery(self, tenant_id: str, delivery_id: str) -> Delivery | None:
        async with self._db.read_session() as session:
            found = (await session.execute(_with_event(tenant_id, delivery_id))).first()
        return _delivery(*found) if found else None

    async def claim_due(self, now: datetime, *, limit: int, lease: timedelta) -> list[DeliveryJob]:
        """Pending deliveries whose time has come, of every tenant. Each is leased (its next
        attempt pushed to now + lease) before it is returned, so a sender that dies mid-way
        leaves it to be retried, and other processes skip it meanwhile."""
        if not await self._any_due(now):
            return []  # most commits route nothing: no write transaction for them
        due = (
            select(WebhookDeliveryRow, OutboxEventRow, WebhookEndpointRow)
            .join(OutboxEventRow, _EVENT_OF_DELIVERY)
            .join(
                WebhookEndpointRow,
                (WebhookEndpointRow.tenant_id == WebhookDeliveryRow.tenant_id)
                & (WebhookEndpointRow.endpoint_id == WebhookDeliveryRow.endpoint_id),
            )
            .where(
                WebhookDeliveryRow.status == DeliveryStatus.PENDING.value,
                WebhookDeliveryRow.next_attempt_at <= now,
                WebhookEndpointRow.active.is_(True),
            )
            .order_by(WebhookDeliveryRow.id)
            .limit(limit)
        )
        async with self._db.write_session() as session, session.begin():
            if session.bind.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True, of=WebhookDeliveryRow)
            rows = (await session.execute(due)).all()
            if rows:
                await session.execute(
                    update(WebhookDeliveryRow)
                    .where(WebhookDeliveryRow.id.in_([row[0].id for row in rows]))
                    .values(next_attempt_at=now + lease)
                )
        return [
            DeliveryJob(_delivery(delivery, event), url=endpoint.url, secret=endpoint.secret)
            for delivery, event, endpoint in rows
        ]

    async def _any_due(self, now: datetime) -> bool:
        statement = (
            select(WebhookDeliveryRow.id)
            .where(
                WebhookDeliveryRow.status == DeliveryStatus.PENDING.value,
                WebhookDeliveryRow.next_attempt_at <= now,
            )
            .limit(1)
        )
        async with self._db.read_session() as session:
            return (await session.execute(statement)).first() is not None

    async def record(
        self,
        delivery: Delivery,
        *,
        now: datetime,
        delivered: bool,
        response_status: int | None,
        error: str | None,
        retry_at: datetime | None,
    ) -> None:
        """One attempt's outcome: DELIVERED, PENDING again at `retry_at`, or FAILED."""
        if delivered:
            status = DeliveryStatus.DELIVERED
        else:
            status = DeliveryStatus.PENDING if retry_at else DeliveryStatus.FAILED
        async with self._db.write_session() as session, session.begin():
            await session.execute(
                update(WebhookDeliveryRow)
                .where(WebhookDeliveryRow.delivery_id == delivery.delivery_id)
                .values(
                    status=status.value,
                    attempts=WebhookDeliveryRow.attempts + 1,
                    last_attempt_at=now,
                    next_attempt_at=None if delivered else retry_at,
                    response_status=response_status,
                    last_error=error[:ERROR_LIMIT] if error else None,
                    delivered_at=now if delivered else None,
                )
            )


def _with_event(tenant_id: str, delivery_id: str) -> Any:
    return (
        select(WebhookDeliveryRow, OutboxEventRow)
        .join(OutboxEventRow, _EVENT_OF_DELIVERY)
        .where(
            WebhookDeliveryRow.tenant_id == tenant_id,
            WebhookDeliveryRow.delivery_id == delivery_id,
        )
    )
