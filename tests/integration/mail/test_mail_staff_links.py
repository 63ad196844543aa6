"""Staff invitations and password resets by e-mail, through the customer e-mails' own outbox
and sender and a real SMTP server on this machine: the link is made as the message is sent
(nothing in the table holds it before), reaches the staff member only, works once, and is
never kept in the sent message's row nor written to any log line."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from core.settings import Settings
from core.wiring import Wiring
from delivery.mail.sender import mail_sender
from domain.access import new_tenant
from domain.customer_messages import MessageEvent, MessageStatus
from domain.staff import StaffRole
from ops.bootstrap import bootstrap
from persistence.access import AccessStore
from persistence.customer_messages import MAILBOX_TRANSPORT, MessageStore
from tests.clocks import FixedClock
from tests.mail_server import QUIET, smtp_server

pytestmark = QUIET
TENANT = "acme-team"
LINK = re.compile(r"https://returns\.example/desk/password#token=(rsl_[A-Za-z0-9_-]+)")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def inbox_and_url():
    with smtp_server(auth=True) as (inbox, url):
        yield inbox, url


async def wiring_for(db, clock, **settings) -> Wiring:
    chosen = {
        "public_base_url": "https://returns.example",
        "mail_from": "returns@service.example",
        "portal_secret": "p" * 40,
    } | settings
    wiring = bootstrap(Settings(**chosen), db=db, clock=clock)
    store = AccessStore(db)
    if await store.tenant(TENANT) is None:
        await store.create_tenant(new_tenant(TENANT, "Acme Returns Team", clock.now()))
    return wiring


async def stored_rows(db) -> str:
    """Every message row's every column, as one text."""
    async with db.read_session() as session:
        rows = (await session.execute(text("SELECT * FROM customer_messages"))).all()
    return " ".join(str(value) for row in rows for value in row)


async def test_an_invitation_is_emailed_with_a_link_that_works_once_and_is_kept_nowhere(
    db, clock, inbox_and_url, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    inbox, url = inbox_and_url
    wiring = await wiring_for(db, clock, smtp_url=url)
    staff = wiring.staff

    user, link = await staff.invite(TENANT, "Nadia@Example.com", "Nadia", StaffRole.AGENT)
    queued = await stored_rows(db)
    assert await mail_sender(wiring).send_due() == 1

    assert link is None  # e-mailed, not handed to the admin
    [mail] = inbox.received
    assert mail.recipients == ["nadia@example.com"]
    assert mail.subject == "You are invited to the returns desk of Acme Returns Team"
    [token] = LINK.findall(mail.text)
    assert LINK.search(mail.html) is not None
    assert "Hello Nadia," in mail.text and "Order" not in mail.text
    assert "rsl_" not in queued  # no link waited in the table
    [record] = await MessageStore(db).sent_by("smtp")
    assert record.status == MessageStatus.SENT and record.event == MessageEvent.STAFF_INVITATION
    assert token not in (record.text_body or "") + (record.html_body or "")
    assert "[redacted]" in (record.text_body or "")
    assert token not in await stored_rows(db)
    logged = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    assert token not in logged

    signed_up = await staff.set_password_by_link(token, "nadia's long password")
    assert signed_up.id == user.id
    with pytest.raises(Exception):  # noqa: B017 - once only, whatever the refusal's type
        await staff.set_password_by_link(token, "another long password")


async def test_a_password_reset_goes_in_the_admins_language_right_to_left(
    db, clock, inbox_and_url
) -> None:
    inbox, url = inbox_and_url
    wiring = await wiring_for(db, clock, smtp_url=url)
    staff = wiring.staff
    user, _ = await staff.create_user(TENANT, "sam@example.com", "Sam", StaffRole.VIEWER)

    assert await staff.send_reset(TENANT, user.id, language="ar") is None
    await mail_sender(wiring).send_due()

    [mail] = inbox.received
    assert '<html lang="ar" dir="rtl">' in mail.html
    assert "إعادة تعيين كلمة مرور" in mail.subject
    [token] = LINK.findall(mail.text)
    assert (await staff.set_password_by_link(token, "sam's brand new password")).id == user.id


async def test_a_disabled_users_invitation_is_never_sent(db, clock, inbox_and_url) -> None:
    inbox, url = inbox_and_url
    wiring = await wiring_for(db, clock, smtp_url=url)
    staff = wiring.staff
    user, _ = await staff.invite(TENANT, "gone@example.com", None, StaffRole.AGENT)
    await staff.update_user(TENANT, user.id, acting=None, disabled=True)

    await mail_sender(wiring).send_due()

    assert inbox.received == []
    async with db.read_session() as session:
        status = await session.scalar(text("SELECT status FROM customer_messages"))
    assert status == MessageStatus.FAILED.value


async def test_without_a_mail_server_the_admin_gets_the_link_and_nothing_is_queued(
    db, clock
) -> None:
    wiring = await wiring_for(db, clock)

    _, link = await wiring.staff.invite(TENANT, "kim@example.com", None, StaffRole.AGENT)

    assert link is not None and LINK.match(link)
    assert await stored_rows(db) == ""


async def test_under_make_run_the_development_mailbox_keeps_the_link_to_click(db, clock) -> None:
    wiring = await wiring_for(db, clock, dev_mailbox=True)

    _, link = await wiring.staff.invite(TENANT, "lee@example.com", None, StaffRole.AGENT)
    await mail_sender(wiring).send_due()

    assert link is None
    [record] = await MessageStore(db).sent_by(MAILBOX_TRANSPORT)
    assert LINK.search(record.text_body or "") is not None
