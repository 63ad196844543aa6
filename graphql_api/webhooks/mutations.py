"""Register, change and remove webhook endpoints; re-send a delivery."""

from __future__ import annotations

import strawberry

from domain.errors import DomainError, ErrorCode, NotFound
from domain.webhooks import MAX_ENDPOINTS, WebhookEndpoint
from graphql_api.common import MutationInput
from graphql_api.context import Info
from graphql_api.errors import user_errors
from graphql_api.webhooks import types as t
from persistence.webhooks import WebhookStore


@strawberry.input
class CreateWebhookEndpointInput(MutationInput):
    url: str
    event_types: list[str] = strawberry.field(
        default_factory=list, description="Event types to send; empty or omitted: all."
    )
    merchant: str | None = strawberry.field(default=None, description="Omitted: all merchants.")
    secret: str | None = strawberry.field(
        default=None, description="16 to 200 characters; generated (and returned once) if omitted."
    )


@strawberry.input
class UpdateWebhookEndpointInput(MutationInput):
    id: str
    url: str | None = None
    event_types: list[str] | None = None
    secret: str | None = None
    active: bool | None = None


@strawberry.input
class WebhookEndpointIdInput(MutationInput):
    id: str


@strawberry.input
class ResendWebhookDeliveryInput(MutationInput):
    delivery_id: str


def _failed(error: DomainError) -> t.WebhookEndpointPayload:
    return t.WebhookEndpointPayload(
        webhook_endpoint=None, secret=None, user_errors=user_errors(error)
    )


def _missing(what: str, id: str) -> NotFound:
    return NotFound(f"no {what} {id!r}", field="id")


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(description="Start POSTing matching events to a URL, signed.")
    async def create_webhook_endpoint(
        self, info: Info, input: CreateWebhookEndpointInput
    ) -> t.WebhookEndpointPayload:
        context = info.context
        store = WebhookStore(context.db)
        if len(await store.endpoints(context.tenant_id)) >= MAX_ENDPOINTS:
            return _failed(
                DomainError(
                    f"a tenant may register at most {MAX_ENDPOINTS} webhook endpoints",
                    code=ErrorCode.LIMIT_EXCEEDED,
                )
            )
        try:
            endpoint = WebhookEndpoint.register(
                url=input.url,
                event_types=tuple(input.event_types),
                merchant=input.merchant,
                secret=input.secret,
                now=context.clock.now(),
            )
        except DomainError as error:
            return _failed(error)
        await store.add(context.tenant_id, endpoint)
        return t.WebhookEndpointPayload(
            webhook_endpoint=t.WebhookEndpointType.from_domain(endpoint),
            secret=endpoint.secret,
            user_errors=[],
        )

    @strawberry.mutation(description="Change the URL, event types, secret or active flag.")
    async def update_webhook_endpoint(
        self, info: Info, input: UpdateWebhookEndpointInput
    ) -> t.WebhookEndpointPayload:
        context = info.context
        store = WebhookStore(context.db)
        current = await store.endpoint(context.tenant_id, input.id)
        try:
            if current is None:
                raise _missing("webhook endpoint", input.id)
            endpoint = current.changed(
                url=input.url,
                event_types=tuple(input.event_types) if input.event_types is not None else None,
                secret=input.secret,
                active=input.active,
                now=context.clock.now(),
            )
        except DomainError as error:
            return _failed(error)
        await store.replace(context.tenant_id, endpoint)
        return t.WebhookEndpointPayload(
            webhook_endpoint=t.WebhookEndpointType.from_domain(endpoint),
            secret=input.secret,
            user_errors=[],
        )

    @strawberry.mutation(description="Remove an endpoint and its delivery history.")
    async def delete_webhook_endpoint(
        self, info: Info, input: WebhookEndpointIdInput
    ) -> t.DeleteWebhookEndpointPayload:
        context = info.context
        if await WebhookStore(context.db).remove(context.tenant_id, input.id):
            return t.DeleteWebhookEndpointPayload(deleted=True, user_errors=[])
        return t.DeleteWebhookEndpointPayload(
            deleted=False, user_errors=user_errors(_missing("webhook endpoint", input.id))
        )

    @strawberry.mutation(
        description="Send a delivery's event again, as a new delivery (the old one keeps its "
        "history)."
    )
    async def resend_webhook_delivery(
        self, info: Info, input: ResendWebhookDeliveryInput
    ) -> t.WebhookDeliveryPayload:
        context = info.context
        store = WebhookStore(context.db)
        delivery = await store.resend(context.tenant_id, input.delivery_id, context.clock.now())
        if delivery is None:
            error = NotFound(
                f"no webhook delivery {input.delivery_id!r} with an active endpoint",
                field="deliveryId",
            )
            return t.WebhookDeliveryPayload(delivery=None, user_errors=user_errors(error))
        return t.WebhookDeliveryPayload(
            delivery=t.WebhookDeliveryType.from_stored(delivery), user_errors=[]
        )
