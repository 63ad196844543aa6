"""What one write costs the database: the SQL statements (and round trips) of createReturn
(10 items) and of approveReturn, as bench/compare.py's writers send them, over HTTP to the
real app in this process.

    .venv/bin/python bench/write_statements.py                      # SQLite (temporary file)
    .venv/bin/python bench/write_statements.py postgresql+asyncpg://postgres@127.0.0.1/returns_bench_statements
    .venv/bin/python bench/write_statements.py --list               # each statement's SQL too

The PostgreSQL database is made afresh (its name must not start with returns_test). A few
writes run first, so the token's identity and the caches are warm, as on a busy server;
then one createReturn and one approveReturn are counted. `executemany` is one round trip on
both drivers; transaction control (BEGIN, COMMIT) is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from compare import APPROVE, CREATE, create_input, order_command
from harness import create_postgres_database, credentials
from sqlalchemy import event

from core.settings import Settings
from domain import services
from domain.ports import SystemClock
from ops.app import create_app
from persistence import migrate
from persistence.database import Database
from persistence.unit_of_work import SqlUnitOfWork

TENANT = "bench"
WARM = 3
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")


class Heard:
    """Every statement the database is sent, through SQLAlchemy or straight on the driver
    (asyncpg, aiosqlite); an executemany is one entry (one round trip)."""

    def __init__(self, db: Database) -> None:
        self.entries: list[str] = []
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._sqlalchemy)
        db.on_statement(self.entries.append)

    def _sqlalchemy(self, _conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        self.entries.append(sql)

    def statements(self) -> list[str]:
        return [sql for sql in self.entries if not sql.lstrip().upper().startswith(CONTROL)]


async def one(client: TestClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    body = await response.json()
    assert "errors" not in body, body
    (payload,) = body["data"].values()
    assert payload["userErrors"] == [], payload
    return payload


async def count(db: Database, args: argparse.Namespace) -> None:
    await migrate.upgrade(db)
    headers = await credentials(db, tenant=TENANT)
    clock = SystemClock()
    delivered = clock.now() - timedelta(days=1)
    references = [f"WRITE-{n}" for n in range(WARM + 1)]
    for reference in references:
        await services.upsert_order(
            order_command(reference, args.items, delivered),
            uow=SqlUnitOfWork(db, tenant_id=TENANT, clock=clock),
            clock=clock,
        )
    settings = Settings(migrate_on_start=False, webhook_interval_seconds=0)
    app = create_app(settings, db=db, clock=clock)
    heard = Heard(db)
    async with TestClient(TestServer(app), headers=headers) as client:
        for n, reference in enumerate(references):
            heard.entries.clear()
            created = await one(client, CREATE, {"input": create_input(reference, args.items)})
            made = heard.statements()
            heard.entries.clear()
            rid = created["returnRequest"]["returnRequestId"]
            await one(client, APPROVE, {"input": {"returnRequestId": rid}})
            approved = heard.statements()
            if n == WARM:
                report("createReturn", made, args.list)
                report("approveReturn", approved, args.list)


def report(name: str, statements: list[str], listing: bool) -> None:
    print(f"{name}: {len(statements)} statements (round trips)")
    if listing:
        for sql in statements:
            print(f"  {' '.join(sql.split())[:150]}")


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite+aiosqlite:///{Path(folder) / 'writes.db'}"
        if not url.startswith("sqlite"):
            await create_postgres_database(url)
        db = Database(url)
        print(f"backend={db.url.get_backend_name()} items={args.items}")
        try:
            await count(db, args)
        finally:
            await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("url", nargs="?", help="a PostgreSQL database (default: SQLite)")
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--list", action="store_true", help="print each statement's SQL")
    asyncio.run(main(parser.parse_args()))
