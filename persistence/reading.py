"""How the read side runs its SELECTs, and as cheaply as each database allows.

Every read function takes a `Reads` and gets rows as mappings (column name → value, with
the values SQLAlchemy's column types make of them). Statements are SQLAlchemy Core, written
once for both databases; only how they run differs:

- PostgreSQL: compiled once per statement into SQL text and run straight on the asyncpg
  connection underneath SQLAlchemy's pool. Through SQLAlchemy's execution layer a small
  SELECT costs about 0.4 ms of CPU; on asyncpg, 0.05 ms (measured with bench/compare.py's
  data). The column types' own result processors convert the values, so both ways give
  the same values.
- SQLite, and a session inside a write transaction: through SQLAlchemy Core.

`one_of` writes "column is in this list" so PostgreSQL gets one prepared statement for any
length of the list (`= ANY($n)`) and SQLite an expanding `IN`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import ColumnElement, any_, bindparam
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import Executable, Select

Row = Mapping[str, Any]
POSTGRESQL = "postgresql"


class Reads(Protocol):
    dialect_name: str

    async def rows(
        self, statement: Executable, params: Mapping[str, Any] | None = None
    ) -> Sequence[Row]: ...

    async def scalar(self, statement: Executable, params: Mapping[str, Any] | None = None) -> Any:
        """The first column of the first row, or None."""
        ...


def one_of(column: ColumnElement[Any], name: str, dialect_name: str) -> ColumnElement[bool]:
    """`column` is one of the list bound as `name`."""
    if dialect_name == POSTGRESQL:
        return column == any_(bindparam(name))
    return column.in_(bindparam(name, expanding=True))


class SqlAlchemyReads:
    """Reads through SQLAlchemy Core, on a connection or inside a session's transaction."""

    def __init__(self, executor: AsyncConnection | AsyncSession, dialect_name: str) -> None:
        self._executor = executor
        self.dialect_name = dialect_name

    @classmethod
    def of(cls, executor: AsyncConnection | AsyncSession) -> SqlAlchemyReads:
        bind = executor.bind if isinstance(executor, AsyncSession) else executor
        return cls(executor, bind.dialect.name)  # type: ignore[union-attr]

    async def rows(
        self, statement: Executable, params: Mapping[str, Any] | None = None
    ) -> Sequence[Row]:
        result = await self._executor.execute(statement, dict(params or {}))
        return result.mappings().all()

    async def scalar(self, statement: Executable, params: Mapping[str, Any] | None = None) -> Any:
        return await self._executor.scalar(statement, dict(params or {}))


class _Compiled:
    """A statement as asyncpg runs it: SQL text, the order of its parameters, and the
    conversions its columns' types make of the raw values."""

    __slots__ = ("keys", "names", "processors", "sql")

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.names: tuple[str, ...] = tuple(compiled.positiontup or ())
        self.keys = tuple(column.key for column in statement.selected_columns)
        self.processors: list[tuple[str, Callable[[Any], Any]]] = []
        for column in statement.selected_columns:
            processor = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if processor is not None:
                self.processors.append((column.key, processor))

    def row(self, record: Any) -> Row:
        if not self.processors:
            return record  # type: ignore[no-any-return]  # an asyncpg Record maps names too
        values = dict(zip(self.keys, record, strict=True))
        for key, processor in self.processors:
            values[key] = processor(values[key])
        return values


class AsyncpgReads:
    """Reads on the asyncpg connection SQLAlchemy's pool lent (PostgreSQL only)."""

    dialect_name = POSTGRESQL
    _compiled: dict[int, tuple[Select[Any], _Compiled]] = {}
    MAX_COMPILED = 1024  # read statements are built once each; this only bounds a mistake

    def __init__(
        self, driver: Any, dialect: Dialect, observers: Sequence[Callable[[str], None]] = ()
    ) -> None:
        self._driver = driver
        self._dialect = dialect
        self._observers = observers

    async def rows(
        self, statement: Executable, params: Mapping[str, Any] | None = None
    ) -> Sequence[Row]:
        compiled = self._compile(statement)
        for observe in self._observers:
            observe(compiled.sql)
        given = params or {}
        records = await self._driver.fetch(compiled.sql, *(given[n] for n in compiled.names))
        row = compiled.row
        return [row(record) for record in records]

    async def scalar(self, statement: Executable, params: Mapping[str, Any] | None = None) -> Any:
        rows = await self.rows(statement, params)
        return next(iter(rows[0].values())) if rows else None

    def _compile(self, statement: Executable) -> _Compiled:
        """Compiled once per statement object: the read side builds its statements once
        (or once per shape of filter) and keeps them."""
        found = self._compiled.get(id(statement))
        if found is None or found[0] is not statement:
            if len(self._compiled) >= self.MAX_COMPILED:
                self._compiled.clear()
            found = (statement, _Compiled(statement, self._dialect))  # type: ignore[arg-type]
            self._compiled[id(statement)] = found
        return found[1]
