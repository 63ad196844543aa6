"""Staff users, their sessions and their single-use links in SQL. Tokens are stored as
SHA-256 digests (they carry 256 random bits), passwords as argon2 hashes made in core/."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from domain.errors import DomainError, ErrorCode, NotFound
from domain.staff import LinkPurpose, StaffRole, StaffSession, StaffUser
from persistence.database import Database
from persistence.tables import StaffLinkRow, StaffSessionRow, StaffUserRow, TenantRow

# Other processes hear here that desk sessions ended (payload: the user's id, then the one
# session's token hash or "*" for all of them) and close their websockets of them.
SESSIONS_CHANNEL = "returns_staff_sessions"
_NOTIFY = text("SELECT pg_notify(:channel, :payload)")


def sessions_payload(user_id: str, token_hash: str | None) -> str:
    return f"{user_id} {token_hash or '*'}"


def parse_sessions_payload(payload: str) -> tuple[str, str | None] | None:
    user_id, _, token_hash = payload.partition(" ")
    if not user_id or not token_hash:
        return None
    return user_id, None if token_hash == "*" else token_hash


def _user(row: Any) -> StaffUser:
    return StaffUser(
        id=row.id,
        tenant_id=row.tenant_id,
        email=row.email,
        name=row.name,
        role=StaffRole(row.role),
        disabled=bool(row.disabled),
        created_at=row.created_at,
        has_password=row.password_hash is not None,
    )


class StaffStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add_user(self, user: StaffUser) -> StaffUser:
        """Store a new user; ALREADY_EXISTS when the tenant has that e-mail already."""
        try:
            async with self._db.write_session() as session, session.begin():
                if await session.get(TenantRow, user.tenant_id) is None:
                    raise NotFound(f"tenant {user.tenant_id} not found", field="tenant_id")
                await session.execute(
                    insert(StaffUserRow).values(
                        id=user.id,
                        tenant_id=user.tenant_id,
                        email=user.email,
                        name=user.name,
                        role=user.role.value,
                        disabled=user.disabled,
                        created_at=user.created_at,
                    )
                )
        except IntegrityError:
            raise DomainError(
                f"{user.email} is a user of this tenant already",
                field="email",
                code=ErrorCode.ALREADY_EXISTS,
            ) from None
        return user

    async def user(self, tenant_id: str, user_id: str) -> StaffUser | None:
        async with self._db.read_session() as session:
            row = await session.get(StaffUserRow, user_id)
        return _user(row) if row is not None and row.tenant_id == tenant_id else None

    async def users(self, tenant_id: str) -> list[StaffUser]:
        statement = (
            select(StaffUserRow)
            .where(StaffUserRow.tenant_id == tenant_id)
            .order_by(StaffUserRow.email)
        )
        async with self._db.read_session() as session:
            rows = (await session.execute(statement)).scalars().all()
        return [_user(row) for row in rows]

    async def count_admins(self, tenant_id: str) -> int:
        statement = select(func.count()).where(
            StaffUserRow.tenant_id == tenant_id,
            StaffUserRow.role == StaffRole.ADMIN.value,
            StaffUserRow.disabled.is_(False),  # type: ignore[attr-defined]
        )
        async with self._db.read_session() as session:
            return int((await session.execute(statement)).scalar_one())

    async def user_by_email(self, tenant_id: str, email: str) -> StaffUser | None:
        statement = select(StaffUserRow).where(
            StaffUserRow.tenant_id == tenant_id, StaffUserRow.email == email
        )
        async with self._db.read_session() as session:
            row = (await session.execute(statement)).scalars().first()
        return _user(row) if row is not None else None

    async def with_password_hash(self, tenant_id: str, email: str) -> tuple[StaffUser, str] | None:
        """The user signing in with `email`, and the hash to check the password against."""
        statement = select(StaffUserRow).where(
            StaffUserRow.tenant_id == tenant_id, StaffUserRow.email == email
        )
        async with self._db.read_session() as session:
            row = (await session.execute(statement)).scalars().first()
        if row is None or row.password_hash is None:
            return None
        return _user(row), row.password_hash

    async def save_user(self, user: StaffUser) -> None:
        """Write name, role and the disabled flag; disabling ends the user's sessions."""
        async with self._db.write_session() as session, session.begin():
            await session.execute(
                update(StaffUserRow)
                .where(StaffUserRow.id == user.id, StaffUserRow.tenant_id == user.tenant_id)
                .values(name=user.name, role=user.role.value, disabled=user.disabled)
            )
            if user.disabled:
                await session.execute(
                    delete(StaffSessionRow).where(StaffSessionRow.user_id == user.id)
                )

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        """A new password ends every session of the user: whoever knew the old one is out."""
        async with self._db.write_session() as session, session.begin():
            await session.execute(
                update(StaffUserRow)
                .where(StaffUserRow.id == user_id)
                .values(password_hash=password_hash)
            )
            await session.execute(delete(StaffSessionRow).where(StaffSessionRow.user_id == user_id))

    async def rehash(self, user_id: str, old_hash: str, new_hash: str) -> None:
        """Replace a hash made with older parameters, sessions untouched."""
        async with self._db.write_session() as session, session.begin():
            await session.execute(
                update(StaffUserRow)
                .where(StaffUserRow.id == user_id, StaffUserRow.password_hash == old_hash)
                .values(password_hash=new_hash)
            )

    # ------------------------------------------------------------------ sessions

    async def add_session(
        self, user: StaffUser, token_hash: str, now: datetime, ends: datetime
    ) -> None:
        async with self._db.write_session() as session, session.begin():
            await session.execute(delete(StaffSessionRow).where(StaffSessionRow.expires_at <= now))
            await session.execute(
                insert(StaffSessionRow).values(
                    token_hash=token_hash,
                    tenant_id=user.tenant_id,
                    user_id=user.id,
                    created_at=now,
                    expires_at=ends,
                )
            )

    async def session(self, token_hash: str) -> tuple[StaffSession, datetime] | None:
        """(the session with its user, when it began)."""
        statement = (
            select(StaffSessionRow, StaffUserRow)
            .join(StaffUserRow, StaffUserRow.id == StaffSessionRow.user_id)
            .where(StaffSessionRow.token_hash == token_hash)
        )
        async with self._db.read_session() as session:
            found = (await session.execute(statement)).first()
        if found is None:
            return None
        row, user = found
        return StaffSession(_user(user), row.expires_at), row.created_at

    async def extend_session(self, token_hash: str, ends: datetime) -> None:
        async with self._db.write_session() as session, session.begin():
            await session.execute(
                update(StaffSessionRow)
                .where(StaffSessionRow.token_hash == token_hash)
                .values(expires_at=ends)
            )

    async def live_sessions(self, token_hashes: Collection[str], now: datetime) -> set[str]:
        """Which of these sessions are still valid at `now`: not ended, not past their end
        (idle or absolute, as last extended), their user not disabled."""
        if not token_hashes:
            return set()
        statement = (
            select(StaffSessionRow.token_hash)
            .join(StaffUserRow, StaffUserRow.id == StaffSessionRow.user_id)
            .where(
                StaffSessionRow.token_hash.in_(list(token_hashes)),  # type: ignore[attr-defined]
                StaffSessionRow.expires_at > now,
                StaffUserRow.disabled.is_(False),  # type: ignore[attr-defined]
            )
        )
        async with self._db.read_session() as session:
            return set((await session.execute(statement)).scalars())

    async def announce_ended(self, user_id: str, token_hash: str | None) -> None:
        """Tell the other serving processes that sessions ended (PostgreSQL NOTIFY; one
        SQLite file has one serving process, told in memory)."""
        if self._db.is_sqlite:
            return
        payload = sessions_payload(user_id, token_hash)
        async with self._db.write_session() as session, session.begin():
            await session.execute(_NOTIFY, {"channel": SESSIONS_CHANNEL, "payload": payload})

    async def end_session(self, token_hash: str) -> bool:
        async with self._db.write_session() as session, session.begin():
            result = await session.execute(
                delete(StaffSessionRow).where(StaffSessionRow.token_hash == token_hash)
            )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ links

    async def add_link(
        self, user: StaffUser, purpose: LinkPurpose, token_hash: str, expires_at: datetime
    ) -> None:
        async with self._db.write_session() as session, session.begin():
            await session.execute(
                insert(StaffLinkRow).values(
                    token_hash=token_hash,
                    tenant_id=user.tenant_id,
                    user_id=user.id,
                    purpose=purpose.value,
                    expires_at=expires_at,
                )
            )

    async def use_link(self, token_hash: str, now: datetime, password_hash: str) -> StaffUser:
        """Spend a link: set the password it was made for, once. A second use, an expired
        link or one of a disabled user is refused, and then nothing is written."""
        async with self._db.write_session() as session, session.begin():
            spent = await session.execute(
                update(StaffLinkRow)
                .where(
                    StaffLinkRow.token_hash == token_hash,
                    StaffLinkRow.used_at.is_(None),  # type: ignore[union-attr]
                    StaffLinkRow.expires_at > now,
                )
                .values(used_at=now)
                .returning(StaffLinkRow.user_id)
            )
            user_id = spent.scalar_one_or_none()
            row = await session.get(StaffUserRow, user_id) if user_id else None
            if row is None or row.disabled:  # leaving the block rolls the spending back
                raise DomainError(
                    "this link has been used, has expired or was never issued",
                    field="token",
                    code=ErrorCode.UNAUTHENTICATED,
                )
            row.password_hash = password_hash
            await session.execute(delete(StaffSessionRow).where(StaffSessionRow.user_id == row.id))
            # Other links of the user stop working too: the newest password is the one.
            await session.execute(
                update(StaffLinkRow)
                .where(StaffLinkRow.user_id == row.id, StaffLinkRow.used_at.is_(None))  # type: ignore[union-attr]
                .values(used_at=now)
            )
            return _user(row)
