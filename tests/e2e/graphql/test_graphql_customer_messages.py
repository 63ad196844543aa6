"""Customer e-mails through GraphQL: per request, what was sent, what failed and why; a
merchant's sender identity and templates, checked before they are stored."""

from __future__ import annotations

from decimal import Decimal

from domain import commands as c
from domain import services
from domain.orders import Customer
from domain.parts import ItemRequest
from domain.values import Actor, Address
from persistence.unit_of_work import SqlUnitOfWork

MESSAGES = """
query($id: ID!) {
  customerMessages(returnRequestId: $id) {
    event status attempts lastError recipient language subject channel
  }
}
"""
SET_TEMPLATE = """
mutation($input: MessageTemplateInput!) {
  setMessageTemplate(input: $input) {
    messageTemplate { merchant event language subject }
    userErrors { code field message }
  }
}
"""
TEMPLATES = """
query { messageTemplates(merchant: "acme") { event language subject html text } }
"""
MAIL_SETTINGS = """
mutation($input: MailSettingsInput!) {
  updateMailSettings(input: $input) {
    mailSettings { merchant fromAddress fromName replyTo }
    userErrors { code field message }
  }
}
"""


async def _request(db, clock) -> str:
    actor = Actor()
    await services.upsert_order(
        c.UpsertOrder(
            actor=actor,
            merchant="acme",
            reference="SO-1",
            currency="AED",
            customer=Customer("Ann", None, "+971500000000"),
            lines=[c.OrderLineSpec("SKU-1", "Shirt", 1, Decimal("10"), 1, clock.now())],
        ),
        uow=SqlUnitOfWork(db, clock=clock),
        clock=clock,
    )
    created = await services.create_return(
        c.CreateReturn(
            actor=actor,
            merchant="acme",
            order_reference="SO-1",
            items=[ItemRequest(sku="SKU-1", quantity=1)],
        ),
        uow=SqlUnitOfWork(db, clock=clock),
        clock=clock,
    )
    _ = Address
    return created.id


async def test_a_requests_messages_show_their_status_and_why_they_failed(
    graphql, http, db, clock
) -> None:
    from delivery.mail.sender import MailSender
    from delivery.mail.transports import MailboxTransport
    from ops.bootstrap import WIRING_KEY

    rid = await _request(db, clock)
    wiring = http.app[WIRING_KEY]
    sender = MailSender(
        db, clock, wiring.status, wiring.portal, MailboxTransport(), default_from="r@x.example"
    )
    before = (await graphql.data(MESSAGES, {"id": rid}))["customerMessages"]
    await sender.send_due()
    after = (await graphql.data(MESSAGES, {"id": rid}))["customerMessages"]

    assert before == [
        {
            "event": "REQUESTED",
            "status": "PENDING",
            "attempts": 0,
            "lastError": None,
            "recipient": None,
            "language": None,
            "subject": None,
            "channel": "EMAIL",
        }
    ]
    [failed] = after  # the order has no e-mail address
    assert (failed["status"], failed["attempts"]) == ("FAILED", 1)
    assert "no customer e-mail" in failed["lastError"]


async def test_a_template_is_checked_by_rendering_it_before_it_is_stored(graphql) -> None:
    good = {
        "merchant": "acme",
        "event": "ON_HOLD",
        "language": "ar",
        "subject": "طلبك {{ request_id }} معلّق",
        "html": "<p>{{ customer_name }}</p>",
    }
    broken = good | {"language": "en", "html": "{{ customer_name"}
    unsafe = good | {"language": "en", "html": "{{ ''.__class__.__mro__ }}"}
    foreign = good | {"language": "fr"}

    ok = (await graphql.data(SET_TEMPLATE, {"input": good}))["setMessageTemplate"]
    refused = [
        (await graphql.data(SET_TEMPLATE, {"input": value}))["setMessageTemplate"]["userErrors"]
        for value in (broken, unsafe, foreign)
    ]

    assert ok["userErrors"] == [] and ok["messageTemplate"]["event"] == "ON_HOLD"
    assert [errors[0]["field"] for errors in refused] == ["html", "html", "language"]
    stored = (await graphql.data(TEMPLATES))["messageTemplates"]
    assert [(t["event"], t["language"]) for t in stored] == [("ON_HOLD", "ar")]
    assert stored[0]["text"] == ""


async def test_mail_settings_take_plain_addresses_only(graphql) -> None:
    good = {"merchant": "acme", "fromAddress": "care@acme.example", "replyTo": "h@acme.example"}
    injected = {"merchant": "acme", "fromAddress": "care@acme.example\r\nBcc: all@evil.example"}

    ok = (await graphql.data(MAIL_SETTINGS, {"input": good}))["updateMailSettings"]
    refused = (await graphql.data(MAIL_SETTINGS, {"input": injected}))["updateMailSettings"]

    assert ok["mailSettings"]["fromAddress"] == "care@acme.example"
    assert refused["mailSettings"] is None
    assert refused["userErrors"][0]["field"] == "fromAddress"
