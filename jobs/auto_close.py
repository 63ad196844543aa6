"""The auto-close job: complete decided requests that made no progress for their merchant's
`auto_close_days`, in every tenant. Run by `returns-api auto-close` and, periodically, by the
server. Several servers may run it at once: each close re-checks the locked, fresh request,
so a request is closed once and one that moved meanwhile stays open."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import suppress
from typing import TYPE_CHECKING

from aiohttp import web

from domain import commands as c
from domain import services
from domain.errors import DomainError
from domain.returns import AUTO_CLOSABLE
from domain.values import Actor
from persistence import queries
from persistence.unit_of_work import UnitsOfWork

if TYPE_CHECKING:
    from core.wiring import Wiring

log = logging.getLogger(__name__)
AUTO_CLOSE_ACTOR = Actor(source="SYSTEM", user="auto-close")


async def auto_close_idle_returns(units: UnitsOfWork) -> list[str]:
    """Close every idle request; returns the ids closed."""
    clock = units.clock
    async with units.db.reading() as reads:
        candidates = await queries.idle_returns(
            reads, clock.now(), [status.value for status in AUTO_CLOSABLE]
        )
    closed = []
    for candidate in candidates:
        command = c.AutoCloseReturn(
            return_request_id=candidate.return_request_id,
            idle_days=candidate.idle_days,
            actor=AUTO_CLOSE_ACTOR,
        )
        uow = units(candidate.tenant_id)
        try:
            await services.auto_close_return(command, uow=uow, clock=clock)
        except DomainError as error:
            log.info("auto-close skipped %s: %s", candidate.return_request_id, error.message)
            continue
        closed.append(candidate.return_request_id)
    return closed


def periodic_auto_close(wiring: Wiring, interval_seconds: float):  # type: ignore[no-untyped-def]
    """An aiohttp cleanup context running the job every `interval_seconds` (0: never)."""

    async def context(_app: web.Application) -> AsyncIterator[None]:
        task = None
        if interval_seconds > 0:
            task = asyncio.create_task(_every(interval_seconds, wiring))
        yield
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    return context


async def _every(interval_seconds: float, wiring: Wiring) -> None:
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            closed = await auto_close_idle_returns(wiring.units)
        except Exception:
            log.exception("auto-close run failed; retrying in %s s", interval_seconds)
            continue
        if closed:
            log.info("auto-closed %d return requests", len(closed))
        # The same periodic pass forgets idempotency keys past their 24 hours.
        await wiring.idempotency.purge_expired(wiring.clock.now())
