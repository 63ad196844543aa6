"""How persistence runs its SQL, as cheaply as each database allows.

Every read and write takes a `Statements`: rows come back as mappings (column name → value,
as SQLAlchemy's column types make them), writes take mappings of bound values. Statements
are SQLAlchemy Core, written once for both databases and built once each (bindparams, no
values inside), so they can be compiled once; only how they run differs:

- PostgreSQL: compiled once per statement into SQL text and run straight on the asyncpg
  connection under SQLAlchemy's pool (reads) or in the unit of work's transaction (writes).
  Through SQLAlchemy's execution layer a small statement costs about 0.4 ms of CPU; on
  asyncpg, 0.05 ms (measured on bench/compare.py's data). The columns' own bind and
  result processors convert the values, so both ways store and read the same values.
- SQLite: through SQLAlchemy Core.

`one_of` writes "column is in this list" so PostgreSQL gets one prepared statement for any
length of the list (`= ANY($n)`) and SQLite an expanding `IN`.

`write_all` runs a unit of work's writes that do not depend on each other in one round trip
on PostgreSQL: the first ones become WITH clauses of the last (each row its own clause, or
one multi-row INSERT), so a create's request, items and search row, or a commit's
deliveries, messages and rollups, cost one statement instead of one per table.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg
from sqlalchemy import ColumnElement, Table, any_, bindparam, delete, insert, update
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import Executable

Row = Mapping[str, Any]
Values = Mapping[str, Any]
POSTGRESQL = "postgresql"
# Rows `write_all` puts in one statement on PostgreSQL; past it the writes run one
# statement (an executemany) each, so a large order's rows never make a statement of
# thousands of parameters, nor a new prepared statement for every count.
MAX_ROWS_TOGETHER = 64


@dataclass(frozen=True, slots=True)
class Write:
    """DML run once per row of values. `together(n)`, when given, is the same statement
    for n rows at once (bound as `numbered(rows)`): one multi-row INSERT instead of n."""

    statement: Executable
    rows: Sequence[Values]
    together: Callable[[int], Executable] | None = None


class Statements(Protocol):
    dialect_name: str

    async def rows(self, statement: Executable, params: Values | None = None) -> Sequence[Row]:
        """The rows a statement returns (a SELECT, or DML with RETURNING)."""
        ...

    async def scalar(self, statement: Executable, params: Values | None = None) -> Any:
        """The first column of the first row, or None."""
        ...

    async def execute(self, statement: Executable, params: Values | None = None) -> int:
        """Run DML once; the number of rows it touched."""
        ...

    async def execute_many(self, statement: Executable, rows: Sequence[Values]) -> None:
        """Run DML once per set of values, in one round trip where the driver can."""
        ...

    async def rows_each(self, queries: Sequence[tuple[Executable, Values]]) -> list[Sequence[Row]]:
        """The rows of each SELECT, in order (SQLite: in one hop to its driver's thread)."""
        ...

    async def write_all(self, writes: Sequence[Write]) -> Sequence[Row]:
        """Run writes that are independent of each other (none reads or writes a row
        another one writes), in order; the rows the last one's single row returns (an
        INSERT/UPDATE … RETURNING), else none. PostgreSQL runs them as one statement."""
        ...


def one_of(column: ColumnElement[Any], name: str, dialect_name: str) -> ColumnElement[bool]:
    """`column` is one of the list bound as `name`."""
    if dialect_name == POSTGRESQL:
        return column == any_(bindparam(name))
    return column.in_(bindparam(name, expanding=True))


class SqlAlchemyStatements:
    """Statements through SQLAlchemy Core, on a connection or inside a session's transaction."""

    def __init__(self, executor: AsyncConnection | AsyncSession, dialect_name: str) -> None:
        self._executor = executor
        self.dialect_name = dialect_name

    @classmethod
    def of(cls, executor: AsyncConnection | AsyncSession) -> SqlAlchemyStatements:
        bind = executor.bind if isinstance(executor, AsyncSession) else executor
        return cls(executor, bind.dialect.name)  # type: ignore[union-attr]

    async def rows(self, statement: Executable, params: Values | None = None) -> Sequence[Row]:
        result = await self._executor.execute(statement, dict(params or {}))
        return result.mappings().all()

    async def scalar(self, statement: Executable, params: Values | None = None) -> Any:
        return await self._executor.scalar(statement, dict(params or {}))

    async def execute(self, statement: Executable, params: Values | None = None) -> int:
        result = await self._executor.execute(statement, dict(params or {}))
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def execute_many(self, statement: Executable, rows: Sequence[Values]) -> None:
        if rows:
            await self._executor.execute(statement, [dict(row) for row in rows])

    async def rows_each(self, queries: Sequence[tuple[Executable, Values]]) -> list[Sequence[Row]]:
        return await each_in_turn(self, queries)

    async def write_all(self, writes: Sequence[Write]) -> Sequence[Row]:
        return await in_turn(self, writes)


async def each_in_turn(
    statements: Statements, queries: Sequence[tuple[Executable, Values]]
) -> list[Sequence[Row]]:
    """`rows_each` one statement at a time."""
    return [await statements.rows(statement, params) for statement, params in queries]


async def in_turn(statements: Statements, writes: Sequence[Write]) -> Sequence[Row]:
    """`write_all` one statement (an executemany) per write: the last one's rows when it
    has one row and returns some."""
    for write in writes[:-1]:
        await statements.execute_many(write.statement, write.rows)
    if not writes:
        return []
    last = writes[-1]
    if len(last.rows) == 1 and _returns_rows(last.statement):
        return await statements.rows(last.statement, last.rows[0])
    await statements.execute_many(last.statement, last.rows)
    return []


def _returns_rows(statement: Any) -> bool:
    return bool(getattr(statement, "_returning", None))


def numbered(rows: Sequence[Values]) -> dict[str, Any]:
    """The values of `rows` as a `together(len(rows))` statement binds them."""
    return {f"r{n}_{name}": value for n, row in enumerate(rows) for name, value in row.items()}


class _Compiled:
    """A statement as asyncpg runs it: SQL text, its parameters in order with the
    conversions their types make of the values, and the conversions its result columns'
    types make of what comes back."""

    __slots__ = ("binds", "constants", "row", "sql")

    def __init__(self, statement: Any, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.binds: list[tuple[str, Callable[[Any], Any] | None]] = [
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in compiled.positiontup or ()
        ]
        # Values written into the statement itself (a constant argument of a function).
        self.constants = {
            name: compiled.binds[name].effective_value
            for name in compiled.positiontup or ()
            if not compiled.binds[name].required
        }
        # A SELECT's columns, or what an INSERT/UPDATE … RETURNING returns.
        columns = list(
            getattr(statement, "selected_columns", None)
            or getattr(statement, "exported_columns", None)
            or ()
        )
        fields = [
            (column.key, index, _processor(column, dialect)) for index, column in enumerate(columns)
        ]
        # Records pass as they are when no column converts (an asyncpg Record maps names).
        self.row = _row_function(fields) if any(p for _, _, p in fields) else _as_is

    def arguments(self, params: Values) -> list[Any]:
        """The values in the statement's order, converted by their types; a value a type
        refuses surfaces as SQLAlchemy's StatementError, as it does through SQLAlchemy."""
        if self.constants:
            params = {**self.constants, **params}
        try:
            return [
                process(params[name]) if process is not None else params[name]
                for name, process in self.binds
            ]
        except (TypeError, ValueError) as error:
            raise StatementError(str(error), self.sql, dict(params), error) from error


_PLACEHOLDER = re.compile(r"\$(\d+)")


class _Together:
    """Compiled statements as one: each but the last a WITH clause (`w0 AS (…)`), their
    placeholders renumbered after the ones before; rows are read as the last one's."""

    __slots__ = ("row", "sql")

    def __init__(self, parts: list[_Compiled]) -> None:
        texts, offset = [], 0
        for part in parts:
            if part.sql.lstrip().upper().startswith("WITH") or "$$" in part.sql:
                raise ValueError(f"cannot run with other writes: {part.sql[:80]}")
            texts.append(_PLACEHOLDER.sub(_shifted(offset), part.sql))
            offset += len(part.binds)
        clauses = ", ".join(f"w{n} AS ({text})" for n, text in enumerate(texts[:-1]))
        self.sql = f"WITH {clauses} {texts[-1]}"
        self.row = parts[-1].row


def _shifted(offset: int) -> Callable[[re.Match[str]], str]:
    return lambda found: f"${int(found.group(1)) + offset}"


def _parts(writes: Sequence[Write]) -> list[tuple[Executable, Values]] | None:
    """The statements (with their values) that `write_all` runs as one on PostgreSQL, or
    None when there are too many rows for one statement."""
    writes = [write for write in writes if write.rows]
    if sum(len(write.rows) for write in writes) > MAX_ROWS_TOGETHER:
        return None
    parts: list[tuple[Executable, Values]] = []
    for write in writes:
        if write.together is not None and len(write.rows) > 1:
            parts.append((write.together(len(write.rows)), numbered(write.rows)))
        else:
            parts += [(write.statement, row) for row in write.rows]
    return parts


class AsyncpgStatements:
    """Statements on an asyncpg connection of SQLAlchemy's pool (PostgreSQL only)."""

    dialect_name = POSTGRESQL
    _compiled: dict[int, tuple[Executable, _Compiled]] = {}
    _together: dict[tuple[int, ...], tuple[tuple[Executable, ...], _Together]] = {}
    _readers: dict[tuple[Table, int], Callable[[Any], Row]] = {}
    MAX_COMPILED = 2048  # statements are built once each; this only bounds a mistake

    def __init__(
        self, driver: Any, dialect: Dialect, observers: Sequence[Callable[[str], None]] = ()
    ) -> None:
        self._driver = driver
        self._dialect = dialect
        self._observers = observers

    async def rows(self, statement: Executable, params: Values | None = None) -> Sequence[Row]:
        compiled = self._compile(statement)
        records = await _translated(self._driver.fetch, compiled, params)
        row = compiled.row
        return [row(record) for record in records]

    async def scalar(self, statement: Executable, params: Values | None = None) -> Any:
        rows = await self.rows(statement, params)
        return next(iter(rows[0].values())) if rows else None

    async def execute(self, statement: Executable, params: Values | None = None) -> int:
        compiled = self._compile(statement)
        status = await _translated(self._driver.execute, compiled, params)
        count = status.rsplit(" ", 1)[-1]
        return int(count) if count.isdigit() else 0

    async def execute_many(self, statement: Executable, rows: Sequence[Values]) -> None:
        if not rows:
            return
        compiled = self._compile(statement)
        try:
            await self._driver.executemany(compiled.sql, [compiled.arguments(row) for row in rows])
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(compiled.sql, None, error) from error

    async def rows_each(self, queries: Sequence[tuple[Executable, Values]]) -> list[Sequence[Row]]:
        return await each_in_turn(self, queries)

    async def write_all(self, writes: Sequence[Write]) -> Sequence[Row]:
        """One statement: every row of every write but the last statement becomes a WITH
        clause (a write with `together` one multi-row INSERT). PostgreSQL runs every data-
        modifying WITH clause to completion on the statement's one snapshot, and checks
        foreign keys at its end, so a request and its children may be inserted together."""
        parts = _parts(writes)
        if parts is None:
            return await in_turn(self, writes)
        if not parts:
            return []
        if len(parts) == 1:
            statement, params = parts[0]
            if _returns_rows(statement):
                return await self.rows(statement, params)
            await self.execute(statement, params)
            return []
        compiled = [self._compiled_of(statement) for statement, _ in parts]
        together = self._combined(tuple(statement for statement, _ in parts), compiled)
        self._observe(together.sql)
        arguments = [
            value
            for part, (_, params) in zip(compiled, parts, strict=True)
            for value in part.arguments(params)
        ]
        try:
            records = await self._driver.fetch(together.sql, *arguments)
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(together.sql, None, error) from error
        return [together.row(record) for record in records]

    def row_reader(self, table: Table) -> Callable[[Any], Row]:
        """How a value of `table`'s row type read inside another row (`ARRAY(SELECT t FROM
        t …)`) becomes the row a SELECT from the table gives: by column name, through each
        column type's result processor."""
        key = (table, id(self._dialect))
        reader = self._readers.get(key)
        if reader is None:
            reader = self._readers[key] = _row_reader(table, self._dialect)
        return reader

    def _compile(self, statement: Executable) -> _Compiled:
        """Compiled once per statement object: persistence builds its statements once (or
        once per shape: filters set, columns written) and keeps them."""
        compiled = self._compiled_of(statement)
        self._observe(compiled.sql)
        return compiled

    def _compiled_of(self, statement: Executable) -> _Compiled:
        found = self._compiled.get(id(statement))
        if found is None or found[0] is not statement:
            if len(self._compiled) >= self.MAX_COMPILED:
                self._compiled.clear()
            found = (statement, _Compiled(statement, self._dialect))
            self._compiled[id(statement)] = found
        return found[1]

    def _observe(self, sql: str) -> None:
        for observe in self._observers:
            observe(sql)

    def _combined(self, statements: tuple[Executable, ...], compiled: list[_Compiled]) -> _Together:
        """The statements as one (`write_all`), built once per sequence of statements."""
        key = tuple(id(statement) for statement in statements)
        found = self._together.get(key)
        if found is None or found[0] != statements:
            if len(self._together) >= self.MAX_COMPILED:
                self._together.clear()
            found = (statements, _Together(compiled))
            self._together[key] = found
        return found[1]


def _row_reader(table: Table, dialect: Dialect) -> Callable[[Any], Row]:
    return _row_function(
        [(column.key, column.name, _processor(column, dialect)) for column in table.columns]
    )


def _processor(column: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    return column.type.dialect_impl(dialect).result_processor(dialect, None)  # type: ignore[no-any-return]


def _as_is(record: Any) -> Row:
    return record  # type: ignore[no-any-return]


def _row_function(
    fields: Sequence[tuple[str, int | str, Callable[[Any], Any] | None]],
) -> Callable[[Any], Row]:
    """The function turning a record into its row: each (key, where in the record, the
    column type's result processor) becomes one entry of a dict display, generated once
    per statement. A page reads a thousand rows, and a loop over the columns per row cost
    more than the values it converted."""
    namespace: dict[str, Any] = {}
    entries = []
    for index, (key, where, processor) in enumerate(fields):
        value = f"record[{where!r}]"
        if processor is not None:
            namespace[f"process{index}"] = processor
            value = f"process{index}({value})"
        entries.append(f"{key!r}: {value}")
    source = f"def row(record):\n    return {{{', '.join(entries)}}}\n"
    exec(source, namespace)  # code built from the tables' own column names only
    return namespace["row"]  # type: ignore[no-any-return]


async def _translated(call: Callable[..., Any], compiled: _Compiled, params: Values | None) -> Any:
    """Run on asyncpg; a constraint violation surfaces as SQLAlchemy's IntegrityError, as
    it does through SQLAlchemy, so callers handle one kind whichever way the SQL ran."""
    try:
        return await call(compiled.sql, *compiled.arguments(params or {}))
    except asyncpg.IntegrityConstraintViolationError as error:
        raise IntegrityError(compiled.sql, None, error) from error


# --------------------------------------------------------------------------- statements built once


@functools.lru_cache(maxsize=512)
def insert_into(table: Table, columns: tuple[str, ...], returning: tuple[str, ...] = ()) -> Any:
    """INSERT of rows with these columns (run with their values by name), built once."""
    statement = insert(table).values({name: _bind(table, name) for name in columns})
    return statement.returning(*(table.c[name] for name in returning)) if returning else statement


@functools.lru_cache(maxsize=512)
def insert_rows(table: Table, columns: tuple[str, ...], count: int) -> Any:
    """INSERT of `count` rows with these columns in one statement (run with `numbered`)."""
    return insert(table).values(
        [{name: _bind(table, name, f"r{n}_{name}") for name in columns} for n in range(count)]
    )


def inserting(table: Table, rows: Sequence[Values]) -> Write:
    """The INSERT of `rows` (each with the first's columns) as one write."""
    columns = tuple(rows[0]) if rows else ()
    return Write(insert_into(table, columns), rows, functools.partial(insert_rows, table, columns))


@functools.lru_cache(maxsize=512)
def update_where(
    table: Table, keys: tuple[str, ...], columns: tuple[str, ...], returning: tuple[str, ...] = ()
) -> Any:
    """UPDATE setting `columns` of the rows matching `keys`; run with `where(...)` values."""
    statement = (
        update(table)
        .where(*(table.c[key] == _bind(table, key, f"key_{key}") for key in keys))
        .values({name: _bind(table, name) for name in columns})
    )
    return statement.returning(*(table.c[name] for name in returning)) if returning else statement


@functools.lru_cache(maxsize=512)
def delete_where(table: Table, keys: tuple[str, ...]) -> Any:
    """DELETE of the rows matching `keys`; run with `where(...)` values."""
    return delete(table).where(*(table.c[key] == _bind(table, key, f"key_{key}") for key in keys))


def where(values: Values, **keys: Any) -> dict[str, Any]:
    """The values to run `update_where`/`delete_where` with: the key columns' values under
    their `key_` names, beside the values set."""
    return {**values, **{f"key_{name}": value for name, value in keys.items()}}


def _bind(table: Table, column: str, name: str | None = None) -> Any:
    return bindparam(name or column, type_=table.c[column].type)
