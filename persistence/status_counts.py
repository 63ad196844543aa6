"""How many return requests are in each status: the tabs of a dashboard's queue, counted in
one grouped statement rather than one count per status."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.lifecycle import ReturnStatus
from persistence.queries import ReturnFilter, _filter_conditions
from persistence.tables import ReturnRequestRow


async def count_by_status(
    session: AsyncSession, tenant_id: str, flt: ReturnFilter
) -> dict[ReturnStatus, int]:
    """Requests matching `flt`, per status; statuses with none are left out."""
    row = ReturnRequestRow
    result = await session.execute(
        select(row.status, func.count())
        .where(*_filter_conditions(tenant_id, flt))
        .group_by(row.status)
    )
    return {ReturnStatus(status): int(count) for status, count in result.all()}
