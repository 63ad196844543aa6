"""Repositories deal in whole aggregates, scoped to one tenant: a foreign id is a missing id."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, ErrorCode, NotFound, VersionConflict
from domain.notifications import Notification
from domain.orders import Order
from domain.returns import ReturnRequest
from persistence import mappers, queries, read_model
from persistence.reading import Row, SqlAlchemyReads
from persistence.tables import (
    NotificationRow,
    OrderLineRow,
    OrderRow,
    ReturnRequestRow,
)

ChildRows = dict[type, list[dict[str, Any]]]
REQUESTS: Table = ReturnRequestRow.__table__  # type: ignore[attr-defined]
ORDERS: Table = OrderRow.__table__  # type: ignore[attr-defined]
ORDER_LINES: Table = OrderLineRow.__table__  # type: ignore[attr-defined]


class SqlReturnRepository:
    """Loads aggregates whole and saves what changed: the request's row, and of its children
    only the rows whose values differ from what was loaded (compared by position), many
    rows a statement."""

    def __init__(self, session: AsyncSession, tenant_id: str) -> None:
        self._session = session
        self._reads = SqlAlchemyReads.of(session)
        self._tenant = tenant_id
        self._loaded: dict[str, ChildRows] = {}
        self.seen: list[ReturnRequest] = []

    async def get(self, return_request_id: str) -> ReturnRequest:
        found = await read_model.load_return_requests(
            self._reads, self._tenant, [return_request_id], lock=True
        )
        if return_request_id not in found:
            raise NotFound(f"return request {return_request_id} not found", field="returnRequestId")
        request = found[return_request_id]
        self._loaded[request.id] = mappers.children_values(request, self._tenant)
        return request

    async def add(self, request: ReturnRequest) -> None:
        request.version = 1
        await self._session.execute(
            insert(REQUESTS), [mappers.request_values(request, self._tenant)]
        )
        await self._write_children(request.id, {}, mappers.children_values(request, self._tenant))
        self.seen.append(request)

    async def save(self, request: ReturnRequest) -> None:
        values = mappers.request_values(request, self._tenant) | {"version": request.version + 1}
        result = await self._session.execute(
            update(REQUESTS)
            .where(
                REQUESTS.c.tenant_id == self._tenant,
                REQUESTS.c.id == request.id,
                REQUESTS.c.version == request.version,
            )
            .values(values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise VersionConflict(
                f"return request {request.id} was changed by someone else; reload it and try again",
                field="expectedVersion",
            )
        children = mappers.children_values(request, self._tenant)
        await self._write_children(request.id, self._loaded.get(request.id), children)
        self._loaded[request.id] = children
        request.version += 1
        self.seen.append(request)

    async def live_quantities(
        self, merchant: str, order_reference: str, *, exclude: str | None = None
    ) -> dict[str, int]:
        return await queries.live_quantities(
            self._reads, self._tenant, merchant, order_reference, exclude=exclude
        )

    async def for_order(self, merchant: str, order_reference: str) -> list[ReturnRequest]:
        ids = await self._session.scalars(
            select(ReturnRequestRow.id)
            .where(
                ReturnRequestRow.tenant_id == self._tenant,
                ReturnRequestRow.merchant == merchant,
                ReturnRequestRow.order_reference == order_reference,
            )
            .order_by(ReturnRequestRow.created_at, ReturnRequestRow.id)
        )
        ordered = list(ids)
        found = await read_model.load_return_requests(self._reads, self._tenant, ordered)
        for request in found.values():
            self._loaded[request.id] = mappers.children_values(request, self._tenant)
        return [found[rid] for rid in ordered if rid in found]

    async def _write_children(
        self, request_id: str, before: ChildRows | None, after: ChildRows
    ) -> None:
        """Per child table: rows that changed at a position are updated, new positions
        inserted, positions past the new end deleted, unchanged rows left alone. A table
        whose rows changed identity (ids moved between positions), or any table of an
        aggregate this repository did not load, is rewritten whole."""
        for table, rows in after.items():
            old = None if before is None else before.get(table, [])
            if old is None or _ids_moved(old, rows):
                await self._delete_from(table, request_id, 0)
                old = []
            await self._write_table(table, request_id, old, rows)

    async def _write_table(
        self, table: Any, request_id: str, old: list[dict[str, Any]], new: list[dict[str, Any]]
    ) -> None:
        if len(old) > len(new):
            await self._delete_from(table, request_id, len(new))
        changed = [row for row, was in zip(new, old, strict=False) if row != was]
        if changed:
            statement = _update_by_position(table, tuple(changed[0]))
            await self._session.execute(statement, [_keyed(row) for row in changed])
        if len(new) > len(old):
            await self._session.execute(insert(table.__table__), new[len(old) :])

    async def _delete_from(self, table: Any, request_id: str, position: int) -> None:
        await self._session.execute(
            delete(table.__table__).where(
                table.tenant_id == self._tenant,
                table.return_request_id == request_id,
                table.position >= position,
            )
        )


_POSITION_KEY = ("tenant_id", "return_request_id", "position")


def _ids_moved(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> bool:
    return any(row.get("id") != was.get("id") for row, was in zip(new, old, strict=False))


def _keyed(row: dict[str, Any]) -> dict[str, Any]:
    return row | {f"key_{key}": row[key] for key in _POSITION_KEY}


@functools.cache
def _update_by_position(table: Any, columns: tuple[str, ...]) -> Any:
    """UPDATE of one child row's columns, the row found by request and position; run with
    many rows at once (one round trip)."""
    core = table.__table__
    c = core.c
    return (
        update(core)
        .where(*(c[key] == bindparam(f"key_{key}") for key in _POSITION_KEY))
        .values({name: bindparam(name) for name in columns if name not in _POSITION_KEY})
    )


class SqlOrderRepository:
    """Orders are read with a row lock in write transactions, so two requests racing for the
    same order's units are judged one after the other (PostgreSQL; SQLite's writer lock
    already serialises them)."""

    def __init__(self, session: AsyncSession, tenant_id: str, clock_now) -> None:
        self._session = session
        self._reads = SqlAlchemyReads.of(session)
        self._tenant = tenant_id
        self._now = clock_now

    async def get(self, merchant: str, reference: str) -> Order | None:
        row = await self._locked_row(merchant, reference)
        if row is None:
            return None
        lines = await self._reads.rows(
            select(ORDER_LINES).where(ORDER_LINES.c.order_id == bindparam("order")),
            {"order": row["id"]},
        )
        return mappers.order_from_rows(row, lines)

    async def upsert(self, order: Order) -> Order:
        now = self._now()
        existing = await self._locked_row(order.merchant, order.reference)
        if existing is not None:
            await self._refuse_shrinking_below_live(order)
            order.created_at = existing["created_at"]
        else:
            order.created_at = now
        order.updated_at = now
        row, lines = mappers.order_values(order, self._tenant)
        if existing is None:
            result = await self._session.execute(
                insert(OrderRow).values(row).returning(OrderRow.id)
            )
            order_id = result.scalar_one()
        else:
            order_id = existing["id"]
            await self._session.execute(update(OrderRow).where(OrderRow.id == order_id).values(row))
            await self._session.execute(
                delete(OrderLineRow).where(OrderLineRow.order_id == order_id)
            )
        await self._session.execute(
            insert(ORDER_LINES), [line | {"order_id": order_id} for line in lines]
        )
        return order

    async def merchants_with(self, reference: str) -> list[str]:
        return await queries.merchants_with_order(self._reads, self._tenant, reference)

    async def _locked_row(self, merchant: str, reference: str) -> Row | None:
        rows = await self._reads.rows(
            select(ORDERS)
            .where(
                ORDERS.c.tenant_id == self._tenant,
                ORDERS.c.merchant == merchant,
                ORDERS.c.reference == reference,
            )
            .with_for_update()
        )
        return rows[0] if rows else None

    async def _refuse_shrinking_below_live(self, order: Order) -> None:
        held = await queries.live_quantities(
            self._reads, self._tenant, order.merchant, order.reference
        )
        for sku, units in held.items():
            line = order.line(sku)
            delivered = line.delivered_quantity if line else 0
            if units > delivered:
                raise DomainError(
                    f"sku {sku}: {units} units are in live return requests, so the order "
                    f"cannot deliver fewer ({delivered})",
                    field="lines",
                    code=ErrorCode.QUANTITY_EXCEEDED,
                )


class SqlNotificationRepository:
    """The tenant's notifications log."""

    def __init__(self, session: AsyncSession, tenant_id: str) -> None:
        self._session = session
        self._tenant = tenant_id

    async def add(self, notification: Notification) -> None:
        row = mappers.notification_to_row(notification, self._tenant)
        await self._session.execute(insert(NotificationRow).values(_values(row)))

    async def get(self, notification_id: str) -> Notification:
        row = await self._session.scalar(
            select(NotificationRow).where(
                NotificationRow.tenant_id == self._tenant, NotificationRow.id == notification_id
            )
        )
        if row is None:
            raise NotFound(f"notification {notification_id} not found", field="notificationId")
        return mappers.notification_from_row(row)

    async def save(self, notification: Notification) -> None:
        row = mappers.notification_to_row(notification, self._tenant)
        await self._session.execute(
            update(NotificationRow)
            .where(NotificationRow.tenant_id == self._tenant, NotificationRow.id == notification.id)
            .values(_values(row))
        )


def _values(row: object) -> dict[str, object]:
    """Column values of a row model, without unset autoincrement keys."""
    table = row.__table__  # type: ignore[attr-defined]
    values = {column.key: getattr(row, column.key) for column in table.columns}
    return {
        key: value
        for key, value in values.items()
        if not (value is None and table.columns[key].primary_key)
    }
