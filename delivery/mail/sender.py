"""Sends due customer e-mails, one at a time, each at most once.

A message is claimed with a lease (persistence/customer_messages.py), rendered from the
request as it stands, handed to the transport, and marked SENT in its own transaction the
moment the server accepted it. A process killed before that mark leaves the message PENDING
under its lease; when the lease ends another process sends it. So nothing accepted and
marked is sent again, and nothing unsent is lost. The one window left is between the
server's "250 accepted" and our mark (milliseconds): a copy sent again then carries the
same Message-ID, which mail systems use to drop it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from core.periodic import Job
from core.portal_links import PortalLinks
from core.settings import Settings
from core.staff import StaffAccounts
from core.status_links import StatusLinks
from core.wiring import Wiring
from delivery.mail.facts import CannotSend, Prepared, prepare
from delivery.mail.render import Email, render
from delivery.mail.transports import (
    Envelope,
    MailboxTransport,
    SmtpServer,
    SmtpTransport,
    Transport,
)
from delivery.webhooks import CommitWakeup
from domain.customer_messages import SendOutcome, next_attempt
from domain.errors import DomainError
from domain.ports import Clock
from edge.logs import redact
from persistence.customer_messages import MessageRecord, MessageStore, Rendered
from persistence.database import Database

log = logging.getLogger(__name__)
BATCH = 20


class MailSender:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        status: StatusLinks,
        portal: PortalLinks,
        transport: Transport,
        *,
        default_from: str,
        timeout_seconds: float = 30,
        on_attempt: Callable[[str], None] = lambda _outcome: None,
        staff: StaffAccounts | None = None,
    ) -> None:
        self._db = db
        self._staff = staff  # makes the links of staff e-mails as they are sent
        self._clock = clock
        self._status = status
        self._portal = portal
        self.transport = transport
        self._default_from = default_from
        self._store = MessageStore(db)
        self._on_attempt = on_attempt  # told "sent", "retrying" or "failed"
        # Longer than any attempt can take, so no other process takes a message in flight.
        self._lease = timedelta(seconds=max(60, 4 * timeout_seconds))

    async def send_due(self) -> int:
        """Send every message due now; returns how many were attempted."""
        attempted = 0
        while batch := await self._store.claim_due(
            self._clock.now(), limit=BATCH, lease=self._lease
        ):
            for message in batch:
                await self._attempt(message)
            attempted += len(batch)
        return attempted

    async def _attempt(self, message: MessageRecord) -> None:
        try:
            prepared = await prepare(
                self._db,
                message,
                self._status,
                self._portal,
                now=self._clock.now(),
                staff=self._staff,
            )
        except CannotSend as reason:
            await self._failed(message, str(reason), permanent=True)
            return
        except DomainError as problem:  # status links unavailable: fixed by configuration
            await self._failed(message, problem.message, permanent=False)
            return
        email = render(prepared.facts, prepared.template)
        envelope = _envelope(message, prepared, email, self._default_from)
        outcome = await self.transport.send(envelope)
        if outcome.accepted:
            rendered = _kept(
                Rendered(
                    recipient=prepared.recipient,
                    language=email.language,
                    subject=email.subject,
                    text_body=email.text,
                    html_body=email.html,
                ),
                message,
                self.transport,
            )
            now = self._clock.now()
            await self._store.record_sent(message, rendered, transport=self.transport.name, now=now)
            self._on_attempt("sent")
            log.info("message %s (%s) sent", message.message_id, message.event.value)
            return
        await self._failed(
            message, outcome.error or "not sent", permanent=outcome.permanent, to=prepared.recipient
        )

    async def _failed(
        self, message: MessageRecord, error: str, *, permanent: bool, to: str | None = None
    ) -> None:
        now = self._clock.now()
        retry_at = None if permanent else next_attempt(message.attempts + 1, now)
        await self._store.record_failed(
            message, error=error, now=now, retry_at=retry_at, recipient=to
        )
        self._on_attempt("retrying" if retry_at else "failed")
        log.warning("customer message %s not sent: %s", message.message_id, error)


def _kept(rendered: Rendered, message: MessageRecord, transport: Transport) -> Rendered:
    """What is kept of a sent message: all of it, but a staff link (it sets a password)
    only where the row is the delivery, the development mailbox."""
    if not message.event.to_staff or isinstance(transport, MailboxTransport):
        return rendered
    return replace(
        rendered, text_body=redact(rendered.text_body), html_body=redact(rendered.html_body)
    )


def _envelope(
    message: MessageRecord, prepared: Prepared, email: Email, default_from: str
) -> Envelope:
    settings = prepared.settings
    return Envelope(
        message_id=message.message_id,
        sender=settings.from_address or default_from,
        sender_name=settings.from_name or prepared.facts.brand.name,
        recipient=prepared.recipient,
        reply_to=settings.reply_to or prepared.support_email,
        email=email,
    )


def mail_sender(
    wiring: Wiring, *, on_attempt: Callable[[str], None] = lambda _o: None
) -> MailSender:
    """The sender the settings ask for: through RETURNS_SMTP_URL, or, in development
    without one, into the development mailbox. Without either, messages wait PENDING."""
    settings = wiring.settings
    return MailSender(
        wiring.db,
        wiring.clock,
        wiring.status,
        wiring.portal,
        transport(settings),
        default_from=settings.mail_from,
        timeout_seconds=settings.smtp_timeout_seconds,
        on_attempt=on_attempt,
        staff=wiring.staff,
    )


def transport(settings: Settings) -> Transport:
    if settings.smtp_url is not None:
        url = settings.smtp_url.get_secret_value()
        return SmtpTransport(SmtpServer.parse(url, timeout=settings.smtp_timeout_seconds))
    if settings.dev_mailbox_enabled():
        return MailboxTransport()
    return Unconfigured()


class Unconfigured:
    """No SMTP server and no development mailbox: every attempt fails with the reason, and
    is retried, so configuring a server later sends what waited."""

    name = "none"

    async def send(self, envelope: Envelope) -> SendOutcome:
        return SendOutcome.failed("no mail server is configured (RETURNS_SMTP_URL)")


def mail_job(
    wiring: Wiring, interval_seconds: float, on_attempt: Callable[[str], None] = lambda _o: None
) -> Job:
    """The sender as a periodic job: after every commit of this process that queued
    messages, and every `interval_seconds` (0 leaves sending to other processes). With no
    SMTP server and no development mailbox there is nowhere to send: the job stays off and
    messages wait PENDING until a server is configured."""
    sender = mail_sender(wiring, on_attempt=on_attempt)
    if isinstance(sender.transport, Unconfigured):
        log.warning("customer e-mails wait: no mail server is configured (RETURNS_SMTP_URL)")
        interval_seconds = 0
    wake = CommitWakeup()
    if interval_seconds > 0:
        wiring.db.on_messages_routed(wake.committed)
    return Job("mail-sender", interval_seconds, sender.send_due, wake=wake)
