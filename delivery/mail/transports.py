"""Where an e-mail goes: an SMTP server (RETURNS_SMTP_URL), or, in development without one,
the development mailbox (the message is recorded as sent and shown at /dev/mailbox).

The SMTP URL carries its credentials (`smtp://user:password@host:587?starttls=true`); only
`SmtpServer.address` (no user, no password) ever reaches a log line or a recorded error."""

from __future__ import annotations

import email.utils
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from delivery.mail.render import Email
from domain.customer_messages import SendOutcome
from persistence.customer_messages import MAILBOX_TRANSPORT

SMTP_TRANSPORT = "smtp"
MESSAGE_ID_DOMAIN = "returns-api"
TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class Envelope:
    message_id: str
    sender: str
    sender_name: str | None
    recipient: str
    reply_to: str | None
    email: Email


class Transport(Protocol):
    name: str

    async def send(self, envelope: Envelope) -> SendOutcome: ...


@dataclass(frozen=True)
class SmtpServer:
    """An SMTP server as RETURNS_SMTP_URL names it: `smtp://` (STARTTLS when the server
    offers it, or always with `?starttls=true`, never with `?starttls=false`) or `smtps://`
    (TLS from the first byte); user and password URL-encoded; `?timeout=` in seconds."""

    host: str
    port: int
    implicit_tls: bool
    starttls: bool | None
    username: str | None
    password: str | None
    timeout: float
    verify: bool = True

    @classmethod
    def parse(cls, url: str, *, timeout: float = 30) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("the SMTP URL must look like smtp://user:password@host:587")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        starttls = query.get("starttls")
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if parts.scheme == "smtps" else 587),
            implicit_tls=parts.scheme == "smtps",
            starttls=None if starttls is None else starttls.lower() in TRUE,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            timeout=float(query.get("timeout", timeout)),
            verify=query.get("verify", "true").lower() in TRUE,
        )

    @property
    def address(self) -> str:
        """Host and port only: what logs and recorded errors may say."""
        return f"{self.host}:{self.port}"


class SmtpTransport:
    """One connection per message: messages are few, and a fresh connection never carries
    one message's failure into the next."""

    name = SMTP_TRANSPORT

    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def send(self, envelope: Envelope) -> SendOutcome:
        server = self.server
        context = ssl.create_default_context()
        if not server.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        try:
            await aiosmtplib.send(
                mime_message(envelope),
                sender=envelope.sender,
                recipients=[envelope.recipient],
                hostname=server.host,
                port=server.port,
                use_tls=server.implicit_tls,
                start_tls=server.starttls,
                username=server.username,
                password=server.password,
                timeout=server.timeout,
                tls_context=context,
            )
        except aiosmtplib.SMTPRecipientsRefused as refused:
            reasons = "; ".join(f"{r.code} {r.message}" for r in refused.recipients)
            return SendOutcome.failed(
                f"the mail server refused the address: {reasons}", permanent=True
            )
        except aiosmtplib.SMTPResponseException as answer:
            return SendOutcome.failed(
                f"the mail server at {server.address} answered {answer.code} {answer.message}"
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as failure:
            reason = type(failure).__name__
            return SendOutcome.failed(f"the mail server at {server.address} failed: {reason}")
        return SendOutcome.sent()


class MailboxTransport:
    """Development without an SMTP server: the message, kept on its row as every sent
    message is, is the delivery; /dev/mailbox shows it."""

    name = MAILBOX_TRANSPORT

    async def send(self, envelope: Envelope) -> SendOutcome:
        return SendOutcome.sent()


def mime_message(envelope: Envelope) -> EmailMessage:
    """Plain text and HTML alternatives. The Message-ID is the message's own id, the same
    on every attempt, so a mailbox that ever got a copy twice can tell."""
    message = EmailMessage()
    local, _, domain = envelope.sender.rpartition("@")
    message["From"] = Address(
        display_name=envelope.sender_name or "", username=local, domain=domain
    )
    message["To"] = envelope.recipient
    if envelope.reply_to:
        message["Reply-To"] = envelope.reply_to
    message["Subject"] = envelope.email.subject
    message["Message-ID"] = f"<{envelope.message_id}@{MESSAGE_ID_DOMAIN}>"
    message["Date"] = email.utils.formatdate(usegmt=True)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(envelope.email.text)
    message.add_alternative(envelope.email.html, subtype="html")
    message["Content-Language"] = envelope.email.language  # set_content drops Content-*
    return message
