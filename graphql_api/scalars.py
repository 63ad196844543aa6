"""Scalars with the rules DESIGN.md §8 sets for every face: times carry their offset and
come back in UTC. A naive time is refused while the request is parsed, before anything runs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NewType

import strawberry


def _parse_aware(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime must be an ISO 8601 string")
    parsed = datetime.fromisoformat(value)
    if parsed.utcoffset() is None:
        raise ValueError(f"DateTime {value!r} needs a time zone offset, e.g. 2026-01-31T10:00:00Z")
    return parsed.astimezone(UTC)


AwareDateTime = strawberry.scalar(
    name="DateTime",
    description="An ISO 8601 date-time with a time zone offset; returned in UTC.",
    serialize=lambda value: value.astimezone(UTC).isoformat(),
    parse_value=_parse_aware,
)

EventPosition = NewType("EventPosition", int)


def _parse_position(value: object) -> EventPosition:
    """Positions travel as decimal strings (they outgrow GraphQL's 32-bit Int); a plain
    non-negative integer is accepted too."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return EventPosition(value)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return EventPosition(int(value))
    raise ValueError('EventPosition must be a decimal string such as "42"')


EventPositionScalar = strawberry.scalar(
    name="EventPosition",
    description="A place in the tenant's event log: a non-negative integer as a decimal "
    "string. Positions only grow; pass the last one seen as `after` to resume.",
    serialize=str,
    parse_value=_parse_position,
)

SCALAR_OVERRIDES = {datetime: AwareDateTime, EventPosition: EventPositionScalar}
