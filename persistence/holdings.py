"""Which live return requests hold an order's units: what `returnableItems` and the portal
name when a line is fully taken ("already in return RR-…")."""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any

from sqlalchemy import Select, bindparam, func, select

from persistence.queries import LIVE_STATUSES, REQUESTS
from persistence.statements import Statements, one_of
from persistence.tables import ReturnItemRow

ITEMS = ReturnItemRow.__table__  # type: ignore[attr-defined]


@functools.cache
def _live_holdings(dialect_name: str) -> Select[Any]:
    items, requests = ITEMS.c, REQUESTS.c
    held = func.sum(items.quantity - items.rejected_quantity).label("held")
    return (
        select(items.sku, requests.id.label("request_id"), held)
        .join_from(ITEMS, REQUESTS, requests.id == items.return_request_id)
        .where(
            requests.tenant_id == bindparam("tenant"),
            requests.merchant == bindparam("merchant"),
            requests.order_reference == bindparam("order_reference"),
            one_of(requests.status, "statuses", dialect_name),
        )
        .group_by(items.sku, requests.id)
        .order_by(requests.id)
    )


async def live_holdings(
    reads: Statements, tenant_id: str, merchant: str, order_reference: str
) -> dict[str, dict[str, int]]:
    """Units per sku per live request (requested minus rejected), one statement."""
    values = {
        "tenant": tenant_id,
        "merchant": merchant,
        "order_reference": order_reference,
        "statuses": LIVE_STATUSES,
    }
    holdings: dict[str, dict[str, int]] = defaultdict(dict)
    for row in await reads.rows(_live_holdings(reads.dialect_name), values):
        if row["held"]:
            holdings[row["sku"]][row["request_id"]] = int(row["held"])
    return dict(holdings)
