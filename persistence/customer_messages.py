"""Customer e-mails in the database: routed with the events that call for them, claimed and
recorded by the mail sender, listed per request.

`route_messages` runs inside the unit of work's transaction, so a message exists exactly
when its event does. A sender `claim_due`s messages (on PostgreSQL with SKIP LOCKED) and
leases them: their next attempt moves to now + lease, so another process leaves them alone
while this one sends, and takes them over only if this one dies. `record` marks a message
SENT in one statement the moment the server accepted it, and only a PENDING message can be
marked: a message once SENT is never claimed or sent again."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, select, update

from domain.customer_messages import (
    ERROR_LIMIT,
    MessageEvent,
    MessageStatus,
    message_event,
    wanted,
)
from persistence.database import Database
from persistence.message_tables import CustomerMessageRow, MessageTemplateRow
from persistence.outbox import StoredEvent
from persistence.statements import Statements, Write, insert_into, insert_rows, one_of

MESSAGES: Table = CustomerMessageRow.__table__  # type: ignore[attr-defined]
TEMPLATES: Table = MessageTemplateRow.__table__  # type: ignore[attr-defined]
EMAIL = "EMAIL"
MAILBOX_TRANSPORT = "mailbox"  # development: the row is the delivery, /dev/mailbox shows it


@dataclass(frozen=True, slots=True)
class MessageRecord:
    """A customer message as lists, senders and the development mailbox see it."""

    message_id: str
    tenant_id: str
    merchant: str
    return_request_id: str | None
    order_reference: str | None
    event_position: int | None
    event: MessageEvent
    channel: str
    status: MessageStatus
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    recipient: str | None
    language: str | None
    transport: str | None
    subject: str | None
    text_body: str | None
    html_body: str | None
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class Rendered:
    """What one attempt sends: kept on the message when the server accepts it."""

    recipient: str
    language: str
    subject: str
    text_body: str
    html_body: str


def _record(row: Any) -> MessageRecord:
    return MessageRecord(
        message_id=row["message_id"],
        tenant_id=row["tenant_id"],
        merchant=row["merchant"],
        return_request_id=row["return_request_id"],
        order_reference=row["order_reference"],
        event_position=row["event_position"],
        event=MessageEvent(row["event"]),
        channel=row["channel"],
        status=MessageStatus(row["status"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        last_attempt_at=row["last_attempt_at"],
        last_error=row["last_error"],
        recipient=row["recipient"],
        language=row["language"],
        transport=row["transport"],
        subject=row["subject"],
        text_body=row["text_body"],
        html_body=row["html_body"],
        created_at=row["created_at"],
        sent_at=row["sent_at"],
    )


@functools.lru_cache(maxsize=4)
def _configured(dialect_name: str) -> Any:
    """The events a tenant's merchants wrote templates for (built once per dialect)."""
    return select(TEMPLATES.c.merchant, TEMPLATES.c.event).where(
        TEMPLATES.c.tenant_id == bindparam("tenant"),
        one_of(TEMPLATES.c.merchant, "merchants", dialect_name),
    )


_ROUTED_COLUMNS = (
    "message_id",
    "tenant_id",
    "merchant",
    "dedupe_key",
    "return_request_id",
    "order_reference",
    "event_position",
    "event",
    "channel",
    "status",
    "attempts",
    "next_attempt_at",
    "created_at",
)


async def route_messages(
    sql: Statements,
    tenant_id: str,
    events: Sequence[StoredEvent],
    now: datetime,
    *,
    settle: timedelta = timedelta(0),
) -> list[Write]:
    """One pending message per event that speaks to the customer: the write that inserts
    them, for the caller to run in its transaction (none when no event calls for one). An
    approval waits `settle` before it is sent, so the label and tracking number the
    merchant records right after approving are in it."""
    found = [
        (event, message_event(event.event_type, event.new_status, event.payload))
        for event in events
    ]
    candidates = [(event, kind) for event, kind in found if kind is not None]
    if not candidates:
        return []
    configured: dict[str, set[MessageEvent]] = {}
    if any(not kind.sent_by_default for _, kind in candidates):
        merchants = sorted({event.merchant for event, _ in candidates})
        rows = await sql.rows(
            _configured(sql.dialect_name), {"tenant": tenant_id, "merchants": merchants}
        )
        for row in rows:
            configured.setdefault(row["merchant"], set()).add(MessageEvent(row["event"]))
    values = [
        {
            "message_id": str(uuid.uuid4()),
            "tenant_id": tenant_id,
            "merchant": event.merchant,
            "dedupe_key": f"{event.position}:{kind.value}",
            "return_request_id": event.return_request_id,
            "order_reference": None,
            "event_position": event.position,
            "event": kind.value,
            "channel": EMAIL,
            "status": MessageStatus.PENDING.value,
            "attempts": 0,
            "next_attempt_at": now + settle if kind == MessageEvent.APPROVED else now,
            "created_at": now,
        }
        for event, kind in candidates
        if wanted(kind, configured.get(event.merchant, ()))
    ]
    if not values:
        return []
    return [Write(insert_into(MESSAGES, _ROUTED_COLUMNS), values, _insert_routed)]


def _insert_routed(count: int) -> Any:
    return insert_rows(MESSAGES, _ROUTED_COLUMNS, count)


async def queue_link_message(
    db: Database, tenant_id: str, merchant: str, order_reference: str, *, now: datetime
) -> str:
    """A message carrying a fresh portal link to the order's customer (the link itself is
    made when it is sent, so it is fresh then); returns the message id."""
    return await _queue_one(
        db,
        tenant_id,
        MessageEvent.PORTAL_LINK,
        now=now,
        merchant=merchant,
        order_reference=order_reference,
    )


async def queue_staff_message(
    db: Database,
    tenant_id: str,
    event: MessageEvent,
    recipient: str,
    language: str,
    *,
    now: datetime,
) -> str:
    """A message to a staff member of the tenant (no merchant, no request): the link it
    carries is made when it is sent, so no link waits in the table; returns its id."""
    return await _queue_one(
        db, tenant_id, event, now=now, merchant="", recipient=recipient, language=language
    )


async def _queue_one(
    db: Database, tenant_id: str, event: MessageEvent, *, now: datetime, **known: str
) -> str:
    """One message that no event routed (so its own unique key), due now."""
    message_id = str(uuid.uuid4())
    values = {
        "message_id": message_id,
        "tenant_id": tenant_id,
        "dedupe_key": f"link:{message_id}",
        "return_request_id": None,
        "order_reference": None,
        "event_position": None,
        "event": event.value,
        "channel": EMAIL,
        "status": MessageStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    } | known
    async with db.write_session() as session, session.begin():
        await session.execute(MESSAGES.insert().values(values))
    db.messages_routed(tenant_id, 0)
    return message_id


class MessageStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim_due(
        self, now: datetime, *, limit: int, lease: timedelta
    ) -> list[MessageRecord]:
        """Pending messages whose time has come, of every tenant, oldest first, each leased
        before it is returned."""
        due = (
            select(MESSAGES)
            .where(
                MESSAGES.c.status == MessageStatus.PENDING.value,
                MESSAGES.c.next_attempt_at <= now,
            )
            .order_by(MESSAGES.c.id)
            .limit(limit)
        )
        if not await self._any_due(now):
            return []
        async with self._db.write_session() as session, session.begin():
            if session.bind.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            rows = (await session.execute(due)).mappings().all()
            if rows:
                await session.execute(
                    update(MESSAGES)
                    .where(MESSAGES.c.id.in_([row["id"] for row in rows]))
                    .values(next_attempt_at=now + lease)
                )
        return [_record(row) for row in rows]

    async def _any_due(self, now: datetime) -> bool:
        statement = (
            select(MESSAGES.c.id)
            .where(
                MESSAGES.c.status == MessageStatus.PENDING.value,
                MESSAGES.c.next_attempt_at <= now,
            )
            .limit(1)
        )
        async with self._db.read_session() as session:
            return (await session.execute(statement)).first() is not None

    async def record_sent(
        self, message: MessageRecord, rendered: Rendered, *, transport: str, now: datetime
    ) -> bool:
        """The server accepted it: SENT, with what was sent. False when the message was no
        longer PENDING (it cannot be: a lease keeps others off it while it is sent)."""
        return await self._update(
            message,
            status=MessageStatus.SENT.value,
            attempts=message.attempts + 1,
            last_attempt_at=now,
            next_attempt_at=None,
            last_error=None,
            sent_at=now,
            transport=transport,
            recipient=rendered.recipient,
            language=rendered.language,
            subject=rendered.subject,
            text_body=rendered.text_body,
            html_body=rendered.html_body,
        )

    async def record_failed(
        self,
        message: MessageRecord,
        *,
        error: str,
        now: datetime,
        retry_at: datetime | None,
        recipient: str | None = None,
    ) -> bool:
        """An attempt that did not get through: PENDING again at `retry_at`, else FAILED."""
        status = MessageStatus.PENDING if retry_at else MessageStatus.FAILED
        return await self._update(
            message,
            status=status.value,
            attempts=message.attempts + 1,
            last_attempt_at=now,
            next_attempt_at=retry_at,
            last_error=error[:ERROR_LIMIT],
            recipient=recipient or message.recipient,
        )

    async def _update(self, message: MessageRecord, **values: Any) -> bool:
        async with self._db.write_session() as session, session.begin():
            result = await session.execute(
                update(MESSAGES)
                .where(
                    MESSAGES.c.message_id == message.message_id,
                    MESSAGES.c.status == MessageStatus.PENDING.value,
                )
                .values(**values)
            )
        return bool(result.rowcount)

    async def for_request(
        self, tenant_id: str, return_request_id: str, *, limit: int = 100
    ) -> list[MessageRecord]:
        """A request's messages, oldest first."""
        statement = (
            select(MESSAGES)
            .where(
                MESSAGES.c.tenant_id == tenant_id,
                MESSAGES.c.return_request_id == return_request_id,
            )
            .order_by(MESSAGES.c.id)
            .limit(limit)
        )
        async with self._db.read_session() as session:
            return [_record(row) for row in (await session.execute(statement)).mappings()]

    async def sent_by(self, transport: str, *, limit: int = 200) -> list[MessageRecord]:
        """The newest messages one transport delivered (the development mailbox)."""
        statement = (
            select(MESSAGES)
            .where(MESSAGES.c.transport == transport, MESSAGES.c.status == MessageStatus.SENT.value)
            .order_by(MESSAGES.c.id.desc())
            .limit(limit)
        )
        async with self._db.read_session() as session:
            return [_record(row) for row in (await session.execute(statement)).mappings()]

    async def sent_message(self, transport: str, message_id: str) -> MessageRecord | None:
        statement = select(MESSAGES).where(
            MESSAGES.c.transport == transport, MESSAGES.c.message_id == message_id
        )
        async with self._db.read_session() as session:
            row = (await session.execute(statement)).mappings().first()
        return _record(row) if row else None
