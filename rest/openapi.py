"""The OpenAPI 3 document of the REST shims, served at `GET /openapi.json`.

Built from the same `Route` objects the app registers (each carries its operation), area by
area, so a route cannot exist without its description; a test checks both ways."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiohttp import web

from core.wire import merged
from edge.auth import SECURITY_SCHEMES
from edge.json_answers import JsonObject
from rest.http import Area

ERROR_BODY: JsonObject = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": ["string", "null"]},
                    "message": {"type": "string"},
                    "field": {"type": ["string", "null"]},
                },
            },
        }
    },
}


def _error(description: str) -> JsonObject:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }


COMMON_RESPONSES: JsonObject = {
    "400": _error("Refused: malformed input or a rule of the workflow (see `code`)."),
    "401": _error("Missing or mismatched Bearer token, x-api-key and tenant-id."),
    "404": _error("No such object for this tenant."),
    "429": _error(
        "Too many failed authentications from this address, or failed customer lookups of "
        "this order, in the last minute (TOO_MANY_REQUESTS): every attempt is refused until "
        "Retry-After seconds have passed."
    ),
}
WRITE_RESPONSES: JsonObject = {
    "403": _error("The API key is read-only."),
    "409": _error(
        "Conflict: already exists, in use, changed meanwhile, or the first request with this "
        "Idempotency-Key is still running (IDEMPOTENCY_IN_PROGRESS; see Retry-After)."
    ),
    "410": _error(
        "The first request with this Idempotency-Key committed its changes but its answer "
        "was lost in a crash (IDEMPOTENCY_ANSWER_LOST): it will not run again."
    ),
    "422": _error("Idempotency-Key reused for a different request."),
}
IDEMPOTENCY_HEADER: JsonObject = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": "A retry with the same key and request replays the first answer, or "
    "runs the request once if its first attempt died before committing.",
}


def document(areas: Iterable[Area]) -> JsonObject:
    paths: dict[str, dict[str, Any]] = {}
    areas = list(areas)
    schemas = merged({"ErrorBody": ERROR_BODY}, *(area.schemas for area in areas))
    for area in areas:
        for route in area.routes:
            paths.setdefault(route.path, {})[route.method.lower()] = _operation(area, route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "returns-api REST compatibility",
            "version": "1.0.0",
            "description": "Legacy REST faces over the same use cases as /graphql.",
        },
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": SECURITY_SCHEMES},
        "security": [{"bearer": [], "apiKey": [], "tenantId": []}],
    }


def _operation(area: Area, route: Any) -> JsonObject:
    operation = {"tags": [area.name], **route.operation}
    responses = {**COMMON_RESPONSES, **(WRITE_RESPONSES if route.writes else {})}
    operation["responses"] = {**responses, **route.operation.get("responses", {})}
    if route.writes:
        operation["parameters"] = [*route.operation.get("parameters", []), IDEMPOTENCY_HEADER]
    return operation


def openapi_handler(areas: Iterable[Area]) -> Any:
    body = document(areas)

    async def serve(_request: web.Request) -> web.Response:
        return web.json_response(body)

    return serve
