"""Plumbing every REST shim shares (Carriyo's, OTO's): credentials, JSON bodies, error
bodies, idempotency and the per-request Context.

A shim route is a `Route`: a method, a path, a handler taking a `Call`, and its OpenAPI
operation. `endpoint` puts the handler under the checks /graphql has too (credentials, a
read-only key's writes, `Idempotency-Key`: edge/checks.py) and turns every expected
failure into `{"errors": [{"code", "message", "field"}]}` (edge/json_answers.py) with the
status of core/error_answers.py's one table. Handlers hold no rules: they translate, call a
use case, and serialise.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, overload

from aiohttp import web

from core.context import REST_SOURCE, Context
from core.wiring import Wiring
from domain.access import Principal
from domain.errors import DomainError, ErrorCode, InvalidInput
from edge.auth import PRINCIPAL_KEY
from edge.checks import Face, attach
from edge.json_answers import (
    FieldNamer,
    JsonObject,
    error_response,
    parse_json_object,
    refusal,
    snake_field,
)
from edge.request_context import request_context

log = logging.getLogger(__name__)

Handler = Callable[["Call"], Awaitable[web.StreamResponse]]

READ_METHODS = frozenset({"GET", "HEAD"})


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
    wiring: Wiring  # what the composition root built, for handlers that need more than Context

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


# --------------------------------------------------------------------------- the wrapper


def endpoint(
    route: Route, wiring: Wiring, *, field_name: FieldNamer = snake_field
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler for a route, under the checks every face shares (credentials,
    read-only keys, idempotency: edge/checks.py) in the REST error shape; it
    maps domain errors, and logs and masks an unexpected exception as a bare 500."""

    async def serve(request: web.Request) -> web.StreamResponse:
        # The Context is made here, after the idempotency claim, so its units of work
        # record their commits on the key.
        principal = request[PRINCIPAL_KEY]
        context = request_context(request, principal, source=REST_SOURCE, wiring=wiring)
        call = Call(request, context, wiring)
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


def add_area(app: web.Application, area: Area, wiring: Wiring) -> None:
    for route in area.routes:
        handler = endpoint(route, wiring, field_name=area.field_name)
        app.router.add_route(route.method, route.path, handler)
