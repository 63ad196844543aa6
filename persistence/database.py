"""Engine and sessions for SQLite (the embedded default) and PostgreSQL (scale-out).

SQLite runs in WAL mode with a busy timeout, and write transactions start with
`BEGIN IMMEDIATE`: concurrent writers then queue for the write lock at the start instead of
failing half-way with "database is locked".

Statements that need no snapshot across statements (the API's views) run on `reading()`, a
connection in autocommit mode: no BEGIN/ROLLBACK round trips around a SELECT. PostgreSQL
connections are not pinged at every checkout (that cost a round trip per request); they are
recycled after `POOL_RECYCLE_SECONDS`, and a connection found dead invalidates the pool.
`reading()` lends asyncpg connections of its own on PostgreSQL, outside SQLAlchemy's pool
(persistence/read_connections.py): the pool's machinery cost a read more than its SELECT.
Write transactions run their statements on the driver on both databases (asyncpg;
aiosqlite through persistence/sqlite_statements.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol

import orjson
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.util import greenlet_spawn

from persistence.read_connections import ReadConnections
from persistence.sqlite_statements import SqliteDriverStatements
from persistence.statements import AsyncpgStatements, SqlAlchemyStatements, Statements

log = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./returns.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000
POOL_SIZE = 16
POOL_MAX_OVERFLOW = 16
POOL_RECYCLE_SECONDS = 1800
POOL_TIMEOUT_SECONDS = 30  # SQLAlchemy's pool_timeout, which the engine keeps
_IMMEDIATE = "returns_begin_immediate"
_AUTOCOMMIT = "AUTOCOMMIT"

CommitListener = Callable[[str, int], None]
SessionsListener = Callable[[str, "str | None"], None]  # (user id, one session's hash)


class Database:
    """Owns the engine; hands out write sessions (one transaction each) and read sessions."""

    def __init__(
        self,
        url: str = DEFAULT_DATABASE_URL,
        *,
        echo: bool = False,
        pool_size: int = POOL_SIZE,
        max_overflow: int = POOL_MAX_OVERFLOW,
    ) -> None:
        self.url = make_url(url)
        self.engine: AsyncEngine = create_async_engine(
            self.url,
            echo=echo,
            # JSON columns (addresses, item codes…) are decoded for every row read: orjson
            # does it several times faster than the standard library.
            json_deserializer=orjson.loads,
            # A failed statement's error (and so its logged traceback) shows the SQL but not
            # the values bound to it: a webhook secret or a customer's address stays out.
            hide_parameters=True,
            **_engine_options(self.url, pool_size, max_overflow),
        )
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        else:
            _decode_json_with_orjson(self.engine)
        self._write_bind = self.engine.execution_options(**{_IMMEDIATE: True})
        self._read_bind = self.engine.execution_options(isolation_level=_AUTOCOMMIT)
        self._commit_listeners: list[CommitListener] = []
        self._delivery_listeners: list[CommitListener] = []
        self._message_listeners: list[CommitListener] = []
        self._session_listeners: list[SessionsListener] = []
        # SQLite has one writer at a time: this process's writers queue here, in order,
        # rather than poll the file lock (whose busy handler sleeps up to 100 ms a try).
        self.writers = asyncio.Lock() if self.is_sqlite else None
        self._observers: list[Callable[[str], None]] = []
        # PostgreSQL's reads: asyncpg connections of their own (persistence/read_connections.py).
        self._reads = (
            None if self.is_sqlite else _read_connections(self.engine, pool_size + max_overflow)
        )

    @property
    def read_connections(self) -> ReadConnections | None:
        """PostgreSQL's reading connections (None on SQLite, whose reads use the engine)."""
        return self._reads

    def write_session(self) -> AsyncSession:
        return AsyncSession(self._write_bind, expire_on_commit=False, autoflush=False)

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        async with AsyncSession(self.engine, expire_on_commit=False) as session:
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Statements]:
        """A connection for reads outside any transaction: each statement sees what is
        committed when it runs. On PostgreSQL the statements run straight on asyncpg
        (persistence/statements.py says why)."""
        if self.is_sqlite:
            async with self._read_bind.connect() as connection:
                yield SqlAlchemyStatements(connection, "sqlite")
            return
        assert self._reads is not None
        connection = await self._reads.lend()
        cancelled = False
        try:
            yield AsyncpgStatements(connection, self.engine.dialect, self._observers)
        except asyncio.CancelledError:
            # A statement cancelled mid-flight (a query past its time limit) leaves asyncpg
            # cancelling it on the server; until then the connection refuses the next
            # statement ("another operation is in progress"), so it is not lent again.
            cancelled = True
            raise
        finally:
            self._reads.give_back(connection, broken=cancelled)

    async def begin_write(self) -> WriteTransaction:
        """A write transaction with the statements that run in it: on PostgreSQL straight on
        asyncpg (persistence/statements.py says why), on SQLite through SQLAlchemy with
        BEGIN IMMEDIATE."""
        if self.is_sqlite:
            connection = await self._write_bind.connect()
            try:
                await connection.begin()  # BEGIN IMMEDIATE (see _on_begin)
                driver = (await connection.get_raw_connection()).driver_connection
            except BaseException:
                await connection.close()
                raise
            statements = SqliteDriverStatements(
                connection, driver, self.engine.dialect, self._observers
            )
            return _ConnectionTransaction(connection, statements)
        lent = await self.engine.raw_connection()
        try:
            transaction = lent.driver_connection.transaction()
            await transaction.start()
        except BaseException:
            await greenlet_spawn(_give_back, lent)
            raise
        statements = AsyncpgStatements(lent.driver_connection, self.engine.dialect, self._observers)
        return _AsyncpgTransaction(lent, transaction, statements)

    def on_statement(self, observer: Callable[[str], None]) -> None:
        """Tell `observer` the SQL of every statement `reading()` runs on asyncpg, which
        SQLAlchemy's own events do not see (tests count statements with both)."""
        self._observers.append(observer)

    def on_events_committed(self, listener: CommitListener) -> None:
        """Call `listener(tenant_id, last_position)` whenever events of a tenant commit,
        in this process or (through PostgreSQL notifications) in another one."""
        self._commit_listeners.append(listener)

    def on_deliveries_routed(self, listener: CommitListener) -> None:
        """Call `listener(tenant_id, last_position)` when a commit of this process created
        webhook deliveries: its sender sends them at once. (Other processes send what their
        own commits create, and every sender polls for the rest.)"""
        self._delivery_listeners.append(listener)

    def deliveries_routed(self, tenant_id: str, last_position: int) -> None:
        _tell(self._delivery_listeners, tenant_id, last_position)

    def on_messages_routed(self, listener: CommitListener) -> None:
        """Call `listener(tenant_id, last_position)` when this process queued customer
        e-mails (a commit routed some, or a customer asked for a fresh link): its mail
        sender sends them at once."""
        self._message_listeners.append(listener)

    def messages_routed(self, tenant_id: str, last_position: int) -> None:
        _tell(self._message_listeners, tenant_id, last_position)

    def on_staff_sessions_ended(self, listener: SessionsListener) -> None:
        """Call `listener(user_id, token_hash)` when desk sessions end before their time,
        in this process or (through PostgreSQL notifications) in another one: `token_hash`
        names the one session signed out, None every session of the user."""
        self._session_listeners.append(listener)

    def staff_sessions_ended(self, user_id: str, token_hash: str | None) -> None:
        for listener in self._session_listeners:
            try:
                listener(user_id, token_hash)
            except Exception:
                log.exception("a listener of ended desk sessions failed")

    def events_committed(self, tenant_id: str, last_position: int) -> None:
        """Tell every listener. The change is committed already: a failing listener is
        logged and must neither fail the command nor keep the others from hearing."""
        _tell(self._commit_listeners, tenant_id, last_position)

    async def dispose(self) -> None:
        if self._reads is not None:
            await self._reads.close()
        await self.engine.dispose()


def _tell(listeners: list[CommitListener], tenant_id: str, last_position: int) -> None:
    for listener in listeners:
        try:
            listener(tenant_id, last_position)
        except Exception:
            log.exception("a listener of committed events failed")


class WriteTransaction(Protocol):
    statements: Statements

    async def commit(self) -> None: ...

    async def close(self) -> None:
        """Roll back unless committed, and give the connection back."""
        ...


class _ConnectionTransaction:
    """A write transaction on a SQLAlchemy connection (SQLite), which begins, commits and
    rolls back; its statements run on the driver (persistence/sqlite_statements.py)."""

    def __init__(self, connection: AsyncConnection, statements: Statements) -> None:
        self.connection = connection
        self.statements = statements

    async def commit(self) -> None:
        await self.connection.commit()

    async def close(self) -> None:
        try:
            if self.connection.in_transaction():
                await self.connection.rollback()
        finally:
            await self.connection.close()


class _AsyncpgTransaction:
    def __init__(self, lent: Any, transaction: Any, statements: Statements) -> None:
        self._lent = lent
        self._transaction = transaction
        self.statements = statements
        self._open = True

    async def commit(self) -> None:
        self._open = False
        await self._transaction.commit()

    async def close(self) -> None:
        try:
            if self._open and not self._lent.driver_connection.is_closed():
                self._open = False
                await self._transaction.rollback()
        finally:
            await greenlet_spawn(_give_back, self._lent)


def _give_back(lent: Any, broken: bool = False) -> None:
    """Return a lent connection to the pool, or drop it if it broke while lent."""
    if broken or lent.driver_connection.is_closed():
        lent.invalidate()
    lent.close()


def _read_connections(engine: AsyncEngine, size: int) -> ReadConnections:
    """Connections for reads, to the server and with the options SQLAlchemy's own use."""
    _args, options = engine.dialect.create_connect_args(engine.url)
    for adapter_only in (
        "async_creator_fn",
        "prepared_statement_cache_size",
        "prepared_statement_name_func",
    ):
        options.pop(adapter_only, None)
    return ReadConnections(
        options, size=size, recycle=POOL_RECYCLE_SECONDS, timeout=POOL_TIMEOUT_SECONDS
    )


def _engine_options(url: Any, pool_size: int, max_overflow: int) -> dict[str, Any]:
    if url.get_backend_name() == "sqlite":
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}}
    return {
        "pool_size": pool_size,
        "max_overflow": max_overflow,
        "pool_recycle": POOL_RECYCLE_SECONDS,
    }


def _decode_json_with_orjson(engine: AsyncEngine) -> None:
    """asyncpg hands json columns to orjson directly (SQLAlchemy's own codec, set just
    before, decodes the bytes to text first and calls a wrapper per value)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.run_async(
            lambda driver: driver.set_type_codec(
                "json",
                encoder=str.encode,
                decoder=orjson.loads,
                schema="pg_catalog",
                format="binary",
            )
        )


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get("isolation_level") == _AUTOCOMMIT:
            return  # reading(): every statement commits on its own
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(_IMMEDIATE) else "BEGIN")
