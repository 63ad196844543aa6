"""GraphQL views of customer e-mails and of what merchants configure for them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.customer_messages import MailSettings, MessageEvent, MessageStatus, MessageTemplate
from graphql_api.common import MutationInput
from graphql_api.errors import UserError
from persistence.customer_messages import MessageRecord

strawberry.enum(
    MessageEvent,
    name="CustomerMessageEvent",
    description="What a customer e-mail is about. REQUESTED, APPROVED, REJECTED, RECEIVED "
    "and REFUNDED are sent by default; the others only when the merchant wrote a template "
    "for them; PORTAL_LINK carries a fresh return link the customer asked for. "
    "STAFF_INVITATION and STAFF_PASSWORD_RESET go to a staff member with the link that sets "
    "their desk password: never listed with a request, never a merchant's template.",
)
strawberry.enum(
    MessageStatus,
    name="CustomerMessageStatus",
    description="PENDING until the mail server accepted it (retried with back-off meanwhile), "
    "then SENT; FAILED when it cannot be sent (no address, refused, out of attempts).",
)


@strawberry.type(name="CustomerMessage", description="One e-mail to the customer.")
class CustomerMessageType:
    message_id: str
    event: MessageEvent
    channel: str
    status: MessageStatus
    attempts: int
    last_error: str | None = strawberry.field(description="Why the last attempt failed.")
    next_attempt_at: datetime | None
    recipient: str | None
    language: str | None
    subject: str | None = strawberry.field(description="As sent (null until sent).")
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def from_record(cls, m: MessageRecord) -> CustomerMessageType:
        return cls(
            message_id=m.message_id,
            event=m.event,
            channel=m.channel,
            status=m.status,
            attempts=m.attempts,
            last_error=m.last_error,
            next_attempt_at=m.next_attempt_at,
            recipient=m.recipient,
            language=m.language,
            subject=m.subject,
            created_at=m.created_at,
            sent_at=m.sent_at,
        )


@strawberry.type(name="MailSettings", description="A merchant's sender identity.")
class MailSettingsType:
    merchant: str
    from_address: str | None = strawberry.field(
        description="Sender address; the server's RETURNS_MAIL_FROM when null."
    )
    from_name: str | None = strawberry.field(description="Sender name; the brand when null.")
    reply_to: str | None = strawberry.field(
        description="Where replies go; the portal's support e-mail when null."
    )

    @classmethod
    def from_domain(cls, s: MailSettings) -> MailSettingsType:
        return cls(
            merchant=s.merchant,
            from_address=s.from_address,
            from_name=s.from_name,
            reply_to=s.reply_to,
        )


@strawberry.type(name="MessageTemplate", description="A merchant's wording of one e-mail.")
class MessageTemplateType:
    merchant: str
    event: MessageEvent
    language: str
    subject: str
    html: str = strawberry.field(description="The body's HTML (jinja2, sandboxed, escaped).")
    text: str

    @classmethod
    def from_domain(cls, t: MessageTemplate) -> MessageTemplateType:
        return cls(
            merchant=t.merchant,
            event=t.event,
            language=t.language,
            subject=t.subject,
            html=t.html,
            text=t.text,
        )


@strawberry.input(description="A merchant's sender identity (replaces it whole).")
class MailSettingsInput(MutationInput):
    merchant: str
    from_address: str | None = None
    from_name: str | None = None
    reply_to: str | None = None

    def to_domain(self) -> MailSettings:
        return MailSettings(self.merchant, self.from_address, self.from_name, self.reply_to)


@strawberry.input(
    description="A merchant's own wording of one e-mail in one language (en or ar). Subject, "
    "html and text are jinja2 templates rendered in a sandbox with these values: "
    "customer_name, request_id, order_reference, brand_name, status_url, label_url, "
    "tracking_number, dropoff_address, pickup_address, pickup_window, reason, amount, items "
    "(sku, description, quantity). Our layout around the body keeps the brand, the language "
    "and direction, and the link to the status page."
)
class MessageTemplateInput(MutationInput):
    merchant: str
    event: MessageEvent
    language: str
    subject: str
    html: str = ""
    text: str = ""

    def to_domain(self) -> MessageTemplate:
        return MessageTemplate(
            self.merchant, self.event, self.language, self.subject, self.html, self.text
        )


@strawberry.type
class MailSettingsPayload:
    mail_settings: MailSettingsType | None
    user_errors: list[UserError]


@strawberry.type
class MessageTemplatePayload:
    message_template: MessageTemplateType | None
    user_errors: list[UserError]
