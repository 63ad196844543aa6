"""How GraphQL shows a domain error: a userError (HTTP statuses: core/error_answers.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError, Node
from strawberry.extensions import MaskErrors, SchemaExtension

from core.error_answers import camel_field
from core.request_record import note_error
from domain.errors import DomainError, DomainErrors, ErrorCode
from graphql_api.policies import Policy

strawberry.enum(
    ErrorCode,
    name="ErrorCode",
    description="Stable codes of expected failures; clients branch on them.",
)


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


class MaskedErrors(Policy):
    """A server's own failure is shown as "Unexpected error." (it is logged in full first,
    by the schema's `process_errors`); GraphQL's errors and ours are shown as they are.
    strawberry's MaskErrors does it on every path, the pipeline's errors included."""

    def __init__(self) -> None:
        self._mask = MaskErrors(should_mask_error=should_mask)

    def shown(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return self._mask._process_errors(errors)

    def extension(self) -> Callable[[], SchemaExtension]:
        return lambda: MaskErrors(should_mask_error=should_mask)
