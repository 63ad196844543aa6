"""Delivery in the background: a request queues a notification and answers at once; the
dispatcher, held by the app, sends it afterwards and records the outcome. On shutdown the
app awaits the deliveries still running, so none is cut off half-way.

A process killed between queueing and recording leaves messages QUEUED. Every process looks
for those every `RESUME_INTERVAL`, claims the ones untouched for `stalled_after`
and delivers them: at least once, so an SMS the gateway took just before the crash may be
sent twice, but none is silently dropped."""

from __future__ import annotations

from datetime import timedelta

from core.notifier import NotificationDispatcher
from core.periodic import Job

RESUME_INTERVAL = timedelta(minutes=1)


def notification_job(dispatcher: NotificationDispatcher) -> Job:
    """Resuming stalled notifications as a periodic job, every `RESUME_INTERVAL`; on
    shutdown, after its last run, it waits for the deliveries still running."""
    return Job(
        "notification-resume",
        RESUME_INTERVAL.total_seconds(),
        dispatcher.resume_stalled,
        on_stop=dispatcher.drain,
    )
