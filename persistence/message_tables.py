"""Rows of customer e-mails: the messages and their outcomes, merchants' sender identity and
own templates, and the language each order's customer reads. Every row is tenant-scoped."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from persistence.types import UTCDateTime


def _time(nullable: bool = True) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


class CustomerMessageRow(SQLModel, table=True):
    """One e-mail for one event: routed with the event's commit (the unique key makes it one
    per event and kind), claimed with a lease, and recorded SENT or FAILED. What was sent
    (subject and both parts) is kept, so the merchant sees what the customer saw."""

    __tablename__ = "customer_messages"
    __table_args__ = (
        UniqueConstraint("tenant_id", "dedupe_key"),
        Index("ix_customer_messages_due", "status", "next_attempt_at"),
        Index("ix_customer_messages_request", "tenant_id", "return_request_id", "id"),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    message_id: str = Field(max_length=36, unique=True)
    tenant_id: str = Field(max_length=64)
    merchant: str = Field(max_length=100)
    # What makes it one: "position:event" for an event's message, "link:<uuid>" for a link.
    dedupe_key: str = Field(max_length=64)
    return_request_id: str | None = Field(default=None, max_length=32)
    order_reference: str | None = Field(default=None, max_length=100)
    event_position: int | None = Field(default=None, sa_type=BigInteger)
    event: str = Field(max_length=32)
    channel: str = Field(max_length=16)
    status: str = Field(max_length=16)
    attempts: int = 0
    next_attempt_at: datetime | None = _time()
    last_attempt_at: datetime | None = _time()
    last_error: str | None = Field(default=None, max_length=500)
    recipient: str | None = Field(default=None, max_length=320)
    language: str | None = Field(default=None, max_length=8)
    transport: str | None = Field(default=None, max_length=16)
    subject: str | None = Field(default=None, max_length=300)
    text_body: str | None = Field(default=None, sa_type=Text)
    html_body: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _time(nullable=False)
    sent_at: datetime | None = _time()


class MailSettingsRow(SQLModel, table=True):
    """A merchant's sender identity (domain/customer_messages.py MailSettings)."""

    __tablename__ = "mail_settings"
    __table_args__ = (UniqueConstraint("tenant_id", "merchant"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    merchant: str = Field(max_length=100)
    from_address: str | None = Field(default=None, max_length=320)
    from_name: str | None = Field(default=None, max_length=200)
    reply_to: str | None = Field(default=None, max_length=320)
    updated_at: datetime = _time(nullable=False)


class MessageTemplateRow(SQLModel, table=True):
    """A merchant's own wording of one message, per event and language."""

    __tablename__ = "message_templates"
    __table_args__ = (UniqueConstraint("tenant_id", "merchant", "event", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    merchant: str = Field(max_length=100)
    event: str = Field(max_length=32)
    language: str = Field(max_length=8)
    subject: str = Field(max_length=300)
    html: str = Field(sa_type=Text)
    text: str = Field(sa_type=Text)
    updated_at: datetime = _time(nullable=False)


class CustomerLanguageRow(SQLModel, table=True):
    """The language an order's customer last used in the portal: their e-mails speak it."""

    __tablename__ = "customer_languages"
    __table_args__ = (UniqueConstraint("tenant_id", "merchant", "order_reference"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    merchant: str = Field(max_length=100)
    order_reference: str = Field(max_length=100)
    language: str = Field(max_length=8)
    updated_at: datetime = _time(nullable=False)
