"""Cross-process wake-ups on PostgreSQL: LISTEN on the channel the outbox NOTIFYs at commit
and turn each notification into `Database.events_committed`, exactly as a local commit does;
and on the channel desk sessions that ended are told on (`Database.staff_sessions_ended`).

The connection is a dedicated asyncpg connection (a pooled one could be handed to someone
else with the LISTEN still on it). When it drops, the listener reconnects with backoff and
then wakes every tenant, so readers catch up on anything committed while it was away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

from persistence.database import Database
from persistence.outbox import EVENTS_CHANNEL, parse_wakeup
from persistence.staff import SESSIONS_CHANNEL, parse_sessions_payload

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 10.0


class PostgresWakeups:
    def __init__(self, db: Database, *, on_reconnect: Callable[[], None]) -> None:
        self._db = db
        self._on_reconnect = on_reconnect
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="postgres-wakeups")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        backoff = 0.1
        first = True
        while True:
            connection = None
            try:
                connection = await asyncpg.connect(**_connect_args(self._db))
                await self._listen(connection, catch_up=not first)
                first = False
                backoff = 0.1
            except Exception as error:  # any failure: reconnect, never stop listening
                log.warning("cannot LISTEN for events (%s); retrying", error)
                first = False
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            finally:
                self.connected.clear()
                if connection is not None:
                    with contextlib.suppress(Exception):
                        await connection.close(timeout=1)

    async def _listen(self, connection: Any, *, catch_up: bool) -> None:
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        await connection.add_listener(EVENTS_CHANNEL, self._notified)
        await connection.add_listener(SESSIONS_CHANNEL, self._sessions_ended)
        self.connected.set()
        if catch_up:
            self._on_reconnect()  # whatever committed while we were not listening
        while not lost.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    await lost.wait()
            if not lost.is_set() and connection.is_closed():
                break
        log.warning("the event LISTEN connection was lost; reconnecting")

    def _notified(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        wakeup = parse_wakeup(payload)
        if wakeup is not None:
            self._db.events_committed(*wakeup)

    def _sessions_ended(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        """(Ended while this connection was down: the desk sockets' sweep closes them.)"""
        ended = parse_sessions_payload(payload)
        if ended is not None:
            self._db.staff_sessions_ended(*ended)


def _connect_args(db: Database) -> dict[str, Any]:
    """Host, port, user, password and database only: SQLAlchemy-only URL options (such as
    prepared_statement_cache_size) would reach PostgreSQL as unknown settings."""
    args = db.url.translate_connect_args(username="user")
    return {key: value for key, value in args.items() if value is not None}
