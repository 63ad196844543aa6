"""`GET /desk`: one HTML page that loads the desk's ES modules from this server.

The page itself holds no data: a staff user signs in at /desk/session (pages/desk/sessions.py)
and everything is then read and written through /graphql with the session cookie and its
CSRF token. Its policy lets scripts, styles and connections go to this server alone
(websockets included, named explicitly since older browsers do not count ws: as 'self').
Under `make run` the page carries the dev admin's sign-in, so the desk signs itself in the
way GraphiQL opens with the dev headers (once: after signing out it asks); never otherwise.
`/desk/password` is the same page: it reads an invitation or reset link's token from the
address's fragment (never sent to a server) and sets the password with it."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp_jinja2
from aiohttp import web

from core.wiring import Wiring
from pages.desk.export import EXPORT_PATH, export_csv
from pages.desk.sessions import add_session_routes
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
    if "staff_password" not in saved:
        return None
    return {
        "tenant": saved["tenant_id"],
        "email": saved["staff_email"],
        "password": saved["staff_password"],
    }


async def desk(request: web.Request, dev: DevCredentials) -> web.Response:
    config = {
        "graphql": "/graphql",
        "session": "/desk/session",
        "password": "/desk/password",
        "documents": "/static/desk/graphql/",
        "export": EXPORT_PATH,
        "devSignIn": _dev_sign_in(dev),
    }
    response = aiohttp_jinja2.render_template("desk.html", request, {"config": config})
    secure(response, _policy(request))
    return response


def add_desk_routes(app: web.Application, wiring: Wiring, dev: DevCredentials) -> None:
    async def serve(request: web.Request) -> web.Response:
        return await desk(request, dev)

    async def export(request: web.Request) -> web.StreamResponse:
        return await export_csv(request, wiring)

    app.router.add_get("/desk", serve)
    app.router.add_get(EXPORT_PATH, export)
    app.router.add_get("/desk/password", serve)
    add_session_routes(app, wiring)
