"""GraphQL views of the notifications log."""

from __future__ import annotations

from datetime import datetime

import strawberry

from core.global_ids import to_global_id
from domain.notifications import Notification, NotificationChannel, NotificationStatus
from graphql_api.common import PageInfo

strawberry.enum(NotificationChannel, name="NotificationChannel")
strawberry.enum(
    NotificationStatus,
    name="NotificationStatus",
    description="QUEUED until a sender took it; LOGGED when no gateway is configured (the "
    "log is the delivery); SENT or FAILED as the SMS gateway answered.",
)


@strawberry.type(name="Notification")
class NotificationType:
    id: strawberry.ID
    notification_id: str
    channel: NotificationChannel
    merchant: str
    order_reference: str
    return_request_id: str
    recipient: str
    body: str
    status: NotificationStatus
    attempts: int
    error: str | None = strawberry.field(description="Why the last attempt failed.")
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None

    @classmethod
    def from_domain(cls, n: Notification) -> NotificationType:
        return cls(
            id=to_global_id("Notification", n.id),
            notification_id=n.id,
            channel=n.channel,
            merchant=n.merchant,
            order_reference=n.order_reference,
            return_request_id=n.return_request_id,
            recipient=n.recipient,
            body=n.body,
            status=n.status,
            attempts=n.attempts,
            error=n.error,
            created_at=n.created_at,
            updated_at=n.updated_at,
            sent_at=n.sent_at,
        )


@strawberry.type
class NotificationEdge:
    cursor: str
    node: NotificationType


@strawberry.type
class NotificationConnection:
    edges: list[NotificationEdge]
    page_info: PageInfo
