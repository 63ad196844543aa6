"""The OTO area of /openapi.json: request and answer bodies of the four return-shipment calls,
as the seed names their fields."""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]


def _ref(name: str) -> JsonObject:
    return {"$ref": f"#/components/schemas/{name}"}


def _body(name: str) -> JsonObject:
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


def _ok(description: str, name: str) -> JsonObject:
    return {
        "200": {"description": description, "content": {"application/json": {"schema": _ref(name)}}}
    }


TEXT = {"type": "string", "minLength": 1, "maxLength": 100}
NULLABLE_TEXT = {"type": ["string", "null"]}
QUANTITY = {
    "type": "string",
    "pattern": "^[0-9]{1,9}$",
    "description": 'A positive whole number written as text, as OTO sends it ("1").',
}
ORDER_FIELDS: JsonObject = {
    "orderId": {**TEXT, "description": "The order's reference."},
    "merchant": {
        **TEXT,
        "description": "Only needed when several merchants of the tenant share the reference.",
    },
}

SCHEMAS: JsonObject = {
    "OtoOrderRequest": {
        "type": "object",
        "required": ["orderId"],
        "properties": ORDER_FIELDS,
    },
    "OtoCreateReturnShipmentRequest": {
        "type": "object",
        "required": ["orderId", "deliveryOptionId"],
        "properties": {
            **ORDER_FIELDS,
            "deliveryOptionId": {**TEXT, "description": "The merchant's delivery option."},
            "pickupLocationCode": {
                **TEXT,
                "description": "The merchant's warehouse or branch the return goes to "
                "(default: the merchant's dropoff for the customer's country).",
            },
            "pickingType": {"type": "string", "enum": ["PICKUP_BY_DC", "BRANCH_DROP_OFF"]},
            "items": {
                "type": "array",
                "maxItems": 100,
                "description": "Left out: every returnable unit of the order.",
                "items": {
                    "type": "object",
                    "required": ["sku", "quantity"],
                    "properties": {
                        "sku": TEXT,
                        "quantity": QUANTITY,
                        "returnReason": {**TEXT, "description": "A return reason code."},
                        "comment": TEXT,
                        "imageUrls": {"type": "array", "items": TEXT},
                    },
                },
            },
        },
    },
    "OtoReturnShipment": {
        "type": "object",
        "required": ["returnRequestId", "orderId", "status", "items"],
        "properties": {
            "returnRequestId": {"type": "string"},
            "orderId": {"type": "string"},
            "status": {"type": "string"},
            "returnReason": NULLABLE_TEXT,
            "customerComment": NULLABLE_TEXT,
            "createdAt": {"type": "string", "format": "date-time"},
            "updatedAt": {"type": "string", "format": "date-time"},
            "reverseShipment": {
                "type": ["object", "null"],
                "properties": {
                    "shipmentId": {"type": "string"},
                    "deliveryOptionId": NULLABLE_TEXT,
                    "carrier": {"type": "string"},
                    "status": {"type": "string"},
                    "trackingNumber": NULLABLE_TEXT,
                    "labelUrl": NULLABLE_TEXT,
                    "items": {"type": "array", "items": {"type": "object"}},
                },
            },
            "items": {"type": "array", "items": {"type": "object"}},
        },
    },
    "OtoCreateReturnShipmentAnswer": {
        "allOf": [
            _ref("OtoReturnShipment"),
            {"type": "object", "properties": {"success": {"const": True}}},
        ]
    },
    "OtoReturnDetailsAnswer": {
        "type": "object",
        "required": ["success", "orderId", "returns"],
        "properties": {
            "success": {"const": True},
            "orderId": {"type": "string"},
            "returns": {"type": "array", "items": _ref("OtoReturnShipment")},
        },
    },
    "OtoReturnLinkAnswer": {
        "type": "object",
        "required": ["success", "orderId", "returnLink", "expiresAt"],
        "properties": {
            "success": {"const": True},
            "orderId": {"type": "string"},
            "returnLink": {"type": "string", "format": "uri"},
            "expiresAt": {"type": "string", "format": "date-time"},
        },
    },
    "OtoReturnSmsAnswer": {
        "type": "object",
        "required": ["success", "orderId", "notificationId", "status"],
        "properties": {
            "success": {"const": True},
            "orderId": {"type": "string"},
            "returnRequestId": {"type": "string"},
            "notificationId": {"type": "string"},
            "status": {"type": "string"},
            "message": {"type": "string"},
        },
    },
}

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
