"""What every benchmark here needs: a returns-api server in its own process with its CPU
time, a benchmark tenant's credentials, PostgreSQL databases made and dropped for a run, and
nearest-rank percentiles. Benchmarks print figures; nothing here asserts."""

from __future__ import annotations

import asyncio
import math
import os
import re
import shutil
import signal
import socket
import sys
import time
from datetime import timedelta
from pathlib import Path

import aiohttp
import asyncpg
from sqlalchemy.engine import make_url

from domain.access import Role, new_tenant
from domain.ports import SystemClock
from persistence.access import AccessStore
from persistence.database import Database

ROOT = Path(__file__).resolve().parents[1]
TENANT = "bench"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def machine_busy_seconds() -> float:
    """CPU time the whole machine has spent busy, all cores (from /proc/stat)."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = ticks
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (from /proc/<pid>/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc/<n>/stat)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of `pid` and of its living descendants: a `serve --workers N` supervisor
    with its workers, or a single server process alone."""
    return process_cpu_seconds(pid) + sum(tree_cpu_seconds(c) for c in child_pids(pid))


def say(text: str) -> None:
    """Progress goes to stderr, so stdout holds only the figures."""
    print(text, file=sys.stderr, flush=True)


def cli_module(root: Path) -> str:
    """The CLI module of the checkout at `root`: ops.cli, or graphql_api.cli in a baseline
    from before the layout of issue 22."""
    return "ops.cli" if (root / "ops" / "cli.py").exists() else "graphql_api.cli"


class Server:
    """`python -m ops.cli serve` in its own process (the server children inherit our
    raised open-files limit). `keep` names RETURNS_* variables of ours it may see; `env`
    adds settings of its own."""

    def __init__(
        self,
        database_url: str,
        log_path: Path,
        *,
        keep: frozenset[str] = frozenset(),
        env: dict[str, str] | None = None,
        root: Path = ROOT,
        workers: int = 1,
    ) -> None:
        self.database_url = database_url
        self.root = root  # the checkout whose code it serves
        self.log_path = log_path
        self.port = free_port()
        self.process: asyncio.subprocess.Process | None = None
        self._keep = keep
        self._env = env or {}
        self.workers = workers

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, http: aiohttp.ClientSession) -> None:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith("RETURNS_") or k in self._keep
        }
        env |= {
            "DATABASE_URL": self.database_url,
            "RETURNS_PORT": str(self.port),
            "RETURNS_MIGRATE_ON_START": "false",
            "RETURNS_AUTO_CLOSE_INTERVAL_SECONDS": "0",
            "RETURNS_LOG_LEVEL": "WARNING",
            "RETURNS_LOG_FORMAT": "text",
        } | self._env
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                cli_module(self.root),
                "serve",
                *(["--workers", str(self.workers)] if self.workers > 1 else []),
                cwd=self.root,  # `-m` imports from the working directory first
                env=env,
                stdout=log,
                stderr=log,
            )
        await wait_until_up(http, f"{self.url}/healthz", self.log_path)
        if self.workers > 1:
            await self._wait_for_workers()

    def worker_pids(self) -> list[int]:
        """The workers of a `--workers N` server (not multiprocessing's resource tracker)."""
        return [
            pid
            for pid in child_pids(self.pid)
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]

    async def _wait_for_workers(self) -> None:
        """Until every worker answers: each in turn is left alone to accept (the others
        stopped with SIGSTOP), so its /healthz waits for it to listen."""
        for _ in range(600):
            if len(pids := self.worker_pids()) == self.workers:
                break
            await asyncio.sleep(0.1)
        else:
            raise RuntimeError(f"{self.workers} workers did not start; see {self.log_path}")
        for pid in pids:
            others = [other for other in pids if other != pid]
            for other in others:
                os.kill(other, signal.SIGSTOP)
            try:
                fresh = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))
                async with fresh, fresh.get(f"{self.url}/healthz") as response:
                    await response.read()
            finally:
                for other in others:
                    os.kill(other, signal.SIGCONT)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def cpu_seconds(self) -> float:
        return tree_cpu_seconds(self.pid)

    async def quiet(self, *, below: float = 0.05, window: float = 0.5, limit: float = 15) -> None:
        """Wait until the server uses less than `below` of a CPU over `window` seconds."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            before = self.cpu_seconds()
            await asyncio.sleep(window)
            if (self.cpu_seconds() - before) / window < below:
                return

    async def stop(self) -> None:
        await stop_process(self.process)


async def wait_until_up(
    http: aiohttp.ClientSession, url: str, log_path: Path, *, any_status: bool = False
) -> None:
    """Poll `url` until it answers 200 (or anything, with `any_status`), for up to 60 s:
    a busy shared machine starts a server slowly."""
    for _ in range(1200):
        try:
            async with http.get(url) as response:
                if response.status == 200 or any_status:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)
    raise RuntimeError(f"{url} did not come up; see {log_path}")


async def stop_process(process: asyncio.subprocess.Process | None) -> None:
    """SIGTERM, then SIGKILL after 15 s."""
    if process is None or process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), 15)
    except TimeoutError:
        process.send_signal(signal.SIGKILL)
        await process.wait()


async def credentials(db: Database, *, tenant: str = TENANT) -> dict[str, str]:
    """A full-access API client of the bench tenant, created in the database as the e2e
    tests do, as the three headers every call carries."""
    store = AccessStore(db)
    now = SystemClock().now()  # the server's clock
    if await store.tenant(tenant) is None:
        await store.create_tenant(new_tenant(tenant, tenant, now))
    issued = await store.create_client(tenant, Role.FULL, "bench", now)
    token = await store.issue_token(
        issued.client.client_id, issued.client_secret, now, lifetime=timedelta(hours=2)
    )
    assert token is not None
    return {"Authorization": f"Bearer {token[0]}", "x-api-key": issued.api_key, "tenant-id": tenant}


async def cli_migrate(url: str) -> None:
    """Migrate with the project's own command, as an operator would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETURNS_")}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ops.cli",
        "migrate",
        cwd=ROOT,
        env=env | {"DATABASE_URL": url},
        stdout=asyncio.subprocess.DEVNULL,
    )
    if await process.wait() != 0:
        raise RuntimeError("returns-api migrate failed")


def admin_dsn(url: str) -> tuple[str, str]:
    """The maintenance database's DSN and the bench database's name; test databases
    (returns_test*) are refused, so a benchmark never drops one."""
    parsed = make_url(url)
    name = parsed.database or ""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or name.startswith("returns_test"):
        raise SystemExit(f"refusing database name {name!r}: use e.g. returns_bench")
    admin = parsed.set(drivername="postgresql", database="postgres")
    return admin.render_as_string(hide_password=False), name


def plain_dsn(url: str) -> str:
    """`postgresql://…` for clients other than SQLAlchemy (asyncpg, PostGraphile)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def create_postgres_database(url: str) -> None:
    dsn, name = admin_dsn(url)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def drop_postgres_database(url: str) -> None:
    dsn, name = admin_dsn(url)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def record_stacks(
    pid: int, seconds: float, raw: Path, *, native: bool = False
) -> asyncio.subprocess.Process:
    """py-spy sampling `pid` for `seconds` at 500 Hz into `raw` (its raw stack format), started
    and left running: the caller drives the load meanwhile, then waits for it. Without
    `native`, py-spy samples without pausing the server, so the figures are the server's."""
    return await asyncio.create_subprocess_exec(
        shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy"),
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(int(seconds)),
        "--rate",
        "500",
        "--format",
        "raw",
        "-o",
        str(raw),
        *(["--native"] if native else ["--nonblocking"]),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
