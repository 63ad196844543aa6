"""OTO's return-shipment calls (POST /rest/v2/…): each translates the body, calls the use case
GraphQL calls, and answers in OTO's shape. No rules live here."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from core.order_lookup import order_by_reference, requests_for_order
from core.wire import read
from domain import services
from domain.errors import NotFound
from domain.notification_services import queue_return_sms
from edge.json_answers import json_response
from rest.http import Call, Route
from rest.oto import models, views


@dataclass(frozen=True)
class ReadRoute(Route):
    """A POST that only reads (OTO asks for return details with POST): read-only keys may
    call it, and it needs no Idempotency-Key."""

    @property
    def writes(self) -> bool:
        return False


async def create_return_shipment(call: Call) -> web.StreamResponse:
    body = read(models.OtoCreateReturnShipmentRequest, await call.body())
    command = body.command(call.context.actor)
    request = await services.create_return_shipment(
        command, uow=call.context.unit_of_work(), clock=call.context.clock
    )
    return json_response(views.shipment_created(request))


async def get_return_link(call: Call) -> web.StreamResponse:
    body = read(models.OtoOrderRequest, await call.body())
    order = await order_by_reference(call.context, body.order_reference(), body.merchant)
    link, grant = call.wiring.portal.link(
        call.context.tenant_id, order.merchant, order.reference, now=call.context.clock.now()
    )
    return json_response(views.return_link(order, link, grant.expires_at))


async def get_return_details(call: Call) -> web.StreamResponse:
    body = read(models.OtoOrderRequest, await call.body())
    order = await order_by_reference(call.context, body.order_reference(), body.merchant)
    requests = await requests_for_order(call.context, order)
    if not requests:
        raise NotFound(f"order {order.reference} has no return shipment", field="orderId")
    return json_response(views.return_details(order, requests))


async def trigger_return_sms(call: Call) -> web.StreamResponse:
    body = read(models.OtoOrderRequest, await call.body())
    notification = await queue_return_sms(
        body.sms(call.context.actor), uow=call.context.unit_of_work(), clock=call.context.clock
    )
    # Answer now; the SMS leaves in the background (the seed: delivery is asynchronous).
    call.wiring.notifier.dispatch(call.context.tenant_id, notification.id)
    return json_response(views.sms_queued(notification))
