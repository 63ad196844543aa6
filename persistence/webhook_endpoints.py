"""The unit of work's repository of webhook endpoints: every write to them goes through a
use case and one transaction, like every other write.

The endpoint limit is checked on a count taken under a per-tenant lock (a transaction-level
advisory lock on PostgreSQL; SQLite's single writer already serialises), and a change is
written only over the version it was read at, with the row locked from the read on.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select

from domain.errors import NotFound, VersionConflict
from domain.webhooks import WebhookEndpoint
from persistence import mappers
from persistence.statements import (
    POSTGRESQL,
    Statements,
    delete_where,
    insert_into,
    update_where,
    where,
)
from persistence.tables import WebhookDeliveryRow, WebhookEndpointRow
from persistence.webhooks import pending_delivery

ENDPOINTS: Table = WebhookEndpointRow.__table__  # type: ignore[attr-defined]
DELIVERIES: Table = WebhookDeliveryRow.__table__  # type: ignore[attr-defined]

# Namespace of this lock, apart from the outbox's (persistence/outbox.py).
_ENDPOINTS_LOCK_NAMESPACE = 0x5745424B  # "WEBK"

_LOCK = select(
    func.pg_advisory_xact_lock(_ENDPOINTS_LOCK_NAMESPACE, func.hashtext(bindparam("tenant")))
)
_COUNT = (
    select(func.count()).select_from(ENDPOINTS).where(ENDPOINTS.c.tenant_id == bindparam("tenant"))
)
_ONE = (
    select(ENDPOINTS)
    .where(
        ENDPOINTS.c.tenant_id == bindparam("tenant"),
        ENDPOINTS.c.endpoint_id == bindparam("endpoint_id"),
    )
    .with_for_update()
)
_RESENDABLE = (
    select(DELIVERIES.c.endpoint_id, DELIVERIES.c.event_position)
    .join_from(
        DELIVERIES,
        ENDPOINTS,
        (ENDPOINTS.c.tenant_id == DELIVERIES.c.tenant_id)
        & (ENDPOINTS.c.endpoint_id == DELIVERIES.c.endpoint_id),
    )
    .where(
        DELIVERIES.c.tenant_id == bindparam("tenant"),
        DELIVERIES.c.delivery_id == bindparam("delivery_id"),
        ENDPOINTS.c.active.is_(True),
    )
)


class SqlWebhookEndpointRepository:
    def __init__(self, statements: Statements, tenant_id: str) -> None:
        self._sql = statements
        self._tenant = tenant_id

    async def count(self) -> int:
        """The tenant's endpoints, counted under the tenant's lock (held to the commit)."""
        if self._sql.dialect_name == POSTGRESQL:
            await self._sql.rows(_LOCK, {"tenant": self._tenant})
        return int(await self._sql.scalar(_COUNT, {"tenant": self._tenant}) or 0)

    async def get(self, endpoint_id: str) -> WebhookEndpoint:
        rows = await self._sql.rows(_ONE, {"tenant": self._tenant, "endpoint_id": endpoint_id})
        if not rows:
            raise NotFound(f"no webhook endpoint {endpoint_id!r}", field="id")
        return mappers.webhook_endpoint_from_row(rows[0])

    async def add(self, endpoint: WebhookEndpoint) -> None:
        values = mappers.webhook_endpoint_values(endpoint, self._tenant) | {"version": 1}
        await self._sql.execute(insert_into(ENDPOINTS, tuple(values)), values)

    async def save(self, endpoint: WebhookEndpoint) -> WebhookEndpoint:
        """Write the endpoint over the version it was read at; VersionConflict otherwise."""
        saved = dataclasses.replace(endpoint, version=endpoint.version + 1)
        values = mappers.webhook_endpoint_values(saved, self._tenant)
        statement = update_where(ENDPOINTS, ("tenant_id", "endpoint_id", "version"), tuple(values))
        keys = self._keys(endpoint.endpoint_id) | {"version": endpoint.version}
        if await self._sql.execute(statement, where(values, **keys)) != 1:
            raise VersionConflict(
                f"webhook endpoint {endpoint.endpoint_id} was changed by someone else; "
                "reload it and try again",
                field="expected_version",
            )
        return saved

    async def remove(self, endpoint_id: str) -> bool:
        """Delete the endpoint and its delivery history; False when there was none."""
        keys = where({}, **self._keys(endpoint_id))
        gone = await self._sql.execute(delete_where(ENDPOINTS, ("tenant_id", "endpoint_id")), keys)
        await self._sql.execute(delete_where(DELIVERIES, ("tenant_id", "endpoint_id")), keys)
        return bool(gone)

    async def resend(self, delivery_id: str, now: datetime) -> str | None:
        """A new pending delivery of a delivery's event to its (active) endpoint."""
        found = await self._sql.rows(
            _RESENDABLE, {"tenant": self._tenant, "delivery_id": delivery_id}
        )
        if not found:
            return None
        row = found[0]
        values = pending_delivery(self._tenant, row["endpoint_id"], row["event_position"], now)
        await self._sql.execute(insert_into(DELIVERIES, tuple(values)), values)
        return str(values["delivery_id"])

    def _keys(self, endpoint_id: str) -> dict[str, Any]:
        return {"tenant_id": self._tenant, "endpoint_id": endpoint_id}
