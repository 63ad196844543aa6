"""Staff users: the people of a tenant's team who sign in to the desk, each with a role.

A role is a set of permissions, and every mutation needs exactly one permission (the
GraphQL face keeps that table, graphql_api/permissions.py): a viewer reads, an agent acts on
returns, an admin also manages the team, API keys, webhooks and the merchant's settings.
Passwords, sessions and links live in core/ and persistence/; here is what they decide."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import InvalidInput
from domain.values import bounded_text

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200  # argon2 takes anything, but nobody types more, and it costs work
EMAIL_LIMIT = 320
MAX_STAFF_USERS = 500  # per tenant: a team, not a customer base
_EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"'.]+")


class Permission(StrEnum):
    """What one mutation needs."""

    ACT_ON_RETURNS = "ACT_ON_RETURNS"  # orders, returns, notes, refunds, shipments
    MANAGE = "MANAGE"  # the team, API keys, webhooks, the merchant's configuration


class StaffRole(StrEnum):
    VIEWER = "VIEWER"
    AGENT = "AGENT"
    ADMIN = "ADMIN"

    def allows(self, permission: Permission) -> bool:
        return permission in _GRANTS[self]


_GRANTS: dict[StaffRole, frozenset[Permission]] = {
    StaffRole.VIEWER: frozenset(),
    StaffRole.AGENT: frozenset({Permission.ACT_ON_RETURNS}),
    StaffRole.ADMIN: frozenset({Permission.ACT_ON_RETURNS, Permission.MANAGE}),
}


class LinkPurpose(StrEnum):
    """Why a single-use link was made; either sets the user's password when used."""

    INVITATION = "INVITATION"
    PASSWORD_RESET = "PASSWORD_RESET"


@dataclass(frozen=True, slots=True)
class StaffUser:
    id: str
    tenant_id: str
    email: str  # lower-cased: unique per tenant whatever its case
    name: str
    role: StaffRole
    disabled: bool
    created_at: datetime
    has_password: bool = False  # False until an invitation is accepted

    def changed(
        self,
        *,
        name: str | None = None,
        role: StaffRole | None = None,
        disabled: bool | None = None,
    ) -> StaffUser:
        return replace(
            self,
            name=self.name if name is None else staff_name(name),
            role=self.role if role is None else role,
            disabled=self.disabled if disabled is None else disabled,
        )


@dataclass(frozen=True, slots=True)
class StaffSession:
    """A signed-in user's session, as each request finds it (user joined in)."""

    user: StaffUser
    expires_at: datetime

    def valid(self, now: datetime) -> bool:
        return not self.user.disabled and now < self.expires_at


@dataclass(frozen=True, slots=True)
class SessionLifetime:
    """A session ends `absolute` after sign-in, or `idle` after its last use, whichever is
    first; each use moves the idle end forward, never past the absolute one."""

    absolute: timedelta
    idle: timedelta

    def first_end(self, signed_in: datetime) -> datetime:
        return signed_in + min(self.idle, self.absolute)

    def next_end(self, signed_in: datetime, used: datetime) -> datetime:
        return min(used + self.idle, signed_in + self.absolute)


def staff_email(value: str) -> str:
    email = bounded_text(value, field="email", limit=EMAIL_LIMIT).strip().lower()
    if not _EMAIL.fullmatch(email):
        raise InvalidInput("the e-mail must be an e-mail address", field="email")
    return email


def staff_name(value: str) -> str:
    return bounded_text(value, field="name", limit=200).strip()


def acceptable_password(value: str) -> str:
    """A new password: long enough to resist guessing at argon2's cost, short enough to
    hash quickly. No composition rules (NIST SP 800-63B)."""
    if not MIN_PASSWORD_LENGTH <= len(value) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"a password is {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters",
            field="password",
        )
    if "\x00" in value:
        raise InvalidInput("a password cannot hold a NUL character", field="password")
    return value
