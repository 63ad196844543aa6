"""Statements besides return requests (persistence/read_model.py has those): orders, the units live
requests hold on an order, requests idle past their merchant's auto-close days. Batch reads
cost one statement per table whatever the number of keys."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Select, Table, bindparam, func, select, type_coerce

from domain.lifecycle import ReturnStatus
from domain.orders import Order
from persistence import mappers
from persistence.statements import Row, Statements, one_of
from persistence.tables import (
    OrderLineRow,
    OrderRow,
    ReturnItemRow,
    ReturnRequestRow,
    ReturnSettingsRow,
)

ORDERS: Table = OrderRow.__table__  # type: ignore[attr-defined]
ORDER_LINES: Table = OrderLineRow.__table__  # type: ignore[attr-defined]
REQUESTS: Table = ReturnRequestRow.__table__  # type: ignore[attr-defined]
LIVE_STATUSES = [status.value for status in ReturnStatus if status.is_live]


@functools.cache
def _orders_statements(dialect_name: str) -> tuple[Select[Any], Select[Any]]:
    orders = select(ORDERS).where(
        ORDERS.c.tenant_id == bindparam("tenant"),
        one_of(ORDERS.c.reference, "references", dialect_name),
    )
    lines = select(ORDER_LINES).where(one_of(ORDER_LINES.c.order_id, "orders", dialect_name))
    return orders, lines


async def load_orders(
    reads: Statements, tenant_id: str, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], Order]:
    """Orders by (merchant, reference): 2 statements for any number of keys. (Read by
    reference and matched by merchant here: one statement shape for any set of keys.)"""
    if not keys:
        return {}
    wanted = set(keys)
    orders, lines_of = _orders_statements(reads.dialect_name)
    references = sorted({reference for _, reference in keys})
    rows = [
        row
        for row in await reads.rows(orders, {"tenant": tenant_id, "references": references})
        if (row["merchant"], row["reference"]) in wanted
    ]
    lines: dict[int, list[Row]] = defaultdict(list)
    if rows:
        for line in await reads.rows(lines_of, {"orders": [row["id"] for row in rows]}):
            lines[line["order_id"]].append(line)
    return {
        (row["merchant"], row["reference"]): mappers.order_from_rows(row, lines[row["id"]])
        for row in rows
    }


_MERCHANTS_WITH_ORDER = (
    select(ORDERS.c.merchant)
    .where(ORDERS.c.tenant_id == bindparam("tenant"), ORDERS.c.reference == bindparam("reference"))
    .order_by(ORDERS.c.merchant)
)


async def merchants_with_order(reads: Statements, tenant_id: str, reference: str) -> list[str]:
    """The tenant's merchants that have an order with this reference."""
    rows = await reads.rows(_MERCHANTS_WITH_ORDER, {"tenant": tenant_id, "reference": reference})
    return [row["merchant"] for row in rows]


@functools.cache
def _live_quantities(dialect_name: str, excluding: bool) -> Select[Any]:
    items, requests = ReturnItemRow.__table__.c, REQUESTS.c  # type: ignore[attr-defined]
    conditions = [
        requests.tenant_id == bindparam("tenant"),
        requests.merchant == bindparam("merchant"),
        requests.order_reference == bindparam("order_reference"),
        one_of(requests.status, "statuses", dialect_name),
    ]
    if excluding:
        conditions.append(requests.id != bindparam("exclude"))
    return (
        select(items.sku, func.sum(items.quantity - items.rejected_quantity).label("held"))
        .join_from(ReturnItemRow.__table__, REQUESTS, requests.id == items.return_request_id)  # type: ignore[attr-defined]
        .where(*conditions)
        .group_by(items.sku)
    )


async def live_quantities(
    reads: Statements,
    tenant_id: str,
    merchant: str,
    order_reference: str,
    *,
    exclude: str | None = None,
) -> dict[str, int]:
    """Units per sku held by live requests on an order (requested minus rejected)."""
    statement = _live_quantities(reads.dialect_name, exclude is not None)
    values = {
        "tenant": tenant_id,
        "merchant": merchant,
        "order_reference": order_reference,
        "statuses": LIVE_STATUSES,
        "exclude": exclude,
    }
    rows = await reads.rows(statement, values)
    return {row["sku"]: int(row["held"] or 0) for row in rows}


@functools.cache
def lines_and_held(dialect_name: str) -> Select[Any]:
    """The lines of order `order`, each with `held`: what `live_quantities` gives for the
    order (`merchant`, `order_reference`), as a JSON object (the same on every line). A
    create reads both right after locking the order: one statement instead of two."""
    live = _live_quantities(dialect_name, False).subquery()
    aggregate = func.json_object_agg if dialect_name == "postgresql" else func.json_group_object
    held = select(aggregate(live.c.sku, live.c.held)).scalar_subquery()
    return select(ORDER_LINES, type_coerce(held, JSON).label("held")).where(
        ORDER_LINES.c.order_id == bindparam("order")
    )


def held_of(lines: Sequence[Row]) -> dict[str, int] | None:
    """`live_quantities` from the rows of `lines_and_held` (None without lines)."""
    if not lines:
        return None
    return {sku: int(held or 0) for sku, held in (lines[0]["held"] or {}).items()}


@dataclass(frozen=True, slots=True)
class IdleReturn:
    tenant_id: str
    return_request_id: str
    idle_days: int


_AUTO_CLOSE_SETTINGS = select(
    ReturnSettingsRow.__table__.c.tenant_id,  # type: ignore[attr-defined]
    ReturnSettingsRow.__table__.c.merchant,  # type: ignore[attr-defined]
    ReturnSettingsRow.__table__.c.auto_close_days,  # type: ignore[attr-defined]
).where(ReturnSettingsRow.__table__.c.auto_close_days.is_not(None))  # type: ignore[attr-defined]


@functools.cache
def _idle_requests(dialect_name: str) -> Select[Any]:
    c = REQUESTS.c
    return (
        select(c.id)
        .where(
            c.tenant_id == bindparam("tenant"),
            c.merchant == bindparam("merchant"),
            one_of(c.status, "statuses", dialect_name),
            c.updated_at <= bindparam("cutoff"),
        )
        .order_by(c.updated_at)
    )


async def idle_returns(
    reads: Statements, now: datetime, statuses: Sequence[str]
) -> list[IdleReturn]:
    """Requests in `statuses` untouched for their merchant's auto-close days, every tenant:
    one statement for the settings, one per merchant that has auto-close on."""
    found: list[IdleReturn] = []
    for setting in await reads.rows(_AUTO_CLOSE_SETTINGS):
        tenant_id, merchant, days = (
            setting["tenant_id"],
            setting["merchant"],
            setting["auto_close_days"],
        )
        values = {
            "tenant": tenant_id,
            "merchant": merchant,
            "statuses": list(statuses),
            "cutoff": now - timedelta(days=days),
        }
        rows = await reads.rows(_idle_requests(reads.dialect_name), values)
        found += [IdleReturn(tenant_id, row["id"], days) for row in rows]
    return found
