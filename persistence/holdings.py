"""Which live return requests hold an order's units: what `returnableItems` and the portal
name when a line is fully taken ("already in return RR-…")."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.queries import LIVE_STATUSES
from persistence.tables import ReturnItemRow, ReturnRequestRow


async def live_holdings(
    session: AsyncSession, tenant_id: str, merchant: str, order_reference: str
) -> dict[str, dict[str, int]]:
    """Units per sku per live request (requested minus rejected), one statement."""
    held = func.sum(ReturnItemRow.quantity - ReturnItemRow.rejected_quantity)
    result = await session.execute(
        select(ReturnItemRow.sku, ReturnRequestRow.id, held)
        .join(ReturnRequestRow, ReturnRequestRow.id == ReturnItemRow.return_request_id)
        .where(
            ReturnRequestRow.tenant_id == tenant_id,
            ReturnRequestRow.merchant == merchant,
            ReturnRequestRow.order_reference == order_reference,
            ReturnRequestRow.status.in_(LIVE_STATUSES),
        )
        .group_by(ReturnItemRow.sku, ReturnRequestRow.id)
        .order_by(ReturnRequestRow.id)
    )
    holdings: dict[str, dict[str, int]] = defaultdict(dict)
    for sku, request_id, units in result.all():
        if units:
            holdings[sku][request_id] = int(units)
    return dict(holdings)
