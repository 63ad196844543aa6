"""The OpenAPI document of the REST shims: served without credentials, and in step with the
routes the app really registers (neither can drift from the other)."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from core.photos import PHOTOS_PATH
from core.portal_links import PORTAL_PATH
from core.self_service import FRESH_LINK_PATH, START_PATH
from core.status_links import STATUS_PATH
from ops.metrics.endpoint import METRICS_PATH
from pages.assets import STATIC_PREFIX
from pages.desk.export import EXPORT_PATH
from pages.portal.quote import QUOTE_PATH
from rest import AREAS, OPENAPI_PATH

# Every other route of the app is a REST shim route and must be in the document. The return
# portal is the customers' page behind a signed link, not a merchant's API, and so are the
# status pages and slips, and the photos it links to; /metrics is the operators'; the
# landing page, the REST reference and their static files are for people reading in a
# browser; the returns desk is a client of /graphql.
NOT_REST_SHIM = {
    "/graphql",
    "/oauth/token",
    "/oauth/revoke",
    "/healthz",
    "/readyz",
    OPENAPI_PATH,
    PORTAL_PATH,
    QUOTE_PATH,  # what the customer would get back, for the portal's form
    START_PATH,  # a customer's self-service start, and a fresh link to an expired one
    FRESH_LINK_PATH,
    f"{STATUS_PATH}/{{token}}",  # a return's status page and its slip, for the customer
    f"{STATUS_PATH}/{{token}}/slip",
    f"{STATUS_PATH}/{{token}}/slip.pdf",
    METRICS_PATH,
    "/",
    "/docs",
    STATIC_PREFIX,
    f"{PHOTOS_PATH}/{{photo_id}}",
    "/desk",  # the returns desk page, a client of /graphql
    "/desk/password",  # the page a staff invitation or reset link opens
    "/desk/session",  # staff sign-in, the session's state and sign-out
    "/desk/session/password",
    EXPORT_PATH,  # the desk's CSV of a filtered list
    "/favicon.ico",
}


async def test_openapi_document_is_served_without_credentials(http: TestClient) -> None:
    response = await http.get(OPENAPI_PATH, headers={"Authorization": "", "x-api-key": ""})
    assert response.status == 200
    document = await response.json()
    assert document["openapi"].startswith("3.")
    assert "ErrorBody" in document["components"]["schemas"]


async def test_every_registered_rest_route_is_documented_and_vice_versa(
    http: TestClient,
) -> None:
    document = await (await http.get(OPENAPI_PATH)).json()
    documented = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    registered = {
        (route.method, route.resource.canonical)
        for route in http.app.router.routes()
        if route.resource is not None
        and route.resource.canonical not in NOT_REST_SHIM
        and route.method != "HEAD"  # aiohttp adds HEAD beside every GET
    }
    assert registered == documented
    assert documented == {(r.method, r.path) for area in AREAS for r in area.routes}
