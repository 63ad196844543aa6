"""The OTO area of /openapi.json: the four return-shipment calls, their bodies' schemas from
the models that read them (bodies.py) and their answers' from the writers' declarations
(views.py)."""

from __future__ import annotations

from typing import Any

from graphql_api.rest.oto import bodies, views
from graphql_api.rest.wire import merged

JsonObject = dict[str, Any]


def _ref(name: str) -> JsonObject:
    return {"$ref": f"#/components/schemas/{name}"}


def _body(name: str) -> JsonObject:
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


def _ok(description: str, name: str) -> JsonObject:
    return {
        "200": {"description": description, "content": {"application/json": {"schema": _ref(name)}}}
    }


SCHEMAS: JsonObject = merged(bodies.SCHEMAS, views.ANSWER_SCHEMAS)


UNAVAILABLE: JsonObject = {
    "503": {
        "description": "The return portal is not configured (RETURNS_PORTAL_SECRET).",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }
}

OPERATIONS: dict[str, JsonObject] = {
    "createReturnShipment": {
        "summary": "Create a return request and its reverse shipment for a delivered order",
        "requestBody": _body("OtoCreateReturnShipmentRequest"),
        "responses": _ok("The approved return and its shipment.", "OtoCreateReturnShipmentAnswer"),
    },
    "getReturnLink": {
        "summary": "A signed, expiring link to the customer return portal of an order",
        "requestBody": _body("OtoOrderRequest"),
        "responses": {**_ok("The link.", "OtoReturnLinkAnswer"), **UNAVAILABLE},
    },
    "getReturnDetails": {
        "summary": "The order's return requests with reason, items, status and shipment",
        "requestBody": _body("OtoOrderRequest"),
        "responses": _ok("Newest first.", "OtoReturnDetailsAnswer"),
    },
    "triggerReturnSms": {
        "summary": "Queue the return SMS for the order's latest return request",
        "description": "Answers before sending; the outcome is in the notifications log "
        "(GraphQL `notifications`).",
        "requestBody": _body("OtoOrderRequest"),
        "responses": _ok("Queued.", "OtoReturnSmsAnswer"),
    },
}
