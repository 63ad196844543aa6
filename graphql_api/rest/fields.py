"""Typed readers of JSON body fields: a wrong type is a 400 naming the field, before any use
case runs, so a string where a number belongs never reaches the domain (nor a 500).

They check shapes only; what values are allowed is the domain's to decide."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.errors import InvalidInput

JsonObject = dict[str, Any]
MISSING: Any = object()


def _get(body: JsonObject, name: str, required: bool, where: str) -> Any:
    value = body.get(name, MISSING)
    if value is MISSING or value is None:
        if required:
            raise InvalidInput(f"{where}{name} is required", field=f"{where}{name}")
        return MISSING
    return value


def _wrong(where: str, name: str, expected: str) -> InvalidInput:
    return InvalidInput(f"{where}{name} must be {expected}", field=f"{where}{name}")


def text(body: JsonObject, name: str, *, required: bool = False, where: str = "") -> str | None:
    value = _get(body, name, required, where)
    if value is MISSING:
        return None
    if not isinstance(value, str):
        raise _wrong(where, name, "a string")
    return value


def integer(body: JsonObject, name: str, *, required: bool = False, where: str = "") -> int | None:
    value = _get(body, name, required, where)
    if value is MISSING:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong(where, name, "a whole number")
    return value


def boolean(body: JsonObject, name: str, *, default: bool = False, where: str = "") -> bool:
    value = _get(body, name, False, where)
    if value is MISSING:
        return default
    if not isinstance(value, bool):
        raise _wrong(where, name, "true or false")
    return value


def number(
    body: JsonObject, name: str, *, required: bool = False, where: str = ""
) -> Decimal | None:
    """A JSON number, kept exact (the body is parsed with Decimal for fractions)."""
    value = _get(body, name, required, where)
    if value is MISSING:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise _wrong(where, name, "a number")
    return Decimal(value)


def timestamp(
    body: JsonObject, name: str, *, required: bool = False, where: str = ""
) -> datetime | None:
    value = text(body, name, required=required, where=where)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise _wrong(where, name, "an ISO 8601 date-time such as 2026-11-25T10:00:00Z") from None


def text_list(body: JsonObject, name: str, *, where: str = "") -> tuple[str, ...]:
    value = _get(body, name, False, where)
    if value is MISSING:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _wrong(where, name, "a list of strings")
    return tuple(value)


def text_map(body: JsonObject, name: str, *, where: str = "") -> dict[str, str]:
    value = _get(body, name, False, where)
    if value is MISSING:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _wrong(where, name, "an object of strings")
    return value


def obj(
    body: JsonObject, name: str, *, required: bool = False, where: str = ""
) -> JsonObject | None:
    value = _get(body, name, required, where)
    if value is MISSING:
        return None
    if not isinstance(value, dict):
        raise _wrong(where, name, "an object")
    return value


def obj_list(
    body: JsonObject, name: str, *, required: bool = False, where: str = ""
) -> list[JsonObject] | None:
    value = _get(body, name, required, where)
    if value is MISSING:
        return None
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _wrong(where, name, "a list of objects")
    return value
