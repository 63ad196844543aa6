"""Carriyo's order lookups for a customer portal: what may still be returned and where it
can be collected. Both answer only to the order's customer (email or phone)."""

from __future__ import annotations

from aiohttp import web

from core.order_lookup import returnable_lines
from core.throttle import Kind
from core.wire import schema_ref
from domain.errors import NotFound
from domain.orders import Order
from edge.json_answers import json_response
from rest.carriyo import models
from rest.carriyo import serializers as out
from rest.carriyo.schemas import operation
from rest.http import Call, Route

LOOKUP = ("merchant", "email_or_phone", "partner_order_ref")


async def _customer_order(call: Call) -> Order:
    """The order, only for someone who names its customer's email or phone; anyone else gets
    the same 404 as for a missing order, so the lookup reveals nothing. Each miss counts
    against the order; past the limit, it answers 429 to everyone for a while, so a phone
    number cannot be found by trying them all."""
    merchant, who, reference = (call.query(name) for name in LOOKUP)
    throttle = call.wiring.throttle
    subject = f"{call.principal.tenant_id}/{merchant}/{reference}"
    attempt = throttle.attempt(Kind.CUSTOMER_LOOKUP, call.request, subject)
    throttle.check(attempt)
    order = await call.context.loaders.order_by_reference.load((merchant, reference))
    if order is None or not order.customer.matches(who):
        throttle.failed(attempt)
        raise NotFound(
            f"no order {reference} of merchant {merchant} for that email or phone",
            field="partner_order_ref",
        )
    return order


async def available_items(call: Call) -> web.Response:
    lines = await returnable_lines(call.context, await _customer_order(call))
    return json_response([out.available_item(line) for line in lines if line.returnable])


async def available_locations(call: Call) -> web.Response:
    order = await _customer_order(call)
    return json_response([out.address(a) for a in order.collection_addresses()])


ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/returns/available-items",
        available_items,
        operation(
            "Get remaining items",
            query=LOOKUP,
            answer={"type": "array", "items": schema_ref(models.AvailableItem)},
        ),
    ),
    Route(
        "GET",
        "/returns/available-locations",
        available_locations,
        operation(
            "Get available locations",
            query=LOOKUP,
            answer={"type": "array", "items": schema_ref(models.Address)},
        ),
    ),
)
