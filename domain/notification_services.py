"""Use cases of customer notifications: queue one (in the caller's request), deliver it
(later, in the background). Queuing and delivering are apart so a client gets its answer
before any gateway is called, and a slow gateway never holds a database transaction."""

from __future__ import annotations

from dataclasses import dataclass

from domain.commands import Command
from domain.notifications import Notification, NotificationStatus, return_sms, successful_request
from domain.ports import Clock, NotificationSender, UnitOfWork
from domain.services import order_by_reference


@dataclass(frozen=True, kw_only=True)
class QueueReturnSms(Command):
    order_reference: str
    merchant: str | None = None  # None: the tenant's only order with that reference


async def queue_return_sms(cmd: QueueReturnSms, *, uow: UnitOfWork, clock: Clock) -> Notification:
    """Write the SMS for the order's newest live return request to the log, QUEUED."""
    async with uow:
        order = await order_by_reference(uow, cmd.merchant, cmd.order_reference)
        requests = await uow.returns.for_order(order.merchant, order.reference)
        request = successful_request(requests, order.reference)
        notification = return_sms(order, request, at=clock.now())
        await uow.notifications.add(notification)
        await uow.commit()
    return notification


async def deliver_notification(
    notification_id: str, *, uow: UnitOfWork, sender: NotificationSender, clock: Clock
) -> Notification:
    """Send a queued notification once and record the outcome. One already delivered is
    left alone, so a repeated delivery call never sends twice."""
    async with uow:
        notification = await uow.notifications.get(notification_id)
    if notification.status != NotificationStatus.QUEUED:
        return notification
    outcome = await sender.send(notification)
    async with uow:
        notification = await uow.notifications.get(notification_id)
        notification.record(outcome, at=clock.now())
        await uow.notifications.save(notification)
        await uow.commit()
    return notification
