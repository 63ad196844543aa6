"""Delivery of committed events to this process's subscribers.

The event log is the only source of truth. A wake-up (a commit in this process, a
PostgreSQL notification from another one, or the periodic poll) makes the tenant's feed read
the log after the last position it delivered and hand each new event, in position order, to
every matching subscriber. A lost wake-up therefore delays an event, never loses it, and no
event is ever delivered that did not commit.

Each subscriber has a bounded queue. One that falls `queue_size` events behind is dropped
(`SubscriberLagging`), and resumes from the last position it received.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from persistence import event_log
from persistence.database import Database
from persistence.event_log import EventFilter
from persistence.outbox import StoredEvent

log = logging.getLogger(__name__)

READ_BATCH = 500


class SubscriberLagging(Exception):
    """The subscriber's queue overflowed: it must resume from its last position."""

    def __init__(self, last_position: int) -> None:
        super().__init__(f"subscriber fell behind; resume after position {last_position}")
        self.last_position = last_position


@dataclass(eq=False)
class Subscriber:
    tenant_id: str
    filter: EventFilter
    queue: asyncio.Queue[StoredEvent]
    live: bool = True
    overflowed: bool = False

    def offer(self, event: StoredEvent) -> None:
        if not self.live or self.overflowed or not self.filter.matches(event):
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True


@dataclass(eq=False)
class _Feed:
    """One tenant's reader: follows the log and offers each event to its subscribers."""

    cursor: int
    subscribers: set[Subscriber] = field(default_factory=set)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


class EventHub:
    def __init__(self, db: Database, *, queue_size: int = 1000, poll_interval: float = 5.0) -> None:
        self._db = db
        self.queue_size = queue_size
        self._poll_interval = poll_interval
        self._feeds: dict[str, _Feed] = {}
        self._lock = asyncio.Lock()
        db.on_events_committed(self.wake)

    def wake(self, tenant_id: str, position: int = 0) -> None:
        """Read the tenant's log soon; a position already delivered (our own commit coming
        back as a PostgreSQL notification) needs no read. 0 means "unknown": read."""
        feed = self._feeds.get(tenant_id)
        if feed is not None and (position == 0 or position > feed.cursor):
            feed.wake.set()

    def wake_all(self) -> None:
        for feed in self._feeds.values():
            feed.wake.set()

    @property
    def subscriber_count(self) -> int:
        return sum(len(feed.subscribers) for feed in self._feeds.values())

    async def close(self) -> None:
        feeds, self._feeds = list(self._feeds.values()), {}
        for feed in feeds:
            await _cancel(feed.task)

    @contextlib.asynccontextmanager
    async def subscribe(
        self, tenant_id: str, flt: EventFilter, *, live: bool = True
    ) -> AsyncIterator[Subscriber]:
        """Register a subscriber for the duration of the block. With `live=False` it is
        offered nothing until the caller flips `live` (while it replays the log itself)."""
        subscriber = Subscriber(tenant_id, flt, asyncio.Queue(self.queue_size), live=live)
        feed = await self._join(subscriber)
        try:
            yield subscriber
        finally:
            feed.subscribers.discard(subscriber)
            if not feed.subscribers and self._feeds.get(tenant_id) is feed:
                del self._feeds[tenant_id]
                await _cancel(feed.task)

    async def _join(self, subscriber: Subscriber) -> _Feed:
        async with self._lock:
            feed = self._feeds.get(subscriber.tenant_id)
            if feed is None:
                cursor = await _shielded(self._db, event_log.last_position, subscriber.tenant_id)
                feed = _Feed(cursor=cursor)
                feed.wake.set()  # a commit while we read the cursor found no feed to wake
                feed.task = asyncio.create_task(self._follow(subscriber.tenant_id, feed))
                self._feeds[subscriber.tenant_id] = feed
            feed.subscribers.add(subscriber)
            return feed

    async def _follow(self, tenant_id: str, feed: _Feed) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(feed.wake.wait(), timeout=self._poll_interval)
            feed.wake.clear()
            try:
                await self._deliver_new(tenant_id, feed)
            except Exception:
                log.exception("reading the event log for tenant %s failed; retrying", tenant_id)
                await asyncio.sleep(1)

    async def _deliver_new(self, tenant_id: str, feed: _Feed) -> None:
        while True:
            events = await read_log(self._db, tenant_id, after=feed.cursor)
            for event in events:
                feed.cursor = event.position
                for subscriber in list(feed.subscribers):
                    subscriber.offer(event)
            if len(events) < READ_BATCH:
                return


async def read_log(
    db: Database, tenant_id: str, *, after: int, flt: EventFilter | None = None
) -> list[StoredEvent]:
    """The next batch of the log after `after`."""
    return await _shielded(
        db, event_log.read_events, tenant_id, after=after, limit=READ_BATCH, flt=flt
    )


async def _shielded(db: Database, read: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a read to its end even if the awaiting subscriber is cancelled: a query cancelled
    half-way leaves an aiosqlite connection that blocks the event loop's shutdown."""

    async def run() -> Any:
        async with db.read_session() as session:
            return await read(session, *args, **kwargs)

    return await asyncio.shield(run())


async def next_event(subscriber: Subscriber, last_position: int) -> StoredEvent:
    """The subscriber's next event after `last_position`. Once it has overflowed, what is
    queued is still handed out, then `SubscriberLagging` is raised. (A queue overflows only
    when full, so a consumer waiting on an empty queue never misses the overflow.)"""
    while True:
        if subscriber.overflowed and subscriber.queue.empty():
            raise SubscriberLagging(last_position)
        event = await subscriber.queue.get()
        if event.position > last_position:
            return event


async def _cancel(task: asyncio.Task[None] | None) -> None:
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
