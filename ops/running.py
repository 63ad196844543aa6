"""One serving process: the app on a socket it is given, its event loop, how it stops.
`serve` (ops/serving.py) runs one in its own process, or supervises several (ops/workers.py)."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import socket
from collections.abc import AsyncIterator, Callable

from aiohttp import web
from aiohttp.web_runner import GracefulExit

from core.settings import Settings
from edge.logs import AccessLogger
from ops.app import PRINT_DEV_CREDENTIALS, create_app

log = logging.getLogger(__name__)

ORPHAN_CHECK_SECONDS = 1.0


def run_app(
    settings: Settings,
    sock: socket.socket,
    listening: str,
    *,
    stop_signals: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM),
    worker: bool = False,
    orphaned: Callable[[], bool] | None = None,
) -> None:
    """Serve the app on `sock` until one of `stop_signals`, then shut down within the grace
    period: websockets closed with 1001 at once (ops/going_away.py), requests in
    flight given `shutdown_grace_seconds`, background jobs stopped. A second signal while
    that runs ends the process at once."""
    app = create_app(settings)
    if worker:
        app[PRINT_DEV_CREDENTIALS] = False
    app.on_startup.append(_settle_garbage_collector)  # last: after the app's own start-up
    if orphaned is not None:
        app.cleanup_ctx.append(_stop_when(orphaned))
    loop = event_loop()
    for signum in stop_signals:
        loop.add_signal_handler(signum, _stop, loop, stop_signals)
    web.run_app(
        app,
        sock=sock,
        # aiohttp calls `print` once its site accepts connections: the moment to say so.
        print=lambda _banner: log.info("%s", listening),
        access_log_class=AccessLogger,  # redacted targets, with the request id
        loop=loop,
        handle_signals=False,
        shutdown_timeout=settings.shutdown_grace_seconds,
    )


def _stop(loop: asyncio.AbstractEventLoop, signals: tuple[signal.Signals, ...]) -> None:
    """The first stop signal starts the shutdown; the signals' default actions come back,
    so an impatient second one ends the process."""
    for signum in signals:
        loop.remove_signal_handler(signum)
    log.info("returns-api stopping (grace period for requests in flight)")
    raise GracefulExit()


def _stop_when(orphaned: Callable[[], bool]):  # type: ignore[no-untyped-def]
    """A worker whose supervisor died (SIGKILL, OOM) stops itself as if told to: nothing
    would restart it or stop it later."""

    async def context(_app: web.Application) -> AsyncIterator[None]:
        async def watch() -> None:
            while not orphaned():  # noqa: ASYNC110 (nothing to wait on: a pid to compare)
                await asyncio.sleep(ORPHAN_CHECK_SECONDS)
            log.warning("returns-api worker %d: its supervisor is gone; stopping", os.getpid())
            os.kill(os.getpid(), signal.SIGTERM)

        task = asyncio.create_task(watch())
        yield
        task.cancel()

    return context


def event_loop() -> asyncio.AbstractEventLoop:
    """uvloop where it is installed (not on Windows): its event loop and transports cost
    less per request than asyncio's (measured with bench/compare.py)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


# Collections of the youngest generation run after this many allocations (Python's default
# is 700). A page of 100 returns allocates some 40,000 objects; at 700, collections of the
# older generations run mid-request and walk every long-lived object of the process.
GC_YOUNG_THRESHOLD = 50_000


async def _settle_garbage_collector(_app: web.Application) -> None:
    settle_garbage_collector()


def settle_garbage_collector() -> None:
    """Freeze what start-up built (schema, plans, pools: it lives as long as the process)
    so that collections no longer walk it, and collect the young generation less often.
    Measured with bench/compare.py: about a fifth less CPU per page of 100 returns under
    load; memory grows by at most the garbage of one young generation. The test suite
    settles its workers the same way once the tests are collected (tests/conftest.py)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, 20, 100)
