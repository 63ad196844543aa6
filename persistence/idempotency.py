"""Idempotency keys: a retried request with the same key and the same body gets the
original answer without the work being done again; the same key with another body is
refused. A key is claimed in its own short transaction before the work starts, so two
concurrent retries cannot both run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from persistence.database import Database
from persistence.tables import IdempotencyKeyRow

KEY_LIFETIME = timedelta(hours=24)


class ClaimOutcome(StrEnum):
    NEW = "NEW"  # first use: do the work, then complete() or release()
    REPLAY = "REPLAY"  # same key, same body, answered before: send the stored answer
    MISMATCH = "MISMATCH"  # same key, different body: refuse
    IN_PROGRESS = "IN_PROGRESS"  # same key, the first request is still running


@dataclass(frozen=True, slots=True)
class Claim:
    outcome: ClaimOutcome
    status_code: int | None = None
    response: str | None = None


class IdempotencyStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim(self, tenant_id: str, key: str, fingerprint: str, now: datetime) -> Claim:
        row = IdempotencyKeyRow
        async with self._db.write_session() as session, session.begin():
            await session.execute(
                delete(row).where(row.tenant_id == tenant_id, row.key == key, row.expires_at <= now)
            )
            try:
                async with session.begin_nested():
                    await session.execute(
                        insert(row).values(
                            tenant_id=tenant_id,
                            key=key,
                            fingerprint=fingerprint,
                            created_at=now,
                            expires_at=now + KEY_LIFETIME,
                        )
                    )
                return Claim(ClaimOutcome.NEW)
            except IntegrityError:
                existing = await session.scalar(
                    select(row).where(row.tenant_id == tenant_id, row.key == key)
                )
        if existing is None:  # expired and purged between our statements: a fresh start
            return await self.claim(tenant_id, key, fingerprint, now)
        if existing.fingerprint != fingerprint:
            return Claim(ClaimOutcome.MISMATCH)
        if existing.status_code is None:
            return Claim(ClaimOutcome.IN_PROGRESS)
        return Claim(ClaimOutcome.REPLAY, existing.status_code, existing.response)

    async def complete(self, tenant_id: str, key: str, status_code: int, response: str) -> None:
        row = IdempotencyKeyRow
        async with self._db.write_session() as session, session.begin():
            await session.execute(
                update(row)
                .where(row.tenant_id == tenant_id, row.key == key)
                .values(status_code=status_code, response=response)
            )

    async def release(self, tenant_id: str, key: str) -> None:
        """Forget a claim whose work failed unexpectedly, so the client may retry it."""
        row = IdempotencyKeyRow
        async with self._db.write_session() as session, session.begin():
            await session.execute(delete(row).where(row.tenant_id == tenant_id, row.key == key))

    async def purge_expired(self, now: datetime) -> int:
        async with self._db.write_session() as session, session.begin():
            result = await session.execute(
                delete(IdempotencyKeyRow).where(IdempotencyKeyRow.expires_at <= now)
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
