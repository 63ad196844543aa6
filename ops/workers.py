"""`returns-api serve --workers N`: N worker processes serve one port, each with its own event
loop (so on its own core), under a supervisor that restarts a worker that dies and stops
them all together.

The supervisor binds the port itself (a taken port is still one clear line) and hands the
listening socket to each worker, started with multiprocessing's "spawn": a fresh
interpreter, nothing inherited but the socket. The kernel gives each new connection to one
worker. What must happen once per start happens here, before the workers exist: migrations
(SQLite, or when RETURNS_MIGRATE_ON_START says so) and the development credentials banner.

The background jobs need nothing more: auto-close, webhook and notification delivery already
run safely in several processes at once (each claim is a locked, re-checked write), as they
do when N separate servers share a database. On SQLite the workers share the one WAL file;
a worker learns of another's commits by reading the event log every
RETURNS_EVENT_POLL_SECONDS (1 s unless set), where PostgreSQL wakes it with LISTEN/NOTIFY.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import socket
import time
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

from core.settings import Settings

log = logging.getLogger(__name__)

SQLITE_WORKER_POLL_SECONDS = 1.0
FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 30.0
STEADY_SECONDS = 30.0  # a worker that lived this long died of something new: no back-off
WATCH_SECONDS = 0.2  # how often the supervisor looks at its workers and its stop flag
KILL_MARGIN_SECONDS = 15.0  # beyond the grace period: background jobs finishing their round


@dataclass
class _Slot:
    """One worker's place: the process serving it now and how soon to restart it."""

    number: int
    process: BaseProcess | None = None
    started: float = 0.0
    backoff: float = FIRST_BACKOFF_SECONDS
    restart_at: float | None = field(default=None)


def supervise(settings: Settings, sock: socket.socket, url: str) -> int:
    """Prepare once, run `settings.workers` workers on `sock` until SIGINT or SIGTERM, then
    stop them all; the exit status."""
    asyncio.run(_prepare_once(settings))
    supervisor = _Supervisor(worker_settings(settings), sock, url)
    return supervisor.run()


def worker_settings(settings: Settings) -> Settings:
    """What each worker runs with: no migrations (done once, here); on SQLite, where no
    notification crosses processes, the event log read every second unless configured."""
    update: dict[str, object] = {"migrate_on_start": False}
    sqlite = settings.database_url.startswith("sqlite")
    if sqlite and "event_poll_seconds" not in settings.model_fields_set:
        update["event_poll_seconds"] = SQLITE_WORKER_POLL_SECONDS
    return settings.model_copy(update=update)


async def _prepare_once(settings: Settings) -> None:
    """Migrations and the development credentials, before any worker starts: N workers
    would otherwise race to migrate and each print its own banner."""
    from pathlib import Path

    from domain.ports import SystemClock
    from ops.dev_credentials import describe, ensure_dev_credentials
    from persistence import migrate
    from persistence.database import Database

    db = Database(settings.database_url)
    try:
        migrate_now = settings.migrate_on_start
        if migrate_now if migrate_now is not None else db.is_sqlite:
            await migrate.upgrade(db)
            log.info("database migrated to %s", migrate.head_revision())
        if settings.dev_credentials:
            path = Path(settings.dev_credentials_file)
            headers = await ensure_dev_credentials(db, SystemClock(), path, settings)
            print(describe(headers, path, settings.base_url()), flush=True)
    finally:
        await db.dispose()


class _Supervisor:
    def __init__(self, settings: Settings, sock: socket.socket, url: str) -> None:
        self._settings = settings
        self._sock = sock
        self._url = url
        self._context = multiprocessing.get_context("spawn")
        self._slots = [_Slot(number) for number in range(1, settings.workers + 1)]
        self._stopping = False

    def run(self) -> int:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._request_stop)
        log.info(
            "returns-api supervisor (pid %d) starting %d workers on %s",
            os.getpid(),
            len(self._slots),
            self._url,
        )
        for slot in self._slots:
            self._start(slot)
        while not self._stopping:
            self._watch()
        self._stop_all()
        log.info("returns-api stopped serving %s", self._url)
        return 0

    def _request_stop(self, signum: int, _frame: FrameType | None) -> None:
        """The first signal stops the workers gracefully; a second one kills them."""
        if self._stopping:
            log.warning("returns-api: second %s; killing the workers", signal.strsignal(signum))
            for slot in self._slots:
                if slot.process is not None and slot.process.is_alive():
                    slot.process.kill()
            return
        log.info("returns-api stopping %d workers (%s)", len(self._slots), signal.strsignal(signum))
        self._stopping = True

    def _start(self, slot: _Slot) -> None:
        process = self._context.Process(
            target=run_worker,
            args=(self._settings, self._sock, slot.number, self._url, os.getpid()),
            name=f"returns-api worker {slot.number}",
        )
        process.start()
        slot.process, slot.started, slot.restart_at = process, time.monotonic(), None

    def _watch(self) -> None:
        """Wait a moment for a worker to end; note who died and restart who is due."""
        running = [s.process.sentinel for s in self._slots if s.process is not None]
        wait(running, timeout=WATCH_SECONDS)
        now = time.monotonic()
        for slot in self._slots:
            if self._stopping:
                return
            process = slot.process
            if process is not None and not process.is_alive():
                self._schedule_restart(slot, process, now)
            elif slot.restart_at is not None and now >= slot.restart_at:
                self._start(slot)

    def _schedule_restart(self, slot: _Slot, process: BaseProcess, now: float) -> None:
        """A worker that keeps dying at start is restarted ever later, up to 30 s apart."""
        if now - slot.started >= STEADY_SECONDS:
            slot.backoff = FIRST_BACKOFF_SECONDS
        log.warning(
            "returns-api worker %d (pid %s) exited with status %s; restarting in %g s",
            slot.number,
            process.pid,
            process.exitcode,
            slot.backoff,
        )
        process.close()
        slot.process, slot.restart_at = None, now + slot.backoff
        slot.backoff = min(slot.backoff * 2, MAX_BACKOFF_SECONDS)

    def _stop_all(self) -> None:
        """SIGTERM to every worker at once, then wait for them; kill what outlives the grace
        period and the jobs' last round."""
        live = [s.process for s in self._slots if s.process is not None and s.process.is_alive()]
        for process in live:
            if process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + self._settings.shutdown_grace_seconds + KILL_MARGIN_SECONDS
        for process in live:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                log.warning("returns-api worker pid %s did not stop in time; killed", process.pid)
                process.kill()
                process.join()


def run_worker(settings: Settings, sock: socket.socket, number: int, url: str, parent: int) -> None:
    """A worker's life: serve `sock` until the supervisor's SIGTERM (or its death).

    Ctrl-C in a terminal signals the whole process group; the workers leave it to the
    supervisor, which stops them all with SIGTERM."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from edge.logs import configure_logging
    from ops.running import run_app

    configure_logging(settings.log_level, settings.log_format)
    pid = os.getpid()
    run_app(
        settings,
        sock,
        f"returns-api worker {number} (pid {pid}) listening on {url} (GraphQL at /graphql)",
        stop_signals=(signal.SIGTERM,),
        worker=True,
        orphaned=lambda: os.getppid() != parent,
    )
    log.info("returns-api worker %d (pid %d) stopped", number, pid)
