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

from core.notifier import NotificationDispatcher

log = logging.getLogger(__name__)


RESUME_INTERVAL = timedelta(minutes=1)


def notification_delivery(dispatcher: NotificationDispatcher):  # type: ignore[no-untyped-def]
    """An aiohttp cleanup context: resume stalled notifications every `RESUME_INTERVAL`; on
    shutdown, stop looking and wait for the deliveries still running."""

    async def context(_app: web.Application) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(_resume_until(stop, dispatcher))
        yield
        stop.set()
        await task
        await dispatcher.drain()

    return context


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
