"""Which columns each field of a return request and of its items reads, so a query reads
only those (graphql_api/selection.py). A field named like its column reads it without a line
here. A field missing here reads nothing of its own; a test checks that every field of both
types is either here or known to need only the key."""

from __future__ import annotations

import functools
from typing import Any

from graphql_api.context import Info
from graphql_api.selection import columns_for, selected_fields
from persistence.tables import ReturnItemRow, ReturnRequestRow


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _same_named(table: Any) -> dict[str, tuple[str, ...]]:
    """A field named like its column (`customerComment`, `customer_comment`) reads that
    column, so a new plain field needs no line here."""
    return {_camel(column.name): (column.name,) for column in table.__table__.columns}


# The fields whose name is not their column's, or that read several columns.
REQUEST_COLUMNS: dict[str, tuple[str, ...]] = _same_named(ReturnRequestRow) | {
    "returnRequestId": ("id",),
    "resolutionCode": ("resolution",),
    "collection": ("collection_start", "collection_end"),
    "creationSource": ("creation_source", "creation_user"),
    "updateSource": ("update_source", "update_user"),
    "updatedByUser": ("update_user",),
    "order": ("order_reference",),
    "storeCreditAccounts": ("order_reference",),
    "value": ("value_thousandths", "currency"),
    "statusPageUrl": ("merchant",),  # signed for the key and the merchant, read anyway
}
# Every row carries the key (children, events and the aggregate are found by it), the
# merchant (reference codes and orders are the merchant's) and the cursor's time.
REQUEST_ALWAYS = ("id", "merchant", "created_at")

ITEM_COLUMNS: dict[str, tuple[str, ...]] = _same_named(ReturnItemRow) | {
    "reason": ("reason_code",),
    "comments": ("comment_codes",),
    "itemConditionCode": ("item_condition",),
    "resolutionCode": ("resolution",),
    "refundTypeCode": ("refund_type",),
}
ITEM_ALWAYS = ("position",)


# Fields only the whole aggregate can answer: when a query selects one, it reads the whole
# aggregate anyway, and the request's children are taken from it rather than read again.
AGGREGATE_FIELDS = frozenset({"allowedActions", "refundTotals", "fees", "balance"})


def request_columns(info: Info, under: tuple[str, ...] = ()) -> tuple[frozenset[str], bool]:
    """The return-request columns the selection under this field reads, and whether it
    selects a field only the whole aggregate answers."""
    return _request_columns(selected_fields(info, under))


def item_columns(info: Info) -> frozenset[str]:
    return _item_columns(selected_fields(info))


def items_under(info: Info, under: tuple[str, ...]) -> frozenset[str] | None:
    """The item columns a query selects on the requests under this field (`under` leads to
    them), or None when it selects no items or reads whole aggregates (which bring them)."""
    fields = selected_fields(info, under)
    if "items" not in fields or fields & AGGREGATE_FIELDS:
        return None
    return _item_columns(selected_fields(info, (*under, "items")))


@functools.lru_cache(maxsize=1024)
def _request_columns(fields: frozenset[str]) -> tuple[frozenset[str], bool]:
    columns = columns_for(fields, REQUEST_COLUMNS, REQUEST_ALWAYS)
    return columns, bool(fields & AGGREGATE_FIELDS)


@functools.lru_cache(maxsize=1024)
def _item_columns(fields: frozenset[str]) -> frozenset[str]:
    return columns_for(fields, ITEM_COLUMNS, ITEM_ALWAYS)
