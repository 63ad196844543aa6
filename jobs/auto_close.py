"""The auto-close job: complete decided requests that made no progress for their merchant's
`auto_close_days`, in every tenant. Run by `returns-api auto-close` and, periodically, by the
server (`auto_close_job`, one of the periodic runner's jobs). Several servers may run it at
once: each close re-checks the locked, fresh request, so a request is closed once and one
that moved meanwhile stays open."""

from __future__ import annotations

import logging

from core.periodic import Job
from domain import commands as c
from domain import services
from domain.errors import DomainError
from domain.returns import AUTO_CLOSABLE
from domain.values import Actor
from persistence import queries
from persistence.unit_of_work import UnitsOfWork

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


def auto_close_job(units: UnitsOfWork, interval_seconds: float) -> Job:
    """Auto-close as the server runs it, every `interval_seconds` (0: never)."""

    async def run() -> None:
        closed = await auto_close_idle_returns(units)
        if closed:
            log.info("auto-closed %d return requests", len(closed))

    return Job("auto-close", interval_seconds, run)
