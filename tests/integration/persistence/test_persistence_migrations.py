"""Migrations build exactly the schema tables.py declares, and SQLite runs the way
database.py promises (WAL, foreign keys, busy timeout)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from persistence import migrate
from persistence.database import SQLITE_BUSY_TIMEOUT_MS, Database
from persistence.search_index import UNDECLARED_PREFIXES
from persistence.tables import ReturnNoteRow


def _declared(obj, name, type_, reflected, compare_to) -> bool:
    """The search index's FTS5 table (and its shadow tables) and trigram index are made by
    the migration alone: tables.py cannot declare them (persistence/search_index.py)."""
    return not (name or "").startswith(UNDECLARED_PREFIXES)


def schema_differences(connection: Connection) -> list:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": _declared}
    )
    return compare_metadata(context, SQLModel.metadata)


def table_names(connection: Connection) -> set[str]:
    names = inspect(connection).get_table_names()
    return {name for name in names if not name.startswith(UNDECLARED_PREFIXES)}


def downgrade_to_base(connection: Connection) -> None:
    config = migrate.alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, "base")


async def test_migrated_database_is_current_at_head(db):
    head = migrate.head_revision()
    assert head is not None
    assert await migrate.current_revision(db) == head
    assert await migrate.is_current(db)


async def test_a_new_database_is_not_current_until_upgraded(tmp_path: Path):
    fresh = Database(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    try:
        assert await migrate.current_revision(fresh) is None
        assert not await migrate.is_current(fresh)

        await migrate.upgrade(fresh)
        await migrate.upgrade(fresh)  # a second run is a no-op

        assert await migrate.is_current(fresh)
    finally:
        await fresh.dispose()


async def test_migrations_match_the_tables_exactly(db):
    async with db.engine.connect() as connection:
        differences = await connection.run_sync(schema_differences)
        tables = await connection.run_sync(table_names)

    assert differences == []
    assert tables == set(SQLModel.metadata.tables) | {"alembic_version"}


async def test_downgrade_to_base_and_upgrade_again_rebuilds_the_same_schema(db):
    async with db.engine.begin() as connection:
        await connection.run_sync(downgrade_to_base)
    async with db.engine.connect() as connection:
        assert await connection.run_sync(table_names) <= {"alembic_version"}
    assert not await migrate.is_current(db)

    await migrate.upgrade(db)

    async with db.engine.connect() as connection:
        assert await connection.run_sync(schema_differences) == []
    assert await migrate.is_current(db)


async def test_foreign_keys_are_enforced(db):
    """On SQLite this only holds when the connection turned `foreign_keys` on."""
    async with db.write_session() as session:
        with pytest.raises(IntegrityError):
            async with session.begin():
                session.add(
                    ReturnNoteRow(
                        id="NT-ORPHAN1",
                        tenant_id="default",
                        return_request_id="RR-NOWHERE",
                        text="orphan",
                        created_at=datetime(2025, 1, 1, tzinfo=UTC),
                    )
                )


async def pragmas(session) -> dict[str, object]:
    names = ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
    return {name: (await session.execute(text(f"PRAGMA {name}"))).scalar() for name in names}


async def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(db):
    if not db.is_sqlite:
        pytest.skip("SQLite pragmas")
    expected = {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
        "synchronous": 1,  # NORMAL
    }

    async with db.write_session() as session, session.begin():
        assert await pragmas(session) == expected
    async with db.read_session() as session:
        assert await pragmas(session) == expected


async def test_sqlite_writers_queue_at_begin_while_readers_read_beside_them(db):
    """BEGIN IMMEDIATE: a second writer waits for the write lock before it reads anything,
    instead of failing half-way with "database is locked"; a reader is not held up."""
    if not db.is_sqlite:
        pytest.skip("SQLite locking")

    async def second_writer() -> int:
        async with db.write_session() as session, session.begin():
            return (await session.execute(text("SELECT count(*) FROM orders"))).scalar_one()

    async with db.write_session() as first, first.begin():
        await first.execute(text("SELECT 1"))  # only reads, yet holds the write lock
        waiting = asyncio.create_task(second_writer())
        await asyncio.sleep(0.3)
        assert not waiting.done()
        async with db.read_session() as reader:
            assert (await reader.execute(text("SELECT count(*) FROM orders"))).scalar() == 0

    assert await asyncio.wait_for(waiting, timeout=10) == 0
