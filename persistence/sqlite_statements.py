"""SQLite's write transactions run their statements straight on the aiosqlite connection.

SQLite has one writer at a time, so a write's time in its transaction is what every other
writer waits: through SQLAlchemy's execution layer each statement cost about 0.3 ms of CPU
(building the execution context, its cursor wrapper, its result), and two hops to the
driver's thread (execute, then fetch). Here a statement is compiled once into SQL text, its
values converted by the columns' own bind processors and its rows by their result
processors (as persistence/statements.py does for asyncpg), and it runs in one hop. So both
ways store and read the same values.

What this does not run itself goes through SQLAlchemy on the same connection, inside the
same transaction: a `text()` whose rows are wanted (its columns are not declared) and an
empty "is one of" list (SQLAlchemy's own empty-set SQL).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable

from persistence.statements import (
    Row,
    SqlAlchemyStatements,
    Values,
    Write,
    _as_is,
    _Compiled,
    _returns_rows,
    _row_function,
    each_in_turn,
    in_turn,
)

# How SQLAlchemy writes a list bound to an expanding `IN` (statements.one_of) before it
# knows the list's length.
_EXPANDING = "(__[POSTCOMPILE_{}])"


class _SqliteCompiled(_Compiled):
    """A statement as sqlite3 runs it: `?` placeholders, with a list bound to an expanding
    `IN` written out as one placeholder per value."""

    __slots__ = ("_shapes", "expanding", "named")

    def __init__(self, statement: Any, dialect: Dialect) -> None:
        super().__init__(statement, dialect)
        compiled = statement.compile(dialect=dialect)
        names = compiled.positiontup or ()
        self.expanding = {name for name in names if compiled.binds[name].expanding}
        # sqlite3 gives tuples: rows become mappings by the statement's declared columns.
        columns = list(
            getattr(statement, "selected_columns", None)
            or getattr(statement, "exported_columns", None)
            or ()
        )
        self.named = bool(columns)
        if self.named and self.row is _as_is:
            self.row = _row_function([(c.key, n, None) for n, c in enumerate(columns)])
        self._shapes: dict[tuple[int, ...], str] = {}

    def runnable(self, params: Values) -> tuple[str, list[Any]] | None:
        """The SQL and its values, or None when SQLAlchemy must write it (an empty list)."""
        if not self.expanding:
            return self.sql, self.arguments(params)
        lengths = tuple(len(params[name]) for name in sorted(self.expanding))
        if 0 in lengths:
            return None
        sql = self._shapes.get(lengths)
        if sql is None:
            sql = self.sql
            for name, length in zip(sorted(self.expanding), lengths, strict=True):
                sql = sql.replace(_EXPANDING.format(name), "(" + ", ".join("?" * length) + ")")
            self._shapes[lengths] = sql
        return sql, self._expanded(params)

    def _expanded(self, params: Values) -> list[Any]:
        if self.constants:
            params = {**self.constants, **params}
        values: list[Any] = []
        for name, process in self.binds:
            value = params[name]
            if name in self.expanding:
                values.extend(process(v) if process else v for v in value)
            else:
                values.append(process(value) if process else value)
        return values


def _fetch_each(
    connection: sqlite3.Connection, runnables: list[tuple[str, list[Any]]]
) -> list[list[Any]]:
    """In the driver's thread: each SELECT's records."""
    found = []
    for sql, values in runnables:
        cursor = connection.execute(sql, values)
        try:
            found.append(cursor.fetchall())
        finally:
            cursor.close()
    return found


def _run_batch(
    connection: sqlite3.Connection, batch: list[tuple[str, list[Any]]], fetched: bool
) -> list[Any]:
    """In the driver's thread: each statement once per row of values; with `fetched`, the
    last one runs once and its rows come back."""
    for sql, rows in batch[:-1] if fetched else batch:
        connection.executemany(sql, rows).close()
    if not fetched:
        return []
    sql, [values] = batch[-1]
    cursor = connection.execute(sql, values)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


class SqliteDriverStatements:
    """Statements of one SQLite write transaction, run on its aiosqlite connection."""

    dialect_name = "sqlite"
    _compiled: dict[int, tuple[Executable, _SqliteCompiled]] = {}
    MAX_COMPILED = 2048  # statements are built once each; this only bounds a mistake

    def __init__(
        self,
        connection: AsyncConnection,
        driver: Any,
        dialect: Dialect,
        observers: Sequence[Callable[[str], None]] = (),
    ) -> None:
        self._driver = driver  # aiosqlite.Connection
        self._dialect = dialect
        self._observers = observers
        self._fallback = SqlAlchemyStatements(connection, "sqlite")

    async def rows(self, statement: Executable, params: Values | None = None) -> Sequence[Row]:
        compiled = self._compile(statement)
        runnable = compiled.runnable(params or {}) if compiled.named else None
        if runnable is None:
            return await self._fallback.rows(statement, params)
        self._observe(runnable[0])
        records = await self._run(self._driver.execute_fetchall, *runnable)
        row = compiled.row
        return [row(record) for record in records]

    async def scalar(self, statement: Executable, params: Values | None = None) -> Any:
        compiled = self._compile(statement)
        runnable = compiled.runnable(params or {})
        if runnable is None:
            return await self._fallback.scalar(statement, params)
        self._observe(runnable[0])
        records = await self._run(self._driver.execute_fetchall, *runnable)
        if not records:
            return None
        if compiled.named:
            return next(iter(compiled.row(records[0]).values()))
        return records[0][0]

    async def execute(self, statement: Executable, params: Values | None = None) -> int:
        compiled = self._compile(statement)
        runnable = compiled.runnable(params or {})
        if runnable is None:
            return await self._fallback.execute(statement, params)
        self._observe(runnable[0])
        cursor = await self._run(self._driver.execute, *runnable)
        return int(cursor.rowcount)

    async def execute_many(self, statement: Executable, rows: Sequence[Values]) -> None:
        if not rows:
            return
        compiled = self._compile(statement)
        if compiled.expanding:
            await self._fallback.execute_many(statement, rows)
            return
        self._observe(compiled.sql)
        await self._run(
            self._driver.executemany, compiled.sql, [compiled.arguments(row) for row in rows]
        )

    async def rows_each(self, queries: Sequence[tuple[Executable, Values]]) -> list[Sequence[Row]]:
        """Every SELECT in ONE hop to the driver's thread (see `write_all`): a whole
        aggregate's eight, a merchant's four rule sources."""
        ready: list[tuple[_SqliteCompiled, tuple[str, list[Any]]]] = []
        for statement, params in queries:
            compiled = self._compile(statement)
            runnable = compiled.runnable(params or {}) if compiled.named else None
            if runnable is None:  # SQLAlchemy writes it (an empty list): one at a time
                return await each_in_turn(self, queries)
            ready.append((compiled, runnable))
        for _, (sql, _values) in ready:
            self._observe(sql)
        runnables = [runnable for _, runnable in ready]
        try:
            found = await self._driver._execute(_fetch_each, self._driver._conn, runnables)
        except sqlite3.Error as error:
            raise DBAPIError.instance(
                runnables[0][0], None, error, sqlite3.Error, hide_parameters=True
            ) from error
        return [
            [compiled.row(record) for record in records]
            for (compiled, _), records in zip(ready, found, strict=True)
        ]

    async def write_all(self, writes: Sequence[Write]) -> Sequence[Row]:
        """One statement (an executemany) per write, in order, all in ONE hop to the
        driver's thread (aiosqlite's `_execute` runs a function there): each hop cost more
        of this process's CPU than the statement it carried."""
        batch: list[tuple[str, list[Any]]] = []
        for write in writes:
            compiled = self._compile(write.statement)
            if compiled.expanding:  # a list written out per length: not on this path
                return await in_turn(self, writes)
            if write.rows:
                self._observe(compiled.sql)
                batch.append((compiled.sql, [compiled.arguments(row) for row in write.rows]))
        last = writes[-1] if writes else None
        fetched = last is not None and len(last.rows) == 1 and _returns_rows(last.statement)
        if not batch:
            return []
        try:
            records = await self._driver._execute(_run_batch, self._driver._conn, batch, fetched)
        except sqlite3.Error as error:
            raise DBAPIError.instance(
                batch[-1][0], None, error, sqlite3.Error, hide_parameters=True
            ) from error
        if not fetched:
            return []
        row = self._compile(last.statement).row  # type: ignore[union-attr]
        return [row(record) for record in records]

    def _observe(self, sql: str) -> None:
        for observe in self._observers:
            observe(sql)

    async def _run(self, call: Callable[..., Any], sql: str, values: Any) -> Any:
        """Run on aiosqlite; sqlite3's errors surface as SQLAlchemy's (IntegrityError,
        OperationalError…), as they do through SQLAlchemy, so callers handle one kind."""
        try:
            return await call(sql, values)
        except sqlite3.Error as error:
            raise DBAPIError.instance(
                sql, values, error, sqlite3.Error, hide_parameters=True
            ) from error

    def _compile(self, statement: Executable) -> _SqliteCompiled:
        """Compiled once per statement object (see AsyncpgStatements._compile)."""
        found = self._compiled.get(id(statement))
        if found is None or found[0] is not statement:
            if len(self._compiled) >= self.MAX_COMPILED:
                self._compiled.clear()
            found = (statement, _SqliteCompiled(statement, self._dialect))
            self._compiled[id(statement)] = found
        return found[1]
