"""What the database writes of return requests and their items as JSON (graphql_api/sql_json.py):
their plain fields, each the column its view reads (types.py, parts.py) and how the value is
written, and the two root fields that read them, `returnRequest(id)` and the connection
`returnRequests` (its edges' nodes and pageInfo's two flags; a cursor or the total count
is answered by the resolvers).

A field declared here answers what its resolver's path answers, for every row: the tests
in tests/unit/test_sql_fields.py check the declarations against the types and the tables,
and tests/e2e/graphql/test_graphql_sql_json.py compares both paths' answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLField, GraphQLObjectType, get_named_type

from core.context import Context
from core.global_ids import return_request_key
from domain.lifecycle import ReturnStatus
from graphql_api.returns.queries import page_request
from graphql_api.sql_json import ChildList, Details, Reader, Selection, Source, Value
from persistence import json_reads
from persistence.json_reads import JsonObject, Kind, Unsupported
from persistence.read_model import ITEMS

TEXT, INTEGER, TIME = Value.text, Value.integer, Value.time

# The statuses' GraphQL names are their stored values (ReturnStatus is a StrEnum of them).
STATUS = Value("status", Kind.ENUM, names=tuple((s.value, s.name) for s in ReturnStatus))

REQUEST_FIELDS: dict[str, Source] = {
    "id": Value("id", Kind.GLOBAL_ID, prefix="ReturnRequest"),
    "returnRequestId": TEXT("id"),
    "merchant": TEXT("merchant"),
    "orderReference": TEXT("order_reference"),
    "status": STATUS,
    "version": INTEGER("version"),
    "channel": TEXT("channel"),
    "customerComment": TEXT("customer_comment"),
    "resolutionCode": TEXT("resolution"),
    "refundMethod": TEXT("refund_method"),
    "assignedToUser": TEXT("assigned_to_user"),
    "rejectionReason": TEXT("rejection_reason"),
    "splitFrom": TEXT("split_from"),
    "autoClosed": Value("auto_closed", Kind.BOOLEAN),
    "updatedByUser": TEXT("update_user"),
    "currency": TEXT("currency"),
    "createdAt": TIME("created_at"),
    "updatedAt": TIME("updated_at"),
    "onHoldAt": TIME("on_hold_at"),
    "approvedAt": TIME("approved_at"),
    "rejectedAt": TIME("rejected_at"),
    "cancelledAt": TIME("cancelled_at"),
    "receivedAt": TIME("received_at"),
    "completedAt": TIME("completed_at"),
    "autoClosedAt": TIME("auto_closed_at"),
    "firstScannedAt": TIME("first_scanned_at"),
    "items": ChildList(ITEMS),
}

ITEM_FIELDS: dict[str, Source] = {
    "sku": TEXT("sku"),
    "description": TEXT("description"),
    "unitPrice": Value("unit_price", Kind.MONEY),
    "currency": TEXT("currency"),
    "quantity": INTEGER("quantity"),
    "approvedQuantity": INTEGER("approved_quantity"),
    "rejectedQuantity": INTEGER("rejected_quantity"),
    "returnedQuantity": INTEGER("returned_quantity"),
    "receivedQuantity": INTEGER("received_quantity"),
    "reasonCode": TEXT("reason_code"),
    "comment": TEXT("comment"),
    "itemConditionCode": TEXT("item_condition"),
    "resolutionCode": TEXT("resolution"),
    "refundTypeCode": TEXT("refund_type"),
    "rejectionReason": TEXT("rejection_reason"),
}

TYPES = {"ReturnRequest": REQUEST_FIELDS, "ReturnItem": ITEM_FIELDS}


class OneRequest:
    """`returnRequest(id)`: the tenant's request by readable or global id, or null."""

    def compile(self, selection: Selection, field_def: GraphQLField, details: Details) -> Reader:
        shape = selection.shape(_object(field_def), details)

        async def read(context: Context, arguments: dict[str, Any]) -> str:
            rid = return_request_key(arguments["id"])
            async with context.db.reading() as reads:
                text = await json_reads.request_json(reads, context.tenant_id, rid, shape)
            return "null" if text is None else text

        return read


@dataclass(frozen=True, slots=True)
class _Page:
    nodes: list[str]  # each node's JSON text
    has_next: bool
    has_previous: bool


Written = Callable[[_Page], str]  # a member of the connection's answer, from its page


class RequestPage:
    """`returnRequests(first, filter, after, orderBy)`: the page its resolver reads (the
    same arguments, refused alike), its edges' nodes written by the database."""

    def compile(self, selection: Selection, field_def: GraphQLField, details: Details) -> Reader:
        connection = _object(field_def)
        members: list[tuple[str, Written]] = []
        shape = None
        for key, found in selection.fields(connection, details).items():
            name = found[0].node.name.value
            if name == "__typename":
                members.append((key, _constant(connection.name)))
            elif name == "edges" and shape is None:
                shape, edges = _edges(selection, _object(connection.fields[name]), found)
                members.append((key, edges))
            elif name == "pageInfo":
                members.append((key, _page_info(selection, connection.fields[name], found)))
            else:
                raise Unsupported(f"{connection.name}.{name}")
        if shape is None:  # no nodes: nothing for the database to write
            raise Unsupported(f"{connection.name} without edges")
        keys = [_key(key) for key, _ in members]
        nodes_shape = shape

        async def read(context: Context, arguments: dict[str, Any]) -> str:
            wanted = page_request(**arguments)
            async with context.db.reading() as reads:
                nodes, has_next = await json_reads.page_json(
                    reads,
                    context.tenant_id,
                    wanted.filter,
                    first=wanted.first,
                    after=wanted.position,
                    sort=wanted.sort,
                    shape=nodes_shape,
                )
            page = _Page(nodes, has_next, wanted.position is not None)
            return _joined(keys, [write(page) for _, write in members])

        return read


def _edges(
    selection: Selection, edge_type: GraphQLObjectType, details: Details
) -> tuple[JsonObject, Written]:
    """The shape of the edges' node, and how the edges are written around the nodes'
    texts: an edge selects its node once, and may select `__typename` beside it."""
    before: list[str] = []  # `"key":value` members before the node, then after it
    after: list[str] = []
    node_key, shape = "", None
    for key, found in selection.fields(edge_type, details).items():
        name = found[0].node.name.value
        if name == "node" and shape is None:
            shape = selection.shape(_object(edge_type.fields[name]), found)
            node_key = _key(key)
        elif name == "__typename":
            (after if shape is not None else before).append(
                _key(key) + orjson.dumps(edge_type.name).decode()
            )
        else:
            raise Unsupported(f"{edge_type.name}.{name}")
    if shape is None:
        raise Unsupported("edges without their node")
    head = "{" + "".join(member + "," for member in before) + node_key
    tail = "".join("," + member for member in after) + "}"
    between = tail + "," + head

    def write(page: _Page) -> str:
        if not page.nodes:
            return "[]"
        return "[" + head + between.join(page.nodes) + tail + "]"

    return shape, write


_FLAGS = {"hasNextPage": "has_next", "hasPreviousPage": "has_previous"}


def _page_info(selection: Selection, field_def: GraphQLField, details: Details) -> Written:
    """pageInfo's two flags (its cursors are the resolver's to write)."""
    info_type = _object(field_def)
    members: list[tuple[str, Written]] = []
    for key, found in selection.fields(info_type, details).items():
        name = found[0].node.name.value
        if name == "__typename":
            members.append((key, _constant(info_type.name)))
        elif name in _FLAGS:
            flag = _FLAGS[name]
            members.append((key, lambda page, flag=flag: _BOOLEAN[getattr(page, flag)]))
        else:
            raise Unsupported(f"{info_type.name}.{name}")
    keys = [_key(key) for key, _ in members]
    return lambda page: _joined(keys, [write(page) for _, write in members])


_BOOLEAN = {True: "true", False: "false"}


def _constant(name: str) -> Written:
    text = orjson.dumps(name).decode()
    return lambda _page: text


def _key(key: str) -> str:
    return orjson.dumps(key).decode() + ":"


def _joined(keys: list[str], values: list[str]) -> str:
    """A JSON object's text from its members' keys (`"key":`) and values' texts."""
    return "{" + ",".join(key + value for key, value in zip(keys, values, strict=True)) + "}"


def _object(field_def: GraphQLField) -> GraphQLObjectType:
    found = get_named_type(field_def.type)
    assert isinstance(found, GraphQLObjectType)
    return found


ROOTS = {"returnRequest": OneRequest(), "returnRequests": RequestPage()}
