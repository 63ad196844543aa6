"""Scalars with the rules DESIGN.md §8 sets for every face: times carry their offset and
come back in UTC. A naive time is refused while the request is parsed, before anything runs."""

from __future__ import annotations

from datetime import UTC, datetime

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

SCALAR_OVERRIDES = {datetime: AwareDateTime}
