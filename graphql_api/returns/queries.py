"""Return request queries: one by id, and a keyset-paginated, filterable connection."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import orjson
import strawberry

from core.global_ids import return_request_key
from domain.lifecycle import ReturnStatus
from graphql_api.common import (  # noqa: F401  (MAX_PAGE, PageSize, check_first: re-exported)
    MAX_PAGE,
    PageInfo,
    PageSize,
    check_first,
)
from graphql_api.context import Info
from graphql_api.errors import ClientError
from graphql_api.returns.columns import items_under, request_columns
from graphql_api.returns.types import ReturnRequestType
from persistence import read_model
from persistence.read_model import ITEMS
from persistence.search_index import search_words


@strawberry.input
class ReturnRequestFilter:
    merchant: str | None = None
    status: list[ReturnStatus] | None = strawberry.field(
        default=None, description="Any of these statuses (a single value is accepted)."
    )
    order_reference: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    assigned_to: str | None = None
    search: str | None = strawberry.field(
        default=None,
        description=(
            "Words found in the return id, order reference, customer name, e-mail or phone,"
            " or a sku: in any case and in part; every word must be found."
        ),
    )

    def to_query(self) -> read_model.ReturnFilter:
        for name, value in (
            ("createdAfter", self.created_after),
            ("createdBefore", self.created_before),
        ):
            if value is not None and value.utcoffset() is None:
                raise ClientError(f"`{name}` needs a time zone offset, e.g. 2026-01-31T10:00:00Z")
        return read_model.ReturnFilter(
            merchant=self.merchant,
            statuses=tuple(self.status or ()),
            order_reference=self.order_reference,
            created_after=self.created_after,
            created_before=self.created_before,
            assigned_to=self.assigned_to,
            search=search_words(self.search),
        )


@strawberry.enum(name="ReturnRequestSort", description="The order a list of requests is read in.")
class ReturnRequestSort(Enum):
    NEWEST = "NEWEST"
    OLDEST = "OLDEST"
    RECENTLY_UPDATED = "RECENTLY_UPDATED"
    HIGHEST_VALUE = "HIGHEST_VALUE"
    LOWEST_VALUE = "LOWEST_VALUE"


SORTS = {
    ReturnRequestSort.NEWEST: read_model.ReturnSort.NEWEST,
    ReturnRequestSort.OLDEST: read_model.ReturnSort.OLDEST,
    ReturnRequestSort.RECENTLY_UPDATED: read_model.ReturnSort.UPDATED,
    ReturnRequestSort.HIGHEST_VALUE: read_model.ReturnSort.VALUE_HIGH,
    ReturnRequestSort.LOWEST_VALUE: read_model.ReturnSort.VALUE_LOW,
}


def _edge_cursor(root: ReturnRequestEdge) -> str:
    return root.cursor_text()


@strawberry.type
class ReturnRequestEdge:
    cursor: str = strawberry.field(resolver=_edge_cursor)
    node: ReturnRequestType
    sort: strawberry.Private[read_model.ReturnSort] = read_model.ReturnSort.NEWEST

    def cursor_text(self) -> str:
        """Encoded only when asked: a dashboard's page of 100 rarely selects cursors."""
        if self.sort is read_model.ReturnSort.NEWEST:
            return encode_cursor(self.node.created_at, self.node.return_request_id)
        key = self.node.__dict__[self.sort.value[0]]  # the row's column, as read
        return encode_sorted_cursor(self.sort, key, self.node.return_request_id)


@strawberry.type
class ReturnRequestConnection:
    edges: list[ReturnRequestEdge]
    page_info: PageInfo
    filter: strawberry.Private[read_model.ReturnFilter]

    @strawberry.field(description="Requests matching the filter, across all pages.")
    async def total_count(self, info: Info) -> int:
        context = info.context
        async with context.db.reading() as reads:
            return await read_model.count_return_requests(reads, context.tenant_id, self.filter)


def encode_cursor(created_at: datetime, rid: str) -> str:
    raw = orjson.dumps([created_at.isoformat(), rid])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def encode_sorted_cursor(sort: read_model.ReturnSort, key: object, rid: str) -> str:
    shown = key.isoformat() if isinstance(key, datetime) else key
    raw = orjson.dumps([sort.name, shown, rid])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_sorted_cursor(cursor: str, sort: read_model.ReturnSort) -> read_model.SortPosition:
    """A cursor of a page in another order than newest first: it names its order, so a
    cursor of one order is refused by another."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        name, key, rid = json.loads(base64.urlsafe_b64decode(padded))
        if name != sort.name or "\x00" in str(rid):  # no id holds one; PostgreSQL's text cannot
            raise ValueError(name)
        if sort.value[0] == "value_thousandths":
            if not isinstance(key, int):
                raise ValueError(key)
            return read_model.SortPosition(key, str(rid))
        moment = datetime.fromisoformat(key)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise ClientError("`after` is not a cursor returned by this API") from None
    if moment.utcoffset() is None:
        raise ClientError("`after` is not a cursor returned by this API")
    return read_model.SortPosition(moment, str(rid))


def check_any_cursor(cursor: str) -> object:
    """A cursor of any order this API hands out (the limits check it before the query
    runs, not knowing the order yet); each order's own decoding checks it again."""
    for sort in read_model.ReturnSort:
        try:
            return decode_sorted_cursor(cursor, sort)
        except ClientError:
            continue
    return decode_cursor(cursor)


def decode_cursor(cursor: str) -> read_model.PagePosition:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, rid = json.loads(base64.urlsafe_b64decode(padded))
        position = read_model.PagePosition(datetime.fromisoformat(created), str(rid))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise ClientError("`after` is not a cursor returned by this API") from None
    if position.created_at.utcoffset() is None or "\x00" in position.id:  # (as above)
        raise ClientError("`after` is not a cursor returned by this API")
    return position


def _position(
    after: str | None, sort: read_model.ReturnSort
) -> read_model.PagePosition | read_model.SortPosition | None:
    if not after:
        return None
    if sort is read_model.ReturnSort.NEWEST:
        return decode_cursor(after)
    return decode_sorted_cursor(after, sort)


@dataclass(frozen=True, slots=True)
class PageRequest:
    """What `returnRequests`' arguments ask for, checked (a ClientError otherwise)."""

    filter: read_model.ReturnFilter
    sort: read_model.ReturnSort
    position: read_model.PagePosition | read_model.SortPosition | None
    first: int


def page_request(
    first: int,
    filter: ReturnRequestFilter | None = None,
    after: str | None = None,
    order_by: ReturnRequestSort = ReturnRequestSort.NEWEST,
) -> PageRequest:
    """The resolver's reading of its arguments, shared with the database's JSON answer of
    the same page (graphql_api/returns/sql_fields.py), so both refuse alike."""
    flt = (filter or ReturnRequestFilter()).to_query()
    sort = SORTS[order_by]
    return PageRequest(flt, sort, _position(after, sort), check_first(first))


@strawberry.type
class ReturnQueries:
    @strawberry.field(description="A return request by its readable id (RR-…) or global id.")
    async def return_request(self, info: Info, id: strawberry.ID) -> ReturnRequestType | None:
        columns, whole = request_columns(info)
        rid, loaders = return_request_key(id), info.context.loaders
        items = items_under(info, ())
        if items is None:
            row = await loaders.request_row(rid, columns)
        else:  # its items in the same go
            async with info.context.db.reading() as reads:
                row = await loaders.request_and_children_now(reads, rid, ITEMS, columns, items)
        return ReturnRequestType.from_row(row, whole=whole) if row else None

    @strawberry.field(description="Return requests, newest first.")
    async def return_requests(
        self,
        info: Info,
        first: PageSize,
        filter: ReturnRequestFilter | None = None,
        after: str | None = None,
        order_by: ReturnRequestSort = ReturnRequestSort.NEWEST,
    ) -> ReturnRequestConnection:
        context = info.context
        wanted = page_request(first, filter, after, order_by)
        flt, sort, position = wanted.filter, wanted.sort, wanted.position
        columns, whole = request_columns(info, under=("edges", "node"))
        items = items_under(info, ("edges", "node"))
        async with context.db.reading() as reads:
            page = await read_model.page_return_requests(
                reads,
                context.tenant_id,
                flt,
                first=wanted.first,
                after=position,
                columns=columns,
                sort=sort,
            )
            if items is not None and page.rows:
                ids = [row["id"] for row in page.rows]
                await context.loaders.prefetch_children(reads, ITEMS, ids, items)
        edges = [
            ReturnRequestEdge(node=ReturnRequestType.from_row(row, whole=whole), sort=sort)
            for row in page.rows
        ]
        return ReturnRequestConnection(
            edges=edges,
            filter=flt,
            page_info=PageInfo.of(
                edges,
                has_next=page.has_next,
                has_previous=position is not None,
                cursor=ReturnRequestEdge.cursor_text,
            ),
        )
