"""The numbers /metrics reads from live machinery, on real databases: callers waiting for a
pooled connection, and committed events a busy feed has not yet handed out."""

from __future__ import annotations

import asyncio
import contextlib

from core.event_hub import EventHub
from persistence import event_log
from persistence.event_log import EventFilter
from persistence.outbox import StoredEvent
from persistence.pool import pool_usage
from tests.integration.persistence.test_persistence_event_hub import Positions, until
from tests.unit.test_pubsub_subscriber import Connection


async def test_callers_waiting_for_a_connection_are_counted(db) -> None:
    usage = pool_usage(db)
    assert usage is not None and usage.waiting == 0
    capacity = int(usage.capacity)
    async with contextlib.AsyncExitStack() as held:
        for _ in range(capacity):
            await held.enter_async_context(db.engine.connect())
        assert pool_usage(db) == type(usage)(in_use=capacity, idle=0, capacity=capacity, waiting=0)
        waiter = asyncio.ensure_future(db.engine.connect().__aenter__())
        await until(lambda: pool_usage(db).waiting == 1)
    connection = await waiter
    await connection.close()
    assert pool_usage(db).waiting == 0


class Held(Positions):
    """Renders only once let through: a feed busy with a slow selection."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()

    async def render(self, event: StoredEvent) -> bytes:
        await self.gate.wait()
        return await super().render(event)


async def test_the_lag_counts_committed_events_not_yet_handed_out(world) -> None:
    hub = EventHub(world.db, world.clock, poll_interval=60)
    renderer, connection = Held(), Connection()
    async with hub.subscribe("default", EventFilter(), renderer, connection):
        assert hub.lag == 0
        await world.order()
        await world.create()
        async with world.db.read_session() as session:
            last = await event_log.last_position(session, "default")
        await until(lambda: hub.lag == last)
        renderer.gate.set()
        await until(lambda: len(connection.written) == last)
        assert hub.lag == 0
    await hub.close()
