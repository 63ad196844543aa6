"""Delivery in the background: a request queues a notification and answers at once; the
dispatcher, held by the app, sends it afterwards and records the outcome. On shutdown the
app awaits the deliveries still running, so none is cut off half-way."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from domain.notifying import deliver_notification
from domain.ports import Clock, NotificationSender
from persistence.database import Database
from persistence.unit_of_work import SqlUnitOfWork

log = logging.getLogger(__name__)


class NotificationDispatcher:
    def __init__(self, db: Database, clock: Clock, sender: NotificationSender) -> None:
        self._db = db
        self._clock = clock
        self.sender = sender
        self._tasks: set[asyncio.Task[None]] = set()

    def dispatch(self, tenant_id: str, notification_id: str) -> None:
        task = asyncio.create_task(self._deliver(tenant_id, notification_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for every delivery started so far (shutdown, and tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _deliver(self, tenant_id: str, notification_id: str) -> None:
        uow = SqlUnitOfWork(self._db, tenant_id=tenant_id, clock=self._clock)
        try:
            sent = await deliver_notification(
                notification_id, uow=uow, sender=self.sender, clock=self._clock
            )
        except Exception:
            # The entry stays QUEUED in the log, where the merchant (and we) can see it.
            log.exception("delivering notification %s failed", notification_id)
            return
        log.info("notification %s: %s", notification_id, sent.status.value)


NOTIFIER_KEY = web.AppKey("notifier", NotificationDispatcher)


async def drain_on_shutdown(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[NOTIFIER_KEY].drain()
