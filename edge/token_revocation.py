"""`POST /oauth/revoke` (RFC 7009): a client that is done with an access token ends it, so a
signed-out desk leaves nothing behind that still works.

The body names the `token` (form or JSON, as for `/oauth/token`). Who may revoke it:
- whoever holds it: sent alone, the token is its own proof (revoking destroys only what the
  holder could already use), which is how the desk signs out;
- its client, authenticated by its id and secret (`Authorization: Basic` or in the body).
  Wrong client credentials are a 401 `invalid_client`; the token of another client is left
  alone and answered like an unknown one, so a stranger learns nothing about it.

As RFC 7009 says, an unknown, expired or already revoked token answers 200: the outcome the
caller wants (that token does not work) holds either way. The token is deleted, so this
process refuses it at once; every other process re-reads it within the auth cache window
(`auth_cache_seconds`) and refuses it then."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from core.throttle import AuthThrottle, Kind
from core.wiring import Wiring
from domain.access import secret_hash
from domain.errors import TooManyRequests
from edge.auth import (
    _basic_credentials,
    _oauth_error,
    _token_fields,
    well_formed_credential,
)
from edge.json_input import undecodable_header
from persistence.access import AccessStore

REVOKE_PATH = "/oauth/revoke"


def revoke_endpoint(wiring: Wiring) -> Callable[[web.Request], Awaitable[web.Response]]:
    """POST /oauth/revoke: revoke one access token; 200 whether or not there was one."""

    async def handle(request: web.Request) -> web.Response:
        return await _revoke(request, wiring)

    return handle


async def _revoke(request: web.Request, wiring: Wiring) -> web.Response:
    if (header := undecodable_header(request.headers)) is not None:
        return _oauth_error(400, "invalid_request", f"the {header} header is not UTF-8")
    fields = await _token_fields(request)
    if fields is None:
        return _oauth_error(400, "invalid_request", "send a JSON or form body")
    token = fields.get("token")
    if not isinstance(token, str) or not token:
        return _oauth_error(400, "invalid_request", "token is required")
    store = AccessStore(wiring.db)
    try:
        authenticated, client_id = await _client(request, fields, store, wiring.throttle)
    except TooManyRequests as refused:
        return _oauth_error(429, "too_many_requests", refused.message, refused.retry_after)
    if not authenticated:
        return _oauth_error(401, "invalid_client", "unknown client or wrong secret")
    if well_formed_credential(token):
        token_hash = secret_hash(token)
        await store.revoke_token(token_hash, client_id)
        wiring.identities.forget(token_hash)
    return web.Response(status=200, headers={"Cache-Control": "no-store"})


async def _client(
    request: web.Request, fields: dict[str, object], store: AccessStore, throttle: AuthThrottle
) -> tuple[bool, str | None]:
    """Whether the request authenticates, and as which client: (True, None) when it names
    no client (the token speaks for itself), (False, None) when its client credentials are
    wrong. A client secret costs here what it costs at /oauth/token: wrong ones count
    against the client id and the address, and past the limit even a right one is refused
    (TooManyRequests), or revoking would be a free way to guess secrets."""
    given = _basic_credentials(request)
    if given is None and ("client_id" in fields or "client_secret" in fields):
        given = (fields.get("client_id"), fields.get("client_secret"))  # type: ignore[assignment]
    if given is None:
        return True, None
    client_id, secret = given
    named = client_id if well_formed_credential(client_id) else None
    attempt = throttle.attempt(Kind.CLIENT_SECRET, request, named)
    throttle.check(attempt)
    client = None
    if named is not None and well_formed_credential(secret):
        client = await store.client_with_secret(client_id, secret)
    if client is None:
        throttle.failed(attempt)
        return False, None
    return True, client.client_id
