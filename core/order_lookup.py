"""Statements about one order that every face shares (GraphQL, the OTO shim, the return portal):
which order a reference names, what may still be returned from it, and its requests."""

from __future__ import annotations

from core.context import Context
from domain.eligibility import LineEligibility, explain_lines
from domain.errors import NotFound
from domain.orders import Order, choose_merchant
from domain.returns import ReturnRequest
from persistence import queries, read_model
from persistence.holdings import live_holdings
from persistence.rules import merchant_rules

MAX_REQUESTS_PER_ORDER = 100


async def order_by_reference(context: Context, reference: str, merchant: str | None) -> Order:
    """The order a client names by reference (and merchant, when it has several); raises
    NotFound for a missing or foreign one."""
    async with context.db.reading() as reads:
        merchants = await queries.merchants_with_order(reads, context.tenant_id, reference)
    chosen = choose_merchant(merchants, reference, merchant)
    order = await context.loaders.order_by_reference.load((chosen, reference))
    if order is None:  # deleted in between
        raise NotFound(f"order {reference} not found", field="orderId")
    return order


async def returnable_lines(context: Context, order: Order) -> list[LineEligibility]:
    async with context.db.reading() as reads:
        holdings = await live_holdings(reads, context.tenant_id, order.merchant, order.reference)
        rules = await merchant_rules(reads, context.tenant_id, order.merchant)
    held = {sku: sum(by_request.values()) for sku, by_request in holdings.items()}
    holders = {sku: sorted(by_request) for sku, by_request in holdings.items()}
    return explain_lines(order, held, rules=rules, now=context.clock.now(), held_by=holders)


async def requests_for_order(context: Context, order: Order) -> list[ReturnRequest]:
    """The order's return requests, newest first (at most MAX_REQUESTS_PER_ORDER)."""
    flt = read_model.ReturnFilter(merchant=order.merchant, order_reference=order.reference)
    async with context.db.reading() as reads:
        page = await read_model.page_return_requests(
            reads, context.tenant_id, flt, first=MAX_REQUESTS_PER_ORDER, after=None
        )
    loaded = await context.loaders.return_request_by_id.load_many([row["id"] for row in page.rows])
    return [request for request in loaded if request is not None]
