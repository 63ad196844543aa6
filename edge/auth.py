"""The Carriyo credential scheme: `POST /oauth/token` trades client credentials for a bearer
token; every API call then carries `Authorization: Bearer …`, `x-api-key` and `tenant-id`,
and all three must belong together. A failure never says which part was wrong."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from core.identities import Identities
from core.throttle import AuthThrottle, Kind
from core.wiring import Wiring
from domain.access import Principal
from domain.errors import ErrorCode, TooManyRequests
from domain.ports import Clock
from edge.json_input import undecodable_header
from persistence.access import TOKEN_LIFETIME, AccessStore

PRINCIPAL_KEY = web.RequestKey("principal", Principal)


API_KEY_HEADER = "x-api-key"
TENANT_HEADER = "tenant-id"
WWW_AUTHENTICATE = 'Bearer realm="returns-api"'
MAX_CREDENTIAL_LENGTH = 512
# The three credentials as OpenAPI describes them (/openapi.json, and /docs' Authorize).
SECURITY_SCHEMES: dict[str, dict[str, str]] = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "POST /oauth/token"},
    "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
    "tenantId": {"type": "apiKey", "in": "header", "name": "tenant-id"},
}


def token_endpoint(wiring: Wiring) -> Callable[[web.Request], Awaitable[web.Response]]:
    """POST /oauth/token: RFC 6749 client-credentials grant, with OAuth's own error bodies."""

    async def handle(request: web.Request) -> web.Response:
        return await _token(request, AccessStore(wiring.db), wiring.clock, wiring.throttle)

    return handle


async def _token(
    request: web.Request, store: AccessStore, clock: Clock, throttle: AuthThrottle
) -> web.Response:
    if (header := undecodable_header(request.headers)) is not None:
        return _oauth_error(400, "invalid_request", f"the {header} header is not UTF-8")
    fields = await _token_fields(request)
    if fields is None:
        return _oauth_error(400, "invalid_request", "send a JSON or form body")
    if "grant_type" not in fields:
        return _oauth_error(400, "invalid_request", "grant_type is required")
    if fields.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "use grant_type=client_credentials")
    client_id, secret = _basic_credentials(request) or (
        fields.get("client_id"),
        fields.get("client_secret"),
    )
    if not isinstance(client_id, str) or not isinstance(secret, str):
        return _oauth_error(400, "invalid_request", "client_id and client_secret are required")
    named = client_id if well_formed_credential(client_id) else None
    attempt = throttle.attempt(Kind.CLIENT_SECRET, request, named)
    try:
        throttle.check(attempt)
    except TooManyRequests as refused:
        return _oauth_error(429, "too_many_requests", refused.message, refused.retry_after)
    issued = None
    if named is not None and well_formed_credential(secret):
        issued = await store.issue_token(client_id, secret, clock.now())
    if issued is None:
        throttle.failed(attempt)
        return _oauth_error(401, "invalid_client", "unknown client or wrong secret")
    token, client = issued
    return web.json_response(
        {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(TOKEN_LIFETIME.total_seconds()),
            "tenant_id": client.tenant_id,
        },
        headers={"Cache-Control": "no-store"},
    )


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request's credentials are refused; each face words it in its own body."""

    status: int
    code: ErrorCode
    message: str
    headers: dict[str, str] = field(default_factory=dict)


def _unauthenticated(message: str) -> Refusal:
    return Refusal(401, ErrorCode.UNAUTHENTICATED, message, {"WWW-Authenticate": WWW_AUTHENTICATE})


async def authenticate(request: web.Request, wiring: Wiring) -> Principal | web.Response:
    """The caller of an HTTP request, or the 401 (429) to answer it with (in GraphQL's
    shape)."""
    found = await identify(request, wiring)
    return found if isinstance(found, Principal) else refusal_response(found)


async def identify(request: web.Request, wiring: Wiring) -> Principal | Refusal:
    """The caller of an HTTP request, or why it is refused. Credentials that do not match
    count against the sender's address; past its limit, it is refused unheard (429)."""
    authorization = request.headers.get("Authorization", "")
    scheme, _, bearer = authorization.partition(" ")
    api_key = request.headers.get(API_KEY_HEADER)
    tenant_id = request.headers.get(TENANT_HEADER)
    if scheme.lower() != "bearer" or not bearer or not api_key or not tenant_id:
        return _unauthenticated("send Authorization: Bearer <token>, x-api-key and tenant-id")
    attempt = wiring.throttle.attempt(Kind.API_CREDENTIALS, request)
    try:
        wiring.throttle.check(attempt)
    except TooManyRequests as refused:
        return throttled(refused)
    given = (bearer.strip(), api_key, tenant_id)
    principal = None
    if all(well_formed_credential(value) for value in given):
        principal = await wiring.identities.principal(*given, wiring.clock)
    if principal is None:
        wiring.throttle.failed(attempt)
        return _unauthenticated("the token, API key and tenant id do not match a valid client")
    return principal


def throttled(refused: TooManyRequests) -> Refusal:
    return Refusal(429, refused.code, refused.message, {"Retry-After": str(refused.retry_after)})


def well_formed_credential(value: object) -> bool:
    """Whether `value` could be one of our credentials at all: every token, key, secret,
    client id and tenant id we issue is printable ASCII. Anything else (a NUL, a lone
    surrogate, bytes that were not UTF-8) cannot match, so it is refused as a wrong
    credential before it reaches a hash or a database driver that cannot encode it."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_CREDENTIAL_LENGTH
        and value.isascii()
        and value.isprintable()
    )


async def principal_from_params(
    params: object, identities: Identities, clock: Clock
) -> Principal | None:
    """The caller of a websocket, from its connection_init payload: the same three
    credentials as HTTP headers (names compared case-insensitively)."""
    if not isinstance(params, dict):
        return None
    fields = {str(name).lower(): value for name, value in params.items()}
    authorization = fields.get("authorization")
    api_key, tenant_id = fields.get(API_KEY_HEADER), fields.get(TENANT_HEADER)
    if not isinstance(authorization, str):
        return None
    scheme, _, bearer = authorization.partition(" ")
    given = (bearer.strip(), api_key, tenant_id)
    if scheme.lower() != "bearer" or not all(well_formed_credential(v) for v in given):
        return None
    return await identities.principal(*given, clock)  # type: ignore[arg-type]


def refusal_response(refusal: Refusal) -> web.Response:
    return web.json_response(
        {"errors": [{"message": refusal.message, "extensions": {"code": refusal.code.value}}]},
        status=refusal.status,
        headers=refusal.headers,
    )


async def _token_fields(request: web.Request) -> dict[str, Any] | None:
    try:
        if request.content_type == "application/json":
            body = await request.json()
            return body if isinstance(body, dict) else None
        if request.content_type == "application/x-www-form-urlencoded":
            return dict(await request.post())
    except (ValueError, LookupError):  # malformed, not UTF-8, or an unknown charset
        return None
    return None


def _basic_credentials(request: web.Request) -> tuple[str, str] | None:
    """The client's id and secret from `Authorization: Basic`; None without that header.
    A header that does not decode to `id:secret` text names no client: ("", "")."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except ValueError:  # not base64 (binascii.Error), not ASCII, or not UTF-8 once decoded
        return "", ""
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def _oauth_error(
    status: int, error: str, description: str, retry_after: int | None = None
) -> web.Response:
    headers = {"Cache-Control": "no-store"}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return web.json_response(
        {"error": error, "error_description": description}, status=status, headers=headers
    )
