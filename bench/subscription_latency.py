"""Measure live subscriptions on ONE server process: delivery latency from commit to
subscriber (p50 / p99 / max) with 1, 100 and 1,000 concurrent subscribers while a writer
commits status changes at a steady rate, and the server's memory per idle subscriber.

    .venv/bin/python bench/subscription_latency.py                      # SQLite (temporary file)
    .venv/bin/python bench/subscription_latency.py postgresql+asyncpg://postgres@127.0.0.1:5432/returns_bench
    .venv/bin/python bench/subscription_latency.py --levels 1,100 --rate 50 --seconds 5

The server is `python -m ops.cli serve` in a subprocess; the subscribers (one
websocket each, graphql-transport-ws) and the writer (holdReturn / resumeReturn over HTTP)
live in this process. On PostgreSQL the named database is created afresh and dropped at the
end (never a returns_test* one). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import json
import os
import re
import resource
import shlex
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from harness import (
    TENANT,
    Server,
    cli_migrate,
    create_postgres_database,
    credentials,
    drop_postgres_database,
    machine_busy_seconds,
    percentile,
    say,
)
from sqlalchemy.engine import make_url

from core.settings import Settings
from persistence import event_log
from persistence.database import Database
from persistence.outbox import EVENTS_CHANNEL, StoredEvent, parse_wakeup

PROTOCOL = "graphql-transport-ws"
SERVER_SETTINGS = frozenset({"RETURNS_WS_MAX_SUBSCRIPTIONS", "RETURNS_SUBSCRIBER_QUEUE_SIZE"})

MERCHANT = "bench"
REQUESTS = 8  # return requests the writer toggles in turn; writes to one request are serialised
OPEN_CONCURRENCY = 50  # websockets being opened at once
DRAIN_SECONDS = 30  # how long to wait after the last write for deliveries to arrive
WRITE_BUDGET = 3  # a level stops writing after this many times its planned duration
FIELDS = "position eventType returnRequestId newStatus occurredAt"

UPSERT_ORDER = """mutation ($input: UpsertOrderInput!) {
  upsertOrder(input: $input) { userErrors { code message } } }"""
CREATE_RETURN = """mutation ($input: CreateReturnInput!) {
  createReturn(input: $input) { returnRequest { returnRequestId } userErrors { code message } } }"""
HOLD = """mutation ($input: HoldReturnInput!) {
  holdReturn(input: $input) { returnRequest { status } userErrors { code message } } }"""
RESUME = """mutation ($input: ResumeReturnInput!) {
  resumeReturn(input: $input) { returnRequest { status } userErrors { code message } } }"""

# Run in a separate process on PostgreSQL: prints "<time.time()> <payload>" for every
# notification of the events channel, i.e. the moment each writing transaction committed.
NOTIFY_LISTENER = """
import asyncio, sys, time
import asyncpg

async def main():
    connection = await asyncpg.connect(sys.argv[1])
    def notified(_connection, _pid, _channel, payload):
        print(f"{time.time():.6f} {payload}", flush=True)
    await connection.add_listener(sys.argv[2], notified)
    print("ready", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


def raise_open_files_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


class Writer:
    """A merchant integration: toggles its return requests between PENDING and ON_HOLD, one
    ReturnStatusChanged event per write."""

    def __init__(self, http: aiohttp.ClientSession, headers: dict[str, str]) -> None:
        self.http, self.headers = http, headers
        self.base_url = ""
        self.requests: list[str] = []
        self.on_hold: dict[str, bool] = {}
        self.locks: dict[str, asyncio.Lock] = {}
        self.turn = 0
        self.responded: dict[str, list[float]] = {}  # per request: when each write's answer came
        self.failures: list[str] = []
        self.skipped = 0

    async def data(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        async with self.http.post(
            f"{self.base_url}/graphql",
            json={"query": query, "variables": variables},
            headers=self.headers,
        ) as response:
            body = await response.json()
        if "errors" in body:
            raise RuntimeError(body["errors"])
        return body["data"]

    async def create_requests(self, count: int) -> None:
        delivered = (datetime.now(UTC) - timedelta(days=1)).isoformat()
        line = {"sku": "A", "quantity": count, "unitPrice": "10", "deliveredAt": delivered}
        order = {"merchant": MERCHANT, "reference": "SO-1", "currency": "AED", "lines": [line]}
        await self.data(UPSERT_ORDER, {"input": order})
        ask = {
            "merchant": MERCHANT,
            "orderReference": "SO-1",
            "items": [{"sku": "A", "quantity": 1}],
        }
        for _ in range(count):
            created = (await self.data(CREATE_RETURN, {"input": ask}))["createReturn"]
            if created["userErrors"]:
                raise RuntimeError(created["userErrors"])
            rid = created["returnRequest"]["returnRequestId"]
            self.requests.append(rid)
            self.on_hold[rid] = False
            self.locks[rid] = asyncio.Lock()

    def forget_answers(self) -> None:
        self.responded = {rid: [] for rid in self.requests}
        self.failures = []
        self.skipped = 0

    async def toggle(self, *, until: float | None = None) -> None:
        """One write; skipped if its turn comes after `until` (time.monotonic())."""
        rid = self.requests[self.turn % len(self.requests)]
        self.turn += 1
        async with self.locks[rid]:  # FIFO: writes to one request commit in the order taken
            if until is not None and time.monotonic() > until:
                self.skipped += 1
                return
            hold = not self.on_hold[rid]
            name, query = ("holdReturn", HOLD) if hold else ("resumeReturn", RESUME)
            try:
                payload = (await self.data(query, {"input": {"returnRequestId": rid}}))[name]
            except (aiohttp.ClientError, RuntimeError) as error:
                self.failures.append(str(error)[:200])
                return
            if payload["userErrors"]:
                self.failures.append(str(payload["userErrors"])[:200])
                return
            self.on_hold[rid] = hold
            self.responded.setdefault(rid, []).append(time.time())


@dataclass(eq=False)
class Connection:
    """One websocket holding `count` subscriptions; records every frame with the wall-clock
    time it was read (parsing waits until the measurement is over)."""

    ws: aiohttp.ClientWebSocketResponse
    field_name: str
    messages: list[tuple[float, str]] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    parsed: int = 0
    ids_seen: set[str] = field(default_factory=set)

    @classmethod
    async def open(
        cls,
        http: aiohttp.ClientSession,
        url: str,
        headers: dict[str, str],
        document: str,
        field_name: str,
        count: int,
    ) -> Connection:
        ws = await http.ws_connect(f"{url}/graphql", protocols=[PROTOCOL])
        await ws.send_json({"type": "connection_init", "payload": headers})
        ack = await ws.receive(timeout=30)
        if ack.type != aiohttp.WSMsgType.TEXT or json.loads(ack.data)["type"] != "connection_ack":
            raise RuntimeError(f"no connection_ack: {ack}")
        for n in range(count):
            await ws.send_json(
                {"id": str(n + 1), "type": "subscribe", "payload": {"query": document}}
            )
        connection = cls(ws, field_name)
        connection.task = asyncio.create_task(connection._read())
        return connection

    async def _read(self) -> None:
        append, clock = self.messages.append, time.time
        async for message in self.ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                append((clock(), message.data))

    def position(self, raw: str) -> int | None:
        body = json.loads(raw)
        if body.get("type") != "next" or not (body["payload"].get("data") or {}).get(
            self.field_name
        ):
            return None
        return int(body["payload"]["data"][self.field_name]["position"])

    def delivered_to_all(self, subscriptions: int) -> bool:
        """Each of its subscriptions has delivered at least one event."""
        for _, raw in self.messages[self.parsed :]:
            body = json.loads(raw)
            if body.get("type") == "next":
                self.ids_seen.add(body["id"])
        self.parsed = len(self.messages)
        return len(self.ids_seen) >= subscriptions

    def caught_up(self, last: int) -> bool:
        if self.ws.closed:
            return True
        if not self.messages:
            return False
        position = self.position(self.messages[-1][1])
        return position is not None and position >= last

    async def close(self) -> None:
        await self.ws.close()
        if self.task is not None:
            await self.task


async def open_connections(
    http: aiohttp.ClientSession,
    server: Server,
    headers: dict[str, str],
    document: str,
    field_name: str,
    *,
    connections: int,
    per_connection: int,
) -> list[Connection]:
    gate = asyncio.Semaphore(OPEN_CONCURRENCY)

    async def one() -> Connection:
        async with gate:
            return await Connection.open(
                http, server.url, headers, document, field_name, per_connection
            )

    return list(await asyncio.gather(*(one() for _ in range(connections))))


async def close_connections(connections: list[Connection]) -> None:
    gate = asyncio.Semaphore(200)

    async def one(connection: Connection) -> None:
        async with gate:
            await connection.close()

    await asyncio.gather(*(one(c) for c in connections))


async def all_registered(
    writer: Writer, connections: list[Connection], per_connection: int, limit: float = 90
) -> bool:
    """Write probe events until every subscription has delivered one: only then is every
    subscriber registered with the hub (a live subscription sees nothing committed before)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        await writer.toggle()
        await asyncio.sleep(0.25)
        if all(c.delivered_to_all(per_connection) for c in connections):
            return True
    return False


class LoopLag:
    """How late this process's event loop wakes up: large values mean the benchmark itself,
    not the server, delayed the receive timestamps."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self.task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(0.01)
            self.samples.append(loop.time() - started - 0.01)

    def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    async def stop(self) -> float:
        assert self.task is not None
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        return percentile(self.samples, 99) * 1000 if self.samples else 0.0


class CommitClock:
    """PostgreSQL only: the moment each transaction committed, from pg_notify as seen by a
    separate listener process (so this process's busy event loop cannot delay it)."""

    def __init__(self, url: str) -> None:
        self.dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.process: asyncio.subprocess.Process | None = None
        self.reader: asyncio.Task[None] | None = None
        self.commits: list[tuple[int, float]] = []  # (last position of the transaction, time)

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            NOTIFY_LISTENER,
            self.dsn,
            EVENTS_CHANNEL,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self.process.stdout is not None
        ready = await asyncio.wait_for(self.process.stdout.readline(), 30)
        if ready.strip() != b"ready":
            raise RuntimeError("the NOTIFY listener did not start")
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        async for line in self.process.stdout:
            at, _, payload = line.decode().strip().partition(" ")
            wakeup = parse_wakeup(payload)
            if wakeup is not None and wakeup[0] == TENANT:
                self.commits.append((wakeup[1], float(at)))

    def committed_at(self) -> dict[int, float]:
        """position → commit time of every transaction seen (a transaction's NOTIFY names
        its last position; the bench writes one event per transaction)."""
        return dict(self.commits)

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()
        if self.reader is not None:
            await self.reader


@dataclass
class LevelResult:
    subscribers: int
    writes_ok: int
    write_failures: int
    writes_skipped: int
    seconds: float
    events: int
    expected: int
    received: int
    missing: int
    duplicates: int
    errors: int
    closed: int
    from_occurred: list[float]
    first_delay: list[float]  # per event: first delivery - commit (or occurredAt)
    spread: list[float]  # per event: last delivery - first delivery (the fan-out's length)
    from_commit: list[float]
    occurred_to_answer: list[float]
    occurred_to_commit: list[float]
    server_cpu: float
    bench_cpu: float
    other_cpu: float
    rss_growth_kib: int  # server RSS at the end of the level - at its start (subscribers open)
    bench_lag_p99_ms: float


async def events_after(db: Database, after: int) -> list[StoredEvent]:
    events: list[StoredEvent] = []
    while True:
        async with db.read_session() as session:
            batch = await event_log.read_events(session, TENANT, after=after, limit=500)
        events += batch
        if len(batch) < 500:
            return events
        after = batch[-1].position


async def log_position(db: Database) -> int:
    async with db.read_session() as session:
        return await event_log.last_position(session, TENANT)


async def run_level(
    subscribers: int,
    *,
    args: argparse.Namespace,
    db: Database,
    server: Server,
    ws_http: aiohttp.ClientSession,
    headers: dict[str, str],
    writer: Writer,
    document: str,
    commit_clock: CommitClock | None,
) -> LevelResult:
    say(f"  {subscribers} subscriber(s): opening websockets")
    connections = await open_connections(
        ws_http,
        server,
        headers,
        document,
        args.subscription,
        connections=subscribers,
        per_connection=1,
    )
    if not await all_registered(writer, connections, 1):
        raise RuntimeError("not every subscriber received a probe event within 90 s")
    await asyncio.sleep(0.5)  # let the last probe's deliveries land
    start = await log_position(db)
    writer.forget_answers()

    say(f"  {subscribers} subscriber(s): writing {args.rate:g}/s for {args.seconds:g} s")
    loop = asyncio.get_running_loop()
    lag = LoopLag()
    lag.start()
    rss0 = server.rss_kib()
    cpu0, own0, busy0, wall0 = (
        server.cpu_seconds(),
        time.process_time(),
        machine_busy_seconds(),
        loop.time(),
    )
    writes = round(args.rate * args.seconds)
    tasks = []
    until = time.monotonic() + WRITE_BUDGET * args.seconds
    for n in range(writes):  # paced: a slow answer delays only the next write to its request
        delay = wall0 + n / args.rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(writer.toggle(until=until)))
    await asyncio.gather(*tasks)
    written = loop.time() - wall0

    events = [
        e
        for e in await events_after(db, start)
        if e.new_status is not None or not _only_status(args)
    ]
    last = events[-1].position if events else start
    for _ in range(DRAIN_SECONDS * 10):
        if all(c.caught_up(last) for c in connections):
            break
        await asyncio.sleep(0.1)
    elapsed = loop.time() - wall0
    rss_growth = server.rss_kib() - rss0
    server_cpu = (server.cpu_seconds() - cpu0) / elapsed
    bench_cpu = (time.process_time() - own0) / elapsed
    other_cpu = (machine_busy_seconds() - busy0) / elapsed - server_cpu - bench_cpu
    lag_p99 = await lag.stop()

    occurred = {e.position: e.occurred_at.timestamp() for e in events}
    commits = commit_clock.committed_at() if commit_clock else {}
    commit_positions = sorted(commits)

    def commit_time(position: int) -> float | None:
        at = bisect.bisect_left(commit_positions, position)
        return commits[commit_positions[at]] if at < len(commit_positions) else None

    committed = {p: commit_time(p) for p in occurred} if commits else {}
    answered: dict[int, float] = {}
    for rid, times in writer.responded.items():
        mine = [e.position for e in events if e.return_request_id == rid]
        if len(mine) == len(times):
            answered |= dict(zip(mine, times, strict=True))

    from_occurred: list[float] = []
    arrivals: dict[int, list[float]] = {}
    from_commit: list[float] = []
    received = duplicates = errors = closed = 0
    for connection in connections:
        seen: set[int] = set()
        for at, raw in connection.messages:
            body = json.loads(raw)
            if body.get("type") == "error" or (body.get("payload") or {}).get("errors"):
                errors += 1
            position = connection.position(raw)
            if position is None or position <= start:
                continue  # a probe, or not an event
            if position in seen:
                duplicates += 1
                continue
            seen.add(position)
            if position not in occurred:
                continue
            received += 1
            from_occurred.append((at - occurred[position]) * 1000)
            arrivals.setdefault(position, []).append(at)
            if committed.get(position) is not None:
                from_commit.append((at - committed[position]) * 1000)  # type: ignore[operator]
        if connection.ws.closed:
            closed += 1

    await close_connections(connections)
    await asyncio.sleep(0.5)
    expected = len(events) * subscribers
    return LevelResult(
        subscribers=subscribers,
        writes_ok=sum(len(t) for t in writer.responded.values()),
        write_failures=len(writer.failures),
        writes_skipped=writer.skipped,
        seconds=written,
        events=len(events),
        expected=expected,
        received=received,
        missing=expected - received,
        duplicates=duplicates,
        errors=errors,
        closed=closed,
        from_occurred=from_occurred,
        first_delay=[
            (min(times) - (committed.get(p) or occurred[p])) * 1000 for p, times in arrivals.items()
        ],
        spread=[(max(times) - min(times)) * 1000 for times in arrivals.values()],
        from_commit=from_commit,
        occurred_to_answer=[(answered[p] - occurred[p]) * 1000 for p in answered],
        occurred_to_commit=[(t - occurred[p]) * 1000 for p, t in committed.items() if t],
        server_cpu=server_cpu,
        bench_cpu=bench_cpu,
        other_cpu=max(other_cpu, 0.0),
        rss_growth_kib=rss_growth,
        bench_lag_p99_ms=lag_p99,
    )


def _only_status(args: argparse.Namespace) -> bool:
    return args.subscription == "returnStatusChanged"


@dataclass
class MemoryResult:
    subscriptions: int
    connections: int
    before_kib: int
    after_kib: int
    registered: bool

    @property
    def per_subscription_kib(self) -> float:
        return (self.after_kib - self.before_kib) / self.subscriptions


async def measure_memory(
    subscriptions: int,
    per_connection: int,
    *,
    url: str,
    log_path: Path,
    http: aiohttp.ClientSession,
    ws_http: aiohttp.ClientSession,
    headers: dict[str, str],
    writer: Writer,
    document: str,
    field_name: str,
) -> MemoryResult:
    """On a fresh server: RSS once warmed up and idle, then with the subscriptions open and
    idle (none has delivered anything yet); a probe event then checks all were registered."""
    server = Server(url, log_path, keep=SERVER_SETTINGS)
    await server.start(http)
    writer.base_url = server.url
    try:
        warm = await open_connections(
            ws_http, server, headers, document, field_name, connections=10, per_connection=1
        )
        await all_registered(writer, warm, 1)
        await close_connections(warm)
        await server.quiet()
        await asyncio.sleep(1)
        before = server.rss_kib()
        connections = await open_connections(
            ws_http,
            server,
            headers,
            document,
            field_name,
            connections=subscriptions // per_connection,
            per_connection=per_connection,
        )
        await server.quiet()
        await asyncio.sleep(1)
        after = server.rss_kib()
        registered = await all_registered(writer, connections, per_connection)
        await close_connections(connections)
        return MemoryResult(
            subscriptions=subscriptions,
            connections=len(connections),
            before_kib=before,
            after_kib=after,
            registered=registered,
        )
    finally:
        await server.stop()


def ms(values: list[float], pct: float | None) -> str:
    if not values:
        return "-"
    return f"{(max(values) if pct is None else percentile(values, pct)):.1f}"


def print_report(
    args: argparse.Namespace,
    backend: str,
    document: str,
    levels: list[LevelResult],
    memory: list[MemoryResult],
    per_connection: int,
    log_path: Path,
) -> None:
    shown = make_url(args.database_url).render_as_string() if args.database_url else None
    command = [shown if arg == args.database_url else arg for arg in [sys.executable, *sys.argv]]
    print(f"$ {shlex.join(command)}")
    print(
        f"backend={backend}  server: ONE process (python -m ops.cli serve), "
        f"{os.cpu_count()} CPUs on the machine, server and bench share them"
    )
    print(f"subscription: {document}   (each subscriber on its own websocket)")
    print(
        f"writer: holdReturn/resumeReturn over HTTP, paced at {args.rate:g}/s for "
        f"{args.seconds:g} s per level (write n starts at n/{args.rate:g} s, or once the previous "
        f"write to the same request, of {REQUESTS} taken in turn, has answered); one "
        "ReturnStatusChanged event per write; w/s = the rate the server let it reach"
    )
    print(
        "latency = when this process read the frame (time.time) - commit time, where commit "
        "time is\n"
        "  occurredAt: the event's occurredAt, the server's clock taken BEFORE the command ran "
        "and committed,\n"
        "              so it OVERSTATES latency by the command's own duration, at most "
        "'occ->answer' below"
    )
    if backend == "postgresql":
        print(
            "  commit:     when a separate listener process received the transaction's "
            "pg_notify, sent at COMMIT:\n"
            "              the precise figure ('occ->commit' below = how early occurredAt is)"
        )
    print()
    print("Delivery latency, ms, over every (event, subscriber) delivery")
    header = (
        f"{'subs':>5} {'writes':>6} {'w/s':>5} {'events':>6} {'expected':>9} {'received':>9} "
        f"{'missing':>7} | {'occurredAt p50':>14} {'p99':>7} {'max':>7}"
    )
    if backend == "postgresql":
        header += f" | {'commit p50':>10} {'p99':>7} {'max':>7}"
    print(header)
    print("-" * len(header))
    for r in levels:
        line = (
            f"{r.subscribers:>5} {r.writes_ok:>6} {r.writes_ok / r.seconds:>5.1f} {r.events:>6} "
            f"{r.expected:>9} {r.received:>9} {r.missing:>7} | "
            f"{ms(r.from_occurred, 50):>14} {ms(r.from_occurred, 99):>7} "
            f"{ms(r.from_occurred, None):>7}"
        )
        if backend == "postgresql":
            line += (
                f" | {ms(r.from_commit, 50):>10} {ms(r.from_commit, 99):>7} "
                f"{ms(r.from_commit, None):>7}"
            )
        print(line)
    print()
    reference = "commit" if backend == "postgresql" else "occurredAt"
    print(
        f"Where the time goes, ms (medians, max in brackets): first = first subscriber's "
        f"delivery - {reference}; fan-out = last - first subscriber's delivery of the same "
        "event; CPU = share of one core (other = the rest of the machine: PostgreSQL, "
        "kernel, other programs); bench lag = how late this process's loop woke (p99); "
        "RSS growth = server RSS at the level's end - at its start, all subscribers open"
    )
    head = f"{'subs':>5}"
    if backend == "postgresql":
        head += f" {'occ->commit':>11}"
    head += (
        f" {'occ->answer':>11} {'first':>15} {'fan-out':>17} {'server CPU':>10} "
        f"{'bench CPU':>9} {'other CPU':>9} {'bench lag':>9} {'RSS growth':>10} "
        f"{'per delivery':>12}"
    )
    print(head)
    print("-" * len(head))
    for r in levels:
        line = f"{r.subscribers:>5}"
        if backend == "postgresql":
            line += f" {ms(r.occurred_to_commit, 50):>11}"
        first = f"{ms(r.first_delay, 50)} ({ms(r.first_delay, None)})"
        spread = f"{ms(r.spread, 50)} ({ms(r.spread, None)})"
        line += (
            f" {ms(r.occurred_to_answer, 50):>11} {first:>15} {spread:>17} "
            f"{r.server_cpu * 100:>9.0f}% {r.bench_cpu * 100:>8.0f}% {r.other_cpu * 100:>8.0f}% "
            f"{r.bench_lag_p99_ms:>9.1f} {r.rss_growth_kib / 1024:>6.1f} MiB "
            f"{r.rss_growth_kib * 1024 / max(r.received, 1):>10.0f} B"
        )
        print(line)
    for r in levels:
        notes = []
        if r.missing:
            notes.append(f"{r.missing} deliveries MISSING")
        if r.duplicates:
            notes.append(f"{r.duplicates} duplicates")
        if r.errors:
            notes.append(f"{r.errors} error payloads")
        if r.closed:
            notes.append(f"{r.closed} websockets closed by the server")
        if r.write_failures:
            notes.append(f"{r.write_failures} writes failed (see the server log below)")
        if r.writes_skipped:
            notes.append(
                f"{r.writes_skipped} writes skipped: the server could not take them within "
                f"{WRITE_BUDGET:g}x the level's {args.seconds:g} s"
            )
        if notes:
            print(f"  {r.subscribers} subscribers: " + ", ".join(notes))
    if memory:
        print()
        print(
            "Memory per idle subscriber: server RSS (/proc/<pid>/status VmRSS) on a fresh, "
            "warmed-up server, before and after opening the subscriptions (idle, nothing "
            f"delivered yet); at most {per_connection} subscriptions per connection "
            "(RETURNS_WS_MAX_SUBSCRIPTIONS)"
        )
        head = (
            f"{'subscriptions':>13} {'connections':>11} {'RSS before':>11} {'RSS after':>11} "
            f"{'delta':>10} {'per subscription':>16} {'all registered':>14}"
        )
        print(head)
        print("-" * len(head))
        for m in memory:
            print(
                f"{m.subscriptions:>13} {m.connections:>11} {m.before_kib / 1024:>7.1f} MiB "
                f"{m.after_kib / 1024:>7.1f} MiB {(m.after_kib - m.before_kib) / 1024:>6.1f} MiB "
                f"{m.per_subscription_kib:>12.1f} KiB {'yes' if m.registered else 'NO':>14}"
            )
        if len(memory) == 2 and memory[0].connections != memory[1].connections:
            a, b = memory
            per_connection_kib = ((a.after_kib - a.before_kib) - (b.after_kib - b.before_kib)) / (
                a.connections - b.connections
            )
            per_subscription_kib = (
                (b.after_kib - b.before_kib) - b.connections * per_connection_kib
            ) / b.subscriptions
            print(
                f"  => about {per_connection_kib:.1f} KiB per websocket connection and "
                f"{per_subscription_kib:.1f} KiB per subscription on it"
            )
    problems = [
        line
        for line in log_path.read_text(errors="replace").splitlines()
        if re.match(r"\d{4}-\d\d-\d\d [\d:,]+ (WARNING|ERROR|CRITICAL) ", line)
    ]
    if problems:
        print()
        print(f"server log: {len(problems)} warning/error records, the first ones:")
        for line in problems[:5]:
            print(f"  {line[:200]}")


async def main(args: argparse.Namespace) -> None:
    levels = [int(n) for n in args.levels.split(",") if n]
    raise_open_files_limit(4 * max([*levels, args.idle]) + 1024)
    per_connection = Settings().ws_max_subscriptions
    selection = FIELDS + (" returnRequest { status version }" if args.with_request else "")
    document = f"subscription {{ {args.subscription} {{ {selection} }} }}"

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        postgres = make_url(url).get_backend_name() != "sqlite"
        log_path = Path(folder) / "server.log"
        if postgres:
            await create_postgres_database(url)
        db = Database(url)
        commit_clock: CommitClock | None = None
        try:
            await cli_migrate(url)
            headers = await credentials(db)
            connector = aiohttp.TCPConnector(limit=0)
            timeout = aiohttp.ClientTimeout(total=60)
            async with (
                aiohttp.ClientSession(timeout=timeout) as http,
                aiohttp.ClientSession(connector=connector) as ws_http,
            ):
                writer = Writer(http, headers)
                results: list[LevelResult] = []
                if levels:
                    server = Server(url, log_path, keep=SERVER_SETTINGS)
                    say(f"latency: starting the server ({db.url.get_backend_name()})")
                    await server.start(http)
                    writer.base_url = server.url
                    try:
                        await writer.create_requests(REQUESTS)
                        if postgres:
                            commit_clock = CommitClock(url)
                            await commit_clock.start()
                        for subscribers in levels:
                            results.append(
                                await run_level(
                                    subscribers,
                                    args=args,
                                    db=db,
                                    server=server,
                                    ws_http=ws_http,
                                    headers=headers,
                                    writer=writer,
                                    document=document,
                                    commit_clock=commit_clock,
                                )
                            )
                    finally:
                        await server.stop()
                if not writer.requests:
                    server = Server(url, log_path, keep=SERVER_SETTINGS)
                    await server.start(http)
                    writer.base_url = server.url
                    await writer.create_requests(REQUESTS)
                    await server.stop()
                memory: list[MemoryResult] = []
                if args.idle:
                    spreads = [1] + ([per_connection] if per_connection > 1 else [])
                    for spread in spreads:
                        say(f"memory: {args.idle} idle subscriptions, {spread} per connection")
                        memory.append(
                            await measure_memory(
                                args.idle,
                                spread,
                                url=url,
                                log_path=log_path,
                                http=http,
                                ws_http=ws_http,
                                headers=headers,
                                writer=writer,
                                document=document,
                                field_name=args.subscription,
                            )
                        )
            print_report(
                args,
                db.url.get_backend_name(),
                document,
                results,
                memory,
                per_connection,
                log_path,
            )
        finally:
            if commit_clock is not None:
                await commit_clock.stop()
            await db.dispose()
            if postgres:
                await drop_postgres_database(url)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "database_url", nargs="?", default=None, help="PostgreSQL URL (default: SQLite temp file)"
    )
    parser.add_argument(
        "--levels", default="1,100,1000", help="subscriber counts (default: %(default)s)"
    )
    parser.add_argument("--rate", type=float, default=20, help="writes per second (default: 20)")
    parser.add_argument("--seconds", type=float, default=10, help="seconds per level (default: 10)")
    parser.add_argument(
        "--subscription",
        choices=("returnEvents", "returnStatusChanged"),
        default="returnEvents",
        help="the subscription every subscriber holds (default: %(default)s)",
    )
    parser.add_argument(
        "--idle", type=int, default=1000, help="idle subscriptions for the memory figure (0: skip)"
    )
    parser.add_argument(
        "--with-request",
        action="store_true",
        help="also select returnRequest { status version } (one database read per event, shared)",
    )
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
