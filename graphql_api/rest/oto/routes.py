"""OTO's return-shipment calls (POST /rest/v2/…): each translates the body, calls the use case
GraphQL calls, and answers in OTO's shape. No rules live here."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from domain import commands as c
from domain import services
from domain.errors import InvalidInput, NotFound
from domain.notification_services import QueueReturnSms, queue_return_sms
from domain.parts import ItemRequest
from domain.values import quantity_from_text
from graphql_api.app_keys import WIRING_KEY
from graphql_api.orders.lookup import order_by_reference, requests_for_order
from graphql_api.rest import fields
from graphql_api.rest.http import Call, Route, json_response
from graphql_api.rest.oto import views

OTO_CHANNEL = "OTO"
PICKING_TYPES = ("PICKUP_BY_DC", "BRANCH_DROP_OFF")
MAX_ITEMS = 100


@dataclass(frozen=True)
class ReadRoute(Route):
    """A POST that only reads (OTO asks for return details with POST): read-only keys may
    call it, and it needs no Idempotency-Key."""

    @property
    def writes(self) -> bool:
        return False


def identifier(body: fields.JsonObject, name: str) -> str:
    """A required OTO id (orderId, deliveryOptionId): a string; a JSON integer, which OTO's
    numeric ids invite, is taken as its digits."""
    value = body.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name} is required (a string)", field=name)
    return value.strip()


def order_id(body: fields.JsonObject) -> str:
    return identifier(body, "orderId")


def items(body: fields.JsonObject, *, required: bool = False) -> list[ItemRequest] | None:
    """The `items` of an OTO-style body (createReturnShipment, the return portal); None
    when left out and not required."""
    listed = fields.obj_list(body, "items", required=required)
    if listed is None:
        return None
    if len(listed) > MAX_ITEMS:
        raise InvalidInput(f"at most {MAX_ITEMS} items", field="items")
    return [
        ItemRequest(
            sku=fields.text(item, "sku", required=True, where=f"items[{i}].") or "",
            quantity=quantity_from_text(item.get("quantity"), field=f"items[{i}].quantity"),
            reason_code=fields.text(item, "returnReason", where=f"items[{i}]."),
            comment=fields.text(item, "comment", where=f"items[{i}]."),
            image_urls=fields.text_list(item, "imageUrls", where=f"items[{i}]."),
        )
        for i, item in enumerate(listed)
    ]


def picking_type(body: fields.JsonObject) -> str | None:
    value = fields.text(body, "pickingType")
    if value is not None and value not in PICKING_TYPES:
        raise InvalidInput(
            f"pickingType must be one of {', '.join(PICKING_TYPES)}", field="pickingType"
        )
    return value


async def create_return_shipment(call: Call) -> web.StreamResponse:
    body = await call.body()
    picking_type(body)  # accepted as OTO defines it; the carrier option decides the pickup
    command = c.CreateReturnShipment(
        actor=call.context.actor,
        order_reference=order_id(body),
        merchant=fields.text(body, "merchant"),
        delivery_option_id=identifier(body, "deliveryOptionId"),
        dropoff_location_code=fields.text(body, "pickupLocationCode"),
        items=items(body),
        channel=OTO_CHANNEL,
    )
    request = await services.create_return_shipment(
        command, uow=call.context.unit_of_work(), clock=call.context.clock
    )
    return json_response(views.shipment_created(request))


async def get_return_link(call: Call) -> web.StreamResponse:
    body = await call.body()
    order = await order_by_reference(call.context, order_id(body), fields.text(body, "merchant"))
    link, grant = call.request.app[WIRING_KEY].portal.link(
        call.context.tenant_id, order.merchant, order.reference, now=call.context.clock.now()
    )
    return json_response(views.return_link(order, link, grant.expires_at))


async def get_return_details(call: Call) -> web.StreamResponse:
    body = await call.body()
    order = await order_by_reference(call.context, order_id(body), fields.text(body, "merchant"))
    requests = await requests_for_order(call.context, order)
    if not requests:
        raise NotFound(f"order {order.reference} has no return shipment", field="orderId")
    return json_response(views.return_details(order, requests))


async def trigger_return_sms(call: Call) -> web.StreamResponse:
    body = await call.body()
    command = QueueReturnSms(
        actor=call.context.actor,
        order_reference=order_id(body),
        merchant=fields.text(body, "merchant"),
    )
    notification = await queue_return_sms(
        command, uow=call.context.unit_of_work(), clock=call.context.clock
    )
    # Answer now; the SMS leaves in the background (the seed: delivery is asynchronous).
    call.request.app[WIRING_KEY].notifier.dispatch(call.context.tenant_id, notification.id)
    return json_response(views.sms_queued(notification))
