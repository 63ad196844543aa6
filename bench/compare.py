"""returns-api side by side with the peers a user would pick instead, in one run.

Reads (PostgreSQL): returns-api (ONE server process), PostGraphile 4 and PostGraphile 5
over the same tables (installed with npm into bench/.peers and bench/.peers/v5, git-ignored;
4 with `--simple-collections only`, 5 with its V4 preset so the same query bodies run, served
by bench/postgraphile5.mjs) and a raw aiohttp + asyncpg handler (bench/raw_peer.py). N
return requests of 10 items are loaded through the project's own use cases, the servers are
checked to answer the same returns, items and quantities, then rounds of wrk (Debian's
package, with --timeout; a Python load generator when wrk is missing) measure each read,
the servers' order rotated each round. Prints req/s, the server's CPU ms per request and its
PostgreSQL backends' CPU ms per request (from /proc), and the ratios.

Writes (SQLite and PostgreSQL): createReturn (10 items) then approveReturn from 16 clients
against one returns-api process (and `--baseline`'s, and `--workers N`, taking turns in
rotated rounds); prints mutations/s and latency percentiles.

Workers (with reads): the one-return read from `returns-api serve --workers 2` beside one
process, alternating in the same rounds; CPU counts the supervisor and its workers.
`--no-peers` measures that alone, without PostGraphile and the raw handler.

    make bench-compare                                  # reads and writes, defaults below
    .venv/bin/python bench/compare.py --mode reads --returns 2000 --rounds 2
    .venv/bin/python bench/compare.py --mode writes --write-seconds 10
    .venv/bin/python bench/compare.py --mode reads --no-peers --workers 2 --returns 500

The PostgreSQL databases (returns_bench_compare, returns_bench_writes, with --db-suffix
appended) are created on the server of --postgres; the read data is kept between runs and
reloaded only when N changes or with --reload. This machine is shared and noisy: compare
ratios, not absolute figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from harness import (
    ROOT,
    TENANT,
    Server,
    admin_dsn,
    cli_migrate,
    create_postgres_database,
    credentials,
    free_port,
    percentile,
    plain_dsn,
    process_cpu_seconds,
    say,
    stop_process,
    tree_cpu_seconds,
    wait_until_up,
)

from domain import commands as c
from domain import services
from domain.parts import ItemRequest
from domain.ports import SystemClock
from domain.request_details import RequestDetails
from domain.values import Address
from persistence.database import POOL_MAX_OVERFLOW, POOL_SIZE, Database
from persistence.unit_of_work import SqlUnitOfWork

MERCHANT = "bench"
POSTGRAPHILE = "postgraphile@4.14.1"
POSTGRAPHILE5 = "postgraphile@5"
PEERS = ROOT / "bench" / ".peers"
GRAPHILES = ("PostGraphile 4", "PostGraphile 5")
PEERS5 = PEERS / "v5"  # its own node_modules: 4 and 5 are both named `postgraphile`
ITEM_FIELDS = "sku quantity approvedQuantity rejectedQuantity receivedQuantity unitPrice reasonCode"
OURS_FIELDS = (
    f"returnRequestId status merchant orderReference version createdAt items {{ {ITEM_FIELDS} }}"
)
PEER_FIELDS = (
    "id status merchant orderReference version createdAt "
    f"returnItemsByReturnRequestIdList(orderBy: [POSITION_ASC]) {{ {ITEM_FIELDS} }}"
)
OURS_ONE = f"query One($id: ID!) {{ returnRequest(id: $id) {{ {OURS_FIELDS} }} }}"
OURS_PAGE = (
    f"query Page {{ returnRequests(first: 100) {{ edges {{ node {{ {OURS_FIELDS} }} }} }} }}"
)
PEER_ONE = (
    f"query One($id: String!) {{ returnRequest: returnRequestById(id: $id) {{ {PEER_FIELDS} }} }}"
)
PEER_PAGE = (
    "query Page { allReturnRequestsList(first: 100, orderBy: [CREATED_AT_DESC, ID_DESC], "
    f'condition: {{tenantId: "{TENANT}"}}) {{ {PEER_FIELDS} }} }}'
)
CREATE = """mutation Create($input: CreateReturnInput!) {
  createReturn(input: $input) { returnRequest { returnRequestId } userErrors { code message } } }"""
APPROVE = """mutation Approve($input: ApproveReturnInput!) {
  approveReturn(input: $input) { returnRequest { status } userErrors { code message } } }"""


# --------------------------------------------------------------------------- data


def order_command(reference: str, items: int, delivered: datetime) -> c.UpsertOrder:
    return c.UpsertOrder(
        merchant=MERCHANT,
        reference=reference,
        currency="AED",
        lines=[
            c.OrderLineSpec(f"SKU-{n}", f"Item {n}", 2, Decimal("19.90") + n, None, delivered)
            for n in range(items)
        ],
        delivery_address=Address(contact_name="Bench", address1="1 Bench St", country="AE"),
    )


def return_command(reference: str, items: int) -> c.CreateReturn:
    return c.CreateReturn(
        merchant=MERCHANT,
        order_reference=reference,
        items=[ItemRequest(f"SKU-{n}", 1 + n % 2, reason_code="TOO_SMALL") for n in range(items)],
        details=RequestDetails(
            pickup=Address(contact_name="Bench", address1="1 Bench St", country="AE"),
            dropoff=Address(partner_location_id="WH-1"),
        ),
    )


async def in_parallel(jobs: list[Callable[[], Awaitable[Any]]], workers: int) -> None:
    """Run `jobs` with at most `workers` at once, printing progress now and then."""
    queue = iter(enumerate(jobs))
    started = time.monotonic()

    async def worker() -> None:
        for index, job in queue:
            await job()
            if index and index % 1000 == 0:
                rate = index / (time.monotonic() - started)
                say(f"  {index}/{len(jobs)} ({rate:.0f}/s)")

    await asyncio.gather(*(worker() for _ in range(workers)))


async def load_orders(db: Database, prefix: str, count: int, items: int) -> list[str]:
    clock = SystemClock()
    delivered = clock.now() - timedelta(days=1)
    references = [f"{prefix}-{n:06d}" for n in range(count)]

    def job(reference: str) -> Callable[[], Awaitable[Any]]:
        return lambda: services.upsert_order(
            order_command(reference, items, delivered),
            uow=SqlUnitOfWork(db, tenant_id=TENANT, clock=clock),
            clock=clock,
        )

    await in_parallel([job(reference) for reference in references], workers=8)
    return references


async def load_returns(db: Database, references: list[str], items: int) -> None:
    clock = SystemClock()

    def job(reference: str) -> Callable[[], Awaitable[Any]]:
        return lambda: services.create_return(
            return_command(reference, items),
            uow=SqlUnitOfWork(db, tenant_id=TENANT, clock=clock),
            clock=clock,
        )

    await in_parallel([job(reference) for reference in references], workers=8)


async def stored_returns(url: str) -> int:
    with contextlib.suppress(asyncpg.PostgresError, OSError):
        connection = await asyncpg.connect(plain_dsn(url))
        try:
            return await connection.fetchval(
                "SELECT count(*) FROM return_requests WHERE tenant_id = $1", TENANT
            )
        finally:
            await connection.close()
    return -1


async def ensure_read_data(url: str, count: int, items: int, reload: bool) -> None:
    if not reload and await stored_returns(url) == count:
        say(f"reads: reusing the {count} return requests already in the database")
        return
    say(f"reads: loading {count} orders and return requests of {items} items (use cases)")
    await create_postgres_database(url)
    await cli_migrate(url)
    db = Database(url)
    try:
        references = await load_orders(db, "READ", count, items)
        await load_returns(db, references, items)
    finally:
        await db.dispose()


async def analyze(url: str) -> None:
    """Fresh planner statistics, as autovacuum keeps them on a production server (it is off
    on some machines): without them PostgreSQL scanned 10,000 requests by tenant to find one
    by its primary key."""
    if url.startswith("sqlite"):
        db = Database(url)
        try:
            async with db.engine.begin() as connection:
                await connection.exec_driver_sql("ANALYZE")
        finally:
            await db.dispose()
        return
    connection = await asyncpg.connect(plain_dsn(url))
    try:
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def sample_ids(url: str, count: int) -> list[str]:
    connection = await asyncpg.connect(plain_dsn(url))
    try:
        rows = await connection.fetch(
            "SELECT id FROM return_requests WHERE tenant_id = $1 ORDER BY md5(id) LIMIT $2",
            TENANT,
            count,
        )
    finally:
        await connection.close()
    return [row["id"] for row in rows]


# --------------------------------------------------------------------------- the three servers


@dataclass
class Peer:
    """A server process other than returns-api (PostGraphile, the raw handler)."""

    name: str
    command: list[str]
    health: str
    log_path: Path
    port: int = field(default_factory=free_port)
    process: asyncio.subprocess.Process | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, http: aiohttp.ClientSession) -> None:
        command = [part.replace("{port}", str(self.port)) for part in self.command]
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *command, cwd=ROOT, stdout=log, stderr=log, env=os.environ | self.env
            )
        await wait_until_up(http, self.url + self.health, self.log_path, any_status=True)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def stop(self) -> None:
        await stop_process(self.process)


def install_postgraphile() -> Path:
    cli = PEERS / "node_modules" / "postgraphile" / "cli.js"
    if cli.exists() and POSTGRAPHILE.split("@")[1] in (cli.parent / "package.json").read_text():
        return cli
    if shutil.which("npm") is None:
        raise SystemExit("PostGraphile needs Node.js and npm (apt-get install nodejs npm)")
    say(f"reads: npm install {POSTGRAPHILE} into {PEERS.relative_to(ROOT)}")
    PEERS.mkdir(parents=True, exist_ok=True)
    (PEERS / "package.json").write_text('{"private": true}\n')
    subprocess_run(["npm", "install", "--no-audit", "--no-fund", POSTGRAPHILE], cwd=PEERS)
    return cli


def install_postgraphile5() -> Path:
    """postgraphile@5 in bench/.peers/v5, with bench/postgraphile5.mjs copied beside its
    node_modules (Node resolves the package from the script's folder)."""
    script = PEERS5 / "postgraphile5.mjs"
    if not (PEERS5 / "node_modules" / "postgraphile" / "package.json").exists():
        if shutil.which("npm") is None:
            raise SystemExit("PostGraphile needs Node.js and npm (apt-get install nodejs npm)")
        say(f"reads: npm install {POSTGRAPHILE5} into {PEERS5.relative_to(ROOT)}")
        PEERS5.mkdir(parents=True, exist_ok=True)
        (PEERS5 / "package.json").write_text('{"private": true}\n')
        subprocess_run(["npm", "install", "--no-audit", "--no-fund", POSTGRAPHILE5], cwd=PEERS5)
    shutil.copyfile(ROOT / "bench" / "postgraphile5.mjs", script)
    return script


def subprocess_run(command: list[str], cwd: Path) -> None:
    import subprocess

    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def postgraphile(url: str, logs: Path) -> Peer:
    cli = install_postgraphile()
    command = ["node", str(cli), "-c", plain_dsn(url), "--simple-collections", "only"]
    command += ["--host", "127.0.0.1", "--port", "{port}", "--disable-query-log"]
    return Peer(
        "PostGraphile 4",
        command,
        "/graphql",
        logs / "postgraphile.log",
        env={"NODE_ENV": "production"},
    )


def postgraphile5(url: str, logs: Path) -> Peer:
    """PostGraphile 5 with its V4 preset: the same schema and query bodies as 4."""
    script = install_postgraphile5()
    return Peer(
        "PostGraphile 5",
        ["node", str(script), plain_dsn(url), "{port}"],
        "/graphql",
        logs / "postgraphile5.log",
        env={"NODE_ENV": "production"},
    )


def raw_peer(url: str, logs: Path) -> Peer:
    command = [sys.executable, str(ROOT / "bench" / "raw_peer.py"), plain_dsn(url), "{port}"]
    return Peer("raw aiohttp+asyncpg", command, "/healthz", logs / "raw.log")


# --------------------------------------------------------------------------- same answers


def normalised(request: dict[str, Any]) -> dict[str, Any]:
    """One return as comparable data: the peers name the id and the items differently and
    spell timestamps their own way."""
    items = request.get("items", request.get("returnItemsByReturnRequestIdList"))
    return {
        "id": request.get("returnRequestId", request.get("id")),
        "status": request["status"],
        "merchant": request["merchant"],
        "orderReference": request["orderReference"],
        "version": request["version"],
        "createdAt": datetime.fromisoformat(request["createdAt"]).astimezone(UTC),
        "items": [{**item, "unitPrice": Decimal(str(item["unitPrice"]))} for item in items or []],
    }


async def answers(http: aiohttp.ClientSession, target: Target) -> Any:
    async with http.request(
        target.method, target.url, data=target.body, headers=target.headers
    ) as response:
        text = await response.text()
        if response.status != 200:
            raise SystemExit(f"{target.name}: HTTP {response.status}: {text[:300]}")
        return json.loads(text)


async def check_same_answers(
    http: aiohttp.ClientSession, reads: list[Read], ids: list[str]
) -> None:
    """Every server answers the same returns, items and quantities, or the run stops."""
    for read in reads:
        seen: dict[str, Any] = {}
        for target in read.targets:
            found = []
            for rid in ids if read.one else [""]:
                data = (await answers(http, target.for_id(rid)))["data"]
                found += read.extract(data)
            seen[target.name] = [normalised(request) for request in found]
        first, *others = seen.values()
        for name, value in list(seen.items())[1:]:
            if value != first:
                raise SystemExit(f"{read.name}: {name} answers differently from the others")
        say(f"checked: {read.name}: {len(first)} returns answered alike by {len(seen)} servers")
        assert all(len(request["items"]) for request in first) and others is not None


# --------------------------------------------------------------------------- load


@dataclass
class Target:
    """One server's way of answering one read."""

    name: str
    pid: int
    method: str
    url: str
    headers: dict[str, str]
    body: str | None = None
    placeholder: str = "@ID@"

    def for_id(self, rid: str) -> Target:
        return Target(
            self.name,
            self.pid,
            self.method,
            self.url.replace(self.placeholder, rid),
            self.headers,
            self.body.replace(self.placeholder, rid) if self.body else None,
        )


@dataclass
class Read:
    name: str
    one: bool  # one return by id (rotating over the sample), or the newest page
    targets: list[Target]
    extract: Callable[[dict[str, Any]], list[dict[str, Any]]]


@dataclass
class Figures:
    requests: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    database_cpu: float = 0.0  # the PostgreSQL backends' CPU while this server was loaded
    errors: int = 0
    rates: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return statistics.median(self.rates) if self.rates else 0.0

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / self.requests if self.requests else 0.0

    @property
    def database_ms(self) -> float:
        return 1000 * self.database_cpu / self.requests if self.requests else 0.0

    def cell(self) -> str:
        """req/s (server CPU ms + PostgreSQL CPU ms per request)."""
        errors = f", {self.errors} errors" if self.errors else ""
        return f"{self.rate:,.0f} req/s ({self.cpu_ms:.2f} + PG {self.database_ms:.2f} ms){errors}"


def lua_concat(text: str, placeholder: str) -> str:
    """`text` as a Lua expression with the placeholder replaced by the variable `id`."""
    head, found, tail = text.partition(placeholder)
    return f"{json.dumps(head)} .. id .. {json.dumps(tail)}" if found else json.dumps(text)


def wrk_script(target: Target, ids: list[str]) -> str:
    """A wrk Lua script that sends `target`'s request, rotating over `ids`."""
    path = "/" + target.url.split("/", 3)[3]
    headers = "".join(
        f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n" for k, v in target.headers.items()
    )
    body = "nil" if target.body is None else lua_concat(target.body, target.placeholder)
    return f"""
local ids = {{{",".join(json.dumps(rid) for rid in ids)}}}
local n = 0
wrk.method = "{target.method}"
{headers}
request = function()
  n = n + 1
  local id = ids[(n % #ids) + 1]
  return wrk.format(nil, {lua_concat(path, target.placeholder)}, nil, {body})
end
"""


async def run_wrk(
    target: Target, ids: list[str], args: argparse.Namespace, seconds: float
) -> tuple[int, int, float]:
    """(requests, non-2xx, seconds) of one wrk run."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(target, ids))
    base = target.url.split("/", 3)
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds:g}s"]
    command += ["--timeout", f"{args.timeout:g}s"]
    command += ["-s", script.name, f"{base[0]}//{base[2]}/"]
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    output = (await process.communicate())[0].decode()
    os.unlink(script.name)
    requests = int(re.search(r"(\d+) requests in ([\d.]+)(m?s)", output).group(1))  # type: ignore[union-attr]
    duration = re.search(r"requests in ([\d.]+)(m?s)", output)
    elapsed = float(duration.group(1)) / (1000 if duration.group(2) == "ms" else 1)  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    failed = int(bad.group(1)) if bad else 0
    if errors:
        failed += sum(int(n) for n in errors.groups())
    return requests, failed, elapsed


async def run_python_load(
    target: Target, ids: list[str], args: argparse.Namespace, seconds: float
) -> tuple[int, int, float]:
    """The same load from this process, when wrk is missing (slower: it shares the CPU)."""
    done = failed = 0
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    connector = aiohttp.TCPConnector(limit=args.connections)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def client(offset: int) -> None:
            nonlocal done, failed
            n = offset
            while time.monotonic() < deadline:
                one = target.for_id(ids[n % len(ids)])
                n += args.connections
                async with http.request(
                    one.method, one.url, data=one.body, headers=one.headers
                ) as r:
                    await r.read()
                    done += 1
                    failed += r.status != 200

        await asyncio.gather(*(client(k) for k in range(args.connections)))
    return done, failed, time.monotonic() - started


class Backends:
    """CPU time of the PostgreSQL backends serving the bench database, read from /proc (the
    server runs on this machine; pg_stat_statements is not preloaded here). Only the server
    under load queries it during a measurement, so their CPU is that server's database cost;
    other databases on the same PostgreSQL (other people's tests) are not counted."""

    def __init__(self, connection: asyncpg.Connection | None, database: str) -> None:
        self._connection = connection
        self._database = database

    async def cpu(self) -> dict[int, float]:
        if self._connection is None:
            return {}
        pids = await self._connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            self._database,
        )
        found = {}
        for row in pids:
            with contextlib.suppress(OSError):
                found[row["pid"]] = process_cpu_seconds(row["pid"])
        return found

    @staticmethod
    def spent(before: dict[int, float], after: dict[int, float]) -> float:
        """Backends that started during the run count whole (their start-up is a cost too)."""
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


async def measure(
    target: Target, ids: list[str], args: argparse.Namespace, seconds: float
) -> tuple[int, int, float, float, float]:
    """(requests, failed, seconds, server CPU s, PostgreSQL CPU s) of one run."""
    load = run_wrk if shutil.which("wrk") else run_python_load
    cpu = tree_cpu_seconds(target.pid)
    database = await args.backends.cpu()
    requests, failed, elapsed = await load(target, ids, args, seconds)
    spent = tree_cpu_seconds(target.pid) - cpu
    return requests, failed, elapsed, spent, Backends.spent(database, await args.backends.cpu())


async def alternate(
    reads: list[Read], ids: list[str], args: argparse.Namespace
) -> dict[tuple[str, str], Figures]:
    figures: dict[tuple[str, str], Figures] = {}
    say("warming up every server")
    for read in reads:
        for target in read.targets:
            await measure(target, ids, args, 2)
    for round_number in range(1, args.rounds + 1):
        for read in reads:
            # The servers take turns at going first: a round's first run meets a machine
            # whose other tenants (and caches) differ from its last.
            shift = (round_number - 1) % len(read.targets)
            for target in read.targets[shift:] + read.targets[:shift]:
                requests, failed, elapsed, cpu, database = await measure(
                    target, ids, args, args.seconds
                )
                entry = figures.setdefault((read.name, target.name), Figures())
                entry.requests += requests
                entry.seconds += elapsed
                entry.cpu += cpu
                entry.database_cpu += database
                entry.errors += failed
                entry.rates.append(requests / elapsed)
                rate = requests / elapsed
                say(f"round {round_number}: {read.name:<30} {target.name:<20} {rate:8.1f} req/s")
    return figures


# --------------------------------------------------------------------------- reads


def graphql_target(
    name: str, pid: int, url: str, query: str, headers: dict[str, str], one: bool
) -> Target:
    variables = {"id": "@ID@"} if one else {}
    body = json.dumps({"query": query, "variables": variables})
    return Target(name, pid, "POST", url, headers | {"Content-Type": "application/json"}, body)


def with_variant(read: Read, ours: Server, variant: Server | None, name: str) -> Read:
    """`read` with a second returns-api (`--variant`) measured beside the first."""
    if variant is None:
        return read
    target = next(t for t in read.targets if t.name == "returns-api")
    url = target.url.replace(ours.url, variant.url)
    twin = Target(name, variant.pid, target.method, url, target.headers, target.body)
    return Read(read.name, read.one, [*read.targets, twin], read.extract)


def define_reads(
    ours: Server, graphiles: list[Peer], raw: Peer, headers: dict[str, str]
) -> list[Read]:
    gql = f"{ours.url}/graphql"
    return [
        Read(
            "one return with 10 items",
            True,
            [
                Target(raw.name, raw.pid, "GET", f"{raw.url}/returns/@ID@", {}),
                graphql_target("returns-api", ours.pid, gql, OURS_ONE, headers, True),
                *(
                    graphql_target(g.name, g.pid, f"{g.url}/graphql", PEER_ONE, {}, True)
                    for g in graphiles
                ),
            ],
            lambda data: [data["returnRequest"]],
        ),
        Read(
            "newest 100 returns with items",
            False,
            [
                Target(raw.name, raw.pid, "GET", f"{raw.url}/returns?first=100", {}),
                graphql_target("returns-api", ours.pid, gql, OURS_PAGE, headers, False),
                *(
                    graphql_target(g.name, g.pid, f"{g.url}/graphql", PEER_PAGE, {}, False)
                    for g in graphiles
                ),
            ],
            lambda data: (
                [edge["node"] for edge in data["returnRequests"]["edges"]]
                if "returnRequests" in data
                else data["allReturnRequestsList"]
            ),
        ),
    ]


def rest_read(ours: Server, raw: Peer, headers: dict[str, str]) -> Read:
    return Read(
        "GET /returns/requests/{id}",
        True,
        [
            Target(raw.name, raw.pid, "GET", f"{raw.url}/returns/@ID@", {}),
            Target("returns-api", ours.pid, "GET", f"{ours.url}/returns/requests/@ID@", headers),
        ],
        lambda data: [data],
    )


async def check_rest(http: aiohttp.ClientSession, read: Read, ids: list[str]) -> None:
    """The REST answer carries the same items and quantities as the raw handler's."""
    for rid in ids[:20]:
        raw = (await answers(http, read.targets[0].for_id(rid)))["data"]["returnRequest"]
        rest = await answers(http, read.targets[1].for_id(rid))
        skus = [(i["sku"], i["quantity"]) for i in raw["items"]]
        if [(i["sku"], i["quantity"]) for i in rest["items"]] != skus:
            raise SystemExit(f"REST answers other items than the raw handler for {rid}")
    say(f"checked: REST: {min(20, len(ids))} returns carry the raw handler's items")


async def reads(args: argparse.Namespace, logs: Path) -> None:
    url = f"{args.postgres}/returns_bench_compare{args.db_suffix}"
    await ensure_read_data(url, args.returns, args.items, args.reload)
    await analyze(url)
    ids = await sample_ids(url, 1000)
    db = Database(url)
    headers = await credentials(db)
    await db.dispose()
    ours = Server(url, logs / "returns-api.log")
    peers = (
        [postgraphile(url, logs), postgraphile5(url, logs), raw_peer(url, logs)]
        if args.peers
        else []
    )
    variant = None
    if args.variant:
        setting, _, value = args.variant.partition("=")
        variant = Server(url, logs / "returns-api-variant.log", env={setting: value})
    elif args.baseline:
        variant = Server(url, logs / "returns-api-baseline.log", root=args.baseline.resolve())
    workers = None
    if args.workers > 1:
        workers = Server(url, logs / "returns-api-workers.log", workers=args.workers)
    servers = [ours, *peers, *(s for s in (variant, workers) if s is not None)]
    measured: list[Read] = []
    async with aiohttp.ClientSession() as http:
        for server in servers:
            await server.start(http)
        try:
            if peers:
                measured = await peer_reads(http, ours, peers, variant, headers, ids, args)
            if workers is not None:
                measured.append(workers_read(ours, workers, headers))
            monitor = await asyncpg.connect(plain_dsn(url))
            args.backends = Backends(monitor, admin_dsn(url)[1])
            try:
                figures = await alternate(measured, ids, args)
            finally:
                await monitor.close()
        finally:
            for server in servers:
                await server.stop()
    if peers:
        print_reads(args, [read for read in measured if read.name != WORKERS_READ], figures)
    if workers is not None:
        print_workers(args, figures)


async def peer_reads(
    http: aiohttp.ClientSession,
    ours: Server,
    peers: list[Peer],
    variant: Server | None,
    headers: dict[str, str],
    ids: list[str],
    args: argparse.Namespace,
) -> list[Read]:
    """The reads returns-api and its peers answer, checked to answer alike."""
    *graphiles, raw = peers
    graphql_reads = define_reads(ours, graphiles, raw, headers)
    rest = rest_read(ours, raw, headers)
    await check_same_answers(http, graphql_reads, ids[:20])
    await check_rest(http, rest, ids)
    return [
        with_variant(read, ours, variant, variant_name(args)) for read in [*graphql_reads, rest]
    ]


WORKERS_READ = "one return with 10 items, by worker processes"


def workers_read(ours: Server, workers: Server, headers: dict[str, str]) -> Read:
    """The one-return read from one process and from `serve --workers N`, side by side."""
    return Read(
        WORKERS_READ,
        True,
        [
            graphql_target("1 process", ours.pid, f"{ours.url}/graphql", OURS_ONE, headers, True),
            graphql_target(
                f"--workers {workers.workers}",
                workers.pid,
                f"{workers.url}/graphql",
                OURS_ONE,
                headers,
                True,
            ),
        ],
        lambda data: [data["returnRequest"]],
    )


def print_workers(args: argparse.Namespace, figures: dict[tuple[str, str], Figures]) -> None:
    """One process beside N workers; CPU is per request, the supervisor's and all workers'."""
    one = figures[(WORKERS_READ, "1 process")]
    many = figures[(WORKERS_READ, f"--workers {args.workers}")]
    print(f"\nOne return with {args.items} items: `serve` beside `serve --workers {args.workers}`")
    print(f"({os.cpu_count()} CPUs shared with PostgreSQL and the load generator)")
    print(f"\n| read | 1 process | --workers {args.workers} | workers / 1 process |")
    print("| --- | ---: | ---: | ---: |")
    cells = [f.cell() for f in (one, many)]
    print(f"| one return | {' | '.join(cells)} | **{many.rate / one.rate:.2f}x** |")


def variant_name(args: argparse.Namespace) -> str:
    if args.baseline:
        return f"returns-api of {args.baseline}"
    return f"returns-api {args.variant}"


def print_reads(
    args: argparse.Namespace, reads_: list[Read], figures: dict[tuple[str, str], Figures]
) -> None:
    load = (
        f"wrk -t{args.threads} -c{args.connections} -d{args.seconds:g}s"
        if shutil.which("wrk")
        else "python load generator"
    )
    print(f"\nReads on PostgreSQL, {args.returns} returns of {args.items} items,", end=" ")
    print(f"{args.rounds} alternating rounds of `{load}`;")
    print("req/s = median over rounds, the servers' order rotated each round; (a + PG b ms) =")
    print("CPU ms per request of the server's processes (a) and of its PostgreSQL backends (b)")
    names = ["raw aiohttp+asyncpg", "returns-api", *GRAPHILES]
    print(f"\n| read | {' | '.join(names)} | returns-api / best PostGraphile | returns-api / raw |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for read in reads_:
        cells = [
            figures[key].cell() if (key := (read.name, name)) in figures else "—" for name in names
        ]
        ours = figures[(read.name, "returns-api")].rate
        peers = {n: figures[(read.name, n)].rate for n in GRAPHILES if (read.name, n) in figures}
        best = max(peers, key=lambda n: peers[n]) if peers else None
        ratio_peer = f"**{ours / peers[best]:.2f}x** ({best[-1]})" if best else "—"
        raw = figures[(read.name, "raw aiohttp+asyncpg")].rate
        print(f"| {read.name} | {' | '.join(cells)} | {ratio_peer} | **{ours / raw:.2f}x** |")
    if args.variant or args.baseline:
        print_variant(args, reads_, figures)


def print_variant(
    args: argparse.Namespace, reads_: list[Read], figures: dict[tuple[str, str], Figures]
) -> None:
    """The same reads from the returns-api served with `--variant` (its ratio to the
    default) or from `--baseline`'s checkout (this checkout's ratio to it)."""
    name = variant_name(args)
    ratio = "this / baseline" if args.baseline else "variant / default"
    print(f"\n| read | returns-api | {name} | {ratio} |")
    print("| --- | ---: | ---: | ---: |")
    for read in reads_:
        ours, twin = figures[(read.name, "returns-api")], figures[(read.name, name)]
        times = ours.rate / twin.rate if args.baseline else twin.rate / ours.rate
        print(f"| {read.name} | {ours.cell()} | {twin.cell()} | **{times:.2f}x** |")


# --------------------------------------------------------------------------- writes


@dataclass
class WriteFigures:
    backend: str
    create_ms: list[float] = field(default_factory=list)
    approve_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cpu: float = 0.0
    database_cpu: float = 0.0  # PostgreSQL's backends serving the bench database

    @property
    def mutations(self) -> int:
        return len(self.create_ms) + len(self.approve_ms)


async def write_clients(
    server: Server,
    headers: dict[str, str],
    references: Iterable[str],
    args: argparse.Namespace,
    seconds: float,
    figures: WriteFigures | None,
    backends: Backends | None = None,
) -> None:
    pending = iter(references)
    deadline = time.monotonic() + seconds
    hdrs = headers | {"Content-Type": "application/json"}
    gql = f"{server.url}/graphql"
    connector = aiohttp.TCPConnector(limit=args.clients)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def call(query: str, variables: dict[str, Any], into: list[float]) -> dict[str, Any]:
            started = time.perf_counter()
            async with http.post(
                gql, json={"query": query, "variables": variables}, headers=hdrs
            ) as r:
                answer = await r.json()
            into.append(1000 * (time.perf_counter() - started))
            return answer

        async def client() -> None:
            scratch: list[float] = []
            for reference in pending:
                if time.monotonic() >= deadline:
                    return
                created = await call(
                    CREATE,
                    {"input": create_input(reference, args.items)},
                    figures.create_ms if figures else scratch,
                )
                payload = (created.get("data") or {}).get("createReturn") or {}
                if payload.get("userErrors") or not payload.get("returnRequest"):
                    (figures.errors if figures else []).append(json.dumps(created)[:300])
                    continue
                rid = payload["returnRequest"]["returnRequestId"]
                approved = await call(
                    APPROVE,
                    {"input": {"returnRequestId": rid}},
                    figures.approve_ms if figures else scratch,
                )
                payload = (approved.get("data") or {}).get("approveReturn") or {}
                if payload.get("userErrors") or not payload.get("returnRequest"):
                    (figures.errors if figures else []).append(json.dumps(approved)[:300])

        cpu = server.cpu_seconds()
        database = await backends.cpu() if backends else {}
        started = time.monotonic()
        await asyncio.gather(*(client() for _ in range(args.clients)))
        if figures is not None:  # added up over rounds
            figures.seconds += time.monotonic() - started
            figures.cpu += server.cpu_seconds() - cpu
            if backends is not None:
                figures.database_cpu += Backends.spent(database, await backends.cpu())


def create_input(reference: str, items: int) -> dict[str, Any]:
    return {
        "merchant": MERCHANT,
        "orderReference": reference,
        "items": [
            {"sku": f"SKU-{n}", "quantity": 1 + n % 2, "reasonCode": "TOO_SMALL"}
            for n in range(items)
        ],
        "pickup": {"contactName": "Bench", "address1": "1 Bench St", "country": "AE"},
        "dropoff": {"partnerLocationId": "WH-1"},
    }


def write_servers(
    url: str, backend: str, args: argparse.Namespace, logs: Path
) -> list[tuple[str, Server]]:
    """This checkout's server, then (if asked) `--baseline`'s and `serve --workers N`, every
    process with the same pool (`pool_settings`)."""
    processes = 1 + bool(args.baseline) + (args.workers if args.workers > 1 else 0)
    env = pool_settings(args.pool_budget, processes) if backend == "PostgreSQL" else {}
    servers = [(backend, Server(url, logs / f"writes-{backend}.log", env=env))]
    if args.baseline:
        twin = Server(
            url, logs / f"writes-{backend}-baseline.log", root=args.baseline.resolve(), env=env
        )
        servers.append((f"{backend}, baseline", twin))
    if args.workers > 1:
        many = Server(url, logs / f"writes-{backend}-workers.log", workers=args.workers, env=env)
        servers.append((f"{backend}, --workers {args.workers}", many))
    return servers


def pool_settings(budget: int, processes: int) -> dict[str, str]:
    """Pool size and overflow per process so that the servers of a writes run, all up at
    once, hold at most `budget` PostgreSQL connections between them: each process may hold
    2 x (size + overflow), its write pool and as many reading connections (the README's
    budget). With `serve --workers 2` beside one process and a baseline the defaults
    (16 + 16) asked for 256 and PostgreSQL refused them: "too many clients already"."""
    per_process = budget // (2 * processes)
    size = min(POOL_SIZE, max(1, (per_process + 1) // 2))
    overflow = min(POOL_MAX_OVERFLOW, max(0, per_process - size))
    say(f"pools: {processes} server processes, each {size} + {overflow} connections")
    return {"RETURNS_DB_POOL_SIZE": str(size), "RETURNS_DB_MAX_OVERFLOW": str(overflow)}


async def writes_on(
    url: str, backend: str, args: argparse.Namespace, logs: Path
) -> list[WriteFigures]:
    """The servers on one database, each with its own slice of the loaded orders, taking
    turns in `--rounds` rounds (the order rotated each round) of `--write-seconds` each, so
    they meet the same machine and the same table sizes."""
    if backend == "PostgreSQL":
        await create_postgres_database(url)
    await cli_migrate(url)
    servers = write_servers(url, backend, args, logs)
    db = Database(url)
    try:
        headers = await credentials(db)
        count = args.write_orders * len(servers)
        say(f"writes ({backend}): loading {count} orders (use cases)")
        references = await load_orders(db, "WRITE", count, args.items)
    finally:
        await db.dispose()
    figures = {label: WriteFigures(label) for label, _ in servers}
    monitor = await asyncpg.connect(plain_dsn(url)) if backend == "PostgreSQL" else None
    backends = Backends(monitor, admin_dsn(url)[1]) if monitor is not None else None
    try:
        async with aiohttp.ClientSession() as http:
            for _, server in servers:
                await server.start(http)
        pending = {}
        for n, (label, server) in enumerate(servers):
            mine = iter(references[n * args.write_orders : (n + 1) * args.write_orders])
            warm = [next(mine) for _ in range(max(1, args.write_orders // 20))]
            await write_clients(server, headers, warm, args, 2, None)
            pending[label] = mine
        for round_number in range(args.rounds):
            shift = round_number % len(servers)
            for label, server in servers[shift:] + servers[:shift]:
                # As autovacuum would (it is off on some machines): statistics of the tables
                # as the writers left them. Without any, PostgreSQL found a request by its
                # primary key by scanning every request of the tenant, so each write cost
                # more than the one before. The return tables hold the warm-up's rows by now:
                # statistics of empty tables would steer it to scans as they grow.
                await analyze(url)
                say(f"writes ({label}): {args.clients} clients for {args.write_seconds:g} s")
                await write_clients(
                    server,
                    headers,
                    pending[label],
                    args,
                    args.write_seconds,
                    figures[label],
                    backends,
                )
    finally:
        for _, server in servers:
            await server.stop()
        if monitor is not None:
            await monitor.close()
    return list(figures.values())


async def writes(args: argparse.Namespace, logs: Path) -> None:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite = f"sqlite+aiosqlite:///{Path(folder) / 'writes.db'}"
        results += await writes_on(sqlite, "SQLite", args, logs)
    postgres = f"{args.postgres}/returns_bench_writes{args.db_suffix}"
    results += await writes_on(postgres, "PostgreSQL", args, logs)
    print_writes(args, results)


def percentiles(values: list[float]) -> str:
    if not values:
        return "—"
    return " / ".join(f"{percentile(values, p):.0f}" for p in (50, 95, 99)) + " ms"


def print_writes(args: argparse.Namespace, results: list[WriteFigures]) -> None:
    print(f"\nWrites: createReturn ({args.items} items) then approveReturn,", end=" ")
    print(f"{args.clients} clients, {args.rounds} rounds of {args.write_seconds:g} s per server,")
    print("the servers' order rotated each round; latency over all rounds")
    print("\n| backend | mutations/s | create p50 / p95 / p99 | approve p50 / p95 / p99", end="")
    print(" | server CPU per mutation | PostgreSQL CPU per mutation | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        rate = r.mutations / r.seconds if r.seconds else 0
        cpu = 1000 * r.cpu / r.mutations if r.mutations else 0
        database = 1000 * r.database_cpu / r.mutations if r.mutations and r.database_cpu else 0
        cells = [r.backend, f"**{rate:,.0f}**", percentiles(r.create_ms)]
        cells += [percentiles(r.approve_ms), f"{cpu:.2f} ms"]
        cells += [f"{database:.2f} ms" if database else "-", str(len(r.errors))]
        print(f"| {' | '.join(cells)} |")
        for error in r.errors[:3]:
            print(f"  error: {error}")


# --------------------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["reads", "writes", "all"], default="all")
    parser.add_argument(
        "--postgres",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432",
        help="the PostgreSQL server; databases returns_bench_compare and _writes are made on it",
    )
    parser.add_argument(
        "--returns", type=int, default=10_000, help="return requests loaded for reads"
    )
    parser.add_argument("--items", type=int, default=10, help="items per return request")
    parser.add_argument(
        "--reload", action="store_true", help="reload the read data even if present"
    )
    parser.add_argument(
        "--variant",
        metavar="RETURNS_SETTING=VALUE",
        help="reads: also serve returns-api with this setting and print it beside the default",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="CHECKOUT",
        help="also serve the returns-api of this checkout (`git worktree add /tmp/base "
        "HEAD`) and print it beside this one, to measure a change in one run (reads "
        "alternate with it; writes run it after this one)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="also serve returns-api with `serve --workers N`: its one-return read beside one "
        "process, and its writes after one process's (1: skip)",
    )
    parser.add_argument(
        "--no-peers",
        dest="peers",
        action="store_false",
        help="reads: leave out PostGraphile and the raw handler (only the workers comparison)",
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--timeout", type=float, default=10, help="wrk's --timeout in seconds (late = error)"
    )
    parser.add_argument(
        "--db-suffix",
        default="",
        help="appended to the bench databases' names, so people sharing a PostgreSQL server "
        "do not drop each other's (e.g. _$USER)",
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent writers")
    parser.add_argument("--write-seconds", type=float, default=10)
    parser.add_argument("--write-orders", type=int, default=8000, help="orders loaded for writes")
    parser.add_argument(
        "--pool-budget",
        type=int,
        default=72,
        help="writes: PostgreSQL connections the servers may hold between them (its "
        "max_connections is 100 here; the rest is for this script, the servers' listeners "
        "and jobs, and other users); each process's pool is sized from it",
    )
    return parser.parse_args()


async def main(args: argparse.Namespace) -> None:
    print(f"$ {shlex.join([sys.executable, *sys.argv])}")
    print(f"{os.cpu_count()} CPUs, shared by the servers, PostgreSQL and the load generator")
    logs = PEERS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    say(f"server logs: {logs.relative_to(ROOT)}")
    if True:
        if args.mode in ("reads", "all"):
            await reads(args, logs)
        if args.mode in ("writes", "all"):
            await writes(args, logs)


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
