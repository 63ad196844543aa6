"""What GraphQL checks per operation, beyond the HTTP checks every face makes (edge/)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from domain.access import Principal
from domain.errors import ErrorCode


class ReadOnlyGuard(SchemaExtension):
    """A read-only key may query but never mutate: refused before anything executes.

    A websocket outlives the checks HTTP makes per request, so each operation on it is
    checked again: the token must still be valid, mutations go over HTTP (where
    Idempotency-Key applies), subscriptions only over the websocket, and every operation
    reads fresh data rather than what the connection's first operation cached."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        app_context: Any = context.context
        if getattr(app_context, "renders_for_subscribers", False):
            yield  # an event rendered for subscribers: each connection is checked on its own
            return
        principal: Principal | None = getattr(app_context, "principal", None)
        # strawberry's own OperationType (not graphql-core's): compare by value.
        operation = getattr(context.operation_type, "value", context.operation_type)
        if principal and not principal.may_write and operation == "mutation":
            raise _refused(
                "this API key is read-only; mutations need a full-access key", ErrorCode.FORBIDDEN
            )
        on_websocket = getattr(app_context, "websocket", None) is not None
        if on_websocket:
            _check_websocket_operation(app_context, principal, operation)
        elif operation == "subscription":
            raise _refused("subscriptions run over a websocket (graphql-transport-ws)")
        yield


def _check_websocket_operation(context: Any, principal: Principal | None, operation: str) -> None:
    if principal is None or principal.expired(context.clock.now()):
        raise _refused(
            "the token of this connection has expired; reconnect with a new one",
            ErrorCode.UNAUTHENTICATED,
        )
    if operation == "mutation":
        raise _refused("send mutations as HTTP POST requests, not over the websocket")
    context.fresh_loaders()


def _refused(message: str, code: ErrorCode = ErrorCode.INVALID_INPUT) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code.value})
