"""Staff users as GraphQL shows them; never a password hash, never a session."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.staff import StaffRole, StaffUser
from graphql_api.errors import UserError

strawberry.enum(
    StaffRole,
    name="StaffRole",
    description="VIEWER reads; AGENT also acts on returns; ADMIN also manages the team, "
    "API keys, webhooks and the merchants' configuration.",
)


@strawberry.type(name="StaffUser")
class StaffUserType:
    id: str
    email: str
    name: str
    role: StaffRole
    disabled: bool = strawberry.field(description="A disabled user cannot sign in.")
    has_password: bool = strawberry.field(
        description="False until the user has set a password with their invitation link."
    )
    created_at: datetime

    @classmethod
    def from_domain(cls, user: StaffUser) -> StaffUserType:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            disabled=user.disabled,
            has_password=user.has_password,
            created_at=user.created_at,
        )


@strawberry.type
class StaffUserPayload:
    staff_user: StaffUserType | None
    link: str | None = strawberry.field(
        description="An invitation (createStaffUser) or password-reset (resetStaffPassword) "
        "link: it sets the user's password, once, and expires. Hand it to the user only. "
        "Null when it was e-mailed to them instead."
    )
    emailed: bool = strawberry.field(
        description="True when the link went to the user's address by e-mail (the service "
        "has a mail server, or the development mailbox): only they ever see it."
    )
    user_errors: list[UserError]
