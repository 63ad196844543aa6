"""GET /metrics in the Prometheus text format, and who may read it.

The numbers tell how busy the service is, which operations clients run and how the
database copes: an operator's business, not the public's. With `RETURNS_METRICS_TOKEN` set,
a scrape must send it as `Authorization: Bearer …` (from any address); without it, only
connections from this host (loopback) are answered, and not those a reverse proxy forwards
(they carry `Forwarded` / `X-Forwarded-For` / `X-Real-IP`), since a proxy on this host would
otherwise make every visitor look local."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client.exposition import choose_encoder
from pydantic import SecretStr

from core.photos import PHOTOS_PATH
from core.wiring import Wiring
from domain.errors import ErrorCode
from ops.metrics.registry import METRICS_KEY, Faces, Metrics
from ops.metrics.state import DatabaseBacklogs, LiveState
from pages.assets import STATIC_PREFIX
from rest import AREAS, OPENAPI_PATH, rest_prefixes

METRICS_PATH = "/metrics"
FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


def install_metrics(app: web.Application, wiring: Wiring) -> Metrics:
    """Count every request of `app` (outermost middleware, so refusals count too) and serve
    /metrics. Call once the app holds its database, event hub and notifier."""
    metrics = Metrics(Faces(face_prefixes()))
    backlogs = DatabaseBacklogs(wiring.db)
    metrics.registry.register(LiveState(wiring, metrics, backlogs))
    app[METRICS_KEY] = metrics
    app.middlewares.insert(0, metrics.middleware)
    access = MetricsAccess(wiring.settings.metrics_token)
    app.router.add_get(METRICS_PATH, metrics_endpoint(metrics, backlogs, access))
    app.cleanup_ctx.append(backlogs.finish)
    return metrics


def face_prefixes() -> list[tuple[str, str]]:
    """(path prefix, face): one face per way in, one per REST shim. Paths are route
    templates, so the static files are all `/static` and a photo is `/photos/{photo_id}`."""
    faces = [
        ("/graphql", "graphql"),  # GraphiQL, the page, included
        ("/oauth/", "oauth"),
        ("/portal/", "portal"),  # the customers' return pages (PORTAL_PATH)
        (f"{PHOTOS_PATH}/", "photos"),
        ("/", "pages"),  # the landing page: "/" alone, not every path
        ("/docs", "pages"),
        ("/desk", "pages"),  # the returns desk's page; its calls count as /graphql's
        (STATIC_PREFIX, "static"),  # GraphiQL's, Swagger UI's and the pages' own files
        ("/favicon.ico", "static"),
        ("/healthz", "health"),
        ("/readyz", "health"),
        (METRICS_PATH, "metrics"),
        (OPENAPI_PATH, "openapi"),
    ]
    for area in AREAS:
        faces += [(prefix, f"rest-{area.name.lower()}") for prefix in rest_prefixes([area])]
    return faces


class MetricsAccess:
    def __init__(self, token: SecretStr | None) -> None:
        secret = token.get_secret_value().encode() if token is not None else None
        self._digest = hashlib.sha256(secret).digest() if secret is not None else None

    def refusal(self, request: web.Request) -> web.Response | None:
        """None when the request may read the metrics."""
        if self._digest is not None:
            if self._bearer_matches(request.headers.get("Authorization", "")):
                return None
            return _refused(
                401,
                "send Authorization: Bearer <RETURNS_METRICS_TOKEN>",
                {"WWW-Authenticate": "Bearer"},
            )
        if _loopback(request.remote) and not any(h in request.headers for h in FORWARDING_HEADERS):
            return None
        return _refused(
            403,
            "metrics are served to this host only; to scrape from elsewhere, set "
            "RETURNS_METRICS_TOKEN",
        )

    def _bearer_matches(self, authorization: str) -> bool:
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return False
        # Hashing first compares equal lengths in constant time, whatever was sent.
        digest = hashlib.sha256(given.strip().encode("utf-8", "surrogatepass")).digest()
        return hmac.compare_digest(digest, self._digest or b"")


def metrics_endpoint(
    metrics: Metrics, backlogs: DatabaseBacklogs, access: MetricsAccess
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def serve(request: web.Request) -> web.Response:
        refused = access.refusal(request)
        if refused is not None:
            return refused
        await backlogs.refresh()
        encode, content_type = choose_encoder(request.headers.get("Accept", ""))
        return web.Response(
            body=encode(metrics.registry),
            headers={"Content-Type": content_type, "Cache-Control": "no-store"},
        )

    return serve


def _loopback(remote: str | None) -> bool:
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 on a dual-stack socket
    return (mapped or address).is_loopback


def _refused(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    code = ErrorCode.UNAUTHENTICATED if status == 401 else ErrorCode.FORBIDDEN
    body = {"errors": [{"code": code.value, "message": message}]}
    return web.json_response(body, status=status, headers=headers)
