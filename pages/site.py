"""The landing page (`/`), the REST reference (`/docs`, Swagger UI over /openapi.json) and
GraphiQL (`/graphql` in a browser), each with its files served from this app, and the icon
browsers ask every site for (`/favicon.ico`).

Under `make run` (dev credentials on) GraphiQL opens with the dev tenant's headers already in
its Headers tab, `/docs` with them already in its Authorize dialog, and the landing page says
where they are kept: the first query works at once."""

from __future__ import annotations

from dataclasses import dataclass, field

import aiohttp_jinja2
from aiohttp import web

from edge.auth import SECURITY_SCHEMES
from pages.assets import STATIC
from pages.security import content_security_policy, secure

FIRST_QUERY = """# Development credentials are in the Headers tab below. Press ▶ to run.
{
  returnRequests(first: 5) {
    totalCount
    edges { node { returnRequestId status merchant orderReference } }
  }
}
"""
# GraphiQL and Swagger UI set inline styles from script; everything else stays 'self' only.
WIDGET_POLICY = content_security_policy(
    style_src=["'unsafe-inline'"], img_src=["data:"], font_src=["data:"]
)
LANDING_POLICY = content_security_policy()


@dataclass
class DevCredentials:
    """What `make run` prints, held for the pages (filled in once the server has started)."""

    headers: dict[str, str] = field(default_factory=dict)
    file: str | None = None


def _render(request: web.Request, template: str, policy: str, **context: object) -> web.Response:
    response = aiohttp_jinja2.render_template(template, request, context)
    secure(response, policy)
    return response


class SitePages:
    """The landing page, /docs and GraphiQL's page, which show `make run`'s credentials
    where there are some."""

    def __init__(self, dev: DevCredentials) -> None:
        self.dev = dev

    async def landing(self, request: web.Request) -> web.Response:
        return _render(request, "landing.html", LANDING_POLICY, dev=self.dev)

    async def docs(self, request: web.Request) -> web.Response:
        config = {"authorize": swagger_authorization(self.dev.headers) or None}
        return _render(request, "docs.html", WIDGET_POLICY, config=config)

    def graphiql(self, request: web.Request) -> web.Response:
        config = {
            "endpoint": "/graphql",
            "headers": self.dev.headers or None,
            "query": FIRST_QUERY if self.dev.headers else None,
        }
        return _render(request, "graphiql.html", WIDGET_POLICY, config=config)


def swagger_authorization(headers: dict[str, str]) -> dict[str, str]:
    """The dev headers as Swagger UI's Authorize dialog takes them: a value per security
    scheme of /openapi.json (the bearer scheme wants the token alone). Empty outside
    development, where `headers` is."""
    values = {name.lower(): value for name, value in headers.items()}
    found = {}
    for scheme_name, scheme in SECURITY_SCHEMES.items():
        if scheme["type"] == "apiKey":
            value = values.get(str(scheme["name"]).lower())
        else:
            value = values.get("authorization", "").removeprefix("Bearer ") or None
        if value:
            found[scheme_name] = value
    return found


FAVICON = (STATIC / "favicon.svg").read_bytes()


async def favicon(request: web.Request) -> web.Response:
    """The site's icon, asked for by every browser on every site: an SVG of our own."""
    response = web.Response(body=FAVICON, content_type="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


def add_page_routes(app: web.Application, dev: DevCredentials) -> SitePages:
    pages = SitePages(dev)
    app.router.add_get("/", pages.landing)
    app.router.add_get("/docs", pages.docs)
    app.router.add_get("/favicon.ico", favicon)
    return pages
