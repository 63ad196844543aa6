"""Where a subscription's live frames go: straight onto its websocket.

strawberry runs each subscription operation in a task of its own. Our protocol handlers
note, for that task, the operation's `Sink` (its id, its websocket, the frame type of the
protocol) and the variables it was sent with, so the subscription resolver can hand both to
the EventHub. The hub then writes rendered frames directly, instead of executing the
operation once per subscriber (see core/event_hub.py).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from core.context import Context
from domain.errors import ErrorCode
from edge.json_input import unstorable_text


class WebSocketSink:
    """One operation on one websocket. Frames are the protocol's data message around a
    payload rendered once for every subscriber of the same selection."""

    def __init__(
        self,
        ws: web.WebSocketResponse,
        transport: asyncio.Transport | None,
        *,
        operation_id: str,
        message_type: str,
        is_current: Callable[[], bool],
    ) -> None:
        self._ws = ws
        self._transport = transport
        head = {"id": operation_id, "type": message_type, "payload": None}
        self._prefix = json.dumps(head, separators=(",", ":")).encode().removesuffix(b"null}")
        self._is_current = is_current
        low, high = transport.get_write_buffer_limits() if transport else (0, 0)
        self._low_water, self._high_water = low, high

    @property
    def open(self) -> bool:
        """Still subscribed: the socket is up and the client has not completed the
        operation (a frame after `complete` would confuse it)."""
        return not self._ws.closed and self._is_current()

    def frame(self, payload: bytes) -> bytes:
        return b"".join((self._prefix, payload, b"}"))

    def writes_at_once(self, size: int) -> bool:
        """True when aiohttp's writer will not wait on this write: the transport is below
        its low-water mark (so not paused) and stays below the high-water mark after it."""
        transport = self._transport
        if transport is None or transport.is_closing():
            return False
        buffered = transport.get_write_buffer_size()
        return buffered <= self._low_water and buffered + size < self._high_water

    async def write(self, frame: bytes) -> None:
        if not self.open:
            raise ConnectionResetError("the subscription's websocket operation has ended")
        await self._ws.send_frame(frame, WSMsgType.TEXT)

    def abort(self) -> None:
        """Drop the connection at once (a peer that takes not even the close frame)."""
        if self._transport is not None:
            self._transport.abort()


@dataclass(frozen=True)
class PushTarget:
    """An operation as the client sent it, and where its frames go."""

    sink: WebSocketSink
    query: str
    variables: dict[str, Any]
    operation_name: str | None


def _sink(
    handler: Any, operation_id: str, message_type: str, is_current: Callable[[], bool]
) -> WebSocketSink:
    adapter = handler.websocket
    return WebSocketSink(
        adapter.ws,
        adapter.request.transport,
        operation_id=operation_id,
        message_type=message_type,
        is_current=is_current,
    )


_PUSH_TARGET: ContextVar[PushTarget | None] = ContextVar("push_target", default=None)


def push_target() -> PushTarget | None:
    """The websocket operation the current task serves, if any."""
    return _PUSH_TARGET.get()


def malformed(payload: Any) -> str | None:
    """What is wrong with a subscribe (start) message's payload, if anything."""
    if not isinstance(payload, dict):
        return "the payload must be an object"
    if not isinstance(payload.get("query"), str):
        return "payload.query must be a string"
    if not isinstance(payload.get("variables") or {}, dict):
        return "payload.variables must be an object"
    if not isinstance(payload.get("operationName") or "", str):
        return "payload.operationName must be a string"
    return None


def _size_error(handler: Any, payload: dict[str, Any]) -> dict[str, Any] | None:
    """The refusal of a query text over the size limit, before anything parses it."""
    error = handler.schema.documents.size_error(payload["query"])
    return error.formatted if error is not None else None


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, with each operation's push target noted for its task."""

    async def handle_subscribe(self, message: Any) -> None:
        """A malformed message closes the socket with 4400, as the protocol says. Text no
        database can store (a NUL, a lone surrogate) gets this operation an error, as the
        HTTP face refuses it with a 400, and the socket serves on."""
        if self.connection_acknowledged and (problem := malformed(message.get("payload"))):
            await self.handle_invalid_message(problem)
            return
        if self.connection_acknowledged and (refusal := unstorable_text(message["payload"])):
            error = {"message": refusal, "extensions": {"code": ErrorCode.INVALID_INPUT.value}}
            await self.send_message({"id": message["id"], "type": "error", "payload": [error]})
            return
        if self.connection_acknowledged and (too_large := _size_error(self, message["payload"])):
            await self.send_message({"id": message["id"], "type": "error", "payload": [too_large]})
            return
        await super().handle_subscribe(message)

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        def is_current() -> bool:
            return self.operations.get(operation.id) is operation and not operation.completed

        sink = _sink(self, operation.id, "next", is_current)
        variables = dict(operation.variables or {})  # checked by `malformed` already
        _PUSH_TARGET.set(PushTarget(sink, operation.query, variables, operation.operation_name))
        await super().run_operation(operation)


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """The legacy graphql-ws protocol (when enabled): its data messages are "data"."""

    async def handle_start(self, message: Any) -> None:
        """A malformed start, or one with text no database can store, gets the protocol's
        error message."""
        payload = message.get("payload")
        problem = malformed(payload) or unstorable_text(payload)
        if self.connection_acknowledged and problem:
            await self.send_message(
                {"type": "error", "id": message.get("id"), "payload": {"message": problem}}
            )
            return
        if self.connection_acknowledged and (too_large := _size_error(self, payload)):
            await self.send_message({"type": "error", "id": message["id"], "payload": too_large})
            return
        await super().handle_start(message)

    async def handle_async_results(
        self,
        operation_id: str,
        query: str,
        operation_name: str | None,
        variables: dict[str, object] | None,
    ) -> None:
        task = asyncio.current_task()

        def is_current() -> bool:
            return self.tasks.get(operation_id) is task

        sink = _sink(self, operation_id, "data", is_current)
        _PUSH_TARGET.set(PushTarget(sink, query, dict(variables or {}), operation_name))
        await super().handle_async_results(operation_id, query, operation_name, variables)
