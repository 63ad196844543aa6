"""The `returns-api` command line: serving, the schema, and the operator's chores.

Each command imports what it needs when it runs: `--help` and the small commands must not
pay for the whole app (strawberry, aiohttp, SQLAlchemy)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.settings import Settings

SCHEMA_FILE = Path("schema.graphql")
# What `--help` says: for the operator, not this module's notes (its docstring).
DESCRIPTION = "The returns API: serve it, and look after its database, tenants and keys."
EPILOG = "Run `returns-api COMMAND --help` for a command's options."
COMMANDS = {
    "serve": "serve the API, portal, desk and docs over HTTP",
    "migrate": "bring the database schema to the latest migration",
    "export-schema": "write the GraphQL schema (SDL) to a file",
    "auto-close": "complete returns idle past their auto-close days",
    "seed-demo": "load a demo merchant, its orders and return requests",
    "create-tenant": "create a tenant: its own data and keys",
    "create-api-key": "create a tenant's API client; prints secrets once",
    "revoke-api-key": "revoke an API client: its tokens stop working",
    "create-staff": "create a desk user of a tenant; prints an invitation link",
    "reset-staff-password": "print a password-reset link for a desk user",
    "send-mail": "send the customer e-mails that are due, then stop",
    "start-link": "print a merchant's self-service start link (Start a return)",
    "rebuild-insights": "recompute a tenant's insights rollups from its returns and orders",
}


def schema_sdl() -> str:
    from graphql_api.schema import schema

    return schema.as_str() + "\n"


def _serve(settings: Settings) -> int:
    from edge.logs import configure_logging
    from ops.serving import serve

    configure_logging(settings.log_level, settings.log_format)
    return serve(settings)


async def _migrate(settings: Settings) -> None:
    from persistence import migrate
    from persistence.database import Database

    db = Database(settings.database_url)
    try:
        await migrate.upgrade(db)
        print(f"returns-api: database at revision {await migrate.current_revision(db)}")
    finally:
        await db.dispose()


async def _seed_demo(settings: Settings, tenant_id: str) -> None:
    from domain.ports import SystemClock
    from ops.demo import MERCHANT, seed_demo
    from ops.demo_requests import seed_demo_requests
    from persistence import migrate
    from persistence.database import Database
    from persistence.photo_store import LocalPhotoStore
    from persistence.unit_of_work import UnitsOfWork

    db = Database(settings.database_url)
    units = UnitsOfWork(db, SystemClock())
    try:
        await migrate.upgrade(db)
        summary = await seed_demo(units, tenant_id=tenant_id)
        requests = await seed_demo_requests(
            units,
            LocalPhotoStore(settings.photo_dir),
            base_url=settings.base_url(),
            tenant_id=tenant_id,
        )
    finally:
        await db.dispose()
    print(
        f"returns-api: merchant {MERCHANT!r} ready in tenant {tenant_id!r}: {summary.codes} "
        f"codes, {summary.locations} pickup locations, {summary.options} delivery options, "
        f"orders {', '.join(summary.orders)}, return requests {', '.join(requests)}"
    )


async def _auto_close(settings: Settings) -> None:
    from domain.ports import SystemClock
    from jobs.auto_close import auto_close_idle_returns
    from persistence.unit_of_work import UnitsOfWork

    db = await _database(settings)
    try:
        closed = await auto_close_idle_returns(UnitsOfWork(db, SystemClock()))
        print(
            f"returns-api: auto-closed {len(closed)} return request(s)"
            + (f": {', '.join(closed)}" if closed else "")
        )
    finally:
        await db.dispose()


async def _rebuild_insights(settings: Settings, tenant_id: str) -> None:
    from persistence import insight_rollups

    db = await _database(settings)
    try:
        transaction = await db.begin_write()
        try:
            await insight_rollups.rebuild(transaction.statements, tenant_id)
            await transaction.commit()
        finally:
            await transaction.close()
    finally:
        await db.dispose()
    print(f"returns-api: insights rollups of tenant {tenant_id} rebuilt")


async def _create_tenant(settings: Settings, tenant_id: str, name: str) -> None:
    from domain.access import new_tenant
    from domain.ports import SystemClock
    from persistence.access import AccessStore

    db = await _database(settings)
    try:
        tenant = await AccessStore(db).create_tenant(
            new_tenant(tenant_id, name, SystemClock().now())
        )
    finally:
        await db.dispose()
    print(
        f"returns-api: tenant {tenant.id} created; now run: returns-api create-api-key "
        f"--tenant {tenant.id}"
    )


async def _create_api_key(settings: Settings, tenant_id: str, read_only: bool, name: str) -> None:
    from domain.access import Role
    from domain.ports import SystemClock
    from persistence.access import AccessStore

    db = await _database(settings)
    role = Role.READ_ONLY if read_only else Role.FULL
    try:
        issued = await AccessStore(db).create_client(tenant_id, role, name, SystemClock().now())
    finally:
        await db.dispose()
    print(
        f"returns-api: {role.value} API client for tenant {tenant_id}. These secrets are "
        "shown once; only their hashes are stored.\n"
        f"  client_id:     {issued.client.client_id}\n"
        f"  client_secret: {issued.client_secret}\n"
        f"  x-api-key:     {issued.api_key}\n"
        f"  tenant-id:     {tenant_id}\n"
        "Get a bearer token with POST /oauth/token "
        "(grant_type=client_credentials, client_id, client_secret)."
    )


async def _revoke_api_key(settings: Settings, client_id: str) -> None:
    from domain.errors import NotFound
    from domain.ports import SystemClock
    from persistence.access import AccessStore

    db = await _database(settings)
    try:
        found = await AccessStore(db).revoke_client(client_id, SystemClock().now())
    finally:
        await db.dispose()
    if not found:
        raise NotFound(f"API client {client_id} not found", field="clientId")
    print(
        f"returns-api: API client {client_id} revoked; every serving process refuses its "
        f"tokens within RETURNS_AUTH_CACHE_SECONDS ({settings.auth_cache_seconds:g} s)"
    )


async def _staff_command(settings: Settings, args: argparse.Namespace) -> None:
    from ops.staff_commands import create_staff, reset_staff_password

    db = await _database(settings)
    try:
        if args.command == "create-staff":
            text = await create_staff(settings, db, args.tenant, args.email, args.role, args.name)
        else:
            text = await reset_staff_password(settings, db, args.tenant, args.email)
    finally:
        await db.dispose()
    print(text)


async def _send_mail(settings: Settings) -> None:
    """What the serving processes' mail job does, once, in a process of its own (cron, or a
    worker beside the API): every due e-mail, each claimed with a lease and marked sent."""
    from delivery.mail.sender import mail_sender
    from ops.bootstrap import bootstrap

    wiring = bootstrap(settings, db=await _database(settings))
    try:
        sent = await mail_sender(wiring).send_due()
        print(f"returns-api: {sent} customer e-mail(s) attempted")
    finally:
        await wiring.db.dispose()


def _start_link(settings: Settings, tenant: str, merchant: str) -> None:
    from core.self_service import start_url
    from ops.bootstrap import bootstrap

    print(start_url(bootstrap(settings), tenant, merchant))


async def _database(settings: Settings):  # type: ignore[no-untyped-def]
    """The configured database; an embedded SQLite file is migrated first, as `make run` does,
    while PostgreSQL is migrated once, deliberately, with `returns-api migrate`."""
    from persistence import migrate
    from persistence.database import Database

    db = Database(settings.database_url)
    if db.is_sqlite:
        await migrate.upgrade(db)
    return db


class _HelpFormatter(argparse.HelpFormatter):
    """Every command's description beside its name. argparse (before 3.13) measures a
    command's name without its indent, so `create-api-key` pushed its text to the next line."""

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if action.help is argparse.SUPPRESS:
            return
        for command in self._iter_indented_subactions(action):  # indented while iterating
            width = len(self._format_action_invocation(command)) + self._current_indent
            self._action_max_length = max(self._action_max_length, width)


def _positive(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"expected a number from 1 to 64, got {text!r}")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="returns-api", description=DESCRIPTION, epilog=EPILOG, formatter_class=_HelpFormatter
    )
    commands = parser.add_subparsers(
        title="commands", dest="command", metavar="COMMAND", required=True
    )
    command = {
        name: commands.add_parser(name, help=text, description=f"{text[0].upper()}{text[1:]}.")
        for name, text in COMMANDS.items()
    }
    command["serve"].add_argument(
        "--workers",
        type=_positive,
        default=None,
        help="processes sharing the port, one per core (default: RETURNS_WORKERS, else 1)",
    )
    command["export-schema"].add_argument(
        "--output",
        "-o",
        type=Path,
        default=SCHEMA_FILE,
        help="file to write, or - for standard output (default: schema.graphql)",
    )
    command["seed-demo"].add_argument(
        "--tenant",
        default="dev",
        help="tenant to load it into, created if missing (default: dev, the tenant of the "
        "key `make run` prints)",
    )
    tenant = command["create-tenant"]
    tenant.add_argument("tenant_id", help="3-64 characters of a-z, 0-9 and -")
    tenant.add_argument("--name", default=None, help="display name (default: the id)")
    key = command["create-api-key"]
    key.add_argument("--tenant", required=True, help="the tenant the client works for")
    key.add_argument("--read-only", action="store_true", help="queries only, no mutations")
    key.add_argument(
        "--name", default="api client", help="a label for people (default: %(default)s)"
    )
    start = command["start-link"]
    start.add_argument("--tenant", required=True, help="the merchant's tenant")
    start.add_argument("--merchant", required=True, help="the merchant's code")
    revoke = command["revoke-api-key"]
    revoke.add_argument("client_id", help="the client_id create-api-key printed (rc_…)")
    staff = command["create-staff"]
    staff.add_argument("--tenant", required=True, help="the tenant the user works for")
    staff.add_argument("--email", required=True, help="their e-mail (their sign-in name)")
    staff.add_argument(
        "--role",
        required=True,
        choices=["viewer", "agent", "admin"],
        help="viewer: reads; agent: acts on returns; admin: also the team, keys and webhooks",
    )
    staff.add_argument("--name", default=None, help="their name (default: from the e-mail)")
    command["rebuild-insights"].add_argument("--tenant", required=True)
    reset = command["reset-staff-password"]
    reset.add_argument("--tenant", required=True)
    reset.add_argument("--email", required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from core.settings import Settings

    settings = Settings()
    if args.command == "serve":
        if args.workers is not None:
            settings = settings.model_copy(update={"workers": args.workers})
        return _serve(settings)
    elif args.command == "migrate":
        asyncio.run(_migrate(settings))
    elif args.command == "create-tenant":
        _run_reporting_errors(_create_tenant(settings, args.tenant_id, args.name or args.tenant_id))
    elif args.command == "create-api-key":
        _run_reporting_errors(_create_api_key(settings, args.tenant, args.read_only, args.name))
    elif args.command == "revoke-api-key":
        _run_reporting_errors(_revoke_api_key(settings, args.client_id))
    elif args.command in ("create-staff", "reset-staff-password"):
        _run_reporting_errors(_staff_command(settings, args))
    elif args.command == "send-mail":
        asyncio.run(_send_mail(settings))
    elif args.command == "start-link":
        _start_link(settings, args.tenant, args.merchant)
    elif args.command == "auto-close":
        asyncio.run(_auto_close(settings))
    elif args.command == "rebuild-insights":
        _run_reporting_errors(_rebuild_insights(settings, args.tenant))
    elif args.command == "seed-demo":
        _run_reporting_errors(_seed_demo(settings, args.tenant))
    elif args.command == "export-schema":
        sdl = schema_sdl()
        if str(args.output) == "-":
            sys.stdout.write(sdl)
        else:
            args.output.write_text(sdl)
            print(f"returns-api: wrote {args.output}")
    return 0


def _run_reporting_errors(work) -> None:  # type: ignore[no-untyped-def]
    """A refused command (unknown tenant, bad id) is a message and exit 2, not a traceback."""
    from domain.errors import DomainError

    try:
        asyncio.run(work)
    except DomainError as error:
        print(f"returns-api: {error.code}: {error.message}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    raise SystemExit(main())
