"""OpenAPI pieces of the Carriyo shim: component schemas in the seed's names, and `operation`
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


ADDRESS = obj(
    {
        name: STRING
        for name in (
            "contact_name",
            "contact_phone",
            "contact_email",
            "address1",
            "address2",
            "city",
            "state",
            "postcode",
            "country",
            "partner_location_id",
            "partner_location_code",
        )
    }
)
ITEM_REQUEST = obj(
    {
        "sku": STRING,
        "quantity": INTEGER,
        "return_reason": STRING,
        "comment": STRING,
        "comment_codes": STRINGS,
        "images": STRINGS,
        "item_condition": STRING,
        "resolution": STRING,
        "refund_type": STRING,
    },
    ("sku", "quantity"),
)
ITEM_QUANTITY = obj(
    {"sku": STRING, "quantity": INTEGER, "item_condition": STRING}, ("sku", "quantity")
)
COLLECTION = obj({"start_date": DATE_TIME, "end_date": DATE_TIME}, ("start_date", "end_date"))
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

CREATE_RETURN = obj(
    {
        "merchant": STRING,
        "partner_order_reference": STRING,
        "items": {"type": "array", "items": ref("ReturnItemRequest")},
        "pickup": ref("Address"),
        "dropoff": ref("Address"),
        "channel": STRING,
        "customer_comment": STRING,
        "comments": {"type": "array", "items": obj({"text": STRING})},
        "resolution": STRING,
        "refund_method": STRING,
        "collection": ref("ReturnCollection"),
    },
    ("merchant", "partner_order_reference", "items", "resolution"),
)
EDIT_RETURN = obj(
    {
        "pickup": ref("Address"),
        "dropoff": ref("Address"),
        "items": {"type": "array", "items": ref("ReturnItemRequest")},
        "resolution": STRING,
        "refund_method": STRING,
        "customer_comment": STRING,
    }
)
QUANTITIES = {"type": "array", "items": ref("ItemQuantity")}

REFERENCE_FIELDS: JsonObject = {
    "code": STRING,
    "name": STRING,
    "merchant": STRING,
    "translations": TRANSLATIONS,
}
RETURN_REASON = obj(
    REFERENCE_FIELDS
    | {
        "require_comments": BOOLEAN,
        "require_images": BOOLEAN,
        "require_item_condition": BOOLEAN,
        "reverse_shipment_create_enabled": BOOLEAN,
        "auto_approve": BOOLEAN,
    },
    ("code", "name", "merchant"),
)
REFERENCE_CODE = obj(REFERENCE_FIELDS, ("code", "name", "merchant"))
SCOPED_CODE = obj(
    REFERENCE_FIELDS | {"allowed_return_reasons": STRINGS}, ("code", "name", "merchant")
)
SETTINGS = obj(
    {
        "merchant": STRING,
        "allowed_days_for_return": INTEGER,
        "default_dropoff_locations": TRANSLATIONS,
        "allow_undelivered_items": BOOLEAN,
        "allow_pickup_location_selection": BOOLEAN,
        "notification_users": {
            "type": "array",
            "items": obj({"email": STRING, "name": STRING}, ("email",)),
        },
        "order_lookup_methods": STRINGS,
        "auto_close_days": INTEGER,
        "shopify_integration_enabled": STRING,
        "shopify_connector_id": STRING,
    },
    ("merchant",),
)

# Bodies and answers of single return-request operations.
REQUEST_ANSWER = ref("ReturnRequest")
ITEMS_BODY = {"type": "object", "properties": {"items": QUANTITIES}}
APPROVE_BODY = {
    "type": "object",
    "description": "Without items, every unit is approved; with items, exactly the listed "
    "quantities (a sku left out is approved 0). Units not approved are rejected with "
    "rejection_reason.",
    "properties": {"items": QUANTITIES, "rejection_reason": {"type": "string"}},
}
REJECT_BODY = {
    "type": "object",
    "properties": {
        "rejection_reason": {"type": "string"},
        "items": {
            "type": "array",
            "items": {"type": "object", "properties": {"rejection_reason": {"type": "string"}}},
        },
    },
}
REFUND_BODY = {
    "type": "object",
    "required": ["amount", "currency"],
    "properties": {
        "reference": {"type": "string"},
        "type": {"type": "string"},
        "amount": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "Read exactly as written, in plain notation (49.9, not 4.99e1); "
            "at most three decimal places.",
        },
        "currency": {"type": "string"},
        "note": {"type": "string"},
        "refund_date": {"type": "string", "format": "date-time"},
    },
}
REFUND_ANSWER = ref("ReturnRefundInfo")
CANCEL_BODY = obj({"reason": STRING})
NOTE_BODY = obj({"text": STRING}, ("text",))
ASSIGN_BODY = obj({"assigned_to_user": STRING}, ("assigned_to_user",))
SPLIT_BODY = obj({"items": QUANTITIES, "partner_location_id": STRING})

AVAILABLE_ITEM = obj(
    {"sku": STRING, "quantity": INTEGER, "description": STRING, "delivery_date": DATE_TIME}
)

SCHEMAS: JsonObject = {
    "AvailableItem": AVAILABLE_ITEM,
    "Address": ADDRESS,
    "ReturnItemRequest": ITEM_REQUEST,
    "ItemQuantity": ITEM_QUANTITY,
    "ReturnCollection": COLLECTION,
    "RequestSource": SOURCE,
    "ReturnRefund": REFUND,
    "ReturnRefundInfo": REFUND_INFO,
    "ReturnRequest": RETURN_REQUEST,
    "CreateReturnRequest": CREATE_RETURN,
    "EditReturnRequest": EDIT_RETURN,
    "ReturnReason": RETURN_REASON,
    "ReferenceCode": REFERENCE_CODE,
    "ScopedReferenceCode": SCOPED_CODE,
    "ReturnRequestSettings": SETTINGS,
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
