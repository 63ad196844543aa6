"""Where a write's time goes: serve returns-api on a fresh database, put bench/compare.py's
writers on it (createReturn then approveReturn, 16 clients), sample the server with py-spy
and print the functions that hold the most samples, inclusive and self.

    .venv/bin/python bench/profile_writes.py                   # SQLite (temporary file)
    .venv/bin/python bench/profile_writes.py --postgres        # PostgreSQL (its own database)
    .venv/bin/python bench/profile_writes.py --postgres --db-suffix _me --seconds 15

Needs py-spy (`.venv/bin/pip install py-spy`).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

import aiohttp
from compare import PEERS, analyze, load_orders, write_clients
from harness import (
    Server,
    cli_migrate,
    create_postgres_database,
    credentials,
    record_stacks,
    say,
)
from profile_reads import top

from persistence.database import Database


async def profile(url: str, args: argparse.Namespace) -> None:
    if not url.startswith("sqlite"):
        await create_postgres_database(url)
    await cli_migrate(url)
    db = Database(url)
    try:
        headers = await credentials(db)
        say("loading orders")
        references = iter(await load_orders(db, "WRITE", args.orders, args.items))
    finally:
        await db.dispose()
    server = Server(url, PEERS / "logs" / "profile-writes.log")
    async with aiohttp.ClientSession() as http:
        await server.start(http)
    try:
        await write_clients(server, headers, references, args, 4, None)
        await analyze(url)  # as bench/compare.py's writes do (autovacuum is off here)
        with tempfile.TemporaryDirectory() as folder:
            raw = Path(folder) / "stacks.txt"
            spy = await record_stacks(server.pid, args.seconds, raw, native=args.native)
            await write_clients(server, headers, references, args, args.seconds, None)
            await spy.wait()
            top(raw, args.limit)
    finally:
        await server.stop()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--postgres",
        nargs="?",
        const="postgresql+asyncpg://postgres@127.0.0.1:5432",
        help="profile on this PostgreSQL server (default: SQLite)",
    )
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--orders", type=int, default=6000)
    parser.add_argument("--db-suffix", default="", help="as bench/compare.py's --db-suffix")
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument(
        "--native", action="store_true", help="sample C and Cython frames too (slower)"
    )
    return parser.parse_args()


async def main(args: argparse.Namespace) -> None:
    if args.postgres:
        await profile(f"{args.postgres}/returns_bench_profile_writes{args.db_suffix}", args)
        return
    with tempfile.TemporaryDirectory() as folder:
        await profile(f"sqlite+aiosqlite:///{Path(folder) / 'writes.db'}", args)


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
