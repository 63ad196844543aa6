"""A server process killed with SIGKILL mid-request strands no Idempotency-Key: a retry
with the same key after the lease (2 s here) either replays the stored answer, or runs the
work exactly once, or (the work committed, the answer was lost) answers 410
IDEMPOTENCY_ANSWER_LOST; it never runs the work twice. On SQLite and PostgreSQL, with real
`returns-api serve` processes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select, text

from domain.ports import SystemClock
from persistence.database import Database
from persistence.tables import DEFAULT_TENANT, IdempotencyKeyRow, ReturnNoteRow
from tests.e2e.conftest import credentials
from tests.e2e.processes.servers import Server
from tests.e2e.processes.test_processes_fan_out import Writer

LEASE_SECONDS = 2
NOTE = """mutation ($input: AddReturnNoteInput!) {
  addReturnNote(input: $input) {
    returnRequest { returnRequestId order { reference } } userErrors { code message }
  }
}"""
Answer = tuple[int, str | None, str | None]  # status, error code, Idempotency-Replayed


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as http:
        yield http


@pytest.fixture
async def server(db: Database) -> AsyncIterator[Server]:
    url = db.url.render_as_string(hide_password=False)
    started = Server(url, {"RETURNS_IDEMPOTENCY_LEASE_SECONDS": str(LEASE_SECONDS)})
    yield started
    await started.stop()


class Client:
    """A merchant integration that retries with the same key, as the README says to."""

    def __init__(self, http: aiohttp.ClientSession, server: Server, headers: dict[str, str]):
        self.http, self.server, self.headers = http, server, headers

    async def note(self, rid: str, key: str) -> Answer | None:
        """The answer, or None when the connection died with the server."""
        body = {"query": NOTE, "variables": {"input": {"returnRequestId": rid, "text": key}}}
        try:
            async with self.http.post(
                f"{self.server.url}/graphql",
                json=body,
                headers=self.headers | {"Idempotency-Key": key},
            ) as response:
                answer = json.loads(await response.read())
                return (
                    response.status,
                    _code(answer),
                    response.headers.get("Idempotency-Replayed"),
                )
        except (aiohttp.ClientError, ConnectionError):
            return None

    async def retry_until_settled(self, work: dict[str, str]) -> dict[str, Answer]:
        """Retry every key until none is still running (409). No retry may be refused as
        another request's (IDEMPOTENCY_MISMATCH): the body is the same."""
        settled: dict[str, Answer] = {}
        deadline = asyncio.get_running_loop().time() + 10 * LEASE_SECONDS
        while len(settled) < len(work) and asyncio.get_running_loop().time() < deadline:
            keys = [key for key in work if key not in settled]
            answers = await asyncio.gather(*(self.note(work[key], key) for key in keys))
            for key, answer in zip(keys, answers, strict=True):
                assert answer is not None, "the restarted server must answer"
                assert answer[1] in (None, "IDEMPOTENCY_IN_PROGRESS", "IDEMPOTENCY_ANSWER_LOST"), (
                    key,
                    answer,
                )
                if answer[0] != 409:
                    settled[key] = answer
            await asyncio.sleep(0.25)
        assert len(settled) == len(work), (
            f"still refused after the lease: {set(work) - set(settled)}"
        )
        return settled


def _code(answer: Any) -> str | None:
    errors = answer.get("errors") if isinstance(answer, dict) else None
    return errors[0]["extensions"]["code"] if errors else None


async def _count(db: Database, statement: Any) -> int:
    async with db.read_session() as session:
        return int(await session.scalar(statement) or 0)


async def notes_per_key(db: Database, keys: list[str]) -> dict[str, int]:
    async with db.read_session() as session:
        texts = (await session.scalars(select(ReturnNoteRow.text))).all()
    return {key: texts.count(key) for key in keys}


async def until(check: Callable[[], Awaitable[bool]], wait: float = 20) -> None:
    """Poll the database (another process writes it: nothing here could be awaited)."""
    for _ in range(int(wait / 0.02)):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the server never reached the step")


async def prepared(session, server, db) -> tuple[Client, list[str]]:  # type: ignore[no-untyped-def]
    await server.start(session)
    headers = await credentials(db, SystemClock(), DEFAULT_TENANT)  # the server's clock
    writer = Writer(session, server, headers)
    rids = [await writer.new_request() for _ in range(4)]
    return Client(session, server, headers), rids


async def test_a_sigkill_under_load_leaves_every_keyed_write_done_exactly_once(session, server, db):
    client, rids = await prepared(session, server, db)
    work = {f"crash-{n}": rids[n % len(rids)] for n in range(48)}
    claims = select(func.count()).select_from(IdempotencyKeyRow)
    unanswered = claims.where(IdempotencyKeyRow.status_code.is_(None))

    in_flight = [asyncio.create_task(client.note(rid, key)) for key, rid in work.items()]
    await until(lambda: _has(db, claims, 12))
    await server.kill()
    before = dict(zip(work, await asyncio.gather(*in_flight), strict=True))
    stranded = await _count(db, unanswered)

    await server.start(session)
    after = await client.retry_until_settled(work)

    assert stranded > 0, "the kill must catch keyed writes in flight"
    assert await notes_per_key(db, list(work)) == dict.fromkeys(work, 1)
    for key, answer in after.items():
        assert answer[:2] in ((200, None), (410, "IDEMPOTENCY_ANSWER_LOST")), (key, answer)
        if before[key] is not None:
            assert answer == (200, None, "true"), (key, before[key], answer)
    rerun = [key for key, answer in after.items() if answer == (200, None, "false")]
    assert rerun, "a key stranded by the crash was taken over and its work done"


async def _has(db: Database, statement: Any, at_least: int) -> bool:
    return await _count(db, statement) >= at_least


# On PostgreSQL the test can stop the server at an exact step: it holds a lock the request
# needs next, waits until the request waits for it, and kills the server there.
STEPS = {
    # the unit of work waits for the return request's row: the claim is committed, the
    # work is not; the retry after the lease runs it, once
    "before the work commits": (
        "SELECT 1 FROM return_requests WHERE id = :rid FOR UPDATE",
        IdempotencyKeyRow.committed_at.is_(None),
        (200, None, "false"),
    ),
    # the answer waits to read the order: the work is committed, its answer not stored;
    # the retry is told so and the work does not run again
    "after the work commits": (
        "LOCK TABLE orders IN ACCESS EXCLUSIVE MODE",
        IdempotencyKeyRow.committed_at.is_not(None),
        (410, "IDEMPOTENCY_ANSWER_LOST", None),
    ),
}


@pytest.mark.parametrize("step", list(STEPS))
async def test_a_write_killed_at_each_step_is_never_run_twice(session, server, db, step):
    if db.is_sqlite:
        pytest.skip("SQLite has no lock that stops a request at one step; the test above")
    lock, key_state, expected = STEPS[step]
    client, [rid, *_] = await prepared(session, server, db)
    key = f"step-{step}"
    waiting = (
        select(func.count())
        .select_from(text("pg_stat_activity"))
        .where(text("wait_event_type = 'Lock' AND datname = current_database()"))
    )
    at_step = (
        select(func.count())
        .select_from(IdempotencyKeyRow)
        .where(IdempotencyKeyRow.key == key, key_state)
    )

    async with db.engine.connect() as holder:
        await holder.execute(text(lock), {"rid": rid})
        request = asyncio.create_task(client.note(rid, key))
        await until(lambda: _both(db, waiting, at_step))
        await server.kill()
        await holder.rollback()
    assert await request is None

    await server.start(session)
    after = await client.retry_until_settled({key: rid})

    assert after[key] == expected
    assert await notes_per_key(db, [key]) == {key: 1}


async def _both(db: Database, *statements: Any) -> bool:
    return all([await _has(db, statement, 1) for statement in statements])
