"""The notifications log beyond the unit of work: a tenant's messages newest first (one
statement per page), and the messages a crashed process left QUEUED, claimed for delivery."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.notifications import Notification, NotificationStatus
from persistence import mappers
from persistence.database import Database
from persistence.read_model import PagePosition
from persistence.tables import NotificationRow


async def page_notifications(
    session: AsyncSession,
    tenant_id: str,
    *,
    first: int,
    after: PagePosition | None = None,
    return_request_id: str | None = None,
) -> tuple[list[Notification], bool]:
    """(the page, whether more follow): keyset pagination like returnRequests."""
    row = NotificationRow
    conditions = [row.tenant_id == tenant_id]
    if return_request_id is not None:
        conditions.append(row.return_request_id == return_request_id)
    if after is not None:
        conditions.append(
            or_(
                row.created_at < after.created_at,
                and_(row.created_at == after.created_at, row.id < after.id),
            )
        )
    rows = (
        (
            await session.execute(
                select(NotificationRow.__table__)  # type: ignore[attr-defined]
                .where(*conditions)
                .order_by(row.created_at.desc(), row.id.desc())
                .limit(first + 1)
            )
        )
        .mappings()
        .all()
    )
    return [mappers.notification_from_row(r) for r in rows[:first]], len(rows) > first


async def claim_stalled(
    db: Database, *, now: datetime, untouched_since: datetime, limit: int = 100
) -> list[tuple[str, str]]:
    """(tenant id, notification id) of QUEUED messages nobody touched since `untouched_since`:
    the process that queued them stopped before sending or recording them. Each is claimed
    (its `updated_at` moved to `now`) in the same transaction, rows locked with SKIP LOCKED
    on PostgreSQL, so several processes never take the same one."""
    row = NotificationRow
    stalled = (
        select(row.tenant_id, row.id)
        .where(row.status == NotificationStatus.QUEUED.value, row.updated_at < untouched_since)
        .order_by(row.updated_at)
        .limit(limit)
    )
    async with db.write_session() as session, session.begin():
        if session.bind.dialect.name == "postgresql":
            stalled = stalled.with_for_update(skip_locked=True)
        claimed = [(tenant_id, id) for tenant_id, id in (await session.execute(stalled)).all()]
        if claimed:
            await session.execute(
                update(row).where(row.id.in_([id for _, id in claimed])).values(updated_at=now)
            )
    return claimed
