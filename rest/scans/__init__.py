"""Carrier scans: a drop-off point (or a courier) scans the QR code of a customer's drop-off
slip and posts what it read, `POST /carrier-scans {"reference": …}`, as an API client of the
merchant's tenant. The first scan of a slip records `ReturnFirstScanned` on the request (and
puts its reverse shipment in transit); later scans of the same slip are answered alike and
record nothing. A reference printed for another tenant is refused as unknown."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import Field
from typing_extensions import TypedDict

from core.wire import WireModel, component_schemas, merged, read, schema_ref
from domain import commands as c
from domain import services
from domain.errors import NotFound
from edge.json_answers import json_response
from rest.http import Area, Call, Route

PATH = "/carrier-scans"


class CarrierScan(WireModel):
    reference: Annotated[str, Field(max_length=2048)]
    location: Annotated[str | None, Field(default=None, max_length=100)] = None


class CarrierScanAnswer(TypedDict):
    return_request_id: str
    first_scan: bool  # false: the slip had been scanned before; nothing new was recorded
    first_scanned_at: str
    status: str


async def record_scan(call: Call) -> web.StreamResponse:
    body = read(CarrierScan, await call.body())
    slip = call.wiring.slips.read(body.reference, now=call.context.clock.now())
    if slip.tenant_id != call.context.tenant_id:
        # Answered as an unknown request: a tenant learns nothing of another's requests.
        raise NotFound(f"return request {slip.request_id} not found", field="reference")
    command = c.RecordFirstScan(
        actor=call.context.actor, return_request_id=slip.request_id, location=body.location
    )
    request, first = await call.run(services.record_first_scan, command)
    assert request.first_scanned_at is not None
    answer: CarrierScanAnswer = {
        "return_request_id": request.id,
        "first_scan": first,
        "first_scanned_at": request.first_scanned_at.isoformat(),
        "status": request.status.value.lower(),
    }
    return json_response(answer, status=201 if first else 200)


_SCHEMAS = merged(component_schemas(CarrierScan, CarrierScanAnswer))
_ANSWER = {"application/json": {"schema": schema_ref(CarrierScanAnswer)}}
OPERATION = {
    "operationId": "recordCarrierScan",
    "summary": "Record a carrier's scan of a customer's drop-off slip (its QR code)",
    "description": "The first scan of a slip records `ReturnFirstScanned` on the request "
    "(subscriptions and webhooks receive it) and answers 201; a later scan answers 200 with "
    "`first_scan: false` and records nothing. A reference of another tenant is 404.",
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": schema_ref(CarrierScan)}},
    },
    "responses": {
        "201": {"description": "The first scan, recorded.", "content": _ANSWER},
        "200": {"description": "Scanned before; nothing new recorded.", "content": _ANSWER},
    },
}

SCANS = Area(
    name="Carrier scans",
    routes=(Route("POST", PATH, record_scan, OPERATION),),
    schemas=_SCHEMAS,
)
