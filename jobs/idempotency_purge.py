"""The idempotency purge: forget Idempotency-Keys past their lifetime (24 hours), so the
table holds only keys a client may still retry with. An expired key is never answered from
(a request finding one replaces it), so the purge only keeps the table small, and several
servers running it at once delete the same rows harmlessly."""

from __future__ import annotations

import logging

from core.periodic import Job
from domain.ports import Clock
from persistence.idempotency import IdempotencyStore

log = logging.getLogger(__name__)


def idempotency_purge_job(store: IdempotencyStore, clock: Clock, interval_seconds: float) -> Job:
    """The purge as the server runs it, every `interval_seconds` (0: never)."""

    async def run() -> None:
        purged = await store.purge_expired(clock.now())
        if purged:
            log.info("forgot %d expired idempotency keys", purged)

    return Job("idempotency-purge", interval_seconds, run)
