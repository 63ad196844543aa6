"""Repositories deal in whole aggregates, scoped to one tenant: a foreign id is a missing id."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, ErrorCode, NotFound, VersionConflict
from domain.notifications import Notification
from domain.orders import Order
from domain.returns import ReturnRequest
from persistence import mappers, queries
from persistence.tables import (
    ItemsUpdateRow,
    NotificationRow,
    OrderLineRow,
    OrderRow,
    RefundRow,
    ReturnItemRow,
    ReturnNoteRow,
    ReturnRequestRow,
    ReverseShipmentRow,
)

_CHILD_TABLES = (ReturnItemRow, ReturnNoteRow, RefundRow, ReverseShipmentRow, ItemsUpdateRow)


class SqlReturnRepository:
    def __init__(self, session: AsyncSession, tenant_id: str) -> None:
        self._session = session
        self._tenant = tenant_id
        self.seen: list[ReturnRequest] = []

    async def get(self, return_request_id: str) -> ReturnRequest:
        found = await queries.load_return_requests(
            self._session, self._tenant, [return_request_id], lock=True
        )
        if return_request_id not in found:
            raise NotFound(f"return request {return_request_id} not found", field="returnRequestId")
        return found[return_request_id]

    async def add(self, request: ReturnRequest) -> None:
        request.version = 1
        row = mappers.request_to_row(request, self._tenant)
        await self._session.execute(insert(ReturnRequestRow).values(_values(row)))
        await self._insert_children(request)
        self.seen.append(request)

    async def save(self, request: ReturnRequest) -> None:
        row = mappers.request_to_row(request, self._tenant)
        values = _values(row) | {"version": request.version + 1}
        result = await self._session.execute(
            update(ReturnRequestRow)
            .where(
                ReturnRequestRow.tenant_id == self._tenant,
                ReturnRequestRow.id == request.id,
                ReturnRequestRow.version == request.version,
            )
            .values(values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise VersionConflict(
                f"return request {request.id} was changed by someone else; reload it and try again",
                field="expectedVersion",
            )
        for table in _CHILD_TABLES:
            await self._session.execute(
                delete(table).where(
                    table.tenant_id == self._tenant, table.return_request_id == request.id
                )
            )
        await self._insert_children(request)
        request.version += 1
        self.seen.append(request)

    async def live_quantities(
        self, merchant: str, order_reference: str, *, exclude: str | None = None
    ) -> dict[str, int]:
        return await queries.live_quantities(
            self._session, self._tenant, merchant, order_reference, exclude=exclude
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
        found = await queries.load_return_requests(self._session, self._tenant, ordered)
        return [found[rid] for rid in ordered if rid in found]

    async def _insert_children(self, request: ReturnRequest) -> None:
        by_table: dict[type, list[dict[str, object]]] = {}
        for row in mappers.children_to_rows(request, self._tenant):
            by_table.setdefault(type(row), []).append(_values(row))
        for table, rows in by_table.items():
            await self._session.execute(insert(table), rows)


class SqlOrderRepository:
    """Orders are read with a row lock in write transactions, so two requests racing for the
    same order's units are judged one after the other (PostgreSQL; SQLite's writer lock
    already serialises them)."""

    def __init__(self, session: AsyncSession, tenant_id: str, clock_now) -> None:
        self._session = session
        self._tenant = tenant_id
        self._now = clock_now

    async def get(self, merchant: str, reference: str) -> Order | None:
        row = await self._locked_row(merchant, reference)
        if row is None:
            return None
        lines = (
            await self._session.scalars(select(OrderLineRow).where(OrderLineRow.order_id == row.id))
        ).all()
        return mappers.order_from_rows(row, list(lines))

    async def upsert(self, order: Order) -> Order:
        now = self._now()
        existing = await self._locked_row(order.merchant, order.reference)
        if existing is not None:
            await self._refuse_shrinking_below_live(order)
            order.created_at = existing.created_at
        else:
            order.created_at = now
        order.updated_at = now
        row, lines = mappers.order_to_rows(order, self._tenant)
        if existing is None:
            result = await self._session.execute(
                insert(OrderRow).values(_values(row)).returning(OrderRow.id)
            )
            order_id = result.scalar_one()
        else:
            order_id = existing.id
            await self._session.execute(
                update(OrderRow).where(OrderRow.id == order_id).values(_values(row))
            )
            await self._session.execute(
                delete(OrderLineRow).where(OrderLineRow.order_id == order_id)
            )
        await self._session.execute(
            insert(OrderLineRow), [_values(line) | {"order_id": order_id} for line in lines]
        )
        return order

    async def merchants_with(self, reference: str) -> list[str]:
        return await queries.merchants_with_order(self._session, self._tenant, reference)

    async def _locked_row(self, merchant: str, reference: str) -> OrderRow | None:
        return await self._session.scalar(
            select(OrderRow)
            .where(
                OrderRow.tenant_id == self._tenant,
                OrderRow.merchant == merchant,
                OrderRow.reference == reference,
            )
            .with_for_update()
        )

    async def _refuse_shrinking_below_live(self, order: Order) -> None:
        held = await queries.live_quantities(
            self._session, self._tenant, order.merchant, order.reference
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
