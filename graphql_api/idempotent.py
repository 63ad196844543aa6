"""`Idempotency-Key` for POST /graphql: a retry with the same key and the same body gets the
original answer (`Idempotency-Replayed: true`) without running the operation again; the same
key with a different body is refused (422, IDEMPOTENCY_MISMATCH); a retry while the first
request still runs gets 409. Keys live 24 hours, per tenant."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable

from aiohttp import web

from domain.errors import ErrorCode
from domain.ports import Clock
from persistence.idempotency import ClaimOutcome, IdempotencyStore

HEADER = "Idempotency-Key"
REPLAYED = "Idempotency-Replayed"
MAX_KEY_LENGTH = 255

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def fingerprint(body: bytes, client_id: str) -> str:
    """The same JSON sent again by the same client, whatever its key order or spacing, has
    the same print; another client reusing the key (even of the same tenant) does not."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = body.decode(errors="replace")
    return hashlib.sha256(f"{client_id}\n{canonical}".encode()).hexdigest()


async def run_idempotently(
    request: web.Request,
    handler: Handler,
    *,
    store: IdempotencyStore,
    clock: Clock,
    tenant_id: str,
    client_id: str,
) -> web.StreamResponse:
    key = request.headers.get(HEADER)
    if key is None or request.method != "POST":
        return await handler(request)
    if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        return _error(
            400,
            ErrorCode.INVALID_INPUT,
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable characters",
        )
    claim = await store.claim(
        tenant_id, key, fingerprint(await request.read(), client_id), clock.now()
    )
    if claim.outcome == ClaimOutcome.MISMATCH:
        return _error(
            422,
            ErrorCode.IDEMPOTENCY_MISMATCH,
            f"{HEADER} {key!r} was used for a different request",
        )
    if claim.outcome == ClaimOutcome.IN_PROGRESS:
        return _error(
            409,
            ErrorCode.IDEMPOTENCY_MISMATCH,
            f"a request with {HEADER} {key!r} is still running; retry shortly",
        )
    if claim.outcome == ClaimOutcome.REPLAY:
        return web.Response(
            text=claim.response,
            status=claim.status_code or 200,
            content_type="application/json",
            headers={REPLAYED: "true"},
        )
    return await _first_run(request, handler, store, tenant_id, key)


async def _first_run(
    request: web.Request, handler: Handler, store: IdempotencyStore, tenant_id: str, key: str
) -> web.StreamResponse:
    try:
        response = await handler(request)
    except BaseException:
        await store.release(tenant_id, key)
        raise
    if isinstance(response, web.Response) and response.status < 500 and response.text:
        await store.complete(tenant_id, key, response.status, response.text)
        response.headers[REPLAYED] = "false"
    else:
        await store.release(tenant_id, key)
    return response


def _error(status: int, code: ErrorCode, message: str) -> web.Response:
    return web.json_response(
        {"errors": [{"message": message, "extensions": {"code": code.value}}]}, status=status
    )
