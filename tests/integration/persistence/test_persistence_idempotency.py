"""Idempotency keys are leases, and the work's own transaction records that it committed:
a retry after the claimant died takes the key over and runs the work once, or learns that
the work is done (ANSWER_LOST); it never runs it twice, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from domain import commands as c
from domain import services
from domain.errors import ErrorCode
from domain.portal import PortalSettings
from persistence.idempotency import (
    ClaimOutcome,
    IdempotencyStore,
    KeyClaim,
    LeaseLost,
    record_commit,
)
from persistence.portal_settings import portal_settings, save_portal_settings
from persistence.statements import SqlAlchemyStatements
from persistence.tables import DEFAULT_TENANT
from persistence.unit_of_work import SqlUnitOfWork

LEASE = timedelta(seconds=30)
PRINT = "f" * 64


@pytest.fixture
def store(db) -> IdempotencyStore:
    return IdempotencyStore(db, lease=LEASE)


async def claim(store: IdempotencyStore, world, key: str = "k-1"):  # type: ignore[no-untyped-def]
    return await store.claim(DEFAULT_TENANT, key, PRINT, world.clock.now())


async def note(world, rid: str, held: KeyClaim | None, text: str = "once"):  # type: ignore[no-untyped-def]
    """A unit of work doing a key's work (add a note), as a request's Context makes it."""
    uow = SqlUnitOfWork(world.db, tenant_id=DEFAULT_TENANT, clock=world.clock, idempotency=held)
    cmd = c.AddReturnNote(return_request_id=rid, text=text)
    return await services.add_return_note(cmd, uow=uow, clock=world.clock)


async def notes(world, rid: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.text for n in (await world.load(rid)).notes]


async def pending_request(world) -> str:  # type: ignore[no-untyped-def]
    await world.order()
    return (await world.create()).id


async def test_a_dead_claimants_key_is_taken_over_once_its_lease_ends(store, world):
    first = await claim(store, world)
    world.clock.advance(seconds=10)
    waiting = await claim(store, world)
    world.clock.advance(seconds=21)

    taken = await claim(store, world)

    assert first.outcome == ClaimOutcome.NEW and first.held is not None
    assert (waiting.outcome, waiting.retry_after) == (ClaimOutcome.IN_PROGRESS, 20)
    assert taken.outcome == ClaimOutcome.NEW and taken.held is not None
    assert taken.held.taken_over and taken.held.token != first.held.token
    assert (await claim(store, world)).outcome == ClaimOutcome.IN_PROGRESS


async def test_work_committed_under_a_claim_is_not_run_again_when_its_answer_is_lost(store, world):
    rid = await pending_request(world)
    first = await claim(store, world)
    await note(world, rid, first.held)  # committed; the process dies before complete()

    still_running = await claim(store, world)
    world.clock.advance(seconds=31)
    after_the_lease = await claim(store, world)

    assert still_running.outcome == ClaimOutcome.IN_PROGRESS
    assert after_the_lease.outcome == ClaimOutcome.ANSWER_LOST
    assert await notes(world, rid) == ["once"]


async def test_a_claimant_that_lost_its_lease_cannot_commit_and_cannot_answer(store, world):
    rid = await pending_request(world)
    slow = (await claim(store, world)).held
    world.clock.advance(seconds=31)
    retry = (await claim(store, world)).held
    assert slow is not None and retry is not None
    version = await world.version(rid)
    events = await world.outbox_count()

    with pytest.raises(LeaseLost) as refused:
        await note(world, rid, slow, "slow")
    assert refused.value.code == ErrorCode.IDEMPOTENCY_IN_PROGRESS
    assert (await notes(world, rid), await world.version(rid)) == ([], version)
    assert await world.outbox_count() == events

    await note(world, rid, retry, "retry")
    assert not await store.complete(slow, 200, '{"slow": true}')
    assert await store.complete(retry, 200, '{"retry": true}')
    replay = await claim(store, world)
    assert (replay.outcome, replay.response) == (ClaimOutcome.REPLAY, '{"retry": true}')
    assert await notes(world, rid) == ["retry"]


async def test_racing_retries_take_an_expired_lease_over_once(store, world):
    await claim(store, world)
    world.clock.advance(seconds=31)

    retries = await asyncio.gather(*(claim(store, world) for _ in range(10)))

    outcomes = sorted(r.outcome for r in retries)
    assert outcomes == [ClaimOutcome.IN_PROGRESS] * 9 + [ClaimOutcome.NEW]


async def test_a_takeover_waits_for_a_commit_in_flight_and_then_sees_it(store, world):
    """The work's transaction holds the key from recording its commit to committing; a
    retry deciding meanwhile would otherwise run the work a second time."""
    held = (await claim(store, world)).held
    assert held is not None
    world.clock.advance(seconds=31)

    async with world.db.write_session() as session, session.begin():
        await record_commit(SqlAlchemyStatements.of(session), held, world.clock.now())
        retry = asyncio.create_task(claim(store, world))
        await asyncio.sleep(0.3)
        assert not retry.done()

    assert (await asyncio.wait_for(retry, 10)).outcome == ClaimOutcome.ANSWER_LOST


async def test_a_failed_request_frees_its_key_unless_some_work_committed(store, world):
    rid = await pending_request(world)
    failed = (await claim(store, world, "nothing-done")).held
    partly = (await claim(store, world, "something-done")).held
    assert failed is not None and partly is not None
    await note(world, rid, partly)

    await store.release(failed, world.clock.now())
    await store.release(partly, world.clock.now())

    again = await claim(store, world, "nothing-done")
    assert again.outcome == ClaimOutcome.NEW and again.held and not again.held.taken_over
    assert (await claim(store, world, "something-done")).outcome == ClaimOutcome.ANSWER_LOST
    assert await notes(world, rid) == ["once"]


async def test_portal_settings_saved_under_a_key_commit_on_it_like_a_unit_of_work(store, world):
    """updatePortalSettings writes outside the unit of work; its save keeps the same rule."""
    slow = (await claim(store, world, "brand")).held
    world.clock.advance(seconds=31)
    retry = (await claim(store, world, "brand")).held
    assert slow is not None and retry is not None

    with pytest.raises(LeaseLost):
        await save_portal_settings(
            world.db,
            DEFAULT_TENANT,
            PortalSettings("acme", "Slow"),
            now=world.clock.now(),
            idempotency=slow,
        )
    async with world.db.read_session() as session:
        assert await portal_settings(session, DEFAULT_TENANT, "acme") is None

    await save_portal_settings(
        world.db,
        DEFAULT_TENANT,
        PortalSettings("acme", "Acme"),
        now=world.clock.now(),
        idempotency=retry,
    )  # committed; the process dies before complete()
    world.clock.advance(seconds=31)
    assert (await claim(store, world, "brand")).outcome == ClaimOutcome.ANSWER_LOST
    async with world.db.read_session() as session:
        saved = await portal_settings(session, DEFAULT_TENANT, "acme")
    assert saved is not None and saved.display_name == "Acme"
