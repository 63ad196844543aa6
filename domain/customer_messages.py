"""Customer messages by e-mail: which committed events tell the customer something, and
what becomes of each message.

A message is routed in the transaction that commits its event (one per event and kind, a
unique key keeps it so), then sent by whichever process claims it, retried with back-off,
and recorded SENT or FAILED with the reason. The rules here are pure: which event speaks to
the customer, when to try again, what a merchant's own template may say."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from domain.errors import DomainErrors, InvalidInput
from domain.values import optional_text

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=6)
ERROR_LIMIT = 500
LANGUAGES = ("en", "ar")
DEFAULT_LANGUAGE = "en"
SUBJECT_LIMIT = 300
TEMPLATE_LIMIT = 20_000
EMAIL_LIMIT = 320


class MessageEvent(StrEnum):
    """What a customer message is about. The first five are sent by default; the others
    only when the merchant writes a message for them."""

    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    RECEIVED = "RECEIVED"
    REFUNDED = "REFUNDED"
    ON_HOLD = "ON_HOLD"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"
    SHIPMENT_UPDATED = "SHIPMENT_UPDATED"
    PORTAL_LINK = "PORTAL_LINK"  # a fresh return-portal link the customer asked for
    # To a tenant's staff member, not a customer: the link that sets their desk password.
    STAFF_INVITATION = "STAFF_INVITATION"
    STAFF_PASSWORD_RESET = "STAFF_PASSWORD_RESET"

    @property
    def to_staff(self) -> bool:
        return self in STAFF_EVENTS

    @property
    def sent_by_default(self) -> bool:
        return self in DEFAULT_EVENTS


DEFAULT_EVENTS = frozenset(
    {
        MessageEvent.REQUESTED,
        MessageEvent.APPROVED,
        MessageEvent.REJECTED,
        MessageEvent.RECEIVED,
        MessageEvent.REFUNDED,
    }
)

_BY_STATUS = {
    "APPROVED": MessageEvent.APPROVED,
    "REJECTED": MessageEvent.REJECTED,
    "RECEIVED": MessageEvent.RECEIVED,
    "PARTIALLY_RECEIVED": MessageEvent.RECEIVED,
    "ON_HOLD": MessageEvent.ON_HOLD,
    "CANCELLED": MessageEvent.CANCELLED,
    "COMPLETED": MessageEvent.COMPLETED,
}


class MessageStatus(StrEnum):
    PENDING = "PENDING"  # routed, not yet accepted by the mail server (or waiting to retry)
    SENT = "SENT"  # the mail server (or the development mailbox) accepted it
    FAILED = "FAILED"  # given up: no address to send to, or every attempt refused


def message_event(
    event_type: str, new_status: str | None, payload: Mapping[str, Any]
) -> MessageEvent | None:
    """The customer message a committed event calls for, if any. A request born of a
    split is not news to the customer (they asked once); a receipt that takes a request
    from PARTIALLY_RECEIVED to RECEIVED is (the rest arrived)."""
    if event_type == "ReturnRequested":
        return None if payload.get("split_from") else MessageEvent.REQUESTED
    if event_type == "ReturnStatusChanged" and new_status:
        return _BY_STATUS.get(new_status)
    if event_type == "RefundAdded":
        return MessageEvent.REFUNDED
    if event_type == "ReverseShipmentUpdated":
        return MessageEvent.SHIPMENT_UPDATED
    return None


def wanted(event: MessageEvent | None, configured: Collection[MessageEvent]) -> bool:
    """Whether an event's message goes out: a default one always, another one when the
    merchant wrote a template for it."""
    return event is not None and (event.sent_by_default or event in configured)


STAFF_EVENTS = frozenset({MessageEvent.STAFF_INVITATION, MessageEvent.STAFF_PASSWORD_RESET})
# Messages a merchant may word: not a link asked for, not the staff's (they are the tenant's).
CONFIGURABLE = tuple(
    event for event in MessageEvent if event != MessageEvent.PORTAL_LINK and not event.to_staff
)


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed tries: 30 s, 1 min, 2 min … at most 6 h
    apart; None once MAX_ATTEMPTS have failed (the message is then FAILED)."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def customer_language(value: str | None) -> str:
    """A language we write e-mails in: the one asked for (or its base), else English."""
    base = (value or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """What a mail transport reports for one attempt. `permanent` failures (an address the
    server refuses outright) are not retried."""

    accepted: bool
    error: str | None = None
    permanent: bool = False

    @classmethod
    def sent(cls) -> SendOutcome:
        return cls(True)

    @classmethod
    def failed(cls, error: str, *, permanent: bool = False) -> SendOutcome:
        return cls(False, error[:ERROR_LIMIT], permanent)


@dataclass(frozen=True, slots=True)
class MailSettings:
    """A merchant's sender identity; brand name, colour and logo come from its portal
    settings, so the e-mails look like the portal."""

    merchant: str
    from_address: str | None = None
    from_name: str | None = None
    reply_to: str | None = None


@dataclass(frozen=True, slots=True)
class MessageTemplate:
    """A merchant's own wording of one message in one language. `html` and `text` are
    the body only: the layout around them (brand, direction, the status-page link) is
    ours, so every e-mail keeps them whatever the template says."""

    merchant: str
    event: MessageEvent
    language: str
    subject: str
    html: str
    text: str


def checked_mail_settings(settings: MailSettings) -> MailSettings:
    problems: list[InvalidInput] = []
    values: dict[str, str | None] = {}
    for name in ("from_address", "reply_to"):
        try:
            values[name] = email_address(getattr(settings, name), field=name)
        except InvalidInput as problem:
            problems.append(problem)
    try:
        values["from_name"] = optional_text(settings.from_name, "from_name", 200)
        if values["from_name"] and any(c in values["from_name"] for c in '\r\n<>"'):
            raise InvalidInput("the sender name must be plain text", field="from_name")
    except InvalidInput as problem:
        problems.append(problem)
    if problems:
        raise DomainErrors(problems)
    return MailSettings(merchant=settings.merchant, **values)  # type: ignore[arg-type]


def email_address(value: str | None, *, field: str) -> str | None:
    """One plain address (no display name, no header folding), or None when blank."""
    text = optional_text(value, field, EMAIL_LIMIT)
    if text is None:
        return None
    local, at, domain = text.rpartition("@")
    plain = all(c not in text for c in " \t\r\n<>\"',;:()[]\\")
    if not (at and local and "." in domain and not domain.startswith(".") and plain):
        raise InvalidInput(
            f"{field} must be an e-mail address such as returns@shop.example", field=field
        )
    return text


def checked_template(template: MessageTemplate) -> MessageTemplate:
    if template.event.to_staff:
        raise InvalidInput(
            "the e-mails to the tenant's staff are not a merchant's to word", field="event"
        )
    if template.language not in LANGUAGES:
        raise InvalidInput(f"templates are written in {', '.join(LANGUAGES)}", field="language")
    subject = optional_text(template.subject, "subject", SUBJECT_LIMIT)
    if not subject or any(c in subject for c in "\r\n"):
        raise InvalidInput("the subject must be one line of text", field="subject")
    html = optional_text(template.html, "html", TEMPLATE_LIMIT) or ""
    text = optional_text(template.text, "text", TEMPLATE_LIMIT) or ""
    if not html and not text:
        raise InvalidInput("write the message in html, text or both", field="html")
    return MessageTemplate(
        merchant=template.merchant,
        event=template.event,
        language=template.language,
        subject=subject,
        html=html,
        text=text,
    )
