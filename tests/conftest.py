"""Shared fixtures: a freshly migrated database per test, on SQLite always and on
PostgreSQL too when RETURNS_TEST_POSTGRES_URL is set (CI sets it)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from persistence import migrate
from persistence.database import Database

POSTGRES_URL = os.environ.get("RETURNS_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]


_recreated: set[str] = set()


async def _recreate_postgres_database_once(url: str) -> None:
    """Start every test session from an empty database, so a schema left by an older run
    (or an older migration) can never leak into this one."""
    if url in _recreated:
        return
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await connection.close()
    _recreated.add(url)


async def _fresh_postgres() -> Database:
    assert POSTGRES_URL
    await _recreate_postgres_database_once(POSTGRES_URL)
    db = Database(POSTGRES_URL)
    await migrate.upgrade(db)
    tables = ", ".join(SQLModel.metadata.tables)
    async with db.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return db


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty database; tests using it run once per backend."""
    if request.param == "postgres":
        database = await _fresh_postgres()
    else:
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'returns.db'}")
        await migrate.upgrade(database)
    yield database
    await database.dispose()


class StatementCounter:
    """Counts SQL statements sent to the database (not transaction control)."""

    def __init__(self, db: Database) -> None:
        self.count = 0
        self.statements: list[str] = []
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._on_execute)
        db.on_statement(self._record)  # the reads that run straight on asyncpg

    def _on_execute(self, _conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        self._record(statement)

    def _record(self, statement: str) -> None:
        if statement.split(None, 1)[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK", "PRAGMA"}:
            self.count += 1
            self.statements.append(statement)

    def reset(self) -> None:
        self.count = 0
        self.statements.clear()


@pytest.fixture
def statements(db: Database) -> StatementCounter:
    return StatementCounter(db)
