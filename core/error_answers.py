"""What every face answers a domain error with: the one table from error codes to HTTP
statuses, and the field names as the camelCase faces (GraphQL, OTO) spell them."""

from __future__ import annotations

import re

from domain.errors import ErrorCode

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
    ErrorCode.STORE_CREDIT_SPENT: 409,  # the customer spent it: the refund stays
    ErrorCode.ALREADY_REVERTED: 409,
}
DEFAULT_HTTP_STATUS = 400  # the seeds answer 400 for every other refused request


def http_status(code: ErrorCode) -> int:
    return HTTP_STATUS.get(code, DEFAULT_HTTP_STATUS)


_SNAKE_WORD = re.compile(r"_([a-z0-9])")


def camel_field(name: str | None) -> str | None:
    """The domain's field name as GraphQL's input spells it: `items[0].reason_code` →
    `items[0].reasonCode`. A name already in camelCase stays as it is."""
    if name is None:
        return None
    return _SNAKE_WORD.sub(lambda match: match.group(1).upper(), name)
