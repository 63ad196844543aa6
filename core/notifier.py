"""Customer notifications leave after the answer: `dispatch` starts a delivery in the
background of the process that recorded it, and `resume_stalled` takes over what a stopped
process left queued (delivery/notifications.py runs that periodically)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from domain.notification_services import deliver_notification
from domain.ports import NotificationSender
from persistence.notifications import claim_stalled
from persistence.unit_of_work import UnitsOfWork

log = logging.getLogger(__name__)


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
