"""Exchange queries: a merchant's variants (paged by sku, one statement a page and one for
the count), what a line of an order may be exchanged into, and the exchange settings."""

from __future__ import annotations

import strawberry

from core.exchange_options import options_by_sku
from domain.errors import ErrorCode
from graphql_api.common import PageInfo, check_first
from graphql_api.context import Info
from graphql_api.errors import ClientError
from graphql_api.exchanges import types as t
from persistence.queries import load_orders
from persistence.variants import VariantReads, exchange_settings


@strawberry.type
class ExchangeQueries:
    @strawberry.field(description="A merchant's variants by sku, of one group or one sku.")
    async def variants(
        self,
        info: Info,
        merchant: str,
        group_key: str | None = None,
        sku: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> t.VariantConnection:
        first = check_first(first)
        async with info.context.db.reading() as reads:
            found = VariantReads(reads, info.context.tenant_id)
            page = await found.page(
                merchant, group_key=group_key, sku=sku, after=t.sku_after(after), first=first + 1
            )
            total = await found.count(merchant, group_key=group_key, sku=sku)
        edges = [
            t.VariantEdge(cursor=t.variant_cursor(v.sku), node=t.VariantType.from_domain(v))
            for v in page[:first]
        ]
        return t.VariantConnection(
            edges=edges,
            page_info=PageInfo.of(edges, has_next=len(page) > first, has_previous=bool(after)),
            total_count=total,
        )

    @strawberry.field(
        description="The variants a line of the order may be exchanged into: those of its "
        "group, or every variant when the merchant allows any product; unavailable ones "
        "included (exchangeable false)."
    )
    async def exchange_options(
        self, info: Info, merchant: str, order_reference: str, sku: str
    ) -> list[t.VariantType]:
        tenant = info.context.tenant_id
        async with info.context.db.reading() as reads:
            orders = await load_orders(reads, tenant, [(merchant, order_reference)])
            order = orders.get((merchant, order_reference))
            if order is None or order.line(sku) is None:
                raise ClientError(
                    f"order {order_reference} of merchant {merchant} has no line {sku}",
                    ErrorCode.NOT_FOUND,
                )
            options = await options_by_sku(reads, tenant, order, [sku])
        return [t.VariantType.from_domain(v) for v in options.get(sku, [])]

    @strawberry.field(description="A merchant's exchange settings (the defaults if never set).")
    async def exchange_settings(self, info: Info, merchant: str) -> t.ExchangeSettingsType:
        async with info.context.db.reading() as reads:
            found = await exchange_settings(reads, info.context.tenant_id, merchant)
        return t.ExchangeSettingsType.from_domain(found)
