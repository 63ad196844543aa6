"""The notifications log on the real stack: an SMS is queued in its own transaction, delivered
afterwards through a sender, and every outcome is kept, per tenant."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from delivery.notifications import NotificationDispatcher
from delivery.senders import LogSender
from domain import commands as c
from domain import services
from domain.errors import DomainError, ErrorCode
from domain.lifecycle import ReturnStatus
from domain.notification_services import QueueReturnSms, deliver_notification, queue_return_sms
from domain.notifications import (
    DeliveryOutcome,
    Notification,
    NotificationStatus,
    return_sms,
)
from domain.orders import Customer
from persistence import mappers
from persistence.notifications import page_notifications
from persistence.read_model import PagePosition
from persistence.unit_of_work import UnitsOfWork
from tests.integration.persistence.conftest import ACTOR
from tests.unit.domain.conftest import NOW, make_order, make_request


class GatewayDown:
    """An SMS gateway that never answers (the outside world, not one of our layers)."""

    def __init__(self) -> None:
        self.calls = 0

    async def send(self, notification: Notification) -> DeliveryOutcome:
        self.calls += 1
        return DeliveryOutcome.failed("SMS gateway unreachable: connection refused")


async def queue(world, reference: str = "ORD-1", tenant_id: str = "default") -> Notification:
    cmd = QueueReturnSms(actor=ACTOR, order_reference=reference)
    return await queue_return_sms(cmd, uow=world.uow(tenant_id), clock=world.clock)


async def logged(world, tenant_id: str = "default", **filters) -> list[Notification]:
    async with world.db.read_session() as session:
        found, _ = await page_notifications(session, tenant_id, first=100, **filters)
    return found


async def test_queueing_writes_the_sms_for_the_newest_live_request(world):
    await world.order()
    first = await world.create(items={"SKU-A": 1})
    world.clock.advance(minutes=1)
    second = await world.create(items={"SKU-B": 1})
    sms = await queue(world)
    assert (sms.return_request_id, sms.recipient, sms.status) == (
        second.id,
        "+971500000000",
        NotificationStatus.QUEUED,
    )
    assert [n.id for n in await logged(world)] == [sms.id]
    assert first.id not in sms.body


async def test_delivery_through_the_log_sender_marks_it_logged(world):
    await world.order()
    await world.create()
    sms = await queue(world)
    world.clock.advance(seconds=2)
    delivered = await deliver_notification(
        sms.id, uow=world.uow(), sender=LogSender(), clock=world.clock
    )
    [stored] = await logged(world)
    assert stored == delivered
    assert (stored.status, stored.attempts, stored.sent_at) == (
        NotificationStatus.LOGGED,
        1,
        world.clock.now(),
    )


async def test_a_failed_delivery_is_recorded_and_a_delivered_one_is_not_sent_again(world):
    await world.order()
    await world.create()
    sms = await queue(world)
    gateway = GatewayDown()
    await deliver_notification(sms.id, uow=world.uow(), sender=gateway, clock=world.clock)
    [stored] = await logged(world)
    assert (stored.status, stored.error) == (
        NotificationStatus.FAILED,
        "SMS gateway unreachable: connection refused",
    )
    await deliver_notification(sms.id, uow=world.uow(), sender=gateway, clock=world.clock)
    assert gateway.calls == 1


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("no order", ErrorCode.NOT_FOUND),
        ("cancelled only", ErrorCode.NOT_FOUND),
        ("no phone", ErrorCode.REQUIREMENT_MISSING),
    ],
)
async def test_nothing_is_queued_when_there_is_nothing_to_announce(world, setup, code):
    if setup != "no order":
        await world.order(customer=Customer("Ann", None, None) if setup == "no phone" else None)
        request = await world.create()
        if setup == "cancelled only":
            await world.run(
                services.cancel_return, c.CancelReturn(actor=ACTOR, return_request_id=request.id)
            )
            assert (await world.load(request.id)).status == ReturnStatus.CANCELLED
    with pytest.raises(DomainError) as raised:
        await queue(world)
    assert raised.value.code == code
    assert await logged(world) == []


async def test_the_log_is_per_tenant_and_filterable_by_request(world):
    await world.order()
    await world.order(tenant_id="other-co")
    mine = await world.create()
    await world.create(tenant_id="other-co")
    sms = await queue(world)
    theirs = await queue(world, tenant_id="other-co")
    assert [n.id for n in await logged(world)] == [sms.id]
    assert [n.id for n in await logged(world, return_request_id=mine.id)] == [sms.id]
    assert await logged(world, return_request_id=theirs.return_request_id) == []
    async with world.uow() as uow:
        with pytest.raises(DomainError) as raised:
            await uow.notifications.get(theirs.id)
    assert raised.value.code == ErrorCode.NOT_FOUND


async def test_pages_are_newest_first_and_resume_after_a_position(world):
    await world.order()
    await world.create()
    sent = []
    for _ in range(3):
        sent.append(await queue(world))
        world.clock.advance(seconds=1)
    async with world.db.read_session() as session:
        page, more = await page_notifications(session, "default", first=2)
        rest, last = await page_notifications(
            session, "default", first=2, after=PagePosition(page[-1].created_at, page[-1].id)
        )
    assert [n.id for n in page + rest] == [n.id for n in reversed(sent)]
    assert (more, last) == (True, False)


def test_a_notification_round_trips_through_its_row():
    order = make_order()
    order.customer = Customer("Ann", None, "+971500000001")
    sms = return_sms(order, make_request(), at=NOW)
    sms.record(DeliveryOutcome.failed("boom"), at=NOW + timedelta(seconds=1))
    assert mappers.notification_from_row(mappers.notification_values(sms, "t")) == sms


class Gateway:
    """An SMS gateway that accepts everything and remembers what it was given."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, notification: Notification) -> DeliveryOutcome:
        self.sent.append(notification.id)
        return DeliveryOutcome(NotificationStatus.SENT)


async def test_what_a_stopped_process_left_queued_is_delivered_once(world):
    await world.order()
    await world.create()
    left = await queue(world)  # queued; its process died before sending it
    gateway = Gateway()
    dispatcher = NotificationDispatcher(
        UnitsOfWork(world.db, world.clock), gateway, stalled_after=timedelta(minutes=2)
    )
    world.clock.advance(minutes=1)
    assert await dispatcher.resume_stalled() == 0  # may still be in flight elsewhere

    world.clock.advance(minutes=2)
    assert await dispatcher.resume_stalled() == 1
    await dispatcher.drain()
    world.clock.advance(minutes=5)
    assert await dispatcher.resume_stalled() == 0

    [stored] = await logged(world)
    assert (stored.id, stored.status, stored.attempts) == (left.id, NotificationStatus.SENT, 1)
    assert gateway.sent == [left.id]


async def test_a_failed_notification_is_not_resumed(world):
    await world.order()
    await world.create()
    sms = await queue(world)
    await deliver_notification(sms.id, uow=world.uow(), sender=GatewayDown(), clock=world.clock)
    world.clock.advance(hours=1)

    assert (
        await NotificationDispatcher(UnitsOfWork(world.db, world.clock), Gateway()).resume_stalled()
        == 0
    )


async def test_processes_resuming_at_once_never_take_the_same_notification(world):
    await world.order()
    await world.order(tenant_id="other-co")
    await world.create()
    await world.create(tenant_id="other-co")
    left = [await queue(world) for _ in range(3)] + [await queue(world, tenant_id="other-co")]
    world.clock.advance(minutes=10)
    gateway = Gateway()
    dispatchers = [
        NotificationDispatcher(UnitsOfWork(world.db, world.clock), gateway) for _ in range(4)
    ]

    claimed = await asyncio.gather(*(d.resume_stalled() for d in dispatchers))
    for dispatcher in dispatchers:
        await dispatcher.drain()

    assert sum(claimed) == 4
    assert sorted(gateway.sent) == sorted(n.id for n in left)
