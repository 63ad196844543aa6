"""Tenants, API clients and access tokens in SQL. Secrets never touch the database in clear:
only their hashes are stored and compared."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select

from domain.access import (
    ApiClient,
    IssuedCredentials,
    Principal,
    Role,
    Tenant,
    issue_credentials,
    new_secret,
    same_secret,
    secret_hash,
)
from domain.errors import DomainError, ErrorCode, NotFound
from persistence.database import Database
from persistence.tables import AccessTokenRow, ApiClientRow, TenantRow

TOKEN_LIFETIME = timedelta(hours=1)


class AccessStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create_tenant(self, tenant: Tenant) -> Tenant:
        async with self._db.write_session() as session, session.begin():
            if await session.get(TenantRow, tenant.id) is not None:
                raise DomainError(
                    f"tenant {tenant.id} already exists",
                    field="tenantId",
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
            raise NotFound(f"tenant {tenant_id} not found", field="tenantId")
        issued = issue_credentials(tenant_id, role, name, now)
        client = issued.client
        async with self._db.write_session() as session, session.begin():
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
        async with self._db.read_session() as session:
            row = await session.get(ApiClientRow, client_id)
        if (
            row is None
            or row.revoked_at is not None
            or not same_secret(client_secret, row.secret_hash)
        ):
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
        client = ApiClient(row.client_id, row.tenant_id, Role(row.role), row.name, row.created_at)
        return token, client

    async def principal(
        self, bearer: str, api_key: str, tenant_id: str, now: datetime
    ) -> Principal | None:
        """The caller when token, API key and tenant all belong together; else None."""
        async with self._db.read_session() as session:
            found = (
                await session.execute(
                    select(ApiClientRow, AccessTokenRow.expires_at)
                    .join(AccessTokenRow, AccessTokenRow.client_id == ApiClientRow.client_id)
                    .where(AccessTokenRow.token_hash == secret_hash(bearer))
                )
            ).first()
        if found is None:
            return None
        client, expires_at = found
        if (
            expires_at <= now
            or client.revoked_at is not None
            or client.tenant_id != tenant_id
            or not same_secret(api_key, client.api_key_hash)
        ):
            return None
        return Principal(client.tenant_id, client.client_id, Role(client.role), expires_at)
