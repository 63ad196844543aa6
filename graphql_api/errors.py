"""The one table from domain error codes to what clients see: a GraphQL userError and, for the
REST face, an HTTP status."""

from __future__ import annotations

import re
from typing import Any

import strawberry
from graphql import GraphQLError, Node

from domain.errors import DomainError, DomainErrors, ErrorCode
from graphql_api.metrics.recording import note_error

strawberry.enum(
    ErrorCode,
    name="ErrorCode",
    description="Stable codes of expected failures; clients branch on them.",
)

HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.VERSION_CONFLICT: 409,
    ErrorCode.IDEMPOTENCY_MISMATCH: 422,
    ErrorCode.IDEMPOTENCY_IN_PROGRESS: 409,
    ErrorCode.IDEMPOTENCY_ANSWER_LOST: 410,  # gone for good: retrying cannot bring it back
    ErrorCode.ALREADY_EXISTS: 409,
    ErrorCode.IN_USE: 409,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.LIMIT_EXCEEDED: 413,
    ErrorCode.UNAVAILABLE: 503,
    ErrorCode.TOO_MANY_REQUESTS: 429,
}
DEFAULT_HTTP_STATUS = 400  # the seeds answer 400 for every other refused request


def http_status(code: ErrorCode) -> int:
    return HTTP_STATUS.get(code, DEFAULT_HTTP_STATUS)


@strawberry.type
class UserError:
    """An expected failure of a mutation: what went wrong, where in the input, and why."""

    code: ErrorCode
    field: str | None
    message: str


def user_errors(error: DomainError) -> list[UserError]:
    errors = error.errors if isinstance(error, DomainErrors) else [error]
    for each in errors:
        note_error(each.code.value)
    return [UserError(code=e.code, field=camel_field(e.field), message=e.message) for e in errors]


_SNAKE_WORD = re.compile(r"_([a-z0-9])")


def camel_field(name: str | None) -> str | None:
    """The domain's field name as GraphQL's input spells it: `items[0].reason_code` →
    `items[0].reasonCode`. A name already in camelCase stays as it is."""
    if name is None:
        return None
    return _SNAKE_WORD.sub(lambda match: match.group(1).upper(), name)


class ClientError(GraphQLError):
    """A refused query argument (bad cursor, page too large, a value a scalar cannot take):
    shown, never masked; `node` points at the value when it is written in the document."""

    def __init__(
        self, message: str, code: ErrorCode = ErrorCode.INVALID_INPUT, *, node: Node | None = None
    ) -> None:
        super().__init__(message, node, extensions={"code": code.value})


def should_mask(error: GraphQLError) -> bool:
    """Mask unexpected exceptions; keep GraphQL's own and our client errors readable."""
    original: Any = error.original_error
    return original is not None and not isinstance(original, GraphQLError | DomainError)
