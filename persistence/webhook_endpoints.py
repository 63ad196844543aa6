"""The unit of work's repository of webhook endpoints: every write to them goes through a
use case and one transaction, like every other write.

The endpoint limit is checked on a count taken under a per-tenant lock (a transaction-level
advisory lock on PostgreSQL; SQLite's single writer already serialises), and a change is
written only over the version it was read at, with the row locked from the read on.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound, VersionConflict
from domain.webhooks import WebhookEndpoint
from persistence import mappers
from persistence.tables import WebhookDeliveryRow, WebhookEndpointRow
from persistence.webhooks import pending_delivery

# Namespace of this lock, apart from the outbox's (persistence/outbox.py).
_ENDPOINTS_LOCK_NAMESPACE = 0x5745424B  # "WEBK"


class SqlWebhookEndpointRepository:
    def __init__(self, session: AsyncSession, tenant_id: str) -> None:
        self._session = session
        self._tenant = tenant_id

    async def count(self) -> int:
        if self._session.bind.dialect.name == "postgresql":
            await self._session.execute(
                select(
                    func.pg_advisory_xact_lock(
                        _ENDPOINTS_LOCK_NAMESPACE, func.hashtext(self._tenant)
                    )
                )
            )
        total = await self._session.scalar(
            select(func.count())
            .select_from(WebhookEndpointRow)
            .where(WebhookEndpointRow.tenant_id == self._tenant)
        )
        return int(total or 0)

    async def get(self, endpoint_id: str) -> WebhookEndpoint:
        row = await self._session.scalar(
            select(WebhookEndpointRow).where(*self._match(endpoint_id)).with_for_update()
        )
        if row is None:
            raise NotFound(f"no webhook endpoint {endpoint_id!r}", field="id")
        return mappers.webhook_endpoint_from_row(row)

    async def add(self, endpoint: WebhookEndpoint) -> None:
        values = mappers.webhook_endpoint_values(endpoint, self._tenant) | {"version": 1}
        await self._session.execute(insert(WebhookEndpointRow).values(values))

    async def save(self, endpoint: WebhookEndpoint) -> WebhookEndpoint:
        saved = dataclasses.replace(endpoint, version=endpoint.version + 1)
        result = await self._session.execute(
            update(WebhookEndpointRow)
            .where(
                *self._match(endpoint.endpoint_id),
                WebhookEndpointRow.version == endpoint.version,
            )
            .values(mappers.webhook_endpoint_values(saved, self._tenant))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise VersionConflict(
                f"webhook endpoint {endpoint.endpoint_id} was changed by someone else; "
                "reload it and try again",
                field="expectedVersion",
            )
        return saved

    async def remove(self, endpoint_id: str) -> bool:
        gone = await self._session.execute(
            delete(WebhookEndpointRow).where(*self._match(endpoint_id))
        )
        await self._session.execute(
            delete(WebhookDeliveryRow).where(
                WebhookDeliveryRow.tenant_id == self._tenant,
                WebhookDeliveryRow.endpoint_id == endpoint_id,
            )
        )
        return bool(gone.rowcount)  # type: ignore[attr-defined]

    async def resend(self, delivery_id: str, now: datetime) -> str | None:
        delivery, endpoint = WebhookDeliveryRow, WebhookEndpointRow
        found = (
            await self._session.execute(
                select(delivery.endpoint_id, delivery.event_position)
                .join(
                    endpoint,
                    (endpoint.tenant_id == delivery.tenant_id)
                    & (endpoint.endpoint_id == delivery.endpoint_id),
                )
                .where(
                    delivery.tenant_id == self._tenant,
                    delivery.delivery_id == delivery_id,
                    endpoint.active.is_(True),
                )
            )
        ).first()
        if found is None:
            return None
        values = pending_delivery(self._tenant, found.endpoint_id, found.event_position, now)
        await self._session.execute(insert(delivery).values(**values))
        return str(values["delivery_id"])

    def _match(self, endpoint_id: str) -> tuple[object, object]:
        return (
            WebhookEndpointRow.tenant_id == self._tenant,
            WebhookEndpointRow.endpoint_id == endpoint_id,
        )
