"""Delivery in the background: a request queues a notification and answers at once; the
dispatcher, held by the app, sends it afterwards and records the outcome. On shutdown the
app awaits the deliveries still running, so none is cut off half-way.

A process killed between queueing and recording leaves messages QUEUED. Every process looks
for those every `RESUME_INTERVAL`, claims the ones untouched for `stalled_after`
and delivers them: at least once, so an SMS the gateway took just before the crash may be
sent twice, but none is silently dropped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

from aiohttp import web

from domain.notification_services import deliver_notification
from domain.ports import NotificationSender
from edge.app_keys import WIRING_KEY
from persistence.notifications import claim_stalled
from persistence.unit_of_work import UnitsOfWork

log = logging.getLogger(__name__)


RESUME_INTERVAL = timedelta(minutes=1)


class NotificationDispatcher:
    def __init__(
        self,
        units: UnitsOfWork,
        sender: NotificationSender,
        *,
        stalled_after: timedelta = timedelta(minutes=2),
    ) -> None:
        self._units = units
        self._db = units.db
        self._clock = units.clock
        self.sender = sender
        self.stalled_after = stalled_after
        self._tasks: set[asyncio.Task[None]] = set()

    async def resume_stalled(self) -> int:
        """Deliver what a stopped process left QUEUED; returns how many were claimed."""
        now = self._clock.now()
        claimed = await claim_stalled(self._db, now=now, untouched_since=now - self.stalled_after)
        for tenant_id, notification_id in claimed:
            log.warning("resuming notification %s left queued", notification_id)
            self.dispatch(tenant_id, notification_id)
        return len(claimed)

    @property
    def in_flight(self) -> int:
        """Deliveries this process has started and not finished."""
        return len(self._tasks)

    def dispatch(self, tenant_id: str, notification_id: str) -> None:
        task = asyncio.create_task(self._deliver(tenant_id, notification_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for every delivery started so far (shutdown, and tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _deliver(self, tenant_id: str, notification_id: str) -> None:
        uow = self._units(tenant_id)
        try:
            sent = await deliver_notification(
                notification_id, uow=uow, sender=self.sender, clock=self._clock
            )
        except Exception:
            # The entry stays QUEUED in the log, where the merchant (and we) can see it.
            log.exception("delivering notification %s failed", notification_id)
            return
        log.info("notification %s: %s", notification_id, sent.status.value)


async def notification_delivery(app: web.Application) -> AsyncIterator[None]:
    """Resume stalled notifications every `RESUME_INTERVAL`; on shutdown, stop looking and
    wait for the deliveries still running."""
    dispatcher, stop = app[WIRING_KEY].notifier, asyncio.Event()
    task = asyncio.create_task(_resume_until(stop, dispatcher))
    yield
    stop.set()
    await task
    await dispatcher.drain()


async def _resume_until(stop: asyncio.Event, dispatcher: NotificationDispatcher) -> None:
    """Waits first: at start the database may still be migrating."""
    while True:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(RESUME_INTERVAL.total_seconds()):
                await stop.wait()
        if stop.is_set():
            return
        try:
            await dispatcher.resume_stalled()
        except Exception:
            log.exception("looking for stalled notifications failed; trying again later")
