"""Tenants, API clients and access tokens in SQL. Secrets never touch the database in clear:
only their hashes are stored and compared."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, insert, select, update

from domain.access import (
    ApiClient,
    IssuedCredentials,
    Principal,
    Role,
    Tenant,
    TokenIdentity,
    issue_credentials,
    new_secret,
    same_secret,
    secret_hash,
)
from domain.errors import DomainError, ErrorCode, NotFound
from persistence.database import Database
from persistence.tables import AccessTokenRow, ApiClientRow, TenantRow

TOKEN_LIFETIME = timedelta(hours=1)
MAX_LIVE_CLIENTS = 100  # per tenant: integrations, not one per user
MAX_LISTED_CLIENTS = 200  # every live one, then the most recent revoked ones
_CLIENTS: Table = ApiClientRow.__table__  # type: ignore[attr-defined]
_TOKENS: Table = AccessTokenRow.__table__  # type: ignore[attr-defined]
_IDENTITY = (
    select(
        _CLIENTS.c.client_id,
        _CLIENTS.c.tenant_id,
        _CLIENTS.c.role,
        _CLIENTS.c.api_key_hash,
        _CLIENTS.c.revoked_at,
        _TOKENS.c.expires_at,
    )
    .join_from(_CLIENTS, _TOKENS, _TOKENS.c.client_id == _CLIENTS.c.client_id)
    .where(_TOKENS.c.token_hash == bindparam("token"))
)


class AccessStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create_tenant(self, tenant: Tenant) -> Tenant:
        async with self._db.write_session() as session, session.begin():
            if await session.get(TenantRow, tenant.id) is not None:
                raise DomainError(
                    f"tenant {tenant.id} already exists",
                    field="tenant_id",
                    code=ErrorCode.ALREADY_EXISTS,
                )
            await session.execute(
                insert(TenantRow).values(
                    id=tenant.id, name=tenant.name, created_at=tenant.created_at
                )
            )
        return tenant

    async def tenant(self, tenant_id: str) -> Tenant | None:
        async with self._db.read_session() as session:
            row = await session.get(TenantRow, tenant_id)
        return Tenant(row.id, row.name, row.created_at) if row else None

    async def create_client(
        self, tenant_id: str, role: Role, name: str, now: datetime
    ) -> IssuedCredentials:
        if await self.tenant(tenant_id) is None:
            raise NotFound(f"tenant {tenant_id} not found", field="tenant_id")
        issued = issue_credentials(tenant_id, role, name, now)
        client = issued.client
        async with self._db.write_session() as session, session.begin():
            live = await session.scalar(
                select(func.count())
                .select_from(_CLIENTS)
                .where(_CLIENTS.c.tenant_id == tenant_id, _CLIENTS.c.revoked_at.is_(None))
            )
            if (live or 0) >= MAX_LIVE_CLIENTS:
                raise DomainError(
                    f"a tenant has at most {MAX_LIVE_CLIENTS} API clients that are not "
                    "revoked; revoke one first",
                    code=ErrorCode.LIMIT_EXCEEDED,
                )
            await session.execute(
                insert(ApiClientRow).values(
                    client_id=client.client_id,
                    tenant_id=tenant_id,
                    role=role.value,
                    name=client.name,
                    secret_hash=secret_hash(issued.client_secret),
                    api_key_hash=secret_hash(issued.api_key),
                    created_at=now,
                )
            )
        return issued

    async def issue_token(
        self,
        client_id: str,
        client_secret: str,
        now: datetime,
        *,
        lifetime: timedelta = TOKEN_LIFETIME,
    ) -> tuple[str, ApiClient] | None:
        """An access token for valid client credentials, or None (never says which was wrong)."""
        client = await self.client_with_secret(client_id, client_secret)
        if client is None:
            return None
        token = new_secret("rat")
        async with self._db.write_session() as session, session.begin():
            await session.execute(delete(AccessTokenRow).where(AccessTokenRow.expires_at <= now))
            await session.execute(
                insert(AccessTokenRow).values(
                    token_hash=secret_hash(token),
                    client_id=client_id,
                    expires_at=now + lifetime,
                )
            )
        return token, client

    async def principal(
        self, bearer: str, api_key: str, tenant_id: str, now: datetime
    ) -> Principal | None:
        """The caller when token, API key and tenant all belong together; else None."""
        identity = await self.identity(secret_hash(bearer))
        return identity.principal(api_key, tenant_id, now) if identity else None

    async def identity(self, token_hash: str) -> TokenIdentity | None:
        """Whose token this is (by its hash), or None for a token never issued."""
        async with self._db.reading() as reads:
            rows = await reads.rows(_IDENTITY, {"token": token_hash})
        if not rows:
            return None
        found = rows[0]
        return TokenIdentity(
            client_id=found["client_id"],
            tenant_id=found["tenant_id"],
            role=Role(found["role"]),
            api_key_hash=found["api_key_hash"],
            expires_at=found["expires_at"],
            revoked=found["revoked_at"] is not None,
        )

    async def client_with_secret(self, client_id: str, client_secret: str) -> ApiClient | None:
        """The client these credentials name, when the secret is right and the client is not
        revoked; else None (never says which was wrong)."""
        async with self._db.read_session() as session:
            row = await session.get(ApiClientRow, client_id)
        if row is None or row.revoked_at is not None:
            return None
        if not same_secret(client_secret, row.secret_hash):
            return None
        return ApiClient(row.client_id, row.tenant_id, Role(row.role), row.name, row.created_at)

    async def revoke_token(self, token_hash: str, client_id: str | None = None) -> bool:
        """Forget one access token (by its hash), so it is never accepted again; with
        `client_id`, only when it is that client's. False when there was nothing to forget."""
        condition = _TOKENS.c.token_hash == token_hash
        if client_id is not None:
            condition &= _TOKENS.c.client_id == client_id
        async with self._db.write_session() as session, session.begin():
            result = await session.execute(delete(_TOKENS).where(condition))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def clients(self, tenant_id: str) -> list[ApiClient]:
        """The tenant's API clients: every live one, then revoked ones (each newest first,
        at most MAX_LISTED_CLIENTS in all); never a secret."""
        query = (
            select(_CLIENTS)
            .where(_CLIENTS.c.tenant_id == tenant_id)
            .order_by(
                _CLIENTS.c.revoked_at.is_not(None),
                _CLIENTS.c.created_at.desc(),
                _CLIENTS.c.client_id,
            )
            .limit(MAX_LISTED_CLIENTS)
        )
        async with self._db.read_session() as session:
            rows = (await session.execute(query)).mappings().all()
        return [_client(row) for row in rows]

    async def client(self, client_id: str, tenant_id: str | None = None) -> ApiClient | None:
        """One client (of `tenant_id` when given), revoked or not."""
        condition = _CLIENTS.c.client_id == client_id
        if tenant_id is not None:
            condition &= _CLIENTS.c.tenant_id == tenant_id
        async with self._db.read_session() as session:
            row = (await session.execute(select(_CLIENTS).where(condition))).mappings().first()
        return _client(row) if row is not None else None

    async def revoke_client(
        self, client_id: str, now: datetime, *, tenant_id: str | None = None
    ) -> bool:
        """Revoke an API client (of `tenant_id` when given): its tokens stop working
        (within the identity cache's lifetime in every serving process). False when there
        is no such client. Revoking twice keeps the first time."""
        condition = _CLIENTS.c.client_id == client_id
        if tenant_id is not None:
            condition &= _CLIENTS.c.tenant_id == tenant_id
        async with self._db.write_session() as session, session.begin():
            result = await session.execute(
                update(_CLIENTS)
                .where(condition, _CLIENTS.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                return True
            found = await session.scalar(
                select(func.count()).select_from(_CLIENTS).where(condition)
            )
            return bool(found)


def _client(row: Any) -> ApiClient:
    return ApiClient(
        client_id=row["client_id"],
        tenant_id=row["tenant_id"],
        role=Role(row["role"]),
        name=row["name"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )
