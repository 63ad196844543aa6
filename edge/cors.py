"""Browsers on other origins: CORS for HTTP calls, and the same list for websocket upgrades.

Allowed origins are a setting (`RETURNS_ALLOWED_ORIGINS`); none by default, so production
answers no cross-origin browser. In development (`make run`) any http://localhost:<port> and
http://127.0.0.1:<port> page may call, for a dashboard served by its own dev server.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web

ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = (
    "Authorization, Content-Type, x-api-key, tenant-id, Idempotency-Key, X-User, X-Request-Id"
)
EXPOSED_HEADERS = "Idempotency-Replayed, Retry-After, X-Request-Id"
PREFLIGHT_MAX_AGE = "600"
_LOCAL_ORIGIN = re.compile(r"^http://(localhost|127\.0\.0\.1)(:\d{1,5})?$")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class OriginPolicy:
    def __init__(self, allowed: Sequence[str], *, local_development: bool = False) -> None:
        self._allowed = {origin.rstrip("/") for origin in allowed}
        self._local = local_development

    def allows(self, origin: str) -> bool:
        return origin in self._allowed or (self._local and bool(_LOCAL_ORIGIN.match(origin)))

    def middleware(self) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
        @web.middleware
        async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
            origin = request.headers.get("Origin")
            if origin is None or not self.allows(origin):
                return await handler(request)  # same-origin, non-browser, or not allowed
            if _is_preflight(request):
                response: web.StreamResponse = web.Response(status=204)
                response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
                response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
            else:
                response = await handler(request)
                response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
            return response

        return cors


def _is_preflight(request: web.Request) -> bool:
    return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
