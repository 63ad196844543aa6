"""The REST compatibility shims: legacy Carriyo (and OTO) integrations call returns-api with
their own paths, fields and status codes, and reach the same use cases as /graphql.

Each shim is an `Area` of routes (see `http.py`); `AREAS` lists them, and both the app's
router and the OpenAPI document at `/openapi.json` are built from that one list."""

from __future__ import annotations

from aiohttp import web

from core.wiring import Wiring
from rest import carriyo
from rest.http import Area, add_area, routing_errors
from rest.openapi import openapi_handler
from rest.oto import OTO
from rest.scans import SCANS

OPENAPI_PATH = "/openapi.json"

AREAS: list[Area] = [carriyo.AREA, OTO, SCANS]


def add_rest_routes(app: web.Application, wiring: Wiring) -> None:
    """Register every shim's routes, and the OpenAPI document (no credentials needed)."""
    for area in AREAS:
        add_area(app, area, wiring)
    app.router.add_get(OPENAPI_PATH, openapi_handler(AREAS))
    app.middlewares.append(routing_errors(rest_prefixes(AREAS)))


def rest_prefixes(areas: list[Area]) -> tuple[str, ...]:
    """The first path segment of every shim route (`/returns/`): under it, every answer,
    unknown paths and methods included, is in the shim's JSON error shape. A route of one
    segment (`/carrier-scans`) is its own prefix too."""
    paths = [r.path for area in areas for r in area.routes]
    prefixes = {f"/{path.split('/')[1]}/" for path in paths}
    return tuple(sorted(prefixes | {path for path in paths if path.count("/") == 1}))
