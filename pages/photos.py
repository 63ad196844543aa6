"""GET /photos/<id>: a customer's return photo, shown only to the desk's callers of its
tenant (pages/staff_access.py decides who they are), as the image type the bytes were
sniffed as."""

from __future__ import annotations

from aiohttp import web

from core.photos import PHOTOS_PATH
from core.wiring import Wiring
from pages.staff_access import desk_caller


def add_photo_routes(app: web.Application, wiring: Wiring) -> None:
    async def serve(request: web.Request) -> web.StreamResponse:
        return await serve_photo(request, wiring)

    app.router.add_get(f"{PHOTOS_PATH}/{{photo_id}}", serve)


async def serve_photo(request: web.Request, wiring: Wiring) -> web.StreamResponse:
    principal = await desk_caller(request, wiring)
    if isinstance(principal, web.Response):
        return principal
    found = await wiring.photos.store.load(principal.tenant_id, request.match_info["photo_id"])
    if found is None:
        return web.json_response(
            {"errors": [{"code": "NOT_FOUND", "message": "no such photo", "field": None}]},
            status=404,
        )
    data, kind = found
    response = web.Response(body=data, content_type=kind.media_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
