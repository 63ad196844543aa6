"""Return request queries: one by id, and a keyset-paginated, filterable connection."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

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
        )


def _edge_cursor(root: ReturnRequestEdge) -> str:
    return root.cursor_text()


@strawberry.type
class ReturnRequestEdge:
    cursor: str = strawberry.field(resolver=_edge_cursor)
    node: ReturnRequestType

    def cursor_text(self) -> str:
        """Encoded only when asked: a dashboard's page of 100 rarely selects cursors."""
        return encode_cursor(self.node.created_at, self.node.return_request_id)


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


def decode_cursor(cursor: str) -> read_model.PagePosition:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, rid = json.loads(base64.urlsafe_b64decode(padded))
        position = read_model.PagePosition(datetime.fromisoformat(created), str(rid))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise ClientError("`after` is not a cursor returned by this API") from None
    if position.created_at.utcoffset() is None:
        raise ClientError("`after` is not a cursor returned by this API")
    return position


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
    ) -> ReturnRequestConnection:
        context = info.context
        flt = (filter or ReturnRequestFilter()).to_query()
        position = decode_cursor(after) if after else None
        columns, whole = request_columns(info, under=("edges", "node"))
        items = items_under(info, ("edges", "node"))
        async with context.db.reading() as reads:
            page = await read_model.page_return_requests(
                reads,
                context.tenant_id,
                flt,
                first=check_first(first),
                after=position,
                columns=columns,
            )
            if items is not None and page.rows:
                ids = [row["id"] for row in page.rows]
                await context.loaders.prefetch_children(reads, ITEMS, ids, items)
        edges = [
            ReturnRequestEdge(node=ReturnRequestType.from_row(row, whole=whole))
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
