"""Webhook endpoints of the tenant and the history of their deliveries, newest first."""

from __future__ import annotations

import strawberry

from core.global_ids import return_request_key
from domain.webhooks import DeliveryStatus
from graphql_api.common import PageInfo
from graphql_api.context import Info
from graphql_api.errors import ClientError
from graphql_api.returns.queries import PageSize, check_first
from graphql_api.webhooks import types as t
from persistence.webhooks import WebhookStore


@strawberry.input
class WebhookDeliveryFilter:
    endpoint_id: str | None = None
    status: DeliveryStatus | None = None
    return_request_id: str | None = None


@strawberry.type
class WebhookQueries:
    @strawberry.field(description="The tenant's webhook endpoints (of one merchant if given).")
    async def webhook_endpoints(
        self, info: Info, merchant: str | None = None
    ) -> list[t.WebhookEndpointType]:
        store = WebhookStore(info.context.db)
        endpoints = await store.endpoints(info.context.tenant_id, merchant)
        return [t.WebhookEndpointType.from_domain(endpoint) for endpoint in endpoints]

    @strawberry.field(description="Deliveries and their outcome, newest first.")
    async def webhook_deliveries(
        self,
        info: Info,
        first: PageSize,
        after: str | None = None,
        filter: WebhookDeliveryFilter | None = None,
    ) -> t.WebhookDeliveryConnection:
        flt = filter or WebhookDeliveryFilter()
        if after is not None and not (after.isascii() and after.isdigit() and len(after) < 19):
            raise ClientError("`after` is not a cursor returned by this API")
        rid = flt.return_request_id
        page, more = await WebhookStore(info.context.db).deliveries(
            info.context.tenant_id,
            first=check_first(first),
            before=int(after) if after else None,
            endpoint_id=flt.endpoint_id,
            status=flt.status,
            return_request_id=return_request_key(rid) if rid else None,
        )
        edges = [
            t.WebhookDeliveryEdge(cursor=str(d.cursor), node=t.WebhookDeliveryType.from_stored(d))
            for d in page
        ]
        return t.WebhookDeliveryConnection(
            edges=edges,
            page_info=PageInfo.of(edges, has_next=more, has_previous=after is not None),
        )
