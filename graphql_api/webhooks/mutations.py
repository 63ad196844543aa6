"""Register, change and remove webhook endpoints; re-send a delivery: input → command →
use case (domain/webhook_services.py, one unit of work each) → payload."""

from __future__ import annotations

import strawberry

from domain import webhook_services as use
from domain.errors import DomainError
from domain.values import Actor
from graphql_api.common import MutationInput
from graphql_api.context import Info
from graphql_api.errors import user_errors
from graphql_api.execution import execute
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

    def to_command(self, actor: Actor) -> use.RegisterWebhookEndpoint:
        return use.RegisterWebhookEndpoint(
            actor=actor,
            url=self.url,
            event_types=tuple(self.event_types),
            merchant=self.merchant,
            secret=self.secret,
        )


@strawberry.input
class UpdateWebhookEndpointInput(MutationInput):
    id: str
    url: str | None = None
    event_types: list[str] | None = None
    secret: str | None = None
    active: bool | None = None
    expected_version: int | None = strawberry.field(
        default=None,
        description="The version you read: a change made since refuses this one "
        "(VERSION_CONFLICT) instead of being overwritten.",
    )

    def to_command(self, actor: Actor) -> use.ChangeWebhookEndpoint:
        return use.ChangeWebhookEndpoint(
            actor=actor,
            endpoint_id=self.id,
            url=self.url,
            event_types=tuple(self.event_types) if self.event_types is not None else None,
            secret=self.secret,
            active=self.active,
            expected_version=self.expected_version,
        )


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


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(description="Start POSTing matching events to a URL, signed.")
    async def create_webhook_endpoint(
        self, info: Info, input: CreateWebhookEndpointInput
    ) -> t.WebhookEndpointPayload:
        try:
            endpoint = await execute(
                info, use.register_webhook_endpoint, lambda: input.to_command(info.context.actor)
            )
        except DomainError as error:
            return _failed(error)
        return t.WebhookEndpointPayload(
            webhook_endpoint=t.WebhookEndpointType.from_domain(endpoint),
            secret=endpoint.secret,
            user_errors=[],
        )

    @strawberry.mutation(description="Change the URL, event types, secret or active flag.")
    async def update_webhook_endpoint(
        self, info: Info, input: UpdateWebhookEndpointInput
    ) -> t.WebhookEndpointPayload:
        try:
            endpoint = await execute(
                info, use.change_webhook_endpoint, lambda: input.to_command(info.context.actor)
            )
        except DomainError as error:
            return _failed(error)
        return t.WebhookEndpointPayload(
            webhook_endpoint=t.WebhookEndpointType.from_domain(endpoint),
            secret=input.secret,
            user_errors=[],
        )

    @strawberry.mutation(description="Remove an endpoint and its delivery history.")
    async def delete_webhook_endpoint(
        self, info: Info, input: WebhookEndpointIdInput
    ) -> t.DeleteWebhookEndpointPayload:
        command = use.RemoveWebhookEndpoint(actor=info.context.actor, endpoint_id=input.id)
        try:
            await execute(info, use.remove_webhook_endpoint, lambda: command)
        except DomainError as error:
            return t.DeleteWebhookEndpointPayload(deleted=False, user_errors=user_errors(error))
        return t.DeleteWebhookEndpointPayload(deleted=True, user_errors=[])

    @strawberry.mutation(
        description="Send a delivery's event again, as a new delivery (the old one keeps its "
        "history)."
    )
    async def resend_webhook_delivery(
        self, info: Info, input: ResendWebhookDeliveryInput
    ) -> t.WebhookDeliveryPayload:
        command = use.ResendWebhookDelivery(actor=info.context.actor, delivery_id=input.delivery_id)
        try:
            delivery_id = await execute(info, use.resend_webhook_delivery, lambda: command)
        except DomainError as error:
            return t.WebhookDeliveryPayload(delivery=None, user_errors=user_errors(error))
        context = info.context
        delivery = await WebhookStore(context.db).delivery(context.tenant_id, delivery_id)
        assert delivery is not None, "committed just now, in this tenant"
        return t.WebhookDeliveryPayload(
            delivery=t.WebhookDeliveryType.from_stored(delivery), user_errors=[]
        )
