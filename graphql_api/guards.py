"""What GraphQL checks per operation, beyond the HTTP checks every face makes (edge/)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from domain.access import Principal
from domain.errors import ErrorCode
from graphql_api.permissions import refused_fields
from graphql_api.policies import MUTATION, SUBSCRIPTION, Operation, Policy


class ReadOnlyGuard(Policy):
    """A read-only key may query but never mutate, and a staff user runs only the mutations
    their role allows (graphql_api/permissions.py): refused before anything executes.

    A websocket outlives the checks HTTP makes per request, so each operation on it is
    checked again: the token must still be valid, mutations go over HTTP (where
    Idempotency-Key applies), subscriptions only over the websocket, and every operation
    reads fresh data rather than what the connection's first operation cached."""

    def before(self, operation: Operation) -> None:
        app_context: Any = operation.context
        if getattr(app_context, "renders_for_subscribers", False):
            return  # an event rendered for subscribers: each connection is checked on its own
        principal: Principal | None = getattr(app_context, "principal", None)
        kind = operation.kind
        if principal and principal.user is not None and kind == MUTATION:
            _check_role(principal, operation)
        elif principal and not principal.may_write and kind == MUTATION:
            raise _refused(
                "this API key is read-only; mutations need a full-access key", ErrorCode.FORBIDDEN
            )
        on_websocket = getattr(app_context, "websocket", None) is not None
        if on_websocket:
            _check_websocket_operation(app_context, principal, kind)
        elif kind == SUBSCRIPTION:
            raise _refused("subscriptions run over a websocket (graphql-transport-ws)")


def _check_role(principal: Principal, operation: Operation) -> None:
    """A staff user's role must allow every mutation the operation runs."""
    refused = refused_fields(principal, operation.document, operation.name)
    if refused:
        role = principal.user.role.value.lower() if principal.user else ""
        raise _refused(
            f"a staff user with the {role} role may not run {', '.join(refused)}",
            ErrorCode.FORBIDDEN,
        )


def _check_websocket_operation(context: Any, principal: Principal | None, operation: str) -> None:
    if principal is None or principal.expired(context.clock.now()):
        raise _refused(
            "the token of this connection has expired; reconnect with a new one",
            ErrorCode.UNAUTHENTICATED,
        )
    if operation == MUTATION:
        raise _refused("send mutations as HTTP POST requests, not over the websocket")
    context.fresh_loaders()


def _refused(message: str, code: ErrorCode = ErrorCode.INVALID_INPUT) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code.value})
