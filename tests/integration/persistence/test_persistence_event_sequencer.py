"""Many processes write one tenant with no lock between their appends and their commits;
readers that resume at random places must still see every event exactly once, in one order.

Each writer process runs the real use cases (orders, createReturn, approveReturn) through
SqlUnitOfWork, several commits in flight at once. Meanwhile readers in this process start
after a random place of the log as it stands and follow it in small pages, as the
subscription hub and the events query do. When the writers are done, every reader's list
must be exactly the final log after its starting place: a reader that skipped an event
numbered behind its cursor, or read one twice, fails.

On PostgreSQL only: SQLite's writers are serialised by its file lock (its events are
numbered inside the write transaction), and one SQLite file is not shared by processes
here.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from persistence.database import Database
from persistence.event_log import last_position, read_events
from persistence.outbox import StoredEvent
from persistence.tables import OutboxEventRow

WRITERS = 4
RETURNS_PER_WRITER = 12
TASKS_PER_WRITER = 3
READERS = 8
PAGE = 5
ROOT = Path(__file__).resolve().parents[3]


async def _write(url: str, writer: int) -> None:
    """One writer process: TASKS_PER_WRITER concurrent loops of order, create, approve."""
    from domain import commands as c
    from domain import services
    from tests.clocks import FixedClock
    from tests.integration.persistence.conftest import START, World

    world = World(Database(url), FixedClock(START))
    _slow_commits(writer)

    async def loop(task: int) -> None:
        for n in range(task, RETURNS_PER_WRITER, TASKS_PER_WRITER):
            reference = f"W{writer}-{n}"
            await world.order(reference)
            created = await world.create(reference)
            await services.approve_return(  # two events in one commit
                c.ApproveReturn(return_request_id=created.id, actor=world.actor),
                uow=world.uow(),
                clock=world.clock,
            )

    try:
        await asyncio.gather(*(loop(task) for task in range(TASKS_PER_WRITER)))
    finally:
        await world.db.dispose()


def _slow_commits(seed: int) -> None:
    """Widen the window between a commit's outbox append and its COMMIT (as a slow network
    or a busy server would): the unit of work's next step, routing webhook deliveries,
    first sleeps 0-15 ms. Everything else is the real code path."""
    import persistence.unit_of_work as unit_of_work

    route, chance = unit_of_work.route_deliveries, random.Random(seed)

    async def slowly(*args: object, **kwargs: object) -> int:
        await asyncio.sleep(chance.uniform(0, 0.015))
        return await route(*args, **kwargs)  # type: ignore[arg-type]

    unit_of_work.route_deliveries = slowly  # type: ignore[assignment]


async def _read_log(db: Database, after: int = 0, limit: int = 1000) -> list[StoredEvent]:
    found: list[StoredEvent] = []
    while True:
        async with db.read_session() as session:
            page = await read_events(session, "default", after=after, limit=limit)
        if not page:
            return found
        found += page
        after = page[-1].position


async def _follow(db: Database, writing: asyncio.Event, seed: int) -> tuple[int, list[StoredEvent]]:
    """A reader that joins at a random moment, resumes after a random place of the log as
    it stands, and follows it in pages of PAGE until the writers are done and it is
    caught up."""
    chance = random.Random(seed)
    await asyncio.sleep(chance.uniform(0, 0.5))
    async with db.read_session() as session:
        newest = await last_position(session, "default")
    start = chance.randint(0, newest)
    cursor, seen = start, []
    while True:
        done = not writing.is_set()  # decided before the read: nothing commits after it
        async with db.read_session() as session:
            page = await read_events(session, "default", after=cursor, limit=PAGE)
        seen += page
        if page:
            cursor = page[-1].position
        elif done:
            return start, seen
        else:
            await asyncio.sleep(chance.uniform(0, 0.003))


async def test_writer_processes_and_resuming_readers_see_every_event_once_in_one_order(db):
    if db.is_sqlite:
        pytest.skip("PostgreSQL: SQLite's writers are serialised by its file lock")
    url = db.url.render_as_string(hide_password=False)
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    writers = [
        await asyncio.create_subprocess_exec(
            sys.executable, __file__, url, str(n), cwd=ROOT, env=env
        )
        for n in range(WRITERS)
    ]
    writing = asyncio.Event()
    writing.set()

    async def wait_for_writers() -> list[int]:
        try:
            return [await writer.wait() for writer in writers]
        finally:
            writing.clear()

    codes, *followed = await asyncio.gather(
        wait_for_writers(), *(_follow(db, writing, seed) for seed in range(READERS))
    )
    assert codes == [0] * WRITERS

    log = await _read_log(db)
    positions = [event.position for event in log]
    assert positions == sorted(set(positions)), "one order, no place twice"
    assert len({event.event_id for event in log}) == len(log)
    # Every return written has its ReturnRequested in the log.
    assert len([e for e in log if e.event_type == "ReturnRequested"]) == (
        WRITERS * RETURNS_PER_WRITER
    )
    async with db.read_session() as session:
        unnumbered = await session.scalar(
            select(func.count())
            .select_from(OutboxEventRow)
            .where(OutboxEventRow.sequence.is_(None))
        )
    assert unnumbered == 0, "every committed event has its place"
    for start, seen in followed:
        expected = [event.event_id for event in log if event.position > start]
        assert [event.event_id for event in seen] == expected, f"reader after {start}"
    assert sum(len(seen) for _, seen in followed) > 0


if __name__ == "__main__":
    asyncio.run(_write(sys.argv[1], int(sys.argv[2])))
