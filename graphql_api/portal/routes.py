"""The customer return portal that getReturnLink points to: `GET /portal/returns?token=…`
shows the order and what may still be returned; `POST` asks to return some of it.

The token is the only credential, and it names the tenant, merchant and order: every read
and write below is scoped by it, so one order's link can never reach another order or
tenant. Writes go through the same create-return use case as GraphQL's createReturn."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from domain import commands as c
from domain import services
from domain.errors import DomainError, NotFound
from domain.orders import Order
from domain.request_details import RequestDetails
from domain.values import Actor
from graphql_api.app_keys import CLAIM_KEY, WIRING_KEY
from graphql_api.context import Context
from graphql_api.idempotency_header import run_idempotently
from graphql_api.orders.lookup import requests_for_order, returnable_lines
from graphql_api.portal.links import PORTAL_PATH
from graphql_api.portal.tokens import PortalGrant
from graphql_api.rest.http import error_response, json_response, parse_json_object, refusal
from graphql_api.rest.oto import oto_field
from graphql_api.rest.oto.models import OtoItems
from graphql_api.rest.oto.views import return_shipment
from graphql_api.rest.wire import read

PORTAL_SOURCE = "PORTAL"
PORTAL_CHANNEL = "PORTAL"

PortalHandler = Callable[[Context, Order, web.Request], Awaitable[web.StreamResponse]]
PortalPage = Callable[[web.Request], Awaitable[web.StreamResponse]]
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def portal_endpoint(
    handler: PortalHandler,
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The token decides before anything else is read; a write with an `Idempotency-Key`
    then runs once, as on the API (graphql_api/idempotency_header.py): its retries get its
    answer, a copy sent while it runs gets 409 with Retry-After. Keys are the tenant's,
    fingerprinted with the order's link, so one order's key never answers for another."""

    async def serve(request: web.Request) -> web.StreamResponse:
        wiring = request.app[WIRING_KEY]
        try:
            grant = wiring.portal.grant(request.query.get("token"), now=wiring.clock.now())
            order = await portal_context(request, grant).loaders.order_by_reference.load(
                (grant.merchant, grant.order_reference)
            )
            if order is None:
                raise NotFound(f"order {grant.order_reference} not found", field="orderId")
        except DomainError as error:
            return error_response(error, oto_field)

        async def run(claimed: web.Request) -> web.StreamResponse:
            try:  # the context is made after the claim: its units of work record on the key
                return await handler(portal_context(claimed, grant), order, claimed)
            except DomainError as error:
                return error_response(error, oto_field)

        return await run_idempotently(
            request,
            run,
            store=wiring.idempotency,
            clock=wiring.clock,
            tenant_id=grant.tenant_id,
            client_id=f"portal {grant.merchant}",
            error=refusal,
        )

    return serve


def portal_context(request: web.Request, grant: PortalGrant) -> Context:
    """The customer acts in the token's tenant, as the portal; nothing from the request's
    headers decides either."""
    return Context(
        units=request.app[WIRING_KEY].units,
        tenant_id=grant.tenant_id,
        actor=Actor(source=PORTAL_SOURCE, user="customer"),
        idempotency=request.get(CLAIM_KEY),
    )


async def show_order(context: Context, order: Order, _request: web.Request) -> web.StreamResponse:
    lines = await returnable_lines(context, order)
    requests = await requests_for_order(context, order)
    return json_response(
        {
            "orderId": order.reference,
            "merchant": order.merchant,
            "customerName": order.customer.name,
            "items": [
                {
                    "sku": e.line.sku,
                    "name": e.line.description,
                    "orderedQuantity": e.line.quantity,
                    "deliveredQuantity": e.line.delivered_quantity,
                    "returnableQuantity": e.returnable_quantity,
                    "returnable": e.returnable,
                    "blockers": [{"code": b.code.value, "message": b.message} for b in e.blockers],
                }
                for e in lines
            ],
            "returns": [return_shipment(request) for request in requests],
        }
    )


class PortalReturnRequest(OtoItems):
    """What a program posts to the portal: OTO-style items and the customer's comment."""

    customer_comment: str | None = None


async def create_return(context: Context, order: Order, request: web.Request) -> web.StreamResponse:
    raw = parse_json_object(await request.read(), request.content_type)
    body = read(PortalReturnRequest, raw)
    command = c.CreateReturn(
        actor=context.actor,
        merchant=order.merchant,
        order_reference=order.reference,
        items=body.item_requests(required=True),
        details=RequestDetails(
            pickup=order.customer_address(),
            channel=PORTAL_CHANNEL,
            customer_comment=body.customer_comment,
        ),
    )
    created = await services.create_return(command, uow=context.unit_of_work(), clock=context.clock)
    return json_response(return_shipment(created), status=201)


def negotiated(
    *, json: Callable[[web.Request], Awaitable[web.StreamResponse]], html: PortalPage
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """One link for people and programs: browsers (HTML accepted, forms posted) get the
    pages, API clients keep the JSON."""

    async def serve(request: web.Request) -> web.StreamResponse:
        if request.method == "POST":
            wants_page = request.content_type in FORM_TYPES
        else:
            accept = request.headers.get("Accept", "")
            wants_page = "text/html" in accept and "application/json" not in accept
        return await (html if wants_page else json)(request)

    return serve


def add_portal_routes(app: web.Application) -> None:
    from graphql_api.portal import pages

    app.router.add_get(PORTAL_PATH, negotiated(json=portal_endpoint(show_order), html=pages.show))
    app.router.add_post(
        PORTAL_PATH, negotiated(json=portal_endpoint(create_return), html=pages.submit)
    )
