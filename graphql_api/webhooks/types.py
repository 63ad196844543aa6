"""GraphQL views of webhook endpoints and deliveries."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.webhooks import DeliveryStatus, WebhookEndpoint
from graphql_api.common import PageInfo
from graphql_api.errors import UserError
from graphql_api.events.types import ReturnEventType
from persistence.webhooks import Delivery

strawberry.enum(DeliveryStatus, name="WebhookDeliveryStatus")


@strawberry.type(name="WebhookEndpoint", description="Where events are POSTed, signed.")
class WebhookEndpointType:
    id: str
    merchant: str | None = strawberry.field(description="Null: every merchant of the tenant.")
    url: str
    event_types: list[str] = strawberry.field(description="Empty: every event type.")
    active: bool
    secret_hint: str = strawberry.field(
        description="The secret's last four characters; the secret itself is shown once."
    )
    created_at: datetime
    updated_at: datetime
    version: int = strawberry.field(
        description="Grows with every change; pass it as `expectedVersion` to update only "
        "what you read."
    )

    @classmethod
    def from_domain(cls, endpoint: WebhookEndpoint) -> WebhookEndpointType:
        return cls(
            id=endpoint.endpoint_id,
            merchant=endpoint.merchant,
            url=endpoint.url,
            event_types=list(endpoint.event_types),
            active=endpoint.active,
            secret_hint=endpoint.secret[-4:],
            created_at=endpoint.created_at,
            updated_at=endpoint.updated_at,
            version=endpoint.version,
        )


@strawberry.type(name="WebhookDelivery", description="One event sent to one endpoint.")
class WebhookDeliveryType:
    id: str = strawberry.field(description="Sent as the X-Returns-Delivery header.")
    endpoint_id: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    response_status: int | None = strawberry.field(description="The last HTTP status received.")
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    event: ReturnEventType

    @classmethod
    def from_stored(cls, delivery: Delivery) -> WebhookDeliveryType:
        return cls(
            id=delivery.delivery_id,
            endpoint_id=delivery.endpoint_id,
            status=delivery.status,
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at,
            last_attempt_at=delivery.last_attempt_at,
            response_status=delivery.response_status,
            last_error=delivery.last_error,
            created_at=delivery.created_at,
            delivered_at=delivery.delivered_at,
            event=ReturnEventType.from_stored(delivery.event),
        )


@strawberry.type
class WebhookDeliveryEdge:
    cursor: str
    node: WebhookDeliveryType


@strawberry.type
class WebhookDeliveryConnection:
    edges: list[WebhookDeliveryEdge]
    page_info: PageInfo


@strawberry.type
class WebhookEndpointPayload:
    webhook_endpoint: WebhookEndpointType | None
    secret: str | None = strawberry.field(
        description="The signing secret, returned only when it was just set or generated."
    )
    user_errors: list[UserError]


@strawberry.type
class DeleteWebhookEndpointPayload:
    deleted: bool
    user_errors: list[UserError]


@strawberry.type
class WebhookDeliveryPayload:
    delivery: WebhookDeliveryType | None
    user_errors: list[UserError]
