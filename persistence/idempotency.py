"""Idempotency keys: a retried request with the same key and the same body gets the
original answer without the work being done again; the same key with another body is
refused.

A key is claimed in its own short transaction before the work starts, so two concurrent
retries cannot both run. The claim is a lease (`lease_token`, `lease_expires_at`): a process
that dies mid-request holds it only until it expires, and the next retry takes it over. The
work's own transaction (the unit of work) records that the key's work committed, over the
claimant's token, so a claimant whose lease was taken over cannot commit, and a retry after
a crash between the work's commit and the stored answer learns that the work is done
(ANSWER_LOST) instead of running it again.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, ErrorCode
from persistence.database import Database
from persistence.statements import Statements
from persistence.tables import IdempotencyKeyRow

KEY_LIFETIME = timedelta(hours=24)
DEFAULT_LEASE = timedelta(seconds=60)


class ClaimOutcome(StrEnum):
    NEW = "NEW"  # first use, or a dead claimant's lease taken over: do the work
    REPLAY = "REPLAY"  # same key, same body, answered before: send the stored answer
    MISMATCH = "MISMATCH"  # same key, different body: refuse
    IN_PROGRESS = "IN_PROGRESS"  # same key, its request still holds the lease
    ANSWER_LOST = "ANSWER_LOST"  # its work committed, its claimant died before the answer


@dataclass(frozen=True, slots=True)
class KeyClaim:
    """What a request holds while it does a key's work: the key and its lease token."""

    tenant_id: str
    key: str
    token: str
    taken_over: bool = False


@dataclass(frozen=True, slots=True)
class Claim:
    outcome: ClaimOutcome
    status_code: int | None = None
    response: str | None = None
    held: KeyClaim | None = None  # with NEW: pass it to the unit of work, then complete()
    retry_after: int | None = None  # with IN_PROGRESS: seconds until the lease ends


class LeaseLost(DomainError):
    """The request ran past its lease and a retry took its key over: its work must not
    commit too."""

    code = ErrorCode.IDEMPOTENCY_IN_PROGRESS


_RECORD_COMMIT = (
    update(IdempotencyKeyRow.__table__)  # type: ignore[arg-type]
    .where(
        IdempotencyKeyRow.tenant_id == bindparam("tenant"),
        IdempotencyKeyRow.key == bindparam("key_"),
        IdempotencyKeyRow.lease_token == bindparam("token"),
    )
    .values(committed_at=bindparam("now"))
)


async def record_commit(sql: Statements, claim: KeyClaim, now: datetime) -> None:
    """In the work's own transaction: the key's work commits with it, if the key is still
    this claimant's (the row stays locked until then, so a takeover waits and sees it)."""
    values = {"tenant": claim.tenant_id, "key_": claim.key, "token": claim.token, "now": now}
    if await sql.execute(_RECORD_COMMIT, values) != 1:
        raise LeaseLost(
            f"idempotency key {claim.key!r} was taken over by a retry after this request "
            "ran past its lease; nothing was written here, and the retry's answer is the key's"
        )


class IdempotencyStore:
    def __init__(self, db: Database, *, lease: timedelta = DEFAULT_LEASE) -> None:
        self._db = db
        self._lease = lease

    async def claim(self, tenant_id: str, key: str, fingerprint: str, now: datetime) -> Claim:
        token = secrets.token_hex(16)
        async with self._db.write_session() as session, session.begin():
            await self._forget_expired(session, tenant_id, key, now)
            if await self._insert(session, tenant_id, key, fingerprint, token, now):
                return Claim(ClaimOutcome.NEW, held=KeyClaim(tenant_id, key, token))
            existing = await self._locked(session, tenant_id, key)
            if existing is not None:
                return await self._decide(session, existing, fingerprint, token, now)
        # Expired and purged between our statements: a fresh start.
        return await self.claim(tenant_id, key, fingerprint, now)

    async def _decide(
        self,
        session: AsyncSession,
        existing: IdempotencyKeyRow,
        fingerprint: str,
        token: str,
        now: datetime,
    ) -> Claim:
        """What a request with a key already claimed gets, in the claim's transaction."""
        if existing.fingerprint != fingerprint:
            return Claim(ClaimOutcome.MISMATCH)
        if existing.status_code is not None:
            return Claim(ClaimOutcome.REPLAY, existing.status_code, existing.response)
        if _lease_live(existing, now):
            return Claim(ClaimOutcome.IN_PROGRESS, retry_after=_seconds_left(existing, now))
        if existing.committed_at is not None:
            return Claim(ClaimOutcome.ANSWER_LOST)
        await session.execute(
            update(IdempotencyKeyRow)
            .where(
                IdempotencyKeyRow.tenant_id == existing.tenant_id,
                IdempotencyKeyRow.key == existing.key,
            )
            .values(lease_token=token, lease_expires_at=now + self._lease)
        )
        return Claim(ClaimOutcome.NEW, held=KeyClaim(existing.tenant_id, existing.key, token, True))

    async def complete(self, claim: KeyClaim, status_code: int, response: str) -> bool:
        """Store the answer, unless the key was taken over meanwhile (the taker answers)."""
        row = IdempotencyKeyRow
        async with self._db.write_session() as session, session.begin():
            result = await session.execute(
                update(row)
                .where(row.tenant_id == claim.tenant_id, row.key == claim.key)
                .where(row.lease_token == claim.token)
                .values(status_code=status_code, response=response)
            )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def release(self, claim: KeyClaim, now: datetime) -> None:
        """The work failed unexpectedly. If none of it committed, forget the claim so the
        client may retry; if some did, end the lease at once, so retries learn ANSWER_LOST
        instead of waiting for it, and never run the work again."""
        row = IdempotencyKeyRow
        mine = (row.tenant_id == claim.tenant_id, row.key == claim.key)
        async with self._db.write_session() as session, session.begin():
            await session.execute(
                delete(row).where(*mine, row.lease_token == claim.token, row.committed_at.is_(None))
            )
            await session.execute(
                update(row)
                .where(*mine, row.lease_token == claim.token)
                .values(lease_expires_at=now)
            )

    async def purge_expired(self, now: datetime) -> int:
        async with self._db.write_session() as session, session.begin():
            result = await session.execute(
                delete(IdempotencyKeyRow).where(IdempotencyKeyRow.expires_at <= now)
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    @staticmethod
    async def _forget_expired(
        session: AsyncSession, tenant_id: str, key: str, now: datetime
    ) -> None:
        row = IdempotencyKeyRow
        await session.execute(
            delete(row).where(row.tenant_id == tenant_id, row.key == key, row.expires_at <= now)
        )

    async def _insert(
        self,
        session: AsyncSession,
        tenant_id: str,
        key: str,
        fingerprint: str,
        token: str,
        now: datetime,
    ) -> bool:
        try:
            async with session.begin_nested():
                await session.execute(
                    insert(IdempotencyKeyRow).values(
                        tenant_id=tenant_id,
                        key=key,
                        fingerprint=fingerprint,
                        created_at=now,
                        expires_at=now + KEY_LIFETIME,
                        lease_token=token,
                        lease_expires_at=now + self._lease,
                    )
                )
        except IntegrityError:
            return False
        return True

    @staticmethod
    async def _locked(session: AsyncSession, tenant_id: str, key: str) -> IdempotencyKeyRow | None:
        """The key's row, locked (PostgreSQL) so that what we decide on it holds: a unit of
        work recording its commit finishes first, and two takeovers queue."""
        row = IdempotencyKeyRow
        return await session.scalar(
            select(row).where(row.tenant_id == tenant_id, row.key == key).with_for_update()
        )


def _lease_live(row: IdempotencyKeyRow, now: datetime) -> bool:
    """Rows claimed before leases existed have none: their claimant is long gone."""
    return row.lease_expires_at is not None and row.lease_expires_at > now


def _seconds_left(row: IdempotencyKeyRow, now: datetime) -> int:
    assert row.lease_expires_at is not None
    return max(1, math.ceil((row.lease_expires_at - now).total_seconds()))
