"""Schema migrations through Alembic, never `create_all` on a live database."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from persistence.database import Database

MIGRATIONS = Path(__file__).parent / "migrations"
# Alembic announces its dialect at INFO every time it looks at the schema, i.e. on every
# /readyz probe; what it migrated ("Running upgrade …") stays.
_CHATTER = frozenset({"Context impl %s.", "Will assume %s DDL."})


def _not_chatter(record: logging.LogRecord) -> bool:
    return record.msg not in _CHATTER


logging.getLogger("alembic.runtime.migration").addFilter(_not_chatter)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def upgrade(db: Database, revision: str = "head") -> None:
    async with db.engine.begin() as connection:
        await connection.run_sync(_run, "upgrade", revision)


async def current_revision(db: Database) -> str | None:
    async with db.engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def is_current(db: Database) -> bool:
    return await current_revision(db) == head_revision()


def _run(connection: Connection, action: str, *args: Any) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    getattr(command, action)(config, *args)


def autogenerate(connection: Connection, message: str) -> None:
    """Developer helper: write a new revision from the difference to the tables."""
    config = alembic_config()
    config.attributes["connection"] = connection
    command.revision(config, message=message, autogenerate=True)
