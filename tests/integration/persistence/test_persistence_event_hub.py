"""The EventHub on a real database: committed events reach every subscriber once, in order;
a selection that cannot be rendered costs its own subscribers a masked error frame, never the
tenant's other subscribers their events."""

from __future__ import annotations

import asyncio
import contextlib

from core.event_hub import UNEXPECTED_ERROR_PAYLOAD, EventHub
from persistence import event_log
from persistence.event_log import EventFilter
from persistence.outbox import StoredEvent
from tests.unit.test_pubsub_subscriber import Connection


class Positions:
    async def render(self, event: StoredEvent) -> bytes:
        return str(event.position).encode()


class Broken:
    async def render(self, event: StoredEvent) -> bytes:
        raise RuntimeError("a bug in this selection")


async def until(condition, seconds: float = 5) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never happened")


async def test_a_broken_selection_does_not_hold_up_the_others(world):
    hub = EventHub(world.db, world.clock, poll_interval=60)
    fine, broken = Connection(), Connection()
    async with contextlib.AsyncExitStack() as stack:
        for renderer, connection in ((Broken(), broken), (Positions(), fine)):
            await stack.enter_async_context(
                hub.subscribe("default", EventFilter(), renderer, connection)
            )
        await world.order()
        await world.create()
        async with world.db.read_session() as session:
            last = await event_log.last_position(session, "default")
        await until(lambda: len(fine.written) == len(broken.written) == last)
    await hub.close()

    assert fine.positions == list(range(1, last + 1))
    assert broken.written == [b"<" + UNEXPECTED_ERROR_PAYLOAD + b">"] * last


async def test_each_event_is_rendered_once_for_all_subscribers_of_a_selection(world):
    class Counting(Positions):
        renders = 0

        async def render(self, event: StoredEvent) -> bytes:
            Counting.renders += 1
            return await super().render(event)

    hub = EventHub(world.db, world.clock, poll_interval=60)
    shared = hub.shared_renderer("selection", Counting)
    connections = [Connection() for _ in range(5)]
    async with contextlib.AsyncExitStack() as stack:
        for connection in connections:
            await stack.enter_async_context(
                hub.subscribe("default", EventFilter(), shared, connection)
            )
        await world.order()
        await world.create()
        async with world.db.read_session() as session:
            last = await event_log.last_position(session, "default")
        await until(lambda: all(len(c.written) == last for c in connections))
        assert hub.rendering_count == 1
    await hub.close()
    del shared

    assert Counting.renders == last
    assert hub.rendering_count == 0  # a renderer lives as long as one of its subscribers
