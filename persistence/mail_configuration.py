"""Merchants' e-mail configuration in SQL (sender identity, own templates) and the language
each order's customer reads. None of it belongs to the returns aggregate or raises events,
so each save is one upsert in its own transaction, recorded on the request's idempotency
key as portal settings are (persistence/portal_settings.py)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.customer_messages import MailSettings, MessageEvent, MessageTemplate
from persistence.database import Database
from persistence.idempotency import KeyClaim, record_commit
from persistence.message_tables import CustomerLanguageRow, MailSettingsRow, MessageTemplateRow
from persistence.statements import SqlAlchemyStatements


async def mail_settings(session: AsyncSession, tenant_id: str, merchant: str) -> MailSettings:
    row = await session.scalar(
        select(MailSettingsRow).where(
            MailSettingsRow.tenant_id == tenant_id, MailSettingsRow.merchant == merchant
        )
    )
    if row is None:
        return MailSettings(merchant=merchant)
    return MailSettings(
        merchant=row.merchant,
        from_address=row.from_address,
        from_name=row.from_name,
        reply_to=row.reply_to,
    )


async def message_templates(
    session: AsyncSession, tenant_id: str, merchant: str
) -> list[MessageTemplate]:
    rows = await session.scalars(
        select(MessageTemplateRow)
        .where(MessageTemplateRow.tenant_id == tenant_id, MessageTemplateRow.merchant == merchant)
        .order_by(MessageTemplateRow.event, MessageTemplateRow.language)
    )
    return [
        MessageTemplate(
            merchant=row.merchant,
            event=MessageEvent(row.event),
            language=row.language,
            subject=row.subject,
            html=row.html,
            text=row.text,
        )
        for row in rows
    ]


async def message_template(
    session: AsyncSession, tenant_id: str, merchant: str, event: MessageEvent, language: str
) -> MessageTemplate | None:
    found = [
        template
        for template in await message_templates(session, tenant_id, merchant)
        if template.event == event and template.language == language
    ]
    return found[0] if found else None


async def customer_language(
    session: AsyncSession, tenant_id: str, merchant: str, order_reference: str
) -> str | None:
    return await session.scalar(
        select(CustomerLanguageRow.language).where(
            CustomerLanguageRow.tenant_id == tenant_id,
            CustomerLanguageRow.merchant == merchant,
            CustomerLanguageRow.order_reference == order_reference,
        )
    )


async def save_mail_settings(
    db: Database,
    tenant_id: str,
    settings: MailSettings,
    *,
    now: datetime,
    idempotency: KeyClaim | None = None,
) -> None:
    values = asdict(settings) | {"updated_at": now}
    await _upsert(
        db, MailSettingsRow, tenant_id, values, ["tenant_id", "merchant"], now, idempotency
    )


async def save_message_template(
    db: Database,
    tenant_id: str,
    template: MessageTemplate,
    *,
    now: datetime,
    idempotency: KeyClaim | None = None,
) -> None:
    values = asdict(template) | {"event": template.event.value, "updated_at": now}
    keys = ["tenant_id", "merchant", "event", "language"]
    await _upsert(db, MessageTemplateRow, tenant_id, values, keys, now, idempotency)


async def delete_message_template(
    db: Database,
    tenant_id: str,
    merchant: str,
    event: MessageEvent,
    language: str,
    *,
    now: datetime,
    idempotency: KeyClaim | None = None,
) -> bool:
    """Back to our default wording (or, for an event sent only on request, to silence)."""
    row = MessageTemplateRow
    async with db.write_session() as session, session.begin():
        if idempotency is not None:
            await record_commit(SqlAlchemyStatements.of(session), idempotency, now)
        result = await session.execute(
            delete(row).where(
                row.tenant_id == tenant_id,
                row.merchant == merchant,
                row.event == event.value,
                row.language == language,
            )
        )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def remember_customer_language(
    db: Database,
    tenant_id: str,
    merchant: str,
    order_reference: str,
    language: str,
    *,
    now: datetime,
) -> None:
    values = {
        "merchant": merchant,
        "order_reference": order_reference,
        "language": language,
        "updated_at": now,
    }
    keys = ["tenant_id", "merchant", "order_reference"]
    await _upsert(db, CustomerLanguageRow, tenant_id, values, keys, now, None)


async def _upsert(
    db: Database,
    row: Any,
    tenant_id: str,
    values: dict[str, Any],
    keys: list[str],
    now: datetime,
    idempotency: KeyClaim | None,
) -> None:
    """One atomic upsert, so two first saves both apply (the last wins)."""
    async with db.write_session() as session, session.begin():
        if idempotency is not None:
            await record_commit(SqlAlchemyStatements.of(session), idempotency, now)
        upsert = postgresql_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
        statement = upsert(row).values(values | {"tenant_id": tenant_id})
        await session.execute(statement.on_conflict_do_update(index_elements=keys, set_=values))
