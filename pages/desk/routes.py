"""`GET /desk`: one HTML page that loads the desk's ES modules from this server.

The page itself holds no data: everything is read and written through /oauth/token and
/graphql, as any other client would; signing out revokes the token at /oauth/revoke. Its
policy lets scripts, styles and connections go to this server alone (websockets included,
named explicitly since older browsers do not count ws: as 'self'). Under `make run` the page
carries the dev client's credentials, so the desk signs itself in the way GraphiQL opens with
the dev headers (once: after signing out it asks); never otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp_jinja2
from aiohttp import web

from core.wiring import Wiring
from edge.token_revocation import REVOKE_PATH
from pages.desk.export import EXPORT_PATH, export_csv
from pages.security import content_security_policy, secure
from pages.site import DevCredentials


def _policy(request: web.Request) -> str:
    host = request.host
    # Photos are fetched with the desk's credentials and shown from blob: URLs.
    return content_security_policy(connect_src=[f"ws://{host}", f"wss://{host}"], img_src=["blob:"])


def _dev_sign_in(dev: DevCredentials) -> dict[str, str] | None:
    """The dev client's credentials, only when this server runs with dev credentials."""
    if not dev.headers or not dev.file:
        return None
    try:
        saved = json.loads(Path(dev.file).read_text())
    except (OSError, ValueError):
        return None
    return {
        "clientId": saved["client_id"],
        "clientSecret": saved["client_secret"],
        "apiKey": saved["api_key"],
        "operator": "developer",
    }


async def desk(request: web.Request, dev: DevCredentials) -> web.Response:
    config = {
        "graphql": "/graphql",
        "token": "/oauth/token",
        "revoke": REVOKE_PATH,
        "documents": "/static/desk/graphql/",
        "export": EXPORT_PATH,
        "devSignIn": _dev_sign_in(dev),
    }
    response = aiohttp_jinja2.render_template("desk.html", request, {"config": config})
    secure(response, _policy(request))
    return response


def add_desk_routes(app: web.Application, dev: DevCredentials, wiring: Wiring) -> None:
    async def serve(request: web.Request) -> web.Response:
        return await desk(request, dev)

    async def export(request: web.Request) -> web.StreamResponse:
        return await export_csv(request, wiring)

    app.router.add_get("/desk", serve)
    app.router.add_get(EXPORT_PATH, export)
