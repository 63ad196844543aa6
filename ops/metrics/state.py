"""What the process and the database hold, read when /metrics is scraped and never per
request: the connection pool, open websockets, live subscribers and how far their feeds lag
behind the event log, text messages being sent, how each background job has fared, and the
backlogs only the database knows.

Database counts are read once per scrape with a deadline, in a task of their own: a slow or
unreachable database leaves those series out of the answer (alert on their absence) instead
of holding the scrape, and scrapes arriving meanwhile share the one read in flight."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from aiohttp import web
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from core.periodic import JobRecord
from core.throttle import AuthThrottle, Kind
from core.wiring import Wiring
from ops.metrics.registry import Metrics
from persistence.backlogs import Backlogs, count_backlogs
from persistence.database import Database
from persistence.pool import pool_usage, reading_usage

log = logging.getLogger(__name__)

BACKLOG_DEADLINE_SECONDS = 2.0


class DatabaseBacklogs:
    """The latest counts of database backlogs, refreshed by each scrape."""

    def __init__(self, db: Database, *, deadline: float = BACKLOG_DEADLINE_SECONDS) -> None:
        self._db = db
        self._deadline = deadline
        self._reading: asyncio.Future[Backlogs] | None = None
        self.latest: Backlogs | None = None

    async def refresh(self) -> None:
        if self._reading is None or self._reading.done():
            self._reading = asyncio.ensure_future(self._read())
        try:
            async with asyncio.timeout(self._deadline):
                self.latest = await asyncio.shield(self._reading)
        except Exception as failure:
            self.latest = None
            log.warning("metrics could not count database backlogs: %r", failure)

    async def finish(self, _app: web.Application) -> AsyncIterator[None]:
        """An aiohttp cleanup context: a read still running ends before the database is
        disposed (a query cancelled half-way strands its connection)."""
        yield
        if self._reading is not None and not self._reading.done():
            await asyncio.wait([self._reading], timeout=self._deadline)

    async def _read(self) -> Backlogs:
        async with self._db.read_session() as session:
            return await count_backlogs(session)


class LiveState(Collector):
    """A collector prometheus_client calls while rendering /metrics."""

    def __init__(self, wiring: Wiring, metrics: Metrics, backlogs: DatabaseBacklogs):
        self._wiring = wiring
        self._metrics = metrics
        self._backlogs = backlogs

    def collect(self) -> Iterator[Metric]:
        yield from _pool(self._wiring.db)
        yield from _reading(self._wiring.db)
        yield _gauge(
            "returns_websockets_open", "Websocket connections open.", self._metrics.websockets_open
        )
        hub = self._wiring.hub
        yield _gauge("returns_subscribers", "Live GraphQL subscriptions.", hub.subscriber_count)
        yield _gauge(
            "returns_event_log_lag_events",
            "Committed events this process has heard of but not yet handed to its subscribers.",
            hub.lag,
        )
        yield _gauge(
            "returns_sms_sending",
            "Text messages this process is handing to the gateway now.",
            self._wiring.notifier.in_flight,
        )
        yield from _throttle(self._wiring.throttle)
        if self._metrics.graphql_usage is not None:
            yield from _graphql(self._metrics.graphql_usage())
        if self._backlogs.latest is not None:
            yield from _backlogs(self._backlogs.latest)


class JobsState(Collector):
    """How each background job of this process has fared (jobs/runner.py keeps the
    records): a job whose last success grows old, or whose failures climb, needs a look."""

    def __init__(self, records: dict[str, JobRecord]) -> None:
        self._records = records

    def collect(self) -> Iterator[Metric]:
        runs = CounterMetricFamily(
            "returns_job_runs", "Runs of each background job, failed ones included.", labels=["job"]
        )
        failures = CounterMetricFamily(
            "returns_job_failures", "Runs of each background job that raised.", labels=["job"]
        )
        last_run = GaugeMetricFamily(
            "returns_job_last_run_timestamp_seconds",
            "When each background job's latest run ended (Unix time), failed or not.",
            labels=["job"],
        )
        last_success = GaugeMetricFamily(
            "returns_job_last_success_timestamp_seconds",
            "When each background job's latest successful run ended (Unix time).",
            labels=["job"],
        )
        for name, record in self._records.items():
            runs.add_metric([name], record.runs)
            failures.add_metric([name], record.failures)
            if record.last_run_at is not None:
                last_run.add_metric([name], record.last_run_at)
            if record.last_success_at is not None:
                last_success.add_metric([name], record.last_success_at)
        yield from (runs, failures, last_run, last_success)


def _graphql(usage: Mapping[str, Mapping[str, int]]) -> Iterator[Metric]:
    """Counted by the GraphQL schema itself: a query that misses its compiled plan on every
    request shows as `fallback` growing with `planned` standing still."""
    executions = CounterMetricFamily(
        "returns_graphql_executions",
        "GraphQL operations executed by this process, by path: on a compiled plan (planned), "
        "on graphql-core after a plan gave up (fallback), on graphql-core from the start "
        "(graphql-core: mutations, subscriptions, introspection), or with JSON the database "
        "wrote (sql).",
        labels=["path"],
    )
    for path, count in usage["executions"].items():
        executions.add_metric([path], count)
    documents = CounterMetricFamily(
        "returns_graphql_documents",
        "GraphQL query texts this process answered from a document parsed and validated "
        "before (prepared) or parsed anew (parsed).",
        labels=["cache"],
    )
    for cache, count in usage["documents"].items():
        documents.add_metric([cache], count)
    yield executions
    yield documents


def _throttle(throttle: AuthThrottle) -> Iterator[Metric]:
    """Counted by the throttle itself (core/throttle.py), every kind always present."""
    failures = CounterMetricFamily(
        "returns_auth_failures",
        "Credentials refused as wrong by this process (client secrets, API credentials, "
        "portal links, customer lookups), by kind.",
        labels=["kind"],
    )
    throttled = CounterMetricFamily(
        "returns_auth_throttled",
        "Attempts refused unheard (429) after too many failures from their address or at "
        "their client or order, by kind.",
        labels=["kind"],
    )
    for kind in Kind:
        failures.add_metric([kind.value], throttle.failures[kind])
        throttled.add_metric([kind.value], throttle.throttled[kind])
    yield failures
    yield throttled


def _pool(db: Database) -> Iterator[Metric]:
    usage = pool_usage(db)
    if usage is None:
        return
    yield _gauge("returns_db_pool_in_use", "Database connections checked out.", usage.in_use)
    yield _gauge("returns_db_pool_idle", "Database connections open and idle.", usage.idle)
    yield _gauge(
        "returns_db_pool_max", "Connections the pool may open (size plus overflow).", usage.capacity
    )
    if usage.waiting is not None:
        yield _gauge(
            "returns_db_pool_waiting", "Callers waiting for a database connection.", usage.waiting
        )


def _reading(db: Database) -> Iterator[Metric]:
    """PostgreSQL's reading connections, which the pool's gauges do not count."""
    usage = reading_usage(db)
    if usage is None:
        return
    yield _gauge("returns_db_reading_in_use", "Reading connections lent.", usage.in_use)
    yield _gauge("returns_db_reading_idle", "Reading connections open and idle.", usage.idle)
    yield _gauge("returns_db_reading_max", "Reading connections that may be open.", usage.capacity)


def _backlogs(backlogs: Backlogs) -> Iterator[Metric]:
    deliveries = GaugeMetricFamily(
        "returns_webhook_deliveries",
        "Webhook deliveries of every tenant waiting to be sent (pending) or given up (failed).",
        labels=["state"],
    )
    for status, count in backlogs.webhook_deliveries.items():
        deliveries.add_metric([status.value.lower()], count)
    yield deliveries
    yield _gauge(
        "returns_sms_queued",
        "Text messages of every tenant queued and not yet handed to a sender (all processes).",
        backlogs.queued_notifications,
    )


def _gauge(name: str, documentation: str, value: Any) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)
