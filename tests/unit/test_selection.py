"""Reading only the selected columns: which fields a query selects, and which columns each
field of a return request and of its items reads."""

from __future__ import annotations

import strawberry
from graphql import FieldNode, OperationDefinitionNode, parse

from graphql_api.returns.columns import (
    ITEM_ALWAYS,
    ITEM_COLUMNS,
    REQUEST_ALWAYS,
    REQUEST_COLUMNS,
)
from graphql_api.schema import schema
from graphql_api.selection import columns_for, field_names, selected_fields

DOCUMENT = """
query {
  returnRequests(first: 1) {
    totalCount
    edges { cursor node { status ...More ... on ReturnRequest { version } } }
  }
}
fragment More on ReturnRequest { items { sku } createdAt }
"""


def root_field(document: str) -> tuple[FieldNode, dict]:
    parsed = parse(document)
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in parsed.definitions if d is not operation}
    field = operation.selection_set.selections[0]
    assert isinstance(field, FieldNode)
    return field, fragments


def test_fields_are_found_through_fragments_and_under_a_path() -> None:
    field, fragments = root_field(DOCUMENT)
    assert field_names([field], fragments) == {"totalCount", "edges"}
    nodes = field_names([field], fragments, ("edges", "node"))
    assert nodes == {"status", "items", "createdAt", "version"}


def test_columns_are_those_of_the_selected_fields_and_the_key() -> None:
    columns = columns_for({"status", "items", "collection"}, REQUEST_COLUMNS, REQUEST_ALWAYS)
    assert columns == {
        "id",
        "merchant",
        "created_at",
        "status",
        "collection_start",
        "collection_end",
    }


def test_every_field_of_a_request_and_an_item_says_what_it_reads() -> None:
    """A new field must say which columns it reads (or that it needs only the row's key),
    or a query selecting it alone would read nothing for it."""
    key_only = {"id", "merchant", "createdAt", "allowedActions", "items", "notes", "refunds",
                "refundTotals", "reverseShipments", "itemsUpdates", "events",
                "balance", "exchangeLines", "exchangePayments"}  # fmt: skip
    request_fields = set(schema._schema.type_map["ReturnRequest"].fields)
    assert request_fields - key_only - REQUEST_COLUMNS.keys() == set()
    item_fields = set(schema._schema.type_map["ReturnItem"].fields)
    assert item_fields - ITEM_COLUMNS.keys() == set()
    assert set(REQUEST_ALWAYS) <= {"id", "merchant", "created_at"} and ITEM_ALWAYS


def test_a_resolver_sees_its_selection_through_strawberrys_info() -> None:
    """selected_fields reads graphql-core's field nodes from strawberry's Info: this fails
    loudly if a strawberry release renames what it relies on."""
    SEEN.clear()
    result = strawberry.Schema(query=Query).execute_sync("{ thing { a ... on Thing { b } } }")
    assert result.errors is None
    assert frozenset({"a", "b"}) == SEEN[0]


SEEN: list[frozenset[str]] = []


@strawberry.type
class Thing:
    a: int = 1
    b: int = 2


@strawberry.type
class Query:
    @strawberry.field
    def thing(self, info: strawberry.Info) -> Thing:
        SEEN.append(selected_fields(info))
        return Thing()
