"""`returns-api serve | migrate | export-schema`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from graphql_api.settings import Settings

SCHEMA_FILE = Path("schema.graphql")


def schema_sdl() -> str:
    from graphql_api.schema import schema

    return schema.as_str() + "\n"


def _serve(settings: Settings) -> None:
    from aiohttp import web

    from graphql_api.app import create_app
    from graphql_api.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format)
    print(
        f"returns-api: GraphQL and GraphiQL on http://{settings.host}:{settings.port}/graphql",
        flush=True,
    )
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        print=None,
        access_log_format='%a "%r" %s %b %Tf',
    )


async def _migrate(settings: Settings) -> None:
    from persistence import migrate
    from persistence.database import Database

    db = Database(settings.database_url)
    try:
        await migrate.upgrade(db)
        print(f"returns-api: database at revision {await migrate.current_revision(db)}")
    finally:
        await db.dispose()


async def _seed_demo(settings: Settings) -> None:
    from domain.ports import SystemClock
    from graphql_api.demo import MERCHANT, seed_demo
    from persistence import migrate
    from persistence.database import Database

    db = Database(settings.database_url)
    try:
        await migrate.upgrade(db)
        summary = await seed_demo(db, SystemClock())
    finally:
        await db.dispose()
    print(
        f"returns-api: merchant {MERCHANT!r} ready: {summary.codes} codes, "
        f"{summary.locations} pickup locations, {summary.options} delivery options, "
        f"orders {', '.join(summary.orders)}"
    )


async def _auto_close(settings: Settings) -> None:
    from domain.ports import SystemClock
    from graphql_api.auto_close import auto_close_idle_returns
    from persistence.database import Database

    db = Database(settings.database_url)
    try:
        closed = await auto_close_idle_returns(db, SystemClock())
        print(
            f"returns-api: auto-closed {len(closed)} return request(s)"
            + (f": {', '.join(closed)}" if closed else "")
        )
    finally:
        await db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="returns-api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve /graphql (GraphiQL in a browser), /healthz, /readyz")
    commands.add_parser("migrate", help="bring the database schema to the latest migration")
    export = commands.add_parser("export-schema", help="write the GraphQL SDL")
    export.add_argument(
        "--output",
        "-o",
        type=Path,
        default=SCHEMA_FILE,
        help="file to write, or - for standard output (default: schema.graphql)",
    )
    commands.add_parser(
        "auto-close", help="complete requests idle for their merchant's auto-close days"
    )
    commands.add_parser(
        "seed-demo",
        help="load a demo merchant with reasons, settings, locations and delivered orders",
    )
    args = parser.parse_args(argv)
    settings = Settings()
    if args.command == "serve":
        _serve(settings)
    elif args.command == "migrate":
        asyncio.run(_migrate(settings))
    elif args.command == "auto-close":
        asyncio.run(_auto_close(settings))
    elif args.command == "seed-demo":
        asyncio.run(_seed_demo(settings))
    elif args.command == "export-schema":
        sdl = schema_sdl()
        if str(args.output) == "-":
            sys.stdout.write(sdl)
        else:
            args.output.write_text(sdl)
            print(f"returns-api: wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
