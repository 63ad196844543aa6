"""Shared fixtures: a freshly migrated database per test, on SQLite always and on
PostgreSQL too when RETURNS_TEST_POSTGRES_URL is set (CI sets it).

Migrating takes longer than most tests, so each backend is migrated once per session into a
template that every test copies: a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on
PostgreSQL (faster than emptying every table, and no test can see another's rows). The
migrations themselves are tested from an empty database in test_persistence_migrations.py."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url

from ops.running import settle_garbage_collector
from persistence import migrate
from persistence.database import Database

# argon2's production cost (64 MiB, 3 passes) would make every staff sign-in of the suite
# take tens of milliseconds, and every app built hash a decoy at that cost (0.2 s of CPU);
# the parameters are settings, and tests take the smallest, servers they start included.
TEST_PASSWORD_COST = {
    "RETURNS_STAFF_PASSWORD_MEMORY_KIB": "8",
    "RETURNS_STAFF_PASSWORD_TIME_COST": "1",
}
for _name, _value in TEST_PASSWORD_COST.items():
    os.environ.setdefault(_name, _value)

POSTGRES_URL = os.environ.get("RETURNS_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def _migrated(url: str) -> None:
    """Migrate the database at `url` to head and close every connection to it."""
    database = Database(url)
    try:
        await migrate.upgrade(database)
    finally:
        await database.dispose()


def _run_apart(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to completion on a thread of its own, so a session fixture can set up
    whether or not the test's event loop is already running."""
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session; tests copy it."""
    path = tmp_path_factory.mktemp("template") / "returns.db"
    _run_apart(_migrated(sqlite_url(path)))
    assert not Path(f"{path}-wal").exists(), "the template must be checkpointed into one file"
    return path


def fresh_sqlite(template: Path, path: Path) -> Database:
    """A migrated, empty SQLite database at `path`, copied from the session's template."""
    shutil.copyfile(template, path)
    return Database(sqlite_url(path))


def _worker() -> str:
    """This pytest process's name among the run's workers (pytest-xdist's gw0, gw1, …), or
    "main" when the run has only this process."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _starting_with(prefix: str) -> str:
    """A LIKE pattern for the names that start with `prefix` (its `_` taken literally)."""
    return prefix.replace("_", "\\_") + "%"


def _admin_url(url: URL) -> str:
    admin = url.set(drivername="postgresql", database="postgres")
    return admin.render_as_string(hide_password=False)


async def _drop_databases(url: URL, prefix: str) -> None:
    """Drop every database whose name starts with `prefix`."""
    connection = await asyncpg.connect(_admin_url(url))
    try:
        found = await connection.fetch(
            "SELECT datname FROM pg_database WHERE datname LIKE $1", _starting_with(prefix)
        )
        for row in found:
            await connection.execute(f'DROP DATABASE IF EXISTS "{row[0]}" WITH (FORCE)')
    finally:
        await connection.close()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Before any worker starts (this is the run's controller, or its only process), drop
    what an earlier run that was killed left behind: every database named after the
    configured one with a double underscore. Workers only ever drop their own."""
    if POSTGRES_URL and "PYTEST_XDIST_WORKER" not in os.environ:
        url = make_url(POSTGRES_URL)
        with suppress(OSError, asyncpg.PostgresError):  # the `db` fixture will say why
            _run_apart(_drop_databases(url, f"{url.database}__"))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Once the modules are imported, settle the garbage collector as a server does after
    start-up: the apps the tests build live in this process, and each full collection
    would otherwise walk every test module, fixture and schema again (a tenth of the
    suite's CPU)."""
    settle_garbage_collector()


class PostgresTemplates:
    """One migrated template database per worker and a copy of it per test.

    Every name starts with the configured database's, a double underscore and the worker's
    (returns_test__gw1_template, returns_test__gw1_7), so a worker only ever drops its own
    databases: never another worker's of the same run, nor another run's under another
    configured name."""

    def __init__(self, url: str, worker: str) -> None:
        self.url = make_url(url)
        self.prefix = f"{self.url.database}__{worker}_"
        self.template = f"{self.prefix}template"
        self._numbers = itertools.count(1)

    def _admin(self) -> str:
        return _admin_url(self.url)

    async def create_template(self) -> None:
        await _drop_databases(self.url, self.prefix)
        connection = await asyncpg.connect(self._admin())
        try:
            await connection.execute(f'CREATE DATABASE "{self.template}"')
        finally:
            await connection.close()
        await _migrated(self._url_of(self.template))

    def _url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    async def copy(self) -> str:
        """The URL of a new database copied from the template."""
        name = f"{self.prefix}{next(self._numbers)}"
        connection = await asyncpg.connect(self._admin())
        try:
            await connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        finally:
            await connection.close()
        return self._url_of(name)

    async def drop(self, url: str | URL) -> None:
        name = make_url(url).database
        connection = await asyncpg.connect(self._admin())
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


@pytest.fixture(scope="session")
def postgres_templates() -> PostgresTemplates | None:
    if not POSTGRES_URL:
        return None
    templates = PostgresTemplates(POSTGRES_URL, _worker())
    _run_apart(templates.create_template())
    return templates


@pytest.fixture(params=BACKENDS)
async def db(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    postgres_templates: PostgresTemplates | None,
) -> AsyncIterator[Database]:
    """A migrated, empty database; tests using it run once per backend."""
    if request.param == "postgres":
        assert postgres_templates is not None
        database = Database(await postgres_templates.copy())
        yield database
        await database.dispose()
        await postgres_templates.drop(database.url)
    else:
        database = fresh_sqlite(sqlite_template, tmp_path / "returns.db")
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
