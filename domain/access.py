"""Who may call: tenants, their API clients (a full or a read-only role) and the credentials
they authenticate with. Secrets are random and shown once; only their hashes are kept."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import InvalidInput
from domain.staff import StaffRole, StaffSession, StaffUser
from domain.values import bounded_text

_TENANT_ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")


class Role(StrEnum):
    FULL = "FULL"
    READ_ONLY = "READ_ONLY"


@dataclass(frozen=True, slots=True)
class Tenant:
    id: str
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ApiClient:
    client_id: str
    tenant_id: str
    role: Role
    name: str
    created_at: datetime
    revoked_at: datetime | None = None  # a revoked client's tokens are refused

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True, slots=True)
class IssuedCredentials:
    """What `create-api-key` prints once: the OAuth client credentials and the API key."""

    client: ApiClient
    client_secret: str
    api_key: str


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request: an API client, or a staff user signed in
    to the desk (`user`; `client_id` is then the user's id)."""

    tenant_id: str
    client_id: str
    role: Role
    expires_at: datetime | None = None  # of the token (or the session) it presented
    user: StaffUser | None = None

    @classmethod
    def of_staff(cls, session: StaffSession) -> Principal:
        """A viewer reads, as a read-only key does; agents and admins may write, and what
        each mutation needs of their role is checked on top (graphql_api/permissions.py)."""
        user = session.user
        role = Role.READ_ONLY if user.role == StaffRole.VIEWER else Role.FULL
        return cls(user.tenant_id, user.id, role, session.expires_at, user)

    @property
    def actor_name(self) -> str:
        """How events name this caller: the staff user, else the API client."""
        if self.user is not None:
            return f"{self.user.name} <{self.user.email}>"
        return self.client_id

    @property
    def may_write(self) -> bool:
        return self.role == Role.FULL

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


@dataclass(frozen=True, slots=True)
class TokenIdentity:
    """What is stored about a bearer token: whose it is and until when. A call is the
    client's only with the client's API key and tenant id as well."""

    client_id: str
    tenant_id: str
    role: Role
    api_key_hash: str
    expires_at: datetime
    revoked: bool

    def principal(self, api_key: str, tenant_id: str, now: datetime) -> Principal | None:
        if (
            self.revoked
            or self.expires_at <= now
            or self.tenant_id != tenant_id
            or not same_secret(api_key, self.api_key_hash)
        ):
            return None
        return Principal(self.tenant_id, self.client_id, self.role, self.expires_at)


def validate_tenant_id(value: str) -> str:
    if not 3 <= len(value) <= 64 or not set(value) <= _TENANT_ID_CHARS:
        raise InvalidInput("a tenant id is 3 to 64 characters of a-z, 0-9 and -", field="tenant_id")
    return value


def new_tenant(tenant_id: str, name: str, at: datetime) -> Tenant:
    return Tenant(validate_tenant_id(tenant_id), bounded_text(name, field="name", limit=200), at)


def new_secret(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def issue_credentials(tenant_id: str, role: Role, name: str, at: datetime) -> IssuedCredentials:
    client = ApiClient(
        client_id=f"rc_{secrets.token_hex(8)}",
        tenant_id=tenant_id,
        role=role,
        name=bounded_text(name, field="name", limit=200),
        created_at=at,
    )
    return IssuedCredentials(client, new_secret("rcs"), new_secret("rk"))


def secret_hash(secret: str) -> str:
    """Secrets carry 256 random bits, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same_secret(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(secret), stored_hash)
