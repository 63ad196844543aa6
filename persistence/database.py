"""Engine and sessions for SQLite (the embedded default) and PostgreSQL (scale-out).

SQLite runs in WAL mode with a busy timeout, and write transactions start with
`BEGIN IMMEDIATE`: concurrent writers then queue for the write lock at the start instead of
failing half-way with "database is locked". Reads start a plain deferred transaction and run
beside the writer.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

log = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./returns.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000
_IMMEDIATE = "returns_begin_immediate"

CommitListener = Callable[[str, int], None]


class Database:
    """Owns the engine; hands out write sessions (one transaction each) and read sessions."""

    def __init__(self, url: str = DEFAULT_DATABASE_URL, *, echo: bool = False) -> None:
        self.url = make_url(url)
        self.engine: AsyncEngine = create_async_engine(
            self.url, echo=echo, **_engine_options(self.url)
        )
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self._write_bind = self.engine.execution_options(**{_IMMEDIATE: True})
        self._commit_listeners: list[CommitListener] = []

    def write_session(self) -> AsyncSession:
        return AsyncSession(self._write_bind, expire_on_commit=False, autoflush=False)

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        async with AsyncSession(self.engine, expire_on_commit=False) as session:
            yield session

    def on_events_committed(self, listener: CommitListener) -> None:
        """Call `listener(tenant_id, last_position)` whenever events of a tenant commit,
        in this process or (through PostgreSQL notifications) in another one."""
        self._commit_listeners.append(listener)

    def events_committed(self, tenant_id: str, last_position: int) -> None:
        """Tell every listener. The change is committed already: a failing listener is
        logged and must neither fail the command nor keep the others from hearing."""
        for listener in self._commit_listeners:
            try:
                listener(tenant_id, last_position)
            except Exception:
                log.exception("a listener of committed events failed")

    async def dispose(self) -> None:
        await self.engine.dispose()


def _engine_options(url: Any) -> dict[str, Any]:
    if url.get_backend_name() == "sqlite":
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}}
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10}


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
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
