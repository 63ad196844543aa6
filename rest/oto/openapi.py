"""The OTO area of /openapi.json: the four return-shipment calls, with their bodies' and
answers' schemas from their declarations in models.py."""

from __future__ import annotations

from typing import Any

from core.wire import merged, schema_ref
from rest.oto import models

JsonObject = dict[str, Any]


def _body(model: type) -> JsonObject:
    return {"required": True, "content": {"application/json": {"schema": schema_ref(model)}}}


def _ok(description: str, answer: type) -> JsonObject:
    content = {"application/json": {"schema": schema_ref(answer)}}
    return {"200": {"description": description, "content": content}}


SCHEMAS: JsonObject = merged(models.SCHEMAS, models.ANSWER_SCHEMAS)


UNAVAILABLE: JsonObject = {
    "503": {
        "description": "The return portal is not configured (RETURNS_PORTAL_SECRET).",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }
}

OPERATIONS: dict[str, JsonObject] = {
    "createReturnShipment": {
        "summary": "Create a return request and its reverse shipment for a delivered order",
        "requestBody": _body(models.OtoCreateReturnShipmentRequest),
        "responses": _ok(
            "The approved return and its shipment.", models.OtoCreateReturnShipmentAnswer
        ),
    },
    "getReturnLink": {
        "summary": "A signed, expiring link to the customer return portal of an order",
        "requestBody": _body(models.OtoOrderRequest),
        "responses": {**_ok("The link.", models.OtoReturnLinkAnswer), **UNAVAILABLE},
    },
    "getReturnDetails": {
        "summary": "The order's return requests with reason, items, status and shipment",
        "requestBody": _body(models.OtoOrderRequest),
        "responses": _ok("Newest first.", models.OtoReturnDetailsAnswer),
    },
    "triggerReturnSms": {
        "summary": "Queue the return SMS for the order's latest return request",
        "description": "Answers before sending; the outcome is in the notifications log "
        "(GraphQL `notifications`).",
        "requestBody": _body(models.OtoOrderRequest),
        "responses": _ok("Queued.", models.OtoReturnSmsAnswer),
    },
}
