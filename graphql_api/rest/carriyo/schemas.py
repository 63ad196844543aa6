"""OpenAPI pieces of the Carriyo shim: the answers' component schemas in the seed's names
(the bodies' come from their models, bodies.py), and `operation`
to describe one route (parameters, body, answer) in a line or two."""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]

STRING: JsonObject = {"type": "string"}
NULLABLE_STRING: JsonObject = {"type": ["string", "null"]}
INTEGER: JsonObject = {"type": "integer"}
BOOLEAN: JsonObject = {"type": "boolean"}
DATE_TIME: JsonObject = {"type": ["string", "null"], "format": "date-time"}
STRINGS: JsonObject = {"type": "array", "items": STRING}
TRANSLATIONS: JsonObject = {"type": "object", "additionalProperties": STRING}


def ref(name: str) -> JsonObject:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: JsonObject, required: tuple[str, ...] = ()) -> JsonObject:
    schema: JsonObject = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


SOURCE = obj({"source": STRING, "user": NULLABLE_STRING})
REFUND = obj(
    {
        "refund_id": STRING,
        "reference": NULLABLE_STRING,
        "type": NULLABLE_STRING,
        "amount": {"type": "number"},
        "currency": STRING,
        "note": NULLABLE_STRING,
        "refund_date": DATE_TIME,
        "creation_date": DATE_TIME,
    }
)
REFUND_INFO = obj({"refunds": {"type": "array", "items": ref("ReturnRefund")}})

RETURN_REQUEST = obj(
    {
        "return_request_id": STRING,
        "status": {
            "type": "string",
            "enum": [
                "pending",
                "on_hold",
                "approved",
                "partially_received",
                "received",
                "completed",
                "rejected",
                "cancelled",
            ],
        },
        "shipments": STRINGS,
        "partner_order_reference": STRING,
        "merchant": STRING,
        "pickup": {"anyOf": [ref("Address"), {"type": "null"}]},
        "dropoff": {"anyOf": [ref("Address"), {"type": "null"}]},
        "customer_comment": NULLABLE_STRING,
        "channel": NULLABLE_STRING,
        "notes": {"type": "array", "items": {"type": "object"}},
        "items": {"type": "array", "items": {"type": "object"}},
        "resolution": NULLABLE_STRING,
        "refund_method": NULLABLE_STRING,
        "refund_info": ref("ReturnRefundInfo"),
        "creation_date": DATE_TIME,
        "update_date": DATE_TIME,
        "approval_date": DATE_TIME,
        "cancellation_date": DATE_TIME,
        "rejection_date": DATE_TIME,
        "completion_date": DATE_TIME,
        "return_items_updates": {"type": "array", "items": {"type": "object"}},
        "collection": {"anyOf": [ref("ReturnCollection"), {"type": "null"}]},
        "assigned_to_user": NULLABLE_STRING,
        "auto_closed": BOOLEAN,
        "auto_closed_date": DATE_TIME,
        "creation_source": ref("RequestSource"),
        "update_source": ref("RequestSource"),
        "updated_by_user": NULLABLE_STRING,
    },
    ("return_request_id", "status", "merchant", "partner_order_reference", "items"),
)

# Answers of single return-request operations.
REQUEST_ANSWER = ref("ReturnRequest")
REFUND_ANSWER = ref("ReturnRefundInfo")
AVAILABLE_ITEM = obj(
    {"sku": STRING, "quantity": INTEGER, "description": STRING, "delivery_date": DATE_TIME}
)

SCHEMAS: JsonObject = {
    "AvailableItem": AVAILABLE_ITEM,
    "RequestSource": SOURCE,
    "ReturnRefund": REFUND,
    "ReturnRefundInfo": REFUND_INFO,
    "ReturnRequest": RETURN_REQUEST,
}


def _parameter(name: str, where: str, required: bool) -> JsonObject:
    return {"name": name, "in": where, "required": required, "schema": STRING}


def operation(
    summary: str,
    *,
    path: tuple[str, ...] = (),
    query: tuple[str, ...] = (),
    optional_query: tuple[str, ...] = (),
    headers: tuple[str, ...] = (),
    body: JsonObject | None = None,
    body_required: bool = True,
    answer: JsonObject | None = None,
) -> JsonObject:
    """An OpenAPI operation: string parameters by place, an optional JSON body, and the 200
    answer's schema."""
    parameters = (
        [_parameter(name, "path", True) for name in path]
        + [_parameter(name, "query", True) for name in query]
        + [_parameter(name, "query", False) for name in optional_query]
        + [_parameter(name, "header", True) for name in headers]
    )
    result: JsonObject = {
        "summary": summary,
        "operationId": summary.title().replace(" ", "").replace("-", ""),
        "parameters": parameters,
        "responses": {
            "200": {
                "description": summary,
                "content": {"application/json": {"schema": answer or {"type": "object"}}},
            }
        },
    }
    if body is not None:
        result["requestBody"] = {
            "required": body_required,
            "content": {"application/json": {"schema": body}},
        }
    return result
