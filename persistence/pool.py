"""How busy the database connection pool is, and on PostgreSQL the reading connections
beside it (persistence/read_connections.py), for the operators' metrics.

SQLAlchemy tells how many connections are checked out and idle; how many callers wait for
one it does not say. The asynchronous pool hands connections out through an asyncio.Queue,
whose waiting getters we count: a private detail, so a version of SQLAlchemy that moves it
makes `waiting` None (the metric disappears, the test that checks it fails) rather than
wrong."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy.pool import QueuePool

from persistence.database import Database


@dataclass(frozen=True, slots=True)
class PoolUsage:
    in_use: int
    idle: int
    capacity: float  # pool size plus overflow; infinite when the overflow is unbounded
    waiting: int | None


def pool_usage(db: Database) -> PoolUsage | None:
    """None for pools that keep no count (NullPool, StaticPool)."""
    pool = db.engine.pool
    if not isinstance(pool, QueuePool):
        return None
    overflow = getattr(pool, "_max_overflow", 0)
    return PoolUsage(
        in_use=pool.checkedout(),
        idle=pool.checkedin(),
        capacity=math.inf if overflow < 0 else pool.size() + overflow,
        waiting=_waiting(pool),
    )


def reading_usage(db: Database) -> PoolUsage | None:
    """The reading connections' usage; None on SQLite, whose reads go through the engine.
    Readers waiting for one are not counted (`waiting` None)."""
    reads = db.read_connections
    if reads is None:
        return None
    return PoolUsage(in_use=reads.lent, idle=reads.idle, capacity=reads.size, waiting=None)


def _waiting(pool: QueuePool) -> int | None:
    adapted: Any = getattr(pool, "_pool", None)
    if not hasattr(type(adapted), "_queue"):
        return None  # not the asyncio-adapted queue this reading knows
    queue = getattr(adapted, "__dict__", {}).get("_queue")
    if queue is None:
        return 0  # the queue is created on first use (reading it would create it)
    getters = getattr(queue, "_getters", None)
    if getters is None:
        return None
    return sum(1 for getter in getters if not getter.done())
