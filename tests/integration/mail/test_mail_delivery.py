"""Customer e-mails through a real SMTP server on this machine: one message per event that
speaks to the customer, in their language, sent once, retried with back-off, failures kept
with their reason; merchants' templates rendered in a sandbox."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.settings import Settings
from delivery.mail.sender import MailSender, mail_sender
from domain import commands as c
from domain import services
from domain.customer_messages import (
    MAX_ATTEMPTS,
    MailSettings,
    MessageEvent,
    MessageStatus,
    MessageTemplate,
)
from domain.orders import Customer
from ops.bootstrap import bootstrap
from persistence.customer_messages import MessageStore
from persistence.mail_configuration import (
    remember_customer_language,
    save_mail_settings,
    save_message_template,
)
from tests.clocks import FixedClock
from tests.integration.persistence.conftest import ACTOR, MERCHANT, START, World
from tests.mail_server import QUIET, smtp_server

pytestmark = QUIET


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def world(db, clock) -> World:
    return World(db, clock)


@pytest.fixture
def inbox_and_url():
    with smtp_server(auth=True) as (inbox, url):
        yield inbox, url


def sender_for(db, clock, url: str | None, **settings) -> MailSender:
    chosen = {
        "portal_secret": "p" * 40,
        "public_base_url": "https://returns.example",
        "mail_from": "returns@shop.example",
    } | settings
    if url is not None:
        chosen["smtp_url"] = url
    return mail_sender(bootstrap(Settings(**chosen), db=db, clock=clock))


async def messages(db, request_id: str):
    return await MessageStore(db).for_request("default", request_id)


async def test_a_new_request_sends_one_email_that_links_to_its_status_page(
    world, db, clock, inbox_and_url
) -> None:
    inbox, url = inbox_and_url
    await world.order()
    request = await world.create()
    sender = sender_for(db, clock, url)

    assert await sender.send_due() == 1
    assert await sender.send_due() == 0

    [mail] = inbox.received
    assert mail.recipients == ["layla@example.com"]
    assert request.id in mail.subject
    assert "https://returns.example/portal/status/" in mail.text
    assert 'href="https://returns.example/portal/status/' in mail.html
    assert '<html lang="en" dir="ltr">' in mail.html
    assert mail.message["From"].addresses[0].addr_spec == "returns@shop.example"
    assert inbox.logins == ["shop"]
    [record] = await messages(db, request.id)
    assert record.status == MessageStatus.SENT
    assert record.event == MessageEvent.REQUESTED
    assert record.subject == mail.subject
    assert mail.message_id == f"<{record.message_id}@returns-api>"


async def test_arabic_customers_get_arabic_right_to_left_mail(world, db, clock, inbox_and_url):
    inbox, url = inbox_and_url
    await world.order()
    await remember_customer_language(db, "default", MERCHANT, "ORD-1", "ar", now=clock.now())
    request = await world.create()

    await sender_for(db, clock, url).send_due()

    [mail] = inbox.received
    assert '<html lang="ar" dir="rtl">' in mail.html
    assert "استلمنا طلب الإرجاع" in mail.subject
    assert f'<bdi dir="ltr">{request.id}</bdi>' in mail.html
    assert mail.message["Content-Language"] == "ar"


async def test_the_merchants_sender_reply_to_and_brand_are_used(world, db, clock, inbox_and_url):
    from domain.portal import PortalSettings
    from persistence.portal_settings import save_portal_settings

    inbox, url = inbox_and_url
    await world.order()
    await save_mail_settings(
        db,
        "default",
        MailSettings(MERCHANT, "care@acme.example", "Acme Care", "help@acme.example"),
        now=clock.now(),
    )
    await save_portal_settings(
        db,
        "default",
        PortalSettings(MERCHANT, display_name="Acme", accent_colour="#aa3300"),
        now=clock.now(),
    )
    await world.create()

    await sender_for(db, clock, url).send_due()

    [mail] = inbox.received
    assert mail.sender == "care@acme.example"
    assert str(mail.message["From"]) == "Acme Care <care@acme.example>"
    assert mail.message["Reply-To"] == "help@acme.example"
    assert "#aa3300" in mail.html and "Acme" in mail.html


async def test_refused_data_is_retried_with_back_off_and_sent_once(world, db, clock, inbox_and_url):
    inbox, url = inbox_and_url
    await world.order()
    request = await world.create()
    inbox.fail_data = 2
    sender = sender_for(db, clock, url)

    await sender.send_due()
    [record] = await messages(db, request.id)
    assert record.status == MessageStatus.PENDING
    assert "451" in (record.last_error or "")
    assert record.next_attempt_at == clock.now().replace() + (record.next_attempt_at - clock.now())
    assert await sender.send_due() == 0  # not due yet

    clock.advance(seconds=30)
    await sender.send_due()
    clock.advance(seconds=60)
    await sender.send_due()

    assert len(inbox.received) == 1
    [record] = await messages(db, request.id)
    assert (record.status, record.attempts, record.last_error) == (MessageStatus.SENT, 3, None)


async def test_a_refused_address_fails_at_once_with_the_servers_reason(
    world, db, clock, inbox_and_url
) -> None:
    inbox, url = inbox_and_url
    inbox.refuse.add("layla@example.com")
    await world.order()
    request = await world.create()

    await sender_for(db, clock, url).send_due()

    [record] = await messages(db, request.id)
    assert record.status == MessageStatus.FAILED
    assert "550" in (record.last_error or "")


async def test_an_unreachable_server_fails_after_the_last_attempt(world, db, clock) -> None:
    from tests.mail_server import free_port

    await world.order()
    request = await world.create()
    sender = sender_for(db, clock, f"smtp://127.0.0.1:{free_port()}?timeout=2")

    for _ in range(MAX_ATTEMPTS):
        await sender.send_due()
        clock.advance(hours=7)

    [record] = await messages(db, request.id)
    assert record.status == MessageStatus.FAILED
    assert record.attempts == MAX_ATTEMPTS
    assert "127.0.0.1" in (record.last_error or "")


async def test_the_password_never_reaches_a_log_or_an_error(world, db, clock, caplog) -> None:
    from tests.mail_server import PASSWORD, free_port

    await world.order()
    request = await world.create()
    url = f"smtp://shop:{PASSWORD.replace(' ', '%20').replace('@', '%40')}@127.0.0.1:{free_port()}"
    caplog.set_level("DEBUG")

    await sender_for(db, clock, url + "?timeout=2").send_due()

    [record] = await messages(db, request.id)
    assert PASSWORD not in (record.last_error or "")
    assert "s3cret" not in caplog.text


async def test_an_order_without_an_email_fails_with_the_reason(world, db, clock, inbox_and_url):
    inbox, url = inbox_and_url
    await world.order(customer=Customer("Layla", None, "+971500000000"))
    request = await world.create()

    await sender_for(db, clock, url).send_due()

    [record] = await messages(db, request.id)
    assert record.status == MessageStatus.FAILED
    assert "no customer e-mail" in (record.last_error or "")
    assert inbox.received == []


async def test_approval_waits_for_the_label_and_tells_tracking_and_drop_off(
    world, db, clock, inbox_and_url
) -> None:
    inbox, url = inbox_and_url
    await world.order()
    request = await world.create(items={"SKU-A": 1})
    sender = sender_for(db, clock, url)
    await sender.send_due()
    units = bootstrap(Settings(mail_approval_settle_seconds=60), db=db, clock=clock).units
    approve = c.ApproveReturn(actor=ACTOR, return_request_id=request.id)
    await services.approve_return(approve, uow=units("default"), clock=clock)
    label = c.UpdateReverseShipment(
        actor=ACTOR,
        return_request_id=request.id,
        tracking_number="TRK-123",
        label_url="https://carrier.example/label/1.pdf",
    )
    await world.run(services.update_reverse_shipment, label)

    assert await sender.send_due() == 0  # settling: the label may still come
    clock.advance(seconds=61)
    await sender.send_due()

    assert len(inbox.received) == 2
    approval = inbox.received[-1]
    assert "approved" in approval.subject
    assert "TRK-123" in approval.text
    assert 'href="https://carrier.example/label/1.pdf"' in approval.html
    assert "12 Al Wasl Road" in approval.text  # the pickup address: a courier collects
    assert "Items</th>" in approval.html and "<bdi>Item SKU-A</bdi> \u00d7 " in approval.html
    assert "built-in" not in approval.html
    assert "/portal/status/" in approval.text


async def test_a_refund_tells_the_amount_and_currency(world, db, clock, inbox_and_url) -> None:
    inbox, url = inbox_and_url
    await world.order()
    request = await world.create(items={"SKU-A": 1})
    await world.run(
        services.approve_return, c.ApproveReturn(actor=ACTOR, return_request_id=request.id)
    )
    await world.run(
        services.add_refund,
        c.AddRefund(
            actor=ACTOR, return_request_id=request.id, amount=Decimal("75.50"), currency="AED"
        ),
    )

    await sender_for(db, clock, url).send_due()

    refund = inbox.received[-1]
    assert "75.50" in refund.subject
    assert "AED" in refund.text and "75.50" in refund.text


async def test_merchants_templates_render_sandboxed_and_escaped(world, db, clock, inbox_and_url):
    inbox, url = inbox_and_url
    await world.order(customer=Customer("<b>Layla</b>", "layla@example.com", None))
    await save_message_template(
        db,
        "default",
        MessageTemplate(
            MERCHANT,
            MessageEvent.REQUESTED,
            "en",
            subject="Got it, {{ customer_name }} ({{ request_id }})",
            html="<p class=own>Hi {{ customer_name }}</p>",
            text="Hi {{ customer_name }}",
        ),
        now=clock.now(),
    )
    request = await world.create()

    await sender_for(db, clock, url).send_due()

    [mail] = inbox.received
    assert mail.subject == f"Got it, <b>Layla</b> ({request.id})"
    assert "<p class=own>Hi &lt;b&gt;Layla&lt;/b&gt;</p>" in mail.html
    assert "/portal/status/" in mail.html  # our layout keeps the link


async def test_a_template_reaching_for_python_internals_falls_back_to_our_words(
    world, db, clock, inbox_and_url
) -> None:
    inbox, url = inbox_and_url
    await world.order()
    await save_message_template(
        db,
        "default",
        MessageTemplate(
            MERCHANT,
            MessageEvent.REQUESTED,
            "en",
            subject="{{ ''.__class__.__mro__[1].__subclasses__() }}",
            html="x",
            text="x",
        ),
        now=clock.now(),
    )
    await world.create()

    await sender_for(db, clock, url).send_due()

    [mail] = inbox.received
    assert "We received your return request" in mail.subject
    assert "subclasses" not in mail.html


async def test_events_nobody_asked_for_send_nothing_until_the_merchant_writes_one(
    world, db, clock, inbox_and_url
) -> None:
    inbox, url = inbox_and_url
    await world.order()
    first = await world.create(items={"SKU-A": 1})
    await world.run(
        services.transition_return, c.HoldReturn(actor=ACTOR, return_request_id=first.id)
    )
    await save_message_template(
        db,
        "default",
        MessageTemplate(MERCHANT, MessageEvent.ON_HOLD, "en", "On hold", "<p>Wait</p>", "Wait"),
        now=clock.now(),
    )
    second = await world.create(items={"SKU-B": 1})
    await world.run(
        services.transition_return, c.HoldReturn(actor=ACTOR, return_request_id=second.id)
    )

    await sender_for(db, clock, url).send_due()

    assert [m.event for m in await messages(db, first.id)] == [MessageEvent.REQUESTED]
    assert [m.event for m in await messages(db, second.id)] == [
        MessageEvent.REQUESTED,
        MessageEvent.ON_HOLD,
    ]
    assert [m.subject for m in inbox.received if m.subject == "On hold"] == ["On hold"]


async def test_without_a_server_outside_development_messages_wait(world, db, clock) -> None:
    await world.order()
    request = await world.create()

    await sender_for(db, clock, None).send_due()

    [record] = await messages(db, request.id)
    assert record.status == MessageStatus.PENDING
    assert "RETURNS_SMTP_URL" in (record.last_error or "")
