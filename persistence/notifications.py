"""The read side of the notifications log: a tenant's messages newest first, optionally for
one return request, one statement per page."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.notifications import Notification
from persistence import mappers
from persistence.queries import PagePosition
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
        await session.scalars(
            select(row)
            .where(*conditions)
            .order_by(row.created_at.desc(), row.id.desc())
            .limit(first + 1)
        )
    ).all()
    return [mappers.notification_from_row(r) for r in rows[:first]], len(rows) > first
