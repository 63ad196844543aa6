"""The checks every face of the API makes on a request before its handler runs, as aiohttp
middlewares: bytes no handler should see (a NUL in the target, a header that is not UTF-8),
credentials, the write permission of the key, and `Idempotency-Key`.

A face (GraphQL, a REST shim) differs only in how it words a refusal and in which of its
requests need what; it says so in a `Face` attached to its handler (`attach`). Requests to
handlers without one (pages, static files, the portal with its own tokens, health checks)
pass through untouched.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from core.wiring import Wiring
from domain.access import Principal
from domain.errors import ErrorCode
from edge.auth import PRINCIPAL_KEY, Refusal, identify
from edge.idempotency_header import ConflictingKeys, run_idempotently
from edge.json_input import undecodable_header
from edge.staff_sessions import session_cookie, session_principal

Refuse = Callable[[int, ErrorCode, str], web.Response]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]


def _always(_request: web.Request) -> bool:
    return True


def _never(_request: web.Request) -> bool:
    return False


async def _no_input_key(_request: web.Request) -> str | None:
    return None


@dataclass(frozen=True)
class Face:
    """How one face refuses a request (its error body) and which of its requests need what."""

    refuse: Refuse
    needs_credentials: Callable[[web.Request], bool] = _always
    # Refused with 403 for a read-only key before anything runs (REST writes); GraphQL
    # leaves it to the schema, which sees which operations mutate.
    writes: Callable[[web.Request], bool] = _never
    # A key the body may carry besides the header (a GraphQL mutation's idempotencyKey).
    input_key: Callable[[web.Request], Awaitable[str | None]] = _no_input_key
    # Whether a staff user's desk session (cookie and CSRF header) may stand in for the
    # API credentials (GraphQL: the desk calls it); machines' credentials work as ever.
    sessions: bool = False


_FACE = "returns_face"


def attach(handler: Any, face: Face) -> Any:
    """Put `handler` (a function or a class-based view) under the checks, as `face`."""
    setattr(handler, _FACE, face)
    return handler


def _face(request: web.Request) -> Face | None:
    route = request.match_info.route
    return getattr(route.handler, _FACE, None) if route is not None else None


@web.middleware
async def clean_bytes(request: web.Request, handler: Handler) -> web.StreamResponse:
    """No NUL reaches a handler through the target, and no header that is not UTF-8."""
    face = _face(request)
    if face is not None:
        if "\x00" in request.query_string or "%00" in request.raw_path:
            return face.refuse(400, ErrorCode.INVALID_INPUT, "NUL characters are not accepted")
        if (header := undecodable_header(request.headers)) is not None:
            return face.refuse(400, ErrorCode.INVALID_INPUT, f"the {header} header is not UTF-8")
    return await handler(request)


def credentials(wiring: Wiring) -> Middleware:
    """The caller is a client of the tenant it names (PRINCIPAL_KEY), and a read-only key
    writes nothing."""

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        face = _face(request)
        if face is None or not face.needs_credentials(request):
            return await handler(request)
        principal = await _caller(request, wiring, face)
        if not isinstance(principal, Principal):
            response = face.refuse(principal.status, principal.code, principal.message)
            response.headers.update(principal.headers)
            return response
        if face.writes(request) and not principal.may_write:
            return face.refuse(
                403, ErrorCode.FORBIDDEN, "this API key is read-only; writes need a full-access key"
            )
        request[PRINCIPAL_KEY] = principal
        return await handler(request)

    return check


async def _caller(request: web.Request, wiring: Wiring, face: Face) -> Principal | Refusal:
    if not face.sessions:
        return await identify(request, wiring)
    return await staff_or_client(request, wiring)


async def staff_or_client(request: web.Request, wiring: Wiring) -> Principal | Refusal:
    """A request without `Authorization` but with the desk's cookie is a staff user's: the
    cookie alone is not enough, the CSRF token must come with it (another site can make a
    browser send the cookie, never the header). Any other request is an API client's."""
    if "Authorization" in request.headers or not session_cookie(request):
        return await identify(request, wiring)
    principal = await session_principal(request, wiring)
    if principal is None:
        return Refusal(
            401,
            ErrorCode.UNAUTHENTICATED,
            "the desk session has ended or the X-CSRF-Token header is missing or wrong; "
            "sign in again",
        )
    return principal


def idempotency(wiring: Wiring) -> Middleware:
    """A write with an `Idempotency-Key` runs once; its retries get its answer."""

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        face = _face(request)
        principal = request.get(PRINCIPAL_KEY)
        if face is None or principal is None:
            return await handler(request)
        try:
            return await run_idempotently(
                request,
                handler,
                store=wiring.idempotency,
                clock=wiring.clock,
                tenant_id=principal.tenant_id,
                client_id=principal.client_id,
                error=face.refuse,
                input_key=await face.input_key(request),
            )
        except ConflictingKeys as conflict:
            return face.refuse(400, ErrorCode.INVALID_INPUT, str(conflict))
        except web.HTTPRequestEntityTooLarge:  # the body was read for the key or fingerprint
            return face.refuse(413, ErrorCode.LIMIT_EXCEEDED, "the body is over the size limit")

    return check


def shared_checks(wiring: Wiring) -> tuple[Middleware, ...]:
    """Outermost first: a request with bad bytes is refused before its credentials are
    looked up."""
    return (clean_bytes, credentials(wiring), idempotency(wiring))
