"""Alembic environment. Runs on a connection handed in by persistence.migrate, so the same
code migrates SQLite and PostgreSQL, from the CLI, from the server at start and from tests."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import persistence.message_tables
import persistence.store_credit_tables
import persistence.tables  # noqa: F401  (registers the tables on the metadata)

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `returns-api migrate`")
run_migrations_online()
