"""The event sequencer's sweep: events are numbered right after their writer's commit
(persistence/outbox.py `sequence_events`); a writer that dies in between leaves its events
unnumbered, which subscribers and webhooks would not see until the tenant writes again.
This job numbers them within one interval. Several processes sweeping at once is harmless:
the sequencer takes a per-tenant lock and numbers each event once."""

from __future__ import annotations

import logging

from core.periodic import Job
from persistence.database import Database
from persistence.outbox import sequence_stranded_events

log = logging.getLogger(__name__)


def event_sequencer_job(db: Database, interval_seconds: float) -> Job:
    """The sweep as the server runs it, every `interval_seconds` (0: never; SQLite never
    needs it)."""

    async def run() -> None:
        numbered = await sequence_stranded_events(db)
        if numbered:
            log.warning("numbered events a writer left unnumbered, for %d tenant(s)", len(numbered))

    return Job("event-sequencer", 0 if db.is_sqlite else interval_seconds, run)
