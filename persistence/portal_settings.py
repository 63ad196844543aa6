"""Merchants' return-portal settings in SQL: read by the portal on every page, written by
GraphQL's updatePortalSettings. Not part of the returns aggregate and raising no events, so
a save is one upsert in its own transaction, which records the commit on the request's
idempotency key as a unit of work does (persistence/idempotency.py)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.portal import PortalSettings
from persistence.database import Database
from persistence.idempotency import KeyClaim, record_commit
from persistence.statements import SqlAlchemyStatements
from persistence.tables import PortalSettingsRow


async def portal_settings(
    session: AsyncSession, tenant_id: str, merchant: str
) -> PortalSettings | None:
    row = await session.scalar(
        select(PortalSettingsRow).where(
            PortalSettingsRow.tenant_id == tenant_id, PortalSettingsRow.merchant == merchant
        )
    )
    return portal_settings_from_row(row) if row else None


async def save_portal_settings(
    db: Database,
    tenant_id: str,
    settings: PortalSettings,
    *,
    now: datetime,
    idempotency: KeyClaim | None = None,
) -> None:
    """One atomic upsert, so two first saves for a merchant both apply (the last wins).
    Under an idempotency key it commits only while the key is still this request's
    (else `LeaseLost`, nothing written), and marks the key's work as committed."""
    values = asdict(settings) | {"updated_at": now}
    async with db.write_session() as session, session.begin():
        if idempotency is not None:
            await record_commit(SqlAlchemyStatements.of(session), idempotency, now)
        upsert = postgresql_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
        statement = upsert(PortalSettingsRow).values(values | {"tenant_id": tenant_id})
        await session.execute(
            statement.on_conflict_do_update(index_elements=["tenant_id", "merchant"], set_=values)
        )


def portal_settings_from_row(row: PortalSettingsRow) -> PortalSettings:
    return PortalSettings(
        merchant=row.merchant,
        display_name=row.display_name,
        logo_url=row.logo_url,
        accent_colour=row.accent_colour,
        support_email=row.support_email,
        support_phone=row.support_phone,
        return_policy=row.return_policy,
    )
