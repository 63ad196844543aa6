"""Scalars with the rules DESIGN.md §8 sets for every face: times carry their offset and
come back in UTC; money is a string in one canonical decimal form. A value a scalar refuses
is refused while the request is validated, before anything runs, with the same message and
code (`INVALID_INPUT`) whether it was written in the document or sent as a variable."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, NewType, TypeVar

import strawberry
from graphql import ValueNode, value_from_ast_untyped

from domain.errors import DomainError
from domain.values import decimal_from_text, decimal_text
from graphql_api.errors import ClientError

T = TypeVar("T")
SHOWN_LENGTH = 60


def shown(value: object) -> str:
    """A refused value as the client wrote it (JSON), cut short: an error repeats enough of
    it to recognise, never a megabyte."""
    text = json.dumps(value, default=str)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


def refusing(parse: Callable[[object], T]) -> dict[str, Callable[..., T]]:
    """`parse_value` and `parse_literal` for a scalar whose `parse` raises ValueError with a
    message for the client. graphql-core would wrap a ValueError from a literal as a server
    failure (masked as "Unexpected error."); a ClientError is shown as it is, at the literal's
    location, and a variable's error keeps its code."""

    def parse_value(value: object) -> T:
        try:
            return parse(value)
        except ValueError as error:
            raise ClientError(str(error)) from None
        except DomainError as error:
            raise ClientError(error.message, error.code) from None

    def parse_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> T:
        try:
            return parse_value(value_from_ast_untyped(node, variables))
        except ClientError as error:
            raise ClientError(error.message, node=node) from None

    return {"parse_value": parse_value, "parse_literal": parse_literal}


def _parse_aware(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"DateTime must be an ISO 8601 string, got {shown(value)}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"DateTime must be ISO 8601 with an offset, e.g. 2026-01-31T10:00:00Z, "
            f"got {shown(value)}"
        ) from None
    if parsed.utcoffset() is None:
        raise ValueError(
            f"DateTime {shown(value)} needs a time zone offset, e.g. 2026-01-31T10:00:00Z"
        )
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59:59-23:59 is past the last UTC instant
        raise ValueError(f"DateTime {shown(value)} is out of range in UTC") from None


AwareDateTime = strawberry.scalar(
    name="DateTime",
    description="An ISO 8601 date-time with a time zone offset; returned in UTC.",
    serialize=lambda value: value.astimezone(UTC).isoformat(),
    **refusing(_parse_aware),
)

EventPosition = NewType("EventPosition", int)
MAX_POSITION_DIGITS = 18


def _parse_position(value: object) -> EventPosition:
    """Positions travel as decimal strings (they outgrow GraphQL's 32-bit Int); a plain
    non-negative integer is accepted too."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**18:
        return EventPosition(value)
    if (
        isinstance(value, str)
        and value.isascii()
        and value.isdigit()
        and len(value) <= MAX_POSITION_DIGITS
    ):
        return EventPosition(int(value))
    raise ValueError(f'EventPosition must be a decimal string such as "42", got {shown(value)}')


EventPositionScalar = strawberry.scalar(
    name="EventPosition",
    description="A place in the tenant's event log: a non-negative integer as a decimal "
    "string. Positions only grow; pass the last one seen as `after` to resume.",
    serialize=str,
    **refusing(_parse_position),
)


def _parse_decimal(value: object) -> Decimal:
    """A JSON number is refused as well as text in another form: a float has already been
    rounded by the time it arrives, and money must reach the domain as it was written."""
    if not isinstance(value, str):
        raise ValueError(f'Decimal is a string such as "49.90", got {shown(value)}')
    return decimal_from_text(value, field="Decimal")


MoneyDecimal = strawberry.scalar(
    name="Decimal",
    description="An exact decimal number, sent and returned as a string in one form: ASCII "
    'digits, an optional leading "-", no leading zeros, a point only between digits, at most '
    '40 characters ("49.90", "0.5", "120"). Anything else ("+1", " 1", ".5", "1.", "1e3", '
    '"-0", digits of other scripts, a JSON number) is refused with INVALID_INPUT.',
    serialize=decimal_text,
    **refusing(_parse_decimal),
)

SCALAR_OVERRIDES = {
    datetime: AwareDateTime,
    EventPosition: EventPositionScalar,
    Decimal: MoneyDecimal,
}
