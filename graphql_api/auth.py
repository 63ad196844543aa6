"""The Carriyo credential scheme: `POST /oauth/token` trades client credentials for a bearer
token; every API call then carries `Authorization: Bearer …`, `x-api-key` and `tenant-id`,
and all three must belong together. A failure never says which part was wrong."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from domain.access import Principal, TokenIdentity, secret_hash
from domain.errors import ErrorCode, TooManyRequests
from domain.ports import Clock
from graphql_api.app_keys import WIRING_KEY
from graphql_api.json_input import undecodable_header
from graphql_api.throttle import Kind
from persistence.access import TOKEN_LIFETIME, AccessStore
from persistence.database import Database

PRINCIPAL_KEY = web.RequestKey("principal", Principal)
MAX_REMEMBERED_TOKENS = 10_000


class Identities:
    """Whose each bearer token is, remembered in this process for `ttl` seconds, so a call
    costs no database round trip to authenticate. What is remembered is the stored identity
    (client, tenant, role, API key hash, expiry, revoked); the API key, the tenant id and
    the expiry are still checked on every call. A revoked client, or a deleted tenant, is
    therefore refused by every process within `ttl` seconds, when each re-reads the token.
    Unknown tokens are not remembered: a token issued a moment ago works at once."""

    def __init__(self, db: Database, *, ttl: float) -> None:
        self._store = AccessStore(db)
        self._ttl = ttl
        self._known: dict[str, tuple[float, TokenIdentity]] = {}

    async def principal(
        self, bearer: str, api_key: str, tenant_id: str, clock: Clock
    ) -> Principal | None:
        identity = await self._identity(secret_hash(bearer))
        return identity.principal(api_key, tenant_id, clock.now()) if identity else None

    async def _identity(self, token_hash: str) -> TokenIdentity | None:
        now = time.monotonic()
        known = self._known.get(token_hash)
        if known is not None and now - known[0] < self._ttl:
            return known[1]
        identity = await self._store.identity(token_hash)
        if identity is None:
            self._known.pop(token_hash, None)
            return None
        if len(self._known) >= MAX_REMEMBERED_TOKENS:
            self._known.clear()  # crude, and rare: ten thousand live tokens in one process
        self._known[token_hash] = (now, identity)
        return identity


API_KEY_HEADER = "x-api-key"
TENANT_HEADER = "tenant-id"
WWW_AUTHENTICATE = 'Bearer realm="returns-api"'
MAX_CREDENTIAL_LENGTH = 512


async def token_endpoint(request: web.Request) -> web.Response:
    """RFC 6749 client-credentials grant, with OAuth's own error bodies."""
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
    throttle = request.app[WIRING_KEY].throttle
    named = client_id if well_formed_credential(client_id) else None
    attempt = throttle.attempt(Kind.CLIENT_SECRET, request, named)
    try:
        throttle.check(attempt)
    except TooManyRequests as refused:
        return _oauth_error(429, "too_many_requests", refused.message, refused.retry_after)
    issued = None
    if named is not None and well_formed_credential(secret):
        issued = await AccessStore(request.app[WIRING_KEY].db).issue_token(
            client_id, secret, request.app[WIRING_KEY].clock.now()
        )
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


async def authenticate(request: web.Request) -> Principal | web.Response:
    """The caller of an HTTP request, or the 401 (429) to answer it with (in GraphQL's
    shape)."""
    found = await identify(request)
    return found if isinstance(found, Principal) else refusal_response(found)


async def identify(request: web.Request) -> Principal | Refusal:
    """The caller of an HTTP request, or why it is refused. Credentials that do not match
    count against the sender's address; past its limit, it is refused unheard (429)."""
    authorization = request.headers.get("Authorization", "")
    scheme, _, bearer = authorization.partition(" ")
    api_key = request.headers.get(API_KEY_HEADER)
    tenant_id = request.headers.get(TENANT_HEADER)
    if scheme.lower() != "bearer" or not bearer or not api_key or not tenant_id:
        return _unauthenticated("send Authorization: Bearer <token>, x-api-key and tenant-id")
    wiring = request.app[WIRING_KEY]
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


class ReadOnlyGuard(SchemaExtension):
    """A read-only key may query but never mutate: refused before anything executes.

    A websocket outlives the checks HTTP makes per request, so each operation on it is
    checked again: the token must still be valid, mutations go over HTTP (where
    Idempotency-Key applies), subscriptions only over the websocket, and every operation
    reads fresh data rather than what the connection's first operation cached."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        app_context: Any = context.context
        if getattr(app_context, "renders_for_subscribers", False):
            yield  # an event rendered for subscribers: each connection is checked on its own
            return
        principal: Principal | None = getattr(app_context, "principal", None)
        # strawberry's own OperationType (not graphql-core's): compare by value.
        operation = getattr(context.operation_type, "value", context.operation_type)
        if principal and not principal.may_write and operation == "mutation":
            raise _refused(
                "this API key is read-only; mutations need a full-access key", ErrorCode.FORBIDDEN
            )
        on_websocket = getattr(app_context, "websocket", None) is not None
        if on_websocket:
            _check_websocket_operation(app_context, principal, operation)
        elif operation == "subscription":
            raise _refused("subscriptions run over a websocket (graphql-transport-ws)")
        yield


def _check_websocket_operation(context: Any, principal: Principal | None, operation: str) -> None:
    if principal is None or principal.expired(context.clock.now()):
        raise _refused(
            "the token of this connection has expired; reconnect with a new one",
            ErrorCode.UNAUTHENTICATED,
        )
    if operation == "mutation":
        raise _refused("send mutations as HTTP POST requests, not over the websocket")
    context.fresh_loaders()


def _refused(message: str, code: ErrorCode = ErrorCode.INVALID_INPUT) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code.value})


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
