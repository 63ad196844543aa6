"""Delivery of committed events to this process's subscribers.

The event log is the only source of truth. A wake-up (a commit in this process, a
PostgreSQL notification from another one, or the periodic poll) makes the tenant's feed read
the log after the last position it delivered and hand each new event, in position order, to
every matching subscriber. A lost wake-up therefore delays an event, never loses it, and no
event is ever delivered that did not commit.

Render once, send many: subscribers that asked for the same selection share one `Renderer`,
so an event is executed and encoded once per selection, not once per subscriber, and the
feed writes the finished frame straight to each subscriber's connection. Only a connection
that cannot take a frame at once (its send buffer is full) gets a backlog, which its own
task writes out; one that falls `queue_size` frames behind is dropped (`SubscriberLagging`)
and resumes after the last position its connection accepted. A slow client therefore never
delays the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import weakref
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NoReturn, Protocol, TypeVar

from domain.ports import Clock
from persistence import event_log
from persistence.database import Database
from persistence.event_log import EventFilter
from persistence.outbox import StoredEvent

log = logging.getLogger(__name__)

READ_BATCH = 500
FINISH_SECONDS = 10  # how long closing the hub waits for shielded reads and renders
UNEXPECTED_ERROR_PAYLOAD = b'{"data":null,"errors":[{"message":"Unexpected error."}]}'
R = TypeVar("R", bound="Renderer")
T = TypeVar("T")


class SubscriberLagging(Exception):
    """The subscriber's backlog overflowed: it must resume after the last position its
    connection accepted."""

    def __init__(self, last_position: int) -> None:
        super().__init__(f"subscriber fell behind; resume after position {last_position}")
        self.last_position = last_position


class TokenExpired(Exception):
    """The connection's credentials expired: nothing more may reach it."""


class Renderer(Protocol):
    """Turns an event into the payload a group of identical subscriptions receives."""

    async def render(self, event: StoredEvent) -> bytes: ...


class Sink(Protocol):
    """Where one subscriber's frames go (an operation on a websocket)."""

    @property
    def open(self) -> bool: ...

    def frame(self, payload: bytes) -> bytes: ...

    def writes_at_once(self, size: int) -> bool:
        """Whether a frame of `size` bytes can be written without waiting for the peer."""
        ...

    async def write(self, frame: bytes) -> None: ...


class _End(enum.Enum):
    OVERFLOWED = "overflowed"
    EXPIRED = "expired"
    CLOSED = "closed"


@dataclass(eq=False)
class Subscriber:
    tenant_id: str
    filter: EventFilter
    renderer: Renderer
    sink: Sink
    queue_size: int
    clock: Clock
    expires_at: datetime | None = None
    live: bool = True
    holding: bool = False
    flushing: bool = False  # `serve` is writing the backlog: new frames queue behind it
    last_position: int = 0  # the newest position handed to the connection
    handed_out: int = 0  # the newest written or queued (>= last_position): never again
    backlog: deque[tuple[int, bytes]] = field(default_factory=deque)
    ended: _End | None = None
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    ending: asyncio.Event = field(default_factory=asyncio.Event)

    def wants(self, event: StoredEvent) -> bool:
        return (
            self.live
            and self.ended is None
            and event.position > self.handed_out
            and self.filter.matches(event)
        )

    async def push(self, position: int, payload: bytes, now: datetime) -> None:
        """Write the event's frame now if the connection takes it at once; otherwise leave
        it to the subscriber's own task (`serve`), so the feed never waits for one peer."""
        if self.ended is not None or position <= self.handed_out:
            # Handed out meanwhile: a replay that ended while the feed rendered this event
            # (the feed asks `wants` before rendering, pushes after) already sent it.
            return
        if self._expired(now):
            self._end(_End.EXPIRED)
            return
        self.handed_out = position
        frame = self.sink.frame(payload)
        if (
            self.holding
            or self.flushing
            or self.backlog
            or not self.sink.writes_at_once(len(frame))
        ):
            self._queue(position, frame)
            return
        try:
            await self.sink.write(frame)
        except ConnectionError:
            self._end(_End.CLOSED)
            return
        self.last_position = position

    def hold(self) -> None:
        """Queue what the feed hands out (while the subscription replays the log itself)."""
        self.holding = True
        self.live = True

    def release(self, replayed_to: int) -> None:
        """Stop holding: what the replay already sent is dropped from the backlog."""
        while self.backlog and self.backlog[0][0] <= replayed_to:
            self.backlog.popleft()
        self.last_position = max(self.last_position, replayed_to)
        self.handed_out = max(self.handed_out, replayed_to)
        self.holding = False
        self.wake.set()

    async def serve(self) -> NoReturn:
        """Write out the backlog, and end the subscription as the feed decided: raises
        `SubscriberLagging` or `TokenExpired`. Runs until cancelled.

        An overflowing subscriber is not sent its backlog: a peer that stopped reading
        would never take it. It gets what its connection already accepted, then the close,
        which names the last position written, so it resumes without gap or duplicate.
        A write waiting for such a peer is abandoned as soon as the subscriber ends."""
        while True:
            await self.wake.wait()
            self.wake.clear()
            self.flushing = True
            try:
                await self._flush()
            finally:
                self.flushing = False
            if self.ended is _End.EXPIRED:
                raise TokenExpired
            if self.ended is _End.OVERFLOWED:
                raise SubscriberLagging(self.last_position)
            # CLOSED: the connection is gone; its handler cancels this task.

    async def _flush(self) -> None:
        while self.backlog and self.ended is None:
            if self._expired(self.clock.now()):
                self._end(_End.EXPIRED)
                return
            position, frame = self.backlog.popleft()
            self.last_position = position  # handed to the connection, even if abandoned
            try:
                await self._write_unless_ended(frame)
            except ConnectionError:
                self._end(_End.CLOSED)
                return

    async def _write_unless_ended(self, frame: bytes) -> None:
        """Write, waiting for the peer to take the frame, but no longer than the subscriber
        lives. (The sink hands the whole frame to the connection before it waits.)"""
        write = asyncio.ensure_future(self.sink.write(frame))
        ending = asyncio.ensure_future(self.ending.wait())
        try:
            await asyncio.wait({write, ending}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ending.cancel()
            if not write.done():
                write.cancel()
        if write.done() and not write.cancelled():
            write.result()  # a connection error ends the subscriber

    def _queue(self, position: int, frame: bytes) -> None:
        if len(self.backlog) >= self.queue_size:
            self._end(_End.OVERFLOWED)
            return
        self.backlog.append((position, frame))
        self.wake.set()

    def _expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def _end(self, reason: _End) -> None:
        if self.ended is None:
            self.ended = reason
        self.wake.set()
        self.ending.set()


@dataclass(eq=False)
class _Feed:
    """One tenant's reader: follows the log and hands each event to its subscribers."""

    cursor: int
    heard: int = 0  # the newest position a commit announced (the lag is heard - cursor)
    subscribers: set[Subscriber] = field(default_factory=set)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


class EventHub:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        queue_size: int = 1000,
        poll_interval: float = 5.0,
    ) -> None:
        self._db = db
        self._clock = clock
        self.queue_size = queue_size
        self._poll_interval = poll_interval
        self._feeds: dict[str, _Feed] = {}
        self._renderers: weakref.WeakValueDictionary[Any, Any] = weakref.WeakValueDictionary()
        self._in_flight: set[asyncio.Task[Any]] = set()
        self._lock = asyncio.Lock()
        db.on_events_committed(self.wake)

    def shared_renderer(self, key: Any, create: Callable[[], R]) -> R:
        """The renderer of every live subscription with this key: identical subscriptions
        render each event once. It lives as long as one of its subscribers does."""
        renderer = self._renderers.get(key)
        if renderer is None:
            renderer = self._renderers[key] = create()
        return renderer

    def wake(self, tenant_id: str, position: int = 0) -> None:
        """Read the tenant's log soon; a position already delivered (our own commit coming
        back as a PostgreSQL notification) needs no read. 0 means "unknown": read."""
        feed = self._feeds.get(tenant_id)
        if feed is None:
            return
        feed.heard = max(feed.heard, position)
        if position == 0 or position > feed.cursor:
            feed.wake.set()

    def wake_all(self) -> None:
        for feed in self._feeds.values():
            feed.wake.set()

    @property
    def subscriber_count(self) -> int:
        return sum(len(feed.subscribers) for feed in self._feeds.values())

    @property
    def lag(self) -> int:
        """Events committed (as far as this process has heard) that its feeds have not yet
        handed to their subscribers."""
        return sum(max(0, feed.heard - feed.cursor) for feed in self._feeds.values())

    @property
    def rendering_count(self) -> int:
        """Distinct selections live subscribers hold: what one event costs to render."""
        return len(self._renderers)

    async def close(self) -> None:
        feeds, self._feeds = list(self._feeds.values()), {}
        for feed in feeds:
            await _cancel(feed.task)
        # Shielded work that lost its caller still holds a database connection: let it end
        # before the database is disposed.
        pending = [task for task in self._in_flight if not task.done()]
        if pending:
            await asyncio.wait(pending, timeout=FINISH_SECONDS)

    async def read_log(
        self, tenant_id: str, *, after: int, flt: EventFilter | None = None
    ) -> list[StoredEvent]:
        """The next batch of the log after `after`."""
        return await self._read(
            event_log.read_events, tenant_id, after=after, limit=READ_BATCH, flt=flt
        )

    @contextlib.asynccontextmanager
    async def subscribe(
        self,
        tenant_id: str,
        flt: EventFilter,
        renderer: Renderer,
        sink: Sink,
        *,
        expires_at: datetime | None = None,
        live: bool = True,
    ) -> AsyncIterator[Subscriber]:
        """Register a subscriber for the duration of the block. With `live=False` it is
        handed nothing until the caller calls `hold()` (while it replays the log itself)."""
        subscriber = Subscriber(
            tenant_id,
            flt,
            renderer,
            sink,
            self.queue_size,
            self._clock,
            expires_at=expires_at,
            live=live,
        )
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
                cursor = await self._read(event_log.last_position, subscriber.tenant_id)
                feed = _Feed(cursor=cursor)
                feed.wake.set()  # a commit while we read the cursor found no feed to wake
                feed.task = asyncio.create_task(self._follow(subscriber.tenant_id, feed))
                self._feeds[subscriber.tenant_id] = feed
            # What the feed delivered before this subscriber joined is not for it.
            subscriber.last_position = subscriber.handed_out = feed.cursor
            feed.subscribers.add(subscriber)
            return feed

    async def _follow(self, tenant_id: str, feed: _Feed) -> None:
        while True:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancel that
            # arrives as the event is set, and the feed would outlive its last subscriber.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_interval):
                    await feed.wake.wait()
            feed.wake.clear()
            try:
                await self._deliver_new(tenant_id, feed)
            except Exception:
                log.exception("delivering events of tenant %s failed; retrying", tenant_id)
                await asyncio.sleep(1)

    async def _deliver_new(self, tenant_id: str, feed: _Feed) -> None:
        while True:
            events = await self.read_log(tenant_id, after=feed.cursor)
            for event in events:
                await self._fan_out(event, list(feed.subscribers))
                feed.cursor = event.position
            if len(events) < READ_BATCH:
                return

    async def _fan_out(self, event: StoredEvent, subscribers: list[Subscriber]) -> None:
        """Render the event once per distinct selection, then push the payload to each
        subscriber that wants it. (A retry after a failure skips who already has it.)"""
        payloads: dict[int, bytes] = {}
        now = self._clock.now()
        for subscriber in subscribers:
            if not subscriber.wants(event):
                continue
            renderer = subscriber.renderer
            payload = payloads.get(id(renderer))
            if payload is None:
                payload = payloads[id(renderer)] = await self._render(renderer, event)
            await subscriber.push(event.position, payload, now)

    async def _render(self, renderer: Renderer, event: StoredEvent) -> bytes:
        """The renderer's payload, or a masked error: a renderer that fails (a bug; field
        errors are part of a payload) must not hold up the tenant's other subscribers."""
        try:
            return await self._shielded(renderer.render(event))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("rendering event %s for subscribers failed", event.position)
            return UNEXPECTED_ERROR_PAYLOAD

    async def _read(self, read: Any, *args: Any, **kwargs: Any) -> Any:
        async def run() -> Any:
            async with self._db.read_session() as session:
                return await read(session, *args, **kwargs)

        return await self._shielded(run())

    async def _shielded(self, work: Coroutine[Any, Any, T]) -> T:
        """Run `work` to its end even if the awaiting task is cancelled: a query cancelled
        half-way leaves an aiosqlite connection that blocks the event loop's shutdown.
        `close` waits for what is still running."""
        task = asyncio.ensure_future(work)
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        return await asyncio.shield(task)


async def _cancel(task: asyncio.Task[None] | None) -> None:
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
