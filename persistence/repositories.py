"""Repositories deal in whole aggregates, scoped to one tenant: a foreign id is a missing id."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, select

from domain.errors import NotFound, VersionConflict
from domain.notifications import Notification
from domain.orders import Order
from domain.returns import ReturnRequest
from persistence import insight_rollups, mappers, queries, read_model, search_index
from persistence.statements import (
    Row,
    Statements,
    Write,
    insert_into,
    inserting,
    update_where,
    where,
)
from persistence.tables import (
    NotificationRow,
    OrderLineRow,
    OrderRow,
    RefundRow,
    ReturnItemRow,
    ReturnRequestRow,
)

ChildRows = dict[type, list[dict[str, Any]]]
# Units live requests hold per sku on an order (merchant, reference), read with the order's
# lines as it was locked (`SqlOrderRepository.get`), for the returns repository's next
# `live_quantities` of that order, unless this unit of work writes a request before.
Held = dict[tuple[str, str], dict[str, int]]
REQUESTS: Table = ReturnRequestRow.__table__  # type: ignore[attr-defined]
ORDERS: Table = OrderRow.__table__  # type: ignore[attr-defined]
ORDER_LINES: Table = OrderLineRow.__table__  # type: ignore[attr-defined]
NOTIFICATIONS: Table = NotificationRow.__table__  # type: ignore[attr-defined]
_REQUEST_KEY = ("tenant_id", "id", "version")
_CHILD_KEY = ("tenant_id", "return_request_id", "position")


class SqlReturnRepository:
    """Loads aggregates whole and saves what changed: the request's row, and of its children
    only the rows whose values differ from what was loaded (compared by position), many
    rows a statement. What an add or a save writes goes in one `write_all` (one statement
    on PostgreSQL): the request, its children and its search row."""

    def __init__(
        self,
        statements: Statements,
        tenant_id: str,
        counts: insight_rollups.Pending,
        held: Held | None = None,
    ) -> None:
        self._sql = statements
        self._tenant = tenant_id
        self._counts = counts
        self._held: Held = {} if held is None else held
        self._loaded: dict[str, ChildRows] = {}
        self._locked: set[str] = set()  # loaded with their row locks held (`get`)
        self.seen: list[ReturnRequest] = []

    async def get(self, return_request_id: str) -> ReturnRequest:
        found = await read_model.load_return_requests(
            self._sql, self._tenant, [return_request_id], lock=True
        )
        if return_request_id not in found:
            raise NotFound(
                f"return request {return_request_id} not found", field="return_request_id"
            )
        request = found[return_request_id]
        self._loaded[request.id] = mappers.children_values(request, self._tenant)
        self._locked.add(request.id)
        return request

    async def add(self, request: ReturnRequest) -> None:
        self._held.clear()
        request.version = 1
        values = mappers.request_values(request, self._tenant)
        children = mappers.children_values(request, self._tenant)
        await self._sql.write_all(
            [
                Write(insert_into(REQUESTS, tuple(values)), [values]),
                *await self._children_writes(request.id, {}, children),
                search_index.writing(self._tenant, request),
            ]
        )
        self._count(request, None, children)
        self._loaded[request.id] = children
        self.seen.append(request)

    async def save(self, request: ReturnRequest) -> None:
        """With the request locked since it was loaded here (`get`), its row is written in
        one statement with its children; otherwise its version is checked first, so a
        request changed meanwhile is a VersionConflict before anything else is written."""
        self._held.clear()
        values = mappers.request_values(request, self._tenant) | {"version": request.version + 1}
        statement = update_where(REQUESTS, _REQUEST_KEY, tuple(values), ("id",))
        key = {"tenant_id": self._tenant, "id": request.id, "version": request.version}
        versioned = Write(statement, [where(values, **key)])
        locked = request.id in self._locked
        if not locked:
            self._check_version(request, await self._sql.write_all([versioned]))
        children = mappers.children_values(request, self._tenant)
        before = self._loaded.get(request.id)
        if before is None:  # not loaded here: what it counted is what the database holds
            stored = await read_model.load_return_requests(self._sql, self._tenant, [request.id])
            counted = mappers.children_values(stored[request.id], self._tenant)
        writes = await self._children_writes(request.id, before, children)
        if search_index.needs_rewrite(before and before.get(ReturnItemRow), request):
            writes.append(search_index.writing(self._tenant, request))
        if locked:
            self._check_version(request, await self._sql.write_all([*writes, versioned]))
        else:
            await self._sql.write_all(writes)
        self._count(request, before if before is not None else counted, children)
        self._loaded[request.id] = children
        request.version += 1
        self.seen.append(request)

    @staticmethod
    def _check_version(request: ReturnRequest, updated: Sequence[Row]) -> None:
        """`updated`: what the versioned UPDATE of the request's row returned."""
        if len(updated) != 1:
            raise VersionConflict(
                f"return request {request.id} was changed by someone else; reload it and try again",
                field="expected_version",
            )

    def _count(self, request: ReturnRequest, before: ChildRows | None, after: ChildRows) -> None:
        """Note for the insights' rollups what the request counts now less what it counted
        as loaded (nothing for a new one); the unit of work adds it up as it commits."""

        def counts(rows: ChildRows | None) -> insight_rollups.Counts:
            if rows is None:
                return {}
            return insight_rollups.of_request(
                request.created_at, rows.get(ReturnItemRow, []), rows.get(RefundRow, [])
            )

        self._counts.add(request.merchant, counts(after), counts(before))

    async def live_quantities(
        self, merchant: str, order_reference: str, *, exclude: str | None = None
    ) -> dict[str, int]:
        held = self._held.pop((merchant, order_reference), None) if exclude is None else None
        if held is not None:
            return held
        return await queries.live_quantities(
            self._sql, self._tenant, merchant, order_reference, exclude=exclude
        )

    async def for_order(self, merchant: str, order_reference: str) -> list[ReturnRequest]:
        rows = await self._sql.rows(
            _FOR_ORDER,
            {"tenant": self._tenant, "merchant": merchant, "reference": order_reference},
        )
        ordered = [row["id"] for row in rows]
        found = await read_model.load_return_requests(self._sql, self._tenant, ordered)
        for request in found.values():
            self._loaded[request.id] = mappers.children_values(request, self._tenant)
        return [found[rid] for rid in ordered if rid in found]

    async def _children_writes(
        self, request_id: str, before: ChildRows | None, after: ChildRows
    ) -> list[Write]:
        """Per child table: rows that changed at a position are updated, new positions
        inserted, positions past the new end deleted, unchanged rows left alone. A table
        whose rows changed identity (ids moved between positions), or any table of an
        aggregate this repository did not load, is rewritten whole: its rows are deleted
        here, at once, since its inserts could not run in one statement with that delete.
        The rest are returned, for one `write_all`."""
        writes: list[Write] = []
        for table, rows in after.items():
            old = None if before is None else before.get(table, [])
            if old is None or _ids_moved(old, rows):
                everything = self._from(request_id, 0)
                await self._sql.execute(_delete_from_position(table.__table__), everything)
                old = []
            writes += self._table_writes(table.__table__, request_id, old, rows)
        return writes

    def _table_writes(
        self, core: Table, request_id: str, old: list[dict[str, Any]], new: list[dict[str, Any]]
    ) -> list[Write]:
        writes: list[Write] = []
        if len(old) > len(new):
            writes.append(Write(_delete_from_position(core), [self._from(request_id, len(new))]))
        changed = [row for row, was in zip(new, old, strict=False) if row != was]
        if changed:
            columns = tuple(name for name in changed[0] if name not in _CHILD_KEY)
            statement = update_where(core, _CHILD_KEY, columns)
            rows = [where(row, **{key: row[key] for key in _CHILD_KEY}) for row in changed]
            writes.append(Write(statement, rows))
        if len(new) > len(old):
            writes.append(inserting(core, new[len(old) :]))
        return writes

    def _from(self, request_id: str, position: int) -> dict[str, Any]:
        """The values of `_delete_from_position`: the request's children from `position` on."""
        return {"tenant": self._tenant, "request": request_id, "position": position}


@functools.cache
def _delete_from_position(table: Table) -> Any:
    """DELETE of a request's child rows from a position on."""
    c = table.c
    return table.delete().where(
        c.tenant_id == bindparam("tenant"),
        c.return_request_id == bindparam("request"),
        c.position >= bindparam("position"),
    )


_FOR_ORDER = (
    select(REQUESTS.c.id)
    .where(
        REQUESTS.c.tenant_id == bindparam("tenant"),
        REQUESTS.c.merchant == bindparam("merchant"),
        REQUESTS.c.order_reference == bindparam("reference"),
    )
    .order_by(REQUESTS.c.created_at, REQUESTS.c.id)
)


def _ids_moved(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> bool:
    return any(row.get("id") != was.get("id") for row, was in zip(new, old, strict=False))


class SqlOrderRepository:
    """Orders are read with a row lock in write transactions, so two requests racing for the
    same order's units are judged one after the other (PostgreSQL; SQLite's writer lock
    already serialises them)."""

    def __init__(
        self,
        statements: Statements,
        tenant_id: str,
        clock_now,
        counts: insight_rollups.Pending,
        held: Held | None = None,
    ) -> None:
        self._sql = statements
        self._tenant = tenant_id
        self._now = clock_now
        self._counts = counts
        self._held: Held = {} if held is None else held

    async def get(self, merchant: str, reference: str) -> Order | None:
        """The order, locked; the units live requests hold on it are read with its lines
        (`Held`), as every use case that locks an order asks for them next."""
        row = await self._locked_row(merchant, reference)
        if row is None:
            return None
        values = {
            "order": row["id"],
            "tenant": self._tenant,
            "merchant": merchant,
            "order_reference": reference,
            "statuses": queries.LIVE_STATUSES,
        }
        lines = await self._sql.rows(queries.lines_and_held(self._sql.dialect_name), values)
        held = queries.held_of(lines)
        if held is not None:
            self._held[(merchant, reference)] = held
        return mappers.order_from_rows(row, lines)

    async def upsert(self, order: Order) -> Order:
        now = self._now()
        existing = await self._locked_row(order.merchant, order.reference)
        order.created_at = existing["created_at"] if existing is not None else now
        order.updated_at = now
        row, lines = mappers.order_values(order, self._tenant)
        old_lines: Sequence[Row] = []
        if existing is None:
            inserted = await self._sql.rows(insert_into(ORDERS, tuple(row), ("id",)), row)
            order_id = inserted[0]["id"]
        else:
            order_id = existing["id"]
            await self._sql.execute(
                update_where(ORDERS, ("id",), tuple(row)), where(row, id=order_id)
            )
            old_lines = await self._sql.rows(_DELETE_LINES, {"order": order_id})
        rows = [line | {"order_id": order_id} for line in lines]
        if rows:
            await self._sql.execute_many(insert_into(ORDER_LINES, tuple(rows[0])), rows)
        self._counts.add(
            order.merchant,
            insight_rollups.of_order(order.created_at, rows),
            insight_rollups.of_order(order.created_at, old_lines),
        )
        return order

    async def merchants_with(self, reference: str) -> list[str]:
        return await queries.merchants_with_order(self._sql, self._tenant, reference)

    async def _locked_row(self, merchant: str, reference: str) -> Row | None:
        rows = await self._sql.rows(
            _LOCKED_ORDER, {"tenant": self._tenant, "merchant": merchant, "reference": reference}
        )
        return rows[0] if rows else None


_LOCKED_ORDER = (
    select(ORDERS)
    .where(
        ORDERS.c.tenant_id == bindparam("tenant"),
        ORDERS.c.merchant == bindparam("merchant"),
        ORDERS.c.reference == bindparam("reference"),
    )
    .with_for_update()
)
# The lines an upsert replaces, with what they counted (for the insights' rollups).
_DELETE_LINES = (
    ORDER_LINES.delete()
    .where(ORDER_LINES.c.order_id == bindparam("order"))
    .returning(ORDER_LINES.c.sku, ORDER_LINES.c.quantity)
)


class SqlNotificationRepository:
    """The tenant's notifications log."""

    def __init__(self, statements: Statements, tenant_id: str) -> None:
        self._sql = statements
        self._tenant = tenant_id

    async def add(self, notification: Notification) -> None:
        values = mappers.notification_values(notification, self._tenant)
        await self._sql.execute(insert_into(NOTIFICATIONS, tuple(values)), values)

    async def get(self, notification_id: str) -> Notification:
        rows = await self._sql.rows(_NOTIFICATION, {"tenant": self._tenant, "id": notification_id})
        if not rows:
            raise NotFound(f"notification {notification_id} not found", field="notification_id")
        return mappers.notification_from_row(rows[0])

    async def save(self, notification: Notification) -> None:
        values = mappers.notification_values(notification, self._tenant)
        statement = update_where(NOTIFICATIONS, ("tenant_id", "id"), tuple(values))
        await self._sql.execute(
            statement, where(values, tenant_id=self._tenant, id=notification.id)
        )


_NOTIFICATION = select(NOTIFICATIONS).where(
    NOTIFICATIONS.c.tenant_id == bindparam("tenant"), NOTIFICATIONS.c.id == bindparam("id")
)
