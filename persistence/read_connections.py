"""The asyncpg connections `Database.reading()` lends on PostgreSQL: its own few, kept open.

A read through SQLAlchemy's pool paid for a greenlet switch, the pool's checkout and checkin
events and its reset on return: about a tenth of the CPU of a one-return GraphQL read, more
than its SELECT's own cost in Python (bench/profile_reads.py). Reads need none of that: they
run outside any transaction on asyncpg directly (persistence/statements.py), so a list of
idle connections, the newest on top, does what the pool did for them.

Each connection is set up as SQLAlchemy's asyncpg dialect sets up its own, so both lend the
same values: json decoded by orjson (persistence/database.py) and jsonb with its version
byte, as the dialect's codec reads it. Connections are recycled after `recycle` seconds like
the pool's; one cancelled mid-statement (a query past its time limit) or found closed is
dropped, never lent again. At most `size` are open at once (the pool's size and overflow):
readers beyond wait for one, as long as the pool would have them wait.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
import orjson


class ReadConnections:
    """Open asyncpg connections for reads, lent one at a time (`lend`, `give_back`)."""

    def __init__(
        self, connect_kwargs: dict[str, Any], *, size: int, recycle: float, timeout: float
    ) -> None:
        self._kwargs = connect_kwargs
        self.size = size
        self._idle: list[tuple[asyncpg.Connection, float]] = []
        self._slots = asyncio.Semaphore(size)
        self._recycle = recycle
        self._timeout = timeout
        self._opened: dict[asyncpg.Connection, float] = {}

    @property
    def idle(self) -> int:
        return len(self._idle)

    @property
    def lent(self) -> int:
        """Connections a reader holds now (open ones that are not idle)."""
        return len(self._opened) - len(self._idle)

    async def lend(self) -> asyncpg.Connection:
        if self._slots.locked():  # every connection lent: wait, as the pool would
            async with asyncio.timeout(self._timeout):
                await self._slots.acquire()
        else:
            await self._slots.acquire()
        try:
            now = time.monotonic()
            while self._idle:
                connection, opened = self._idle.pop()
                if now - opened < self._recycle and not connection.is_closed():
                    return connection
                self._drop(connection)
            connection = await asyncpg.connect(**self._kwargs)
            await _set_codecs(connection)
            self._opened[connection] = now
            return connection
        except BaseException:
            self._slots.release()
            raise

    def give_back(self, connection: asyncpg.Connection, *, broken: bool = False) -> None:
        """Keep it for the next reader; a connection cancelled mid-statement (`broken`)
        or closed is terminated instead (asyncpg may still be cancelling on the server)."""
        self._slots.release()
        if broken or connection.is_closed():
            self._drop(connection)
            return
        self._idle.append((connection, self._opened.get(connection, 0.0)))

    def _drop(self, connection: asyncpg.Connection) -> None:
        self._opened.pop(connection, None)
        if not connection.is_closed():
            connection.terminate()

    async def close(self) -> None:
        """Close the idle connections (those lent are kept when given back, as the pool's
        are after SQLAlchemy's `dispose`)."""
        idle, self._idle = self._idle, []
        for connection, _opened in idle:
            self._opened.pop(connection, None)
            try:
                await connection.close(timeout=5)
            except Exception:
                connection.terminate()


async def _set_codecs(connection: asyncpg.Connection) -> None:
    """The codecs SQLAlchemy's asyncpg dialect (and persistence/database.py) set on its
    connections: the same values come back either way."""
    await connection.set_type_codec(
        "json", encoder=str.encode, decoder=orjson.loads, schema="pg_catalog", format="binary"
    )
    await connection.set_type_codec(
        "jsonb",
        encoder=_jsonb_encoder,
        decoder=_jsonb_decoder,
        schema="pg_catalog",
        format="binary",
    )


def _jsonb_encoder(text: str) -> bytes:
    return b"\x01" + text.encode()  # jsonb's binary format starts with its version


def _jsonb_decoder(data: bytes) -> Any:
    return orjson.loads(data[1:])
