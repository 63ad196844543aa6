"""Customers' return photos: kept by a PhotoStore (a local folder unless configured), linked
from the item's `imageUrls` as `/photos/<id>`, and shown only to callers of the tenant with
the usual three credentials, as the image type the bytes were sniffed as."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from domain.photos import PhotoLimits, PhotoStore
from edge.app_keys import WIRING_KEY
from edge.auth import authenticate

PHOTOS_PATH = "/photos"


@dataclass(frozen=True)
class Photos:
    store: PhotoStore
    limits: PhotoLimits

    @staticmethod
    def url(base_url: str, photo_id: str) -> str:
        return f"{base_url}{PHOTOS_PATH}/{photo_id}"


async def serve_photo(request: web.Request) -> web.StreamResponse:
    principal = await authenticate(request)
    if isinstance(principal, web.Response):
        return principal
    found = await request.app[WIRING_KEY].photos.store.load(
        principal.tenant_id, request.match_info["photo_id"]
    )
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


def add_photo_routes(app: web.Application) -> None:
    app.router.add_get(f"{PHOTOS_PATH}/{{photo_id}}", serve_photo)
