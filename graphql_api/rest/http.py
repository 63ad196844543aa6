"""Plumbing every REST shim shares (Carriyo's, OTO's): credentials, JSON bodies, error
bodies, idempotency and the per-request Context.

A shim route is a `Route`: a method, a path, a handler taking a `Call`, and its OpenAPI
operation. `endpoint` puts the handler under the checks /graphql has too (credentials, a
read-only key's writes, `Idempotency-Key`: graphql_api/http_checks.py) and turns every
expected failure into
`{"errors": [{"code", "message", "field"}]}` with the status of `graphql_api.errors`'s one
table. Handlers hold no rules: they translate, call a use case, and serialise.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, overload

import orjson
from aiohttp import web

from domain.access import Principal
from domain.errors import DomainError, DomainErrors, ErrorCode, InvalidInput, TooManyRequests
from graphql_api.auth import PRINCIPAL_KEY
from graphql_api.context import REST_SOURCE, Context, request_context
from graphql_api.errors import http_status
from graphql_api.http_checks import Face, attach
from graphql_api.json_input import encodes_as_utf8
from graphql_api.metrics.recording import note_error

log = logging.getLogger(__name__)

JsonObject = dict[str, Any]
FieldNamer = Callable[[str | None], str | None]
Handler = Callable[["Call"], Awaitable[web.StreamResponse]]

READ_METHODS = frozenset({"GET", "HEAD"})
JSON_CONTENT_TYPE = "application/json"


def snake_field(name: str | None) -> str | None:
    """A field name in snake_case: the domain's names stay as they are; a camelCase one
    (as GraphQL spells it) is turned."""
    if name is None:
        return None
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


@dataclass(frozen=True)
class Route:
    """One REST operation: what it answers, how, and how OpenAPI describes it."""

    method: str
    path: str
    handler: Handler
    operation: JsonObject = field(default_factory=dict)

    @property
    def writes(self) -> bool:
        return self.method not in READ_METHODS


@dataclass(frozen=True)
class Area:
    """One shim (Carriyo, OTO): its routes, the component schemas its OpenAPI operations
    refer to, and how it names fields in error bodies."""

    name: str
    routes: tuple[Route, ...]
    schemas: JsonObject = field(default_factory=dict)
    field_name: FieldNamer = snake_field


@dataclass
class Call:
    """What a handler works with: the request, its Context (tenant, actor, unit of work,
    loaders) and readers that refuse malformed input with a 400."""

    request: web.Request
    context: Context

    @property
    def principal(self) -> Principal:
        assert self.context.principal is not None, "endpoint() authenticates first"
        return self.context.principal

    def path(self, name: str) -> str:
        return self.request.match_info[name]

    @overload
    def query(self, name: str, *, required: Literal[True] = True) -> str: ...
    @overload
    def query(self, name: str, *, required: bool) -> str | None: ...
    def query(self, name: str, *, required: bool = True) -> str | None:
        value = self.request.query.get(name)
        if value is None or not value.strip():
            if required:
                raise InvalidInput(f"query parameter {name} is required", field=name)
            return None
        return value.strip()

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name) or None

    async def run(self, use_case: Callable[..., Awaitable[Any]], command: Any) -> Any:
        """Run an application use case in a fresh unit of work of this request's Context,
        exactly as a GraphQL mutation does (graphql_api.execution)."""
        return await use_case(command, uow=self.context.unit_of_work(), clock=self.context.clock)

    async def body(self, *, required: bool = True) -> JsonObject:
        """The JSON object sent. Bodies that are optional may be empty (`{}`)."""
        try:
            raw = await self.request.read()
        except web.HTTPRequestEntityTooLarge as error:
            raise DomainError(
                error.text or "body too large", code=ErrorCode.LIMIT_EXCEEDED
            ) from None
        if not raw.strip() and not required:
            return {}
        return parse_json_object(raw, self.request.content_type)


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


# --------------------------------------------------------------------------- responses


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


# --------------------------------------------------------------------------- the wrapper


def endpoint(
    route: Route, *, field_name: FieldNamer = snake_field
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler for a route, under the checks every face shares (credentials,
    read-only keys, idempotency: graphql_api/http_checks.py) in the REST error shape; it
    maps domain errors, and logs and masks an unexpected exception as a bare 500."""

    async def serve(request: web.Request) -> web.StreamResponse:
        # The Context is made here, after the idempotency claim, so its units of work
        # record their commits on the key.
        principal = request[PRINCIPAL_KEY]
        call = Call(request, request_context(request, principal, source=REST_SOURCE))
        try:
            return await route.handler(call)
        except DomainError as error:
            return error_response(error, field_name)
        except Exception:
            log.exception("REST %s %s failed", route.method, route.path)
            return web.json_response(
                {"errors": [{"code": None, "message": "internal error", "field": None}]},
                status=500,
            )

    return attach(serve, Face(refuse=refusal, writes=lambda _request: route.writes))


def routing_errors(prefixes: tuple[str, ...]) -> Any:
    """A middleware that answers an unknown path or an unsupported method under a shim's
    prefix in the shim's JSON error shape, as a legacy client parses every answer."""

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            return await handler(request)
        except (web.HTTPNotFound, web.HTTPMethodNotAllowed) as error:
            if not request.path.startswith(prefixes):
                raise
            code = ErrorCode.NOT_FOUND if error.status == 404 else ErrorCode.INVALID_INPUT
            response = refusal(
                error.status, code, f"{request.method} {request.path}: {error.reason}"
            )
            if isinstance(error, web.HTTPMethodNotAllowed):
                response.headers["Allow"] = ", ".join(sorted(error.allowed_methods))
            return response

    return middleware


def add_area(app: web.Application, area: Area) -> None:
    for route in area.routes:
        app.router.add_route(route.method, route.path, endpoint(route, field_name=area.field_name))
