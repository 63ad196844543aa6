"""The front-end files the app serves: vendored npm releases (tools/vendor_assets.py keeps
them and their manifest) and our own small scripts and styles, under /static/."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from aiohttp import web

STATIC = Path(__file__).parent / "static"
STATIC_PREFIX = "/static"


@dataclass(frozen=True)
class Asset:
    """A file a page links to, with the Subresource Integrity value the browser checks."""

    url: str
    integrity: str


@cache
def _manifest() -> dict[str, dict]:
    return json.loads((STATIC / "vendor" / "manifest.json").read_text())


def vendored(package: str, file: str) -> Asset:
    entry = _manifest()[package]
    folder = f"vendor/{package}-{entry['version']}"
    return Asset(f"{STATIC_PREFIX}/{folder}/{file}", entry["files"][file])


@cache
def own(path: str) -> Asset:
    """One of our own files (static/<path>); hashed once, so pages pin it too."""
    digest = hashlib.sha384((STATIC / path).read_bytes()).digest()
    return Asset(f"{STATIC_PREFIX}/{path}", f"sha384-{base64.b64encode(digest).decode()}")


@web.middleware
async def static_headers(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    """Static files are public and immutable per release: cache them, never sniff them."""
    response = await handler(request)
    if request.path.startswith(f"{STATIC_PREFIX}/"):
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("Cache-Control", "public, max-age=3600")
    return response


def add_static_routes(app: web.Application) -> None:
    app.router.add_static(f"{STATIC_PREFIX}/", STATIC, follow_symlinks=False)
