"""The customer return portal that getReturnLink points to: `GET /portal/returns?token=…`
shows the order and what may still be returned; `POST` asks to return some of it.

The token is the only credential, and it names the tenant, merchant and order: every read
and write below is scoped by it, so one order's link can never reach another order or
tenant. Writes go through the same create-return use case as GraphQL's createReturn."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from pydantic import Field

from core.context import Context
from core.exchange_options import exchange_options
from core.order_lookup import requests_for_order, returnable_lines
from core.oto_format import MAX_ITEMS, OtoItems, OtoModel, Quantity, oto_field, return_shipment
from core.portal_links import PORTAL_PATH
from core.wire import also_required, read
from core.wiring import Wiring
from domain import commands as c
from domain import services
from domain.errors import DomainError, InvalidInput
from domain.exchange_lines import ExchangeItem
from domain.orders import Order
from domain.request_details import RequestDetails
from domain.values import quantity_from_text
from domain.variants import Variant
from edge.app_keys import CLAIM_KEY
from edge.idempotency_header import run_idempotently
from edge.json_answers import error_response, json_response, parse_json_object, refusal
from pages.portal import pages
from pages.portal.access import open_link, portal_context
from pages.portal.quote import QUOTE_PATH, quote_endpoint
from pages.portal.start import add_start_routes, expired_link_pages
from pages.portal.status import add_status_routes

PORTAL_CHANNEL = "PORTAL"

PortalHandler = Callable[[Context, Order, web.Request], Awaitable[web.StreamResponse]]
PortalPage = Callable[[web.Request], Awaitable[web.StreamResponse]]
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def portal_endpoint(
    handler: PortalHandler, wiring: Wiring
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The token decides before anything else is read; a write with an `Idempotency-Key`
    then runs once, as on the API (edge/idempotency_header.py): its retries get its
    answer, a copy sent while it runs gets 409 with Retry-After. Keys are the tenant's,
    fingerprinted with the order's link, so one order's key never answers for another."""

    async def serve(request: web.Request) -> web.StreamResponse:
        try:
            token = request.query.get("token")
            grant, order = await open_link(wiring, request, token, field="orderId")
        except DomainError as error:
            return error_response(error, oto_field)

        async def run(claimed: web.Request) -> web.StreamResponse:
            try:  # the context is made after the claim: its units of work record on the key
                context = portal_context(wiring, grant, idempotency=claimed.get(CLAIM_KEY))
                return await handler(context, order, claimed)
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


async def show_order(context: Context, order: Order, _request: web.Request) -> web.StreamResponse:
    lines = await returnable_lines(context, order)
    requests = await requests_for_order(context, order)
    options = await exchange_options(context, order, [e.line.sku for e in lines if e.returnable])
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
                    "exchangeOptions": [
                        exchange_option(variant) for variant in options.get(e.line.sku, [])
                    ],
                }
                for e in lines
            ],
            "returns": [return_shipment(request) for request in requests],
        }
    )


def exchange_option(variant: Variant) -> dict[str, object]:
    """A variant a line may be exchanged into, as the portal's JSON shows it (prices as
    text, exact, as everywhere in our JSON that is not the Carriyo shim's)."""
    return {
        "sku": variant.sku,
        "title": variant.title,
        "options": [{"name": name, "value": value} for name, value in variant.options],
        "price": str(variant.price),
        "currency": variant.currency,
        "available": variant.available,
        "exchangeable": variant.exchangeable,
    }


class PortalExchangeItem(OtoModel):
    """One exchange asked for: `quantity` units of `sku` instead of as many of the returned
    `replacesSku`; the quantity as text, as OTO writes quantities."""

    model_config = also_required("quantity")

    sku: str = Field(json_schema_extra={"minLength": 1, "maxLength": 100})
    quantity: Quantity = None
    replaces_sku: str = Field(json_schema_extra={"minLength": 1, "maxLength": 100})

    def value(self, index: int) -> ExchangeItem:
        field = f"exchange_items[{index}].quantity"
        return ExchangeItem(
            self.sku, quantity_from_text(self.quantity, field=field), self.replaces_sku
        )


class PortalReturnRequest(OtoItems):
    """What a program posts to the portal: OTO-style items, the exchanges asked for and the
    customer's comment."""

    customer_comment: str | None = None
    exchange_items: list[PortalExchangeItem] = Field(
        default_factory=list, json_schema_extra={"maxItems": MAX_ITEMS}
    )

    def exchange_requests(self) -> list[ExchangeItem]:
        if len(self.exchange_items) > MAX_ITEMS:
            raise InvalidInput(f"at most {MAX_ITEMS} exchange items", field="exchange_items")
        return [item.value(index) for index, item in enumerate(self.exchange_items)]


async def create_return(context: Context, order: Order, request: web.Request) -> web.StreamResponse:
    raw = parse_json_object(await request.read(), request.content_type)
    body = read(PortalReturnRequest, raw)
    command = c.CreateReturn(
        actor=context.actor,
        merchant=order.merchant,
        order_reference=order.reference,
        items=body.item_requests(required=True),
        exchange_items=body.exchange_requests(),
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


def add_portal_routes(app: web.Application, wiring: Wiring) -> None:
    expired = expired_link_pages(wiring)
    show = negotiated(
        json=portal_endpoint(show_order, wiring), html=pages.show(wiring, on_expired=expired)
    )
    submit = negotiated(
        json=portal_endpoint(create_return, wiring), html=pages.submit(wiring, on_expired=expired)
    )
    app.router.add_get(PORTAL_PATH, show)
    app.router.add_post(PORTAL_PATH, submit)
    app.router.add_get(QUOTE_PATH, portal_endpoint(quote_endpoint, wiring))
    add_status_routes(app, wiring)
    add_start_routes(app, wiring)
