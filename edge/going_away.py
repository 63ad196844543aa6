"""Shutdown does not wait for websockets: every open one is closed with 1001 (going away) at
once, so clients reconnect to the next process instead of holding this one for aiohttp's
shutdown timeout.

aiohttp stops listening first, then runs `on_shutdown`, then waits for the handlers still in
flight. A websocket's handler returns only when its socket closes; closing them all here is
what lets that wait end within the grace period.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref

from aiohttp import WSCloseCode, web

log = logging.getLogger(__name__)

CLOSE_SECONDS = 2.0  # how long a peer gets to answer the close frame before it is dropped
GOING_AWAY_MESSAGE = b"server shutting down"


class OpenWebsockets:
    """The app's open websockets (held weakly), to close on shutdown. The app makes one and
    hands it to the face that accepts websockets."""

    def __init__(self) -> None:
        self._sockets: weakref.WeakSet[web.WebSocketResponse] = weakref.WeakSet()

    def opened(self, ws: web.WebSocketResponse) -> None:
        """Note a websocket the app has just accepted."""
        self._sockets.add(ws)

    async def close_all(self, _app: web.Application | None = None) -> None:
        """Close every open websocket with 1001, all at once; a peer that does not answer
        the close frame within `CLOSE_SECONDS` is dropped. An `on_shutdown` hook."""
        sockets = [ws for ws in self._sockets if not ws.closed]
        log.info(
            "returns-api stopping: closing %d websocket(s) with 1001 (going away)", len(sockets)
        )
        if not sockets:
            return
        closing = [asyncio.ensure_future(_close(ws)) for ws in sockets]
        _done, late = await asyncio.wait(closing, timeout=CLOSE_SECONDS)
        for task in late:
            task.cancel()


async def _close(ws: web.WebSocketResponse) -> None:
    with contextlib.suppress(ConnectionError, RuntimeError):  # the peer went first
        await ws.close(code=WSCloseCode.GOING_AWAY, message=GOING_AWAY_MESSAGE)
