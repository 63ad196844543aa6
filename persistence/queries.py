"""The read side: batch loaders and pages, each one SQL statement per table whatever the
number of keys. The repository loads aggregates through the same functions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import and_, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from domain.lifecycle import ReturnStatus
from domain.orders import Order
from domain.returns import ReturnRequest
from persistence import mappers
from persistence.tables import (
    ItemsUpdateRow,
    OrderLineRow,
    OrderRow,
    RefundRow,
    ReturnItemRow,
    ReturnNoteRow,
    ReturnRequestRow,
    ReturnSettingsRow,
    ReverseShipmentRow,
)

T = TypeVar("T")
LIVE_STATUSES = [status.value for status in ReturnStatus if status.is_live]


async def load_return_requests(
    session: AsyncSession, tenant_id: str, ids: Sequence[str], *, lock: bool = False
) -> dict[str, ReturnRequest]:
    """Whole aggregates for the ids that exist in the tenant: 6 statements for any count.

    `lock` takes the rows' write lock (PostgreSQL), so writers of one request queue instead
    of racing; the version check on save stays as the guard for `expectedVersion`.
    """
    if not ids:
        return {}
    select_headers = select(ReturnRequestRow).where(
        ReturnRequestRow.tenant_id == tenant_id, ReturnRequestRow.id.in_(ids)
    )
    if lock:
        select_headers = select_headers.with_for_update()
    headers = (await session.scalars(select_headers)).all()
    found = [row.id for row in headers]
    items = await _children(
        session, tenant_id, found, ReturnItemRow, ReturnItemRow.position, mappers.item_from_row
    )
    notes = await _children(
        session, tenant_id, found, ReturnNoteRow, ReturnNoteRow.position, mappers.note_from_row
    )
    refunds = await _children(
        session, tenant_id, found, RefundRow, RefundRow.position, mappers.refund_from_row
    )
    shipments = await _children(
        session,
        tenant_id,
        found,
        ReverseShipmentRow,
        ReverseShipmentRow.position,
        mappers.shipment_from_row,
    )
    updates = await _children(
        session,
        tenant_id,
        found,
        ItemsUpdateRow,
        ItemsUpdateRow.position,
        mappers.items_update_from_row,
    )
    return {
        row.id: mappers.request_from_rows(
            row,
            items=items[row.id],
            notes=notes[row.id],
            refunds=refunds[row.id],
            shipments=shipments[row.id],
            items_updates=updates[row.id],
        )
        for row in headers
    }


async def _children(
    session: AsyncSession,
    tenant_id: str,
    ids: Sequence[str],
    table: Any,
    order_by: Any,
    to_domain: Callable[[Any], T],
) -> dict[str, list[T]]:
    grouped: dict[str, list[T]] = defaultdict(list)
    if not ids:
        return grouped
    rows = await session.scalars(
        select(table)
        .where(table.tenant_id == tenant_id, table.return_request_id.in_(ids))
        .order_by(table.return_request_id, order_by)
    )
    for row in rows:
        grouped[row.return_request_id].append(to_domain(row))
    return grouped


async def load_orders(
    session: AsyncSession, tenant_id: str, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], Order]:
    """Orders by (merchant, reference): 2 statements for any number of keys."""
    if not keys:
        return {}
    rows = (
        await session.scalars(
            select(OrderRow).where(
                OrderRow.tenant_id == tenant_id,
                tuple_(OrderRow.merchant, OrderRow.reference).in_(list(keys)),
            )
        )
    ).all()
    lines: dict[int, list[OrderLineRow]] = defaultdict(list)
    if rows:
        for line in await session.scalars(
            select(OrderLineRow).where(OrderLineRow.order_id.in_([row.id for row in rows]))
        ):
            lines[line.order_id].append(line)
    return {
        (row.merchant, row.reference): mappers.order_from_rows(row, lines[row.id]) for row in rows
    }


async def merchants_with_order(session: AsyncSession, tenant_id: str, reference: str) -> list[str]:
    """The tenant's merchants that have an order with this reference."""
    found = await session.scalars(
        select(OrderRow.merchant)
        .where(OrderRow.tenant_id == tenant_id, OrderRow.reference == reference)
        .order_by(OrderRow.merchant)
    )
    return list(found)


async def live_quantities(
    session: AsyncSession,
    tenant_id: str,
    merchant: str,
    order_reference: str,
    *,
    exclude: str | None = None,
) -> dict[str, int]:
    """Units per sku held by live requests on an order (requested minus rejected)."""
    held = func.sum(ReturnItemRow.quantity - ReturnItemRow.rejected_quantity)
    conditions = [
        ReturnRequestRow.tenant_id == tenant_id,
        ReturnRequestRow.merchant == merchant,
        ReturnRequestRow.order_reference == order_reference,
        ReturnRequestRow.status.in_(LIVE_STATUSES),
    ]
    if exclude is not None:
        conditions.append(ReturnRequestRow.id != exclude)
    result = await session.execute(
        select(ReturnItemRow.sku, held)
        .join(ReturnRequestRow, ReturnRequestRow.id == ReturnItemRow.return_request_id)
        .where(*conditions)
        .group_by(ReturnItemRow.sku)
    )
    return {sku: int(total or 0) for sku, total in result.all()}


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True, slots=True)
class ReturnFilter:
    merchant: str | None = None
    statuses: tuple[ReturnStatus, ...] = ()
    order_reference: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    assigned_to: str | None = None


@dataclass(frozen=True, slots=True)
class PagePosition:
    """Where a page starts: after this (created_at, id) in newest-first order."""

    created_at: datetime
    id: str


@dataclass(frozen=True, slots=True)
class Page:
    entries: list[tuple[str, datetime]]
    has_next: bool


def _filter_conditions(tenant_id: str, flt: ReturnFilter) -> list[Any]:
    row = ReturnRequestRow
    conditions: list[Any] = [row.tenant_id == tenant_id]
    if flt.merchant is not None:
        conditions.append(row.merchant == flt.merchant)
    if flt.statuses:
        conditions.append(row.status.in_([status.value for status in flt.statuses]))
    if flt.order_reference is not None:
        conditions.append(row.order_reference == flt.order_reference)
    if flt.created_after is not None:
        conditions.append(row.created_at > flt.created_after)
    if flt.created_before is not None:
        conditions.append(row.created_at < flt.created_before)
    if flt.assigned_to is not None:
        conditions.append(row.assigned_to_user == flt.assigned_to)
    return conditions


async def page_return_requests(
    session: AsyncSession,
    tenant_id: str,
    flt: ReturnFilter,
    *,
    first: int,
    after: PagePosition | None,
) -> Page:
    """Keyset pagination, newest first: the cost of page 1000 equals the cost of page 1."""
    row = ReturnRequestRow
    conditions = _filter_conditions(tenant_id, flt)
    if after is not None:
        conditions.append(
            or_(
                row.created_at < after.created_at,
                and_(row.created_at == after.created_at, row.id < after.id),
            )
        )
    result = await session.execute(
        select(row.id, row.created_at)
        .where(*conditions)
        .order_by(row.created_at.desc(), row.id.desc())
        .limit(first + 1)
    )
    entries = [(rid, created) for rid, created in result.all()]
    return Page(entries[:first], has_next=len(entries) > first)


async def count_return_requests(session: AsyncSession, tenant_id: str, flt: ReturnFilter) -> int:
    total = await session.scalar(
        select(func.count())
        .select_from(ReturnRequestRow)
        .where(*_filter_conditions(tenant_id, flt))
    )
    return int(total or 0)


@dataclass(frozen=True, slots=True)
class IdleReturn:
    tenant_id: str
    return_request_id: str
    idle_days: int


async def idle_returns(
    session: AsyncSession, now: datetime, statuses: Sequence[str]
) -> list[IdleReturn]:
    """Requests in `statuses` untouched for their merchant's auto-close days, every tenant:
    one statement for the settings, one per merchant that has auto-close on."""
    settings = (
        await session.execute(
            select(
                ReturnSettingsRow.tenant_id,
                ReturnSettingsRow.merchant,
                ReturnSettingsRow.auto_close_days,
            ).where(ReturnSettingsRow.auto_close_days.is_not(None))
        )
    ).all()
    found: list[IdleReturn] = []
    for tenant_id, merchant, days in settings:
        row = ReturnRequestRow
        ids = await session.scalars(
            select(row.id)
            .where(
                row.tenant_id == tenant_id,
                row.merchant == merchant,
                row.status.in_(statuses),
                row.updated_at <= now - timedelta(days=days),
            )
            .order_by(row.updated_at)
        )
        found += [IdleReturn(tenant_id, rid, days) for rid in ids]
    return found
