"""The OpenAPI operations of the Carriyo shim: `operation` describes one route (parameters,
body, answer) in a line or two. Bodies' and answers' schemas come from their declarations
in models.py."""

from __future__ import annotations

from typing import Any

from core.wire import schema_ref
from rest.carriyo import models

JsonObject = dict[str, Any]
STRING: JsonObject = {"type": "string"}
REQUEST_ANSWER = schema_ref(models.ReturnRequest)
REFUND_ANSWER = schema_ref(models.ReturnRefundInfo)
SCHEMAS = models.ANSWER_SCHEMAS


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
