"""`returns-api serve`: claim the port, then start the app; say when it listens and stops.

The listening socket is bound before anything else starts (migrations, background senders,
the development credentials banner). A port that is taken is therefore one clear log line
naming the setting to change and a failing exit status, instead of a traceback after output
that claims the server is up.
"""

from __future__ import annotations

import asyncio
import errno
import gc
import logging
import os
import signal
import socket
from collections.abc import AsyncIterator, Callable

from aiohttp import web
from aiohttp.web_runner import GracefulExit

from graphql_api.app import PRINT_DEV_CREDENTIALS, create_app
from graphql_api.settings import Settings

log = logging.getLogger(__name__)

ORPHAN_CHECK_SECONDS = 1.0
EXIT_CANNOT_LISTEN = 2  # like every other refused CLI command
ACCESS_LOG_FORMAT = '%a "%r" %s %b %Tf'


class CannotListen(Exception):
    """The configured address cannot be bound; the message names the setting to change."""


def serve(settings: Settings) -> int:
    """Serve until SIGINT or SIGTERM; the process's exit status. With `workers` above one,
    this process supervises that many workers sharing its socket (graphql_api/workers.py)."""
    try:
        sock = listening_socket(settings.host, settings.port)
    except CannotListen as problem:
        log.error("returns-api cannot start: %s", problem)
        return EXIT_CANNOT_LISTEN
    url = address_url(sock)
    if settings.workers > 1:
        from graphql_api.workers import supervise

        return supervise(settings, sock, url)
    run_app(settings, sock, f"returns-api listening on {url} (GraphQL at /graphql)")
    log.info("returns-api stopped serving %s", url)
    return 0


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
    period: websockets closed with 1001 at once (graphql_api/going_away.py), requests in
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
        access_log_format=ACCESS_LOG_FORMAT,
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
    """Freeze what start-up built (schema, plans, pools: it lives as long as the process)
    so that collections no longer walk it, and collect the young generation less often.
    Measured with bench/compare.py: about a fifth less CPU per page of 100 returns under
    load; memory grows by at most the garbage of one young generation."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, 20, 100)


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port) and listening, or `CannotListen`."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as error:
        raise CannotListen(_explain(host, port, error)) from None


def address_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _explain(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is already in use (RETURNS_PORT={port}); stop the other "
            "server or set RETURNS_PORT to a free port"
        )
    if error.errno == errno.EACCES:
        return f"not allowed to listen on port {port}; set RETURNS_PORT to a port above 1023"
    reason = error.strerror or str(error)
    if isinstance(error, socket.gaierror) or error.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {host} ({reason}); set RETURNS_HOST to an address of this host"
    return f"cannot listen on {host}:{port} ({reason}); check RETURNS_HOST and RETURNS_PORT"
