"""On SQLite, one process's writers queue in order for the single write lock, in process,
instead of polling the file lock (whose busy handler sleeps up to 100 ms a try)."""

from __future__ import annotations

import asyncio

import pytest


async def test_a_second_writer_waits_in_process_until_the_first_is_done(world) -> None:
    if not world.db.is_sqlite:
        pytest.skip("PostgreSQL writers run side by side; rows are locked, not the database")
    entered: list[str] = []

    async def write(name: str) -> None:
        async with world.uow():
            entered.append(name)

    async with world.uow():
        entered.append("first")
        second = asyncio.create_task(write("second"))
        third = asyncio.create_task(write("third"))
        await asyncio.sleep(0.05)
        assert entered == ["first"]
        assert world.db.writers is not None and world.db.writers.locked()
    await asyncio.gather(second, third)
    assert entered == ["first", "second", "third"]
    assert not world.db.writers.locked()


async def test_a_writer_that_fails_lets_the_next_one_in(world) -> None:
    if not world.db.is_sqlite:
        pytest.skip("SQLite only")
    with pytest.raises(RuntimeError):
        async with world.uow():
            raise RuntimeError("the command failed")
    assert world.db.writers is not None and not world.db.writers.locked()
    async with world.uow():
        pass
