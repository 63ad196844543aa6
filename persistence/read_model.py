"""Return requests as the API reads them (the read model; cosmicpython's "views"): the
request's own row and each kind of child on demand, as rows from SQL (no ORM objects; see
persistence/statements.py), one statement per table whatever the number of requests.

The write side loads whole aggregates (`load_return_requests`, built from these readers);
a query that shows ten fields of a page of requests reads their rows and, if it selects
them, their items: not their notes, refunds, shipments and history as well.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
)

from domain.lifecycle import ReturnStatus
from domain.returns import ReturnRequest
from persistence import exchange_mappers, mappers, search_index
from persistence.statements import POSTGRESQL, AsyncpgStatements, Row, Statements, one_of
from persistence.tables import (
    ExchangeLineRow,
    ExchangePaymentRow,
    ItemsUpdateRow,
    RefundRow,
    ReturnItemRow,
    ReturnNoteRow,
    ReturnRequestRow,
    ReverseShipmentRow,
)

REQUESTS: Table = ReturnRequestRow.__table__  # type: ignore[attr-defined]
SEARCH: Table = search_index.SEARCH


@dataclass(frozen=True, slots=True)
class Child:
    """One kind of child row: its row class (the key mappers.children_values uses), its
    table, and its domain mapper."""

    row_class: type
    to_domain: Callable[[Row], Any]

    @property
    def table(self) -> Table:
        return self.row_class.__table__  # type: ignore[attr-defined,no-any-return]


ITEMS = Child(ReturnItemRow, mappers.item_from_row)
NOTES = Child(ReturnNoteRow, mappers.note_from_row)
REFUNDS = Child(RefundRow, mappers.refund_from_row)
SHIPMENTS = Child(ReverseShipmentRow, mappers.shipment_from_row)
ITEMS_UPDATES = Child(ItemsUpdateRow, mappers.items_update_from_row)
EXCHANGE_LINES = Child(ExchangeLineRow, exchange_mappers.exchange_line_from_row)
EXCHANGE_PAYMENTS = Child(ExchangePaymentRow, exchange_mappers.exchange_payment_from_row)


Columns = frozenset[str] | None  # the columns to read; None: all of them


def _selected(table: Table, columns: Columns) -> list[Any]:
    if columns is None:
        return [table]
    return [column for column in table.columns if column.key in columns]


@functools.lru_cache(maxsize=512)
def _rows_of_requests(
    table: Table, dialect_name: str, *, lock: bool = False, columns: Columns = None
) -> Select[Any]:
    """Rows of `table` for the requests `ids` of tenant `tenant`, children in their order.
    Built once per table, database and set of columns: constructing a statement costs more
    than running it."""
    key = table.c.id if table is REQUESTS else table.c.return_request_id
    statement = select(*_selected(table, columns)).where(
        table.c.tenant_id == bindparam("tenant"), one_of(key, "ids", dialect_name)
    )
    if table is not REQUESTS:
        statement = statement.order_by(table.c.return_request_id, table.c.position)
    return statement.with_for_update() if lock else statement


async def request_rows(
    reads: Statements,
    tenant_id: str,
    ids: Sequence[str],
    *,
    lock: bool = False,
    columns: Columns = None,
) -> Sequence[Row]:
    """The rows of the requests that exist in the tenant (in no particular order).

    `lock` takes the rows' write lock (PostgreSQL), so writers of one request queue instead
    of racing; the version check on save stays as the guard for `expectedVersion`.
    """
    if not ids:
        return []
    statement = _rows_of_requests(REQUESTS, reads.dialect_name, lock=lock, columns=columns)
    return await reads.rows(statement, {"tenant": tenant_id, "ids": list(ids)})


async def child_rows(
    reads: Statements, tenant_id: str, child: Child, ids: Sequence[str], columns: Columns = None
) -> dict[str, list[Row]]:
    """Each request's child rows of one kind, in their order: one statement for any number
    of requests. Requests without any map to an empty list. With `columns`, only those
    (and `return_request_id`) are read."""
    grouped: dict[str, list[Row]] = defaultdict(list)
    if not ids:
        return grouped
    if columns is not None:
        columns = columns | {"return_request_id"}
    statement = _rows_of_requests(child.table, reads.dialect_name, columns=columns)
    for row in await reads.rows(statement, {"tenant": tenant_id, "ids": list(ids)}):
        grouped[row["return_request_id"]].append(row)
    return grouped


async def request_and_children(
    reads: Statements,
    tenant_id: str,
    rid: str,
    child: Child,
    *,
    columns: Columns = None,
    child_columns: Columns = None,
) -> tuple[Row | None, list[Row]]:
    """A request's row and its child rows of one kind (a read of one request with its
    items): one statement on PostgreSQL, the children as an array of their row type (all
    of their columns), two elsewhere."""
    if isinstance(reads, AsyncpgStatements):
        statement = _request_with_children(child.table, columns)
        rows = await reads.rows(statement, {"tenant": tenant_id, "id": rid})
        if not rows:
            return None, []
        row = dict(rows[0].items())
        read = reads.row_reader(child.table)
        return row, [read(value) for value in row.pop(CHILDREN_LABEL)]
    found = await request_rows(reads, tenant_id, [rid], columns=columns)
    if not found:
        return None, []
    return found[0], (await child_rows(reads, tenant_id, child, [rid], child_columns))[rid]


CHILDREN_LABEL = "children_of_request"


@functools.lru_cache(maxsize=512)
def _request_with_children(table: Table, columns: Columns) -> Select[Any]:
    """One request by `id = $n`, not `= ANY($n)`: PostgreSQL plans a statement over an
    array parameter afresh at every execution (its generic plan is estimated for an array
    of any length, and never chosen), which cost it more CPU than running it; over one
    value it keeps the generic plan after five executions."""
    return select(
        *_selected(REQUESTS, columns), _children_array(table).label(CHILDREN_LABEL)
    ).where(REQUESTS.c.tenant_id == bindparam("tenant"), REQUESTS.c.id == bindparam("id"))


def _children_array(table: Table) -> ColumnElement[Any]:
    """`ARRAY(SELECT child FROM child …)`: a request's rows of `table`, in their order, as
    one value of the request's own row (PostgreSQL)."""
    return func.array(
        select(table.table_valued())
        .where(
            table.c.tenant_id == REQUESTS.c.tenant_id,
            table.c.return_request_id == REQUESTS.c.id,
        )
        .order_by(table.c.position)
        .scalar_subquery()
    )


async def load_return_requests(
    reads: Statements, tenant_id: str, ids: Sequence[str], *, lock: bool = False
) -> dict[str, ReturnRequest]:
    """Whole aggregates for the ids that exist in the tenant, for any count: one statement
    when reading on PostgreSQL, two when locking there, 8 on SQLite (in one hop to its
    driver's thread in a write transaction; the children of the ids asked for, which are
    those of the requests found, as children never outlive their request).

    A locking load on PostgreSQL takes the requests' row locks in a statement of its own
    and then reads the aggregates: after waiting for a row lock PostgreSQL rechecks only the
    locked row, so children read in the locking statement could be those of the snapshot
    from before the wait, while the next statement's snapshot is taken after it (READ
    COMMITTED), and every writer of a request's children holds that request's lock."""
    if isinstance(reads, AsyncpgStatements):
        if lock:
            locked = await request_rows(reads, tenant_id, ids, lock=True, columns=_KEY)
            ids = [row["id"] for row in locked]
        return await _whole_in_one(reads, tenant_id, ids)
    if not ids:
        return {}
    values = {"tenant": tenant_id, "ids": list(ids)}
    kinds = list(WHOLE_CHILDREN.items())
    headers, *rows_of_kinds = await reads.rows_each(
        [(_rows_of_requests(REQUESTS, reads.dialect_name, lock=lock), values)]
        + [(_rows_of_requests(child.table, reads.dialect_name), values) for _, child in kinds]
    )
    grouped: dict[str, dict[str, list[Any]]] = {}
    for (name, child), rows in zip(kinds, rows_of_kinds, strict=True):
        grouped[name] = defaultdict(list)
        for row in rows:
            grouped[name][row["return_request_id"]].append(child.to_domain(row))
    return {
        row["id"]: mappers.request_from_rows(
            row, **{name: of_kind[row["id"]] for name, of_kind in grouped.items()}
        )
        for row in headers
    }


_KEY = frozenset({"id"})
# Every kind of child of a whole aggregate, by the name its array has in `_whole_requests`.
WHOLE_CHILDREN = {
    "items": ITEMS,
    "notes": NOTES,
    "refunds": REFUNDS,
    "shipments": SHIPMENTS,
    "items_updates": ITEMS_UPDATES,
    "exchange_lines": EXCHANGE_LINES,
    "exchange_payments": EXCHANGE_PAYMENTS,
}


async def _whole_in_one(
    reads: AsyncpgStatements, tenant_id: str, ids: Sequence[str]
) -> dict[str, ReturnRequest]:
    """Whole aggregates in one statement: each kind of child comes back as an array of its
    table's row type, which asyncpg decodes with the columns' own types. Each statement
    costs the server a round trip and this process about 100 µs of CPU; six were most of a
    REST read."""
    if not ids:
        return {}
    if len(ids) == 1:  # a REST read: planned once (see _request_with_children)
        rows = await reads.rows(_whole_requests(one=True), {"tenant": tenant_id, "id": ids[0]})
    else:
        rows = await reads.rows(_whole_requests(), {"tenant": tenant_id, "ids": list(ids)})
    readers = {name: reads.row_reader(child.table) for name, child in WHOLE_CHILDREN.items()}
    found = {}
    for row in rows:
        kinds = {
            name: [child.to_domain(readers[name](value)) for value in row[name]]
            for name, child in WHOLE_CHILDREN.items()
        }
        found[row["id"]] = mappers.request_from_rows(row, **kinds)
    return found


@functools.cache
def _whole_requests(*, one: bool = False) -> Select[Any]:
    """The requests `ids` (or the one request `id`) of tenant `tenant` (PostgreSQL), each
    with one array per kind of child, in the children's order."""
    arrays = [_children_array(child.table).label(name) for name, child in WHOLE_CHILDREN.items()]
    key = REQUESTS.c.id == bindparam("id") if one else one_of(REQUESTS.c.id, "ids", POSTGRESQL)
    return select(REQUESTS, *arrays).where(REQUESTS.c.tenant_id == bindparam("tenant"), key)


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True, slots=True)
class ReturnFilter:
    merchant: str | None = None
    statuses: tuple[ReturnStatus, ...] = ()
    order_reference: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    assigned_to: str | None = None
    search: tuple[str, ...] = ()  # words every match contains (search_index.search_words)


class ReturnSort(Enum):
    """The orders a list of requests can be read in: (column, descending)."""

    NEWEST = ("created_at", True)
    OLDEST = ("created_at", False)
    UPDATED = ("updated_at", True)
    VALUE_HIGH = ("value_thousandths", True)
    VALUE_LOW = ("value_thousandths", False)


@dataclass(frozen=True, slots=True)
class SortPosition:
    """Where a page of another order than newest-first starts: after this (key, id)."""

    key: Any
    id: str


@dataclass(frozen=True, slots=True)
class PagePosition:
    """Where a page starts: after this (created_at, id) in newest-first order."""

    created_at: datetime
    id: str


@dataclass(frozen=True, slots=True)
class Page:
    rows: Sequence[Row]  # the requests' own rows, newest first
    has_next: bool

    @property
    def entries(self) -> list[tuple[str, datetime]]:
        """(id, created_at) of each request: what its cursor is made of."""
        return [(row["id"], row["created_at"]) for row in self.rows]


_FILTERS: dict[str, Callable[[str], ColumnElement[bool]]] = {
    "merchant": lambda _: REQUESTS.c.merchant == bindparam("merchant"),
    "statuses": lambda dialect: one_of(REQUESTS.c.status, "statuses", dialect),
    "order_reference": lambda _: REQUESTS.c.order_reference == bindparam("order_reference"),
    "created_after": lambda _: REQUESTS.c.created_at > bindparam("created_after"),
    "created_before": lambda _: REQUESTS.c.created_at < bindparam("created_before"),
    "assigned_to": lambda _: REQUESTS.c.assigned_to_user == bindparam("assigned_to"),
}


def _filter_values(tenant_id: str, flt: ReturnFilter) -> dict[str, Any]:
    """The filter's bound values: only the conditions it sets take part."""
    values: dict[str, Any] = {
        "merchant": flt.merchant,
        "statuses": [status.value for status in flt.statuses] or None,
        "order_reference": flt.order_reference,
        "created_after": flt.created_after,
        "created_before": flt.created_before,
        "assigned_to": flt.assigned_to,
    }
    found = {"tenant": tenant_id} | {k: v for k, v in values.items() if v is not None}
    return found | search_index.word_values(flt.search)


def _shape(flt: ReturnFilter, values: dict[str, Any]) -> tuple[frozenset[str], tuple[bool, ...]]:
    """What a statement for this filter depends on: which conditions are set, and the
    search's words (how many, which are indexed)."""
    return frozenset(values.keys() & _FILTERS.keys()), search_index.shape(flt.search)


@functools.cache
def _where(
    dialect_name: str, used: frozenset[str], search: tuple[bool, ...] = ()
) -> tuple[ColumnElement[bool], ...]:
    conditions: list[ColumnElement[bool]] = [REQUESTS.c.tenant_id == bindparam("tenant")]
    if search:
        if dialect_name != POSTGRESQL:
            # `+column` keeps SQLite from walking the tenant's page index past every request
            # and probing the matches; it reads the matches by id and sorts them instead.
            conditions = [literal_column("+return_requests.tenant_id") == bindparam("tenant")]
        conditions.append(search_index.matching(dialect_name, REQUESTS.c.id, search))
    return (*conditions, *(_FILTERS[name](dialect_name) for name in sorted(used & _FILTERS.keys())))


@functools.lru_cache(maxsize=512)
def _page_statement(
    dialect_name: str,
    shape: tuple[frozenset[str], tuple[bool, ...]],
    after: bool,
    columns: Columns,
    sort: ReturnSort = ReturnSort.NEWEST,
) -> Select[Any]:
    """One statement per shape of filter (which conditions are set), set of columns and
    order, built once."""
    c = REQUESTS.c
    name, descending = sort.value
    if _search_alone(shape, sort):
        return _search_page_statement(dialect_name, shape, after, columns, descending)
    conditions = list(_where(dialect_name, *shape))
    key = c[name]
    if after:
        beyond = (lambda a, b: a < b) if descending else (lambda a, b: a > b)
        conditions.append(
            or_(
                beyond(key, bindparam("after_key")),
                and_(key == bindparam("after_key"), beyond(c.id, bindparam("after_id"))),
            )
        )
    order = (key.desc(), c.id.desc()) if descending else (key.asc(), c.id.asc())
    return (
        select(*_selected(REQUESTS, columns))
        .where(*conditions)
        .order_by(*order)
        .limit(bindparam("limit"))
    )


def _search_alone(shape: tuple[frozenset[str], tuple[bool, ...]], sort: ReturnSort) -> bool:
    """A search with no other condition than statuses, in creation order: what the desk's
    search box asks as an operator types (on a status tab or none). Its matches are ranked,
    counted and counted per status in `return_search`, which holds each request's creation
    time and status, so only the page's requests are read, not every match."""
    used, words = shape
    return bool(words) and used <= {"statuses"} and sort in (ReturnSort.NEWEST, ReturnSort.OLDEST)


@functools.cache
def _search_where(
    dialect_name: str, shape: tuple[frozenset[str], tuple[bool, ...]]
) -> tuple[ColumnElement[bool], ...]:
    """The conditions on `return_search` of a search alone (`_search_alone`)."""
    used, words = shape
    found = search_index.found(dialect_name, words)
    if "statuses" in used:
        return (*found, one_of(SEARCH.c.status, "statuses", dialect_name))
    return found


def _search_page_statement(
    dialect_name: str,
    shape: tuple[frozenset[str], tuple[bool, ...]],
    after: bool,
    columns: Columns,
    descending: bool,
) -> Select[Any]:
    s, c = SEARCH.c, REQUESTS.c
    conditions = list(_search_where(dialect_name, shape))
    if after:
        beyond = (lambda a, b: a < b) if descending else (lambda a, b: a > b)
        conditions.append(
            or_(
                beyond(s.created_at, bindparam("after_key")),
                and_(
                    s.created_at == bindparam("after_key"),
                    beyond(s.return_request_id, bindparam("after_id")),
                ),
            )
        )
    direction = (lambda column: column.desc()) if descending else (lambda column: column.asc())
    ranked = (
        select(s.return_request_id)
        .where(*conditions)
        .order_by(direction(s.created_at), direction(s.return_request_id))
        .limit(bindparam("limit"))
    )
    return (
        select(*_selected(REQUESTS, columns))
        .where(c.id.in_(ranked))
        .order_by(direction(c.created_at), direction(c.id))
    )


async def page_return_requests(
    reads: Statements,
    tenant_id: str,
    flt: ReturnFilter,
    *,
    first: int,
    after: PagePosition | SortPosition | None,
    columns: Columns = None,
    sort: ReturnSort = ReturnSort.NEWEST,
) -> Page:
    """Keyset pagination in the order `sort` names (newest first unless told), one
    statement: page 1000 costs what page 1 does. With `columns`, only those (and what a
    cursor is made of) are read."""
    statement, values = page_query(
        reads.dialect_name, tenant_id, flt, first=first, after=after, columns=columns, sort=sort
    )
    rows = await reads.rows(statement, values)
    return Page(rows[:first], has_next=len(rows) > first)


def page_query(
    dialect_name: str,
    tenant_id: str,
    flt: ReturnFilter,
    *,
    first: int,
    after: PagePosition | SortPosition | None,
    columns: Columns = None,
    sort: ReturnSort = ReturnSort.NEWEST,
) -> tuple[Select[Any], dict[str, Any]]:
    """The statement reading a page (one more row than `first`, which tells whether more
    follow) and its values; persistence/json_reads.py reads the same page as JSON."""
    values = _filter_values(tenant_id, flt)
    if columns is not None:
        columns = columns | {"id", "created_at", sort.value[0]}
    shape = _shape(flt, values)
    statement = _page_statement(dialect_name, shape, after is not None, columns, sort)
    values["limit"] = first + 1
    if after is not None:
        key = after.created_at if isinstance(after, PagePosition) else after.key
        values |= {"after_key": key, "after_id": after.id}
    return statement, values


async def count_return_requests(reads: Statements, tenant_id: str, flt: ReturnFilter) -> int:
    values = _filter_values(tenant_id, flt)
    total = await reads.scalar(_count_statement(reads.dialect_name, _shape(flt, values)), values)
    return int(total or 0)


@functools.cache
def _count_statement(
    dialect_name: str, shape: tuple[frozenset[str], tuple[bool, ...]]
) -> Select[Any]:
    if _search_alone(shape, ReturnSort.NEWEST):  # one search row per request: count those
        return select(func.count()).select_from(SEARCH).where(*_search_where(dialect_name, shape))
    return select(func.count()).select_from(REQUESTS).where(*_where(dialect_name, *shape))


@functools.cache
def _count_by_status_statement(
    dialect_name: str, shape: tuple[frozenset[str], tuple[bool, ...]]
) -> Select[Any]:
    if _search_alone(shape, ReturnSort.NEWEST):
        status = SEARCH.c.status
        return (
            select(status, func.count().label("count"))
            .where(*_search_where(dialect_name, shape))
            .group_by(status)
        )
    return (
        select(REQUESTS.c.status, func.count().label("count"))
        .where(*_where(dialect_name, *shape))
        .group_by(REQUESTS.c.status)
    )


async def count_by_status(
    reads: Statements, tenant_id: str, flt: ReturnFilter
) -> dict[ReturnStatus, int]:
    """Requests matching `flt`, per status, in one grouped statement (the tabs of a
    dashboard's queue); statuses with none are left out."""
    values = _filter_values(tenant_id, flt)
    statement = _count_by_status_statement(reads.dialect_name, _shape(flt, values))
    rows = await reads.rows(statement, values)
    return {ReturnStatus(row["status"]): int(row["count"]) for row in rows}
