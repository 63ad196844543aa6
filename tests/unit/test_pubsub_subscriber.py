"""One live subscriber of the EventHub: frames go straight to a connection that takes them,
wait in a bounded backlog behind one that does not, in order and never twice; a subscriber
that overflows is dropped naming the last position its connection accepted."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.event_hub import Subscriber, SubscriberLagging, TokenExpired
from persistence.event_log import EventFilter
from persistence.outbox import StoredEvent
from tests.clocks import FixedClock

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class Connection:
    """A websocket operation as the hub sees it: takes frames at once unless `full`."""

    def __init__(self) -> None:
        self.full = False
        self.open = True
        self.stalled = False  # a write hands the frame over, then waits for a peer that never reads
        self.written: list[bytes] = []

    def frame(self, payload: bytes) -> bytes:
        return b"<" + payload + b">"

    def writes_at_once(self, size: int) -> bool:
        return not self.full

    async def write(self, frame: bytes) -> None:
        if not self.open:
            raise ConnectionResetError("gone")
        self.written.append(frame)
        if self.stalled:
            await asyncio.Event().wait()

    @property
    def positions(self) -> list[int]:
        return [int(frame[1:-1]) for frame in self.written]


class Renderer:
    async def render(self, event: StoredEvent) -> bytes:
        return str(event.position).encode()


def subscriber(
    connection: Connection,
    *,
    queue_size: int = 3,
    expires_at: datetime | None = None,
    clock: FixedClock | None = None,
) -> Subscriber:
    return Subscriber(
        "t1",
        EventFilter(),
        Renderer(),
        connection,
        queue_size,
        clock or FixedClock(NOW),
        expires_at=expires_at,
    )


async def push(sub: Subscriber, *positions: int, now: datetime = NOW) -> None:
    for position in positions:
        await sub.push(position, str(position).encode(), now)


@contextlib.asynccontextmanager
async def serving(sub: Subscriber):  # type: ignore[no-untyped-def]
    task = asyncio.create_task(sub.serve())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, SubscriberLagging, TokenExpired):
            await task


async def settle(sub: Subscriber | None = None) -> None:
    """Let `serve` run until the backlog is written (or it stops)."""
    for _ in range(100):
        await asyncio.sleep(0)
        if sub is not None and not sub.backlog and not sub.flushing:
            for _ in range(5):
                await asyncio.sleep(0)
            return


def event(position: int, **fields: object) -> StoredEvent:
    values: dict[str, object] = {
        "position": position,
        "event_id": f"e{position}",
        "tenant_id": "t1",
        "event_type": "ReturnStatusChanged",
        "return_request_id": "r1",
        "merchant": "acme",
        "previous_status": "PENDING",
        "new_status": "APPROVED",
        "actor_source": "GRAPHQL",
        "actor_user": None,
        "occurred_at": NOW,
        "payload": {},
    }
    return StoredEvent(**(values | fields))  # type: ignore[arg-type]


async def test_a_connection_that_takes_frames_gets_them_at_once():
    connection = Connection()
    sub = subscriber(connection)

    await push(sub, 1, 2, 3)

    assert connection.positions == [1, 2, 3]
    assert sub.last_position == 3 and not sub.backlog


async def test_frames_wait_behind_a_full_connection_and_keep_their_order():
    connection = Connection()
    sub = subscriber(connection)
    await push(sub, 1)
    connection.full = True
    await push(sub, 2, 3)
    connection.full = False
    await push(sub, 4)  # the connection could take it, but 2 and 3 are waiting

    assert connection.positions == [1]
    async with serving(sub):
        await settle(sub)
    assert connection.positions == [1, 2, 3, 4]
    assert sub.last_position == 4


async def test_an_overflowing_subscriber_is_dropped_at_the_last_position_written():
    connection = Connection()
    sub = subscriber(connection, queue_size=2)
    await push(sub, 1)
    connection.full = True

    await push(sub, 2, 3, 4)
    task = asyncio.create_task(sub.serve())
    with pytest.raises(SubscriberLagging) as lagging:
        await asyncio.wait_for(task, 1)

    assert lagging.value.last_position == 1
    assert connection.positions == [1]  # the backlog is not forced on a peer that stalled


async def test_a_write_stuck_on_a_stalled_peer_does_not_delay_the_drop():
    connection = Connection()
    sub = subscriber(connection, queue_size=2)
    connection.full = connection.stalled = True
    await push(sub, 1)
    task = asyncio.create_task(sub.serve())
    await settle()  # serve hands 1 over and waits for the peer

    await push(sub, 2, 3, 4)
    with pytest.raises(SubscriberLagging) as lagging:
        await asyncio.wait_for(task, 1)

    assert lagging.value.last_position == 1
    assert connection.positions == [1]


async def test_an_event_queued_once_is_never_queued_again():
    """A retry of the feed after a failure offers the same event again."""
    connection = Connection()
    sub = subscriber(connection)
    connection.full = True
    await push(sub, 1)

    assert not sub.wants(event(1))
    assert sub.wants(event(2))


async def test_nothing_reaches_a_subscriber_once_its_token_expired():
    connection = Connection()
    clock = FixedClock(NOW)
    sub = subscriber(connection, expires_at=NOW + timedelta(hours=1), clock=clock)
    await push(sub, 1)

    await push(sub, 2, now=NOW + timedelta(hours=2))

    with pytest.raises(TokenExpired):
        await asyncio.wait_for(sub.serve(), 1)
    assert connection.positions == [1]


async def test_a_backlog_is_not_written_after_the_token_expired():
    connection = Connection()
    clock = FixedClock(NOW)
    sub = subscriber(connection, expires_at=NOW + timedelta(hours=1), clock=clock)
    connection.full = True
    await push(sub, 1)
    clock.advance(hours=2)

    with pytest.raises(TokenExpired):
        await asyncio.wait_for(sub.serve(), 1)
    assert connection.positions == []


async def test_while_held_frames_wait_and_what_the_replay_sent_is_dropped():
    connection = Connection()
    sub = subscriber(connection, queue_size=10)
    sub.live = False
    sub.hold()
    await push(sub, 5, 6, 7)

    sub.release(replayed_to=6)
    async with serving(sub):
        await settle(sub)

    assert connection.positions == [7]
    assert sub.last_position == 7


async def test_an_event_the_replay_sent_while_the_feed_rendered_it_is_not_sent_again():
    """The feed asks `wants`, renders (awaiting the database), then pushes; the replay may
    end and release in between (seen as a duplicate in the process fan-out test)."""
    connection = Connection()
    sub = subscriber(connection, queue_size=10)
    sub.live = False
    sub.hold()
    assert sub.wants(event(4))  # the feed decides, then awaits its render …
    sub.release(replayed_to=4)  # … while the replay sends 4 and releases
    await push(sub, 4, 5)
    async with serving(sub):
        await settle(sub)

    assert connection.positions == [5]


async def test_a_closed_connection_ends_delivery_quietly():
    connection = Connection()
    sub = subscriber(connection)
    await push(sub, 1)
    connection.open = False

    await push(sub, 2)
    async with serving(sub) as task:
        await settle()
        assert not task.done()  # it waits for its handler to cancel it

    assert connection.positions == [1]
    assert not sub.wants(event(3))


def test_a_subscriber_wants_new_matching_events_only_while_live():
    sub = subscriber(Connection())
    sub.filter = EventFilter(statuses=("APPROVED",))
    sub.last_position = sub.handed_out = 4

    assert sub.wants(event(5))
    assert not sub.wants(event(4))
    assert not sub.wants(event(6, new_status="REJECTED"))
    sub.live = False
    assert not sub.wants(event(7))


steps = st.lists(
    st.one_of(
        st.tuples(st.just("push"), st.booleans()),  # a new event; is the connection full?
        st.tuples(st.just("serve"), st.booleans()),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(steps=steps, queue_size=st.integers(min_value=1, max_value=5))
def test_a_subscriber_receives_a_gapless_prefix_in_order_or_is_told_where_to_resume(
    steps: list[tuple[str, bool]], queue_size: int
) -> None:
    """However the connection fills and drains, what was written is positions 1..n in
    order with no duplicate; a dropped subscriber is told n, so resuming after it loses
    nothing."""

    async def run() -> tuple[list[int], int | None, int]:
        connection = Connection()
        sub = subscriber(connection, queue_size=queue_size)
        position = 0
        lagged_at: int | None = None
        for kind, flag in steps:
            if kind == "push":
                connection.full = flag
                position += 1
                await push(sub, position)
            else:
                connection.full = False
                try:
                    await asyncio.wait_for(_serve_briefly(sub), 1)
                except SubscriberLagging as lagging:
                    lagged_at = lagging.last_position
                    break
        return connection.positions, lagged_at, position

    written, lagged_at, pushed = asyncio.run(run())

    assert written == list(range(1, len(written) + 1))
    assert len(written) <= pushed
    if lagged_at is not None:
        assert lagged_at == len(written)


async def _serve_briefly(sub: Subscriber) -> None:
    async with serving(sub) as task:
        await settle(sub)
        if task.done():
            task.result()
