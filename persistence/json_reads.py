"""Return requests read as the JSON text of their answer, written by the database itself.

A GraphQL read of plain fields (graphql_api/sql_json.py) costs this process more to turn
rows into objects, objects into dicts and dicts into JSON than the database costs to read
them. Here the database writes the answer's text: one statement per answer, its selection
declared as a `JsonObject` (response keys and the column and kind of value behind each),
the text spliced into the response as it comes. PostGraphile 4 and Hasura read this way.

The text is exactly what orjson writes of the value the existing path gives: no spaces,
keys in selection order, strings escaped as orjson escapes them (PostgreSQL's `to_json` and
SQLite's `json_quote` escape the same characters the same way), times in UTC as Python's
`isoformat()` writes them, money in `decimal_text`'s canonical form. The objects are
written by concatenation rather than `json_build_object`, whose text has spaces.

A value the database cannot write exactly (on SQLite, a stored decimal in another form than
its canonical one; a time stored otherwise than SQLAlchemy stores it; a status no enum
value names) writes a control character, which no JSON text holds unescaped: `DOUBT`.
The caller then answers the other way.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import Enum
from typing import Any

import orjson
from sqlalchemy import Select, bindparam, literal_column, select

from persistence import read_model
from persistence.read_model import (
    REQUESTS,
    Child,
    PagePosition,
    ReturnFilter,
    ReturnSort,
    SortPosition,
)
from persistence.statements import POSTGRESQL, Statements

# Written in place of a value the database cannot write exactly: a control character,
# which JSON text never holds unescaped.
DOUBT = "\x01"


class Kind(Enum):
    """How a column's value is written as JSON."""

    TEXT = "text"  # a string (or null)
    INTEGER = "integer"
    BOOLEAN = "boolean"
    TIME = "time"  # an aware UTC time, as `datetime.isoformat()` writes it
    MONEY = "money"  # an exact decimal stored as text, as `decimal_text` writes it
    GLOBAL_ID = "global_id"  # `to_global_id(prefix, column)` (PostgreSQL only)
    ENUM = "enum"  # a stored value written as its name (`names`)


class Unsupported(Exception):
    """This selection cannot be written by this database: the caller answers otherwise."""


@dataclass(frozen=True, slots=True)
class Column:
    """A member whose value is a column of the object's table."""

    key: str  # the response key
    column: str
    kind: Kind
    prefix: str = ""  # GLOBAL_ID: the type name it is encoded with
    names: tuple[tuple[str, str], ...] = ()  # ENUM: (stored value, name)


@dataclass(frozen=True, slots=True)
class Constant:
    """A member with the same value in every object (`__typename`)."""

    key: str
    value: str


@dataclass(frozen=True, slots=True)
class Children:
    """A member listing the object's children of one kind, in their order."""

    key: str
    child: Child
    shape: JsonObject


Member = Column | Constant | Children


@dataclass(frozen=True, slots=True)
class JsonObject:
    members: tuple[Member, ...]


# --------------------------------------------------------------------------- reading


async def request_json(
    reads: Statements, tenant_id: str, rid: str, shape: JsonObject
) -> str | None:
    """One return request of the tenant as the JSON text of `shape`; None when there is
    none. May hold `DOUBT`."""
    statement = _one_request(reads.dialect_name, shape)
    rows = await reads.rows(statement, {"tenant": tenant_id, "id": rid})
    return rows[0]["answer"] if rows else None


async def page_json(
    reads: Statements,
    tenant_id: str,
    flt: ReturnFilter,
    *,
    first: int,
    after: PagePosition | SortPosition | None,
    sort: ReturnSort,
    shape: JsonObject,
) -> tuple[list[str], bool]:
    """A page of return requests as `page_return_requests` reads it (the same filter,
    order, keyset and size), each as the JSON text of `shape`; and whether more follow."""
    statement, values = read_model.page_query(
        reads.dialect_name, tenant_id, flt, first=first, after=after, sort=sort
    )
    rows = await reads.rows(_answering(statement, reads.dialect_name, shape), values)
    return [row["answer"] for row in rows[:first]], len(rows) > first


@functools.lru_cache(maxsize=512)
def _one_request(dialect_name: str, shape: JsonObject) -> Select[Any]:
    """Built once per database and shape, like every statement (persistence/statements.py).
    One request by `id = $n`, planned once by PostgreSQL (read_model says why)."""
    answer = literal_column(object_sql(dialect_name, REQUESTS.name, shape)).label("answer")
    return (
        select(answer)
        .select_from(REQUESTS)
        .where(REQUESTS.c.tenant_id == bindparam("tenant"), REQUESTS.c.id == bindparam("id"))
    )


@functools.lru_cache(maxsize=512)
def _answering(page: Select[Any], dialect_name: str, shape: JsonObject) -> Select[Any]:
    """The page statement answering its rows' JSON text instead of their columns."""
    answer = literal_column(object_sql(dialect_name, REQUESTS.name, shape)).label("answer")
    return page.with_only_columns(answer, maintain_column_froms=True)


# --------------------------------------------------------------------------- writing SQL


def object_sql(dialect_name: str, table: str, shape: JsonObject) -> str:
    """SQL writing one row of `table` as the JSON text of `shape`. Every name in it is a
    column or table of ours, or a response key (a GraphQL name) encoded as JSON text."""
    parts: list[str] = []
    for index, member in enumerate(shape.members):
        head = ("{" if index == 0 else ",") + orjson.dumps(member.key).decode() + ":"
        parts.append(_literal(head))
        parts.append(_value_sql(dialect_name, table, member))
    parts.append(_literal("}" if shape.members else "{}"))
    return "(" + " || ".join(parts) + ")"


def _value_sql(dialect_name: str, table: str, member: Member) -> str:
    if isinstance(member, Constant):
        return _literal(orjson.dumps(member.value).decode())
    if isinstance(member, Children):
        return _children_sql(dialect_name, table, member)
    column = f"{table}.{member.column}"
    if member.kind is Kind.ENUM:
        doubt = "chr(1)" if dialect_name == POSTGRESQL else "char(1)"
        cases = " ".join(
            f"WHEN {_literal(value)} THEN {_literal(orjson.dumps(name).decode())}"
            for value, name in member.names
        )
        named = f"CASE {column} {cases} ELSE {doubt} END"
        return f"CASE WHEN {column} IS NULL THEN 'null' ELSE {named} END"
    if dialect_name == POSTGRESQL:
        return _postgresql_value(column, member)
    return _sqlite_value(column, member)


def _postgresql_value(column: str, member: Column) -> str:
    kind = member.kind
    if kind is Kind.TEXT:
        return f"coalesce(to_json({column})::text, 'null')"
    if kind is Kind.INTEGER:
        return f"coalesce({column}::text, 'null')"
    if kind is Kind.BOOLEAN:
        return f"CASE WHEN {column} THEN 'true' WHEN NOT {column} THEN 'false' ELSE 'null' END"
    if kind is Kind.MONEY:
        # numeric's text is decimal_text's form of any text Python's str(Decimal) stores:
        # fixed-point, no exponent, no negative zero, its scale kept ("1.50").
        return f"coalesce('\"' || {column}::numeric::text || '\"', 'null')"
    if kind is Kind.TIME:
        # isoformat(): the microseconds only when there are some (".000000" can stand
        # nowhere else in the text), then the UTC offset.
        utc = f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
        return f"coalesce('\"' || replace({utc}, '.000000', '') || '+00:00\"', 'null')"
    if kind is Kind.GLOBAL_ID:
        raw = f"convert_to({_literal(member.prefix + ':')} || {column}, 'UTF8')"
        # urlsafe base64 without padding; encode() breaks its lines every 76 characters.
        base64 = f"rtrim(translate(encode({raw}, 'base64'), E'+/\\n', '-_'), '=')"
        return f"coalesce('\"' || {base64} || '\"', 'null')"
    raise Unsupported(kind)


def _sqlite_value(column: str, member: Column) -> str:
    kind = member.kind
    if kind is Kind.TEXT:
        return f"json_quote({column})"  # null for NULL
    if kind is Kind.INTEGER:
        return f"coalesce({column}, 'null')"
    if kind is Kind.BOOLEAN:
        return f"CASE WHEN {column} THEN 'true' WHEN NOT {column} THEN 'false' ELSE 'null' END"
    if kind is Kind.MONEY:
        # Stored as str(Decimal): plain digits are already canonical; anything else (a
        # sign, an exponent) is left to Python, which knows the rules.
        return (
            f"CASE WHEN {column} IS NULL THEN 'null' "
            f"WHEN {column} GLOB '*[^0-9.]*' OR {column} = '' THEN char(1) "
            f"ELSE '\"' || {column} || '\"' END"
        )
    if kind is Kind.TIME:
        # SQLAlchemy stores naive UTC as "YYYY-MM-DD HH:MM:SS.ffffff".
        iso = f"replace(replace({column}, ' ', 'T'), '.000000', '')"
        return (
            f"CASE WHEN {column} IS NULL THEN 'null' "
            f"WHEN length({column}) <> 26 OR substr({column}, 11, 1) <> ' ' THEN char(1) "
            f"ELSE '\"' || {iso} || '+00:00\"' END"
        )
    raise Unsupported(kind)


def _children_sql(dialect_name: str, parent: str, member: Children) -> str:
    """The children as a JSON array, in their order (as read_model reads them)."""
    table = member.child.table.name
    element = object_sql(dialect_name, table, member.shape)
    where = f"{table}.tenant_id = {parent}.tenant_id AND {table}.return_request_id = {parent}.id"
    if dialect_name == POSTGRESQL:
        joined = (
            f"(SELECT string_agg({element}, ',' ORDER BY {table}.position) "
            f"FROM {table} WHERE {where})"
        )
    else:  # SQLite (3.40) has no ORDER BY in an aggregate: it concatenates in scan order
        joined = (
            f"(SELECT group_concat(element, ',') FROM (SELECT {element} AS element "
            f"FROM {table} WHERE {where} ORDER BY {table}.position))"
        )
    return f"'[' || coalesce({joined}, '') || ']'"


def _literal(text: str) -> str:
    """A SQL string literal of `text`."""
    return "'" + text.replace("'", "''") + "'"


def supported(dialect_name: str, shape: JsonObject) -> bool:
    """Whether this database writes every member of `shape`."""
    try:
        object_sql(dialect_name, REQUESTS.name, shape)
    except Unsupported:
        return False
    return True
