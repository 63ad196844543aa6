"""What waits in the database, counted across tenants for the operators' metrics: webhook
deliveries still to send or given up on, and text messages not yet handed to a sender.

Only states that stay small are counted (delivered and sent rows are history and grow
forever); each count reads an index that leads with the status."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.notifications import NotificationStatus
from domain.webhooks import DeliveryStatus
from persistence.tables import NotificationRow, WebhookDeliveryRow

COUNTED_DELIVERY_STATES = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


@dataclass(frozen=True, slots=True)
class Backlogs:
    webhook_deliveries: dict[DeliveryStatus, int]
    queued_notifications: int


async def count_backlogs(session: AsyncSession) -> Backlogs:
    return Backlogs(
        webhook_deliveries=await _deliveries_by_status(session),
        queued_notifications=await _queued_notifications(session),
    )


async def _deliveries_by_status(session: AsyncSession) -> dict[DeliveryStatus, int]:
    row = WebhookDeliveryRow
    counted = (
        await session.execute(
            select(row.status, func.count())
            .where(row.status.in_([status.value for status in COUNTED_DELIVERY_STATES]))
            .group_by(row.status)
        )
    ).all()
    counts = dict.fromkeys(COUNTED_DELIVERY_STATES, 0)
    counts.update({DeliveryStatus(status): count for status, count in counted})
    return counts


async def _queued_notifications(session: AsyncSession) -> int:
    row = NotificationRow
    statement = select(func.count()).where(row.status == NotificationStatus.QUEUED.value)
    return (await session.execute(statement)).scalar_one()
