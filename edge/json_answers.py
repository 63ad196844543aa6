"""JSON in and out for every face that speaks plain JSON (the REST shims, the portal's JSON
answers): bodies refused the way the seeds expect, money as JSON numbers, and refusals as
`{"errors": [{"code", "message", "field"}]}` with the status of core/error_answers.py."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import orjson
from aiohttp import web

from core.error_answers import http_status
from core.request_record import note_error
from domain.errors import DomainError, DomainErrors, ErrorCode, InvalidInput, TooManyRequests
from edge.json_input import encodes_as_utf8

JsonObject = dict[str, Any]
FieldNamer = Callable[[str | None], str | None]
JSON_CONTENT_TYPE = "application/json"


def snake_field(name: str | None) -> str | None:
    """A field name in snake_case: the domain's names stay as they are; a camelCase one
    (as GraphQL spells it) is turned."""
    if name is None:
        return None
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def parse_json_object(raw: bytes, content_type: str) -> JsonObject:
    """Refuse, as a client mistake, what no handler should ever see: another content type,
    bytes that are not UTF-8, a NUL character or lone surrogate (no database stores them),
    malformed JSON, NaN/Infinity, and bodies that are not one JSON object. Numbers with a
    fraction become Decimal, never float; numbers with an exponent are refused (README,
    "Money")."""
    if content_type != JSON_CONTENT_TYPE:
        raise InvalidInput(f"send the body as {JSON_CONTENT_TYPE}", field="Content-Type")
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        raise InvalidInput("the body is not UTF-8") from None
    if "\x00" in text or "\\u0000" in text.lower():
        raise InvalidInput("NUL characters are not accepted")
    try:
        parsed = json.loads(text, parse_float=_plain_number, parse_constant=_no_constant)
    except _ExponentNumber as number:
        raise InvalidInput(
            f"write numbers without an exponent, e.g. 120 or 49.9, got {number}"
        ) from None
    except (ValueError, RecursionError):
        raise InvalidInput("the body is not well-formed JSON") from None
    if not isinstance(parsed, dict):
        raise InvalidInput("the body must be a JSON object")
    if not encodes_as_utf8(parsed):
        raise InvalidInput("strings must be valid Unicode (no lone surrogates)")
    return parsed


class _ExponentNumber(ValueError):
    """A JSON number written with an exponent (1e2, 4.99E1)."""


def _plain_number(text: str) -> Decimal:
    """A JSON number with a fraction, exactly as written. With an exponent it is another
    spelling of a plain number (or of a huge one) that the seeds never send: refused, so
    that every amount arrives in the one form GraphQL's Decimal takes too."""
    if "e" in text or "E" in text:
        raise _ExponentNumber(text)
    return Decimal(text)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=encode_json(data), status=status, content_type="application/json")


def encode_json(data: Any) -> bytes:
    """JSON as the seeds show it (money as JSON numbers), UTF-8, compact: REST answers and
    webhook bodies. orjson: several times faster than the standard library on a page."""
    return orjson.dumps(data, default=_json_default)


def dumps_json(data: Any) -> str:
    return encode_json(data).decode()


def _json_default(value: Any) -> Any:
    """Money leaves as a JSON number, as the seeds show it, without a float's rounding."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def error_body(errors: Iterable[DomainError], field_name: FieldNamer = snake_field) -> JsonObject:
    body = [
        {"code": error.code.value, "message": error.message, "field": field_name(error.field)}
        for error in errors
    ]
    for entry in body:
        note_error(entry["code"])
    return {"errors": body}


def error_response(
    error: DomainError, field_name: FieldNamer = snake_field, *, status: int | None = None
) -> web.Response:
    errors = error.errors if isinstance(error, DomainErrors) else [error]
    response = web.json_response(
        error_body(errors, field_name), status=status or http_status(error.code)
    )
    if isinstance(error, TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def refusal(status: int, code: ErrorCode, message: str) -> web.Response:
    """A refusal decided outside the domain (credentials, idempotency), in the REST shape."""
    return web.json_response(error_body([DomainError(message, code=code)]), status=status)
