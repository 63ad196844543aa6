"""The fields the database writes as JSON (graphql_api/returns/sql_fields.py) are declared
against the types and the tables they come from: a field is a plain one of its type, read
from the column its view reads, written as the column's type stores it, never null where
the schema says it cannot be; an enum's stored values are its members' names."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLNonNull, get_named_type
from sqlalchemy import BigInteger, Boolean, Integer, String

from graphql_api.returns.columns import ITEM_COLUMNS, REQUEST_COLUMNS
from graphql_api.returns.sql_fields import ITEM_FIELDS, REQUEST_FIELDS, TYPES
from graphql_api.schema import schema
from graphql_api.sql_json import ChildList, Value
from persistence.json_reads import Kind
from persistence.tables import ReturnItemRow, ReturnRequestRow
from persistence.types import ExactDecimal, UTCDateTime

TABLES = {"ReturnRequest": ReturnRequestRow.__table__, "ReturnItem": ReturnItemRow.__table__}  # type: ignore[attr-defined]
COLUMNS = {"ReturnRequest": REQUEST_COLUMNS, "ReturnItem": ITEM_COLUMNS}
STORED_AS = {
    Kind.TEXT: (String,),
    Kind.ENUM: (String,),
    Kind.GLOBAL_ID: (String,),
    Kind.INTEGER: (Integer, BigInteger),
    Kind.BOOLEAN: (Boolean,),
    Kind.TIME: (UTCDateTime,),
    Kind.MONEY: (ExactDecimal,),
}
DECLARED = [
    (type_name, field_name, source)
    for type_name, fields in TYPES.items()
    for field_name, source in fields.items()
]


def _strawberry_field(type_name: str, field_name: str) -> Any:
    graphql_type = schema._schema.type_map[type_name]
    return graphql_type.fields[field_name].extensions["strawberry-definition"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("type_name", "field_name", "source"), DECLARED)
def test_a_declared_value_is_a_plain_field_read_from_its_column(
    type_name: str, field_name: str, source: Any
) -> None:
    if not isinstance(source, Value):
        return
    field = _strawberry_field(type_name, field_name)
    assert field.base_resolver is None, "a field with a resolver answers what it computes"
    column = TABLES[type_name].c[source.column]
    if source.kind is not Kind.GLOBAL_ID:  # the key, encoded
        assert COLUMNS[type_name][field_name] == (source.column,)
    stored = (column.type, getattr(column.type, "impl", None))  # SQLModel's AutoString too
    assert any(isinstance(t, STORED_AS[source.kind]) for t in stored), (column.type, source.kind)
    if source.kind not in (Kind.MONEY, Kind.TIME):  # stored as text, but not written as it
        assert not isinstance(column.type, ExactDecimal | UTCDateTime)
    graphql_field = schema._schema.type_map[type_name].fields[field_name]  # type: ignore[attr-defined]
    if column.nullable:
        assert not isinstance(graphql_field.type, GraphQLNonNull)


@pytest.mark.parametrize(("type_name", "field_name", "source"), DECLARED)
def test_a_declared_list_lists_children_of_a_declared_type(
    type_name: str, field_name: str, source: Any
) -> None:
    if not isinstance(source, ChildList):
        return
    graphql_field = schema._schema.type_map[type_name].fields[field_name]  # type: ignore[attr-defined]
    assert get_named_type(graphql_field.type).name in TYPES
    assert source.child.table is TABLES[get_named_type(graphql_field.type).name]


def test_an_enum_is_written_as_its_members_names() -> None:
    status = REQUEST_FIELDS["status"]
    assert isinstance(status, Value)
    enum = get_named_type(schema._schema.type_map["ReturnRequest"].fields["status"].type)  # type: ignore[attr-defined]
    wrapped = enum.wrapped_cls  # type: ignore[attr-defined]
    assert dict(status.names) == {
        member.value: enum.coerce_output_value(member)
        for member in wrapped  # type: ignore[attr-defined]
    }


def test_items_and_requests_are_both_declared() -> None:
    assert set(TYPES) == {"ReturnRequest", "ReturnItem"}
    assert "items" in REQUEST_FIELDS and "unitPrice" in ITEM_FIELDS
