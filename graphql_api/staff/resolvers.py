"""`staffUsers`, `createStaffUser`, `updateStaffUser`, `resetStaffPassword`: the team
screen's calls. Which roles may run them is the permissions table's business
(graphql_api/permissions.py: MANAGE); reading the team needs the same, so a viewer or an
agent never sees the other users' e-mails. API clients with a full-access key may too:
their key already opens everything the tenant has."""

from __future__ import annotations

import strawberry

from core.staff import StaffAccounts
from domain.access import Principal
from domain.errors import DomainError, ErrorCode
from domain.staff import Permission, StaffRole
from graphql_api.common import MutationInput
from graphql_api.context import Info
from graphql_api.errors import ClientError, user_errors
from graphql_api.staff import types as t

_LANGUAGE = "The e-mail's language (en, ar; default en) when the link goes by e-mail."


@strawberry.input
class CreateStaffUserInput(MutationInput):
    email: str
    role: StaffRole
    name: str | None = strawberry.field(default=None, description="Default: from the e-mail.")
    language: str | None = strawberry.field(default=None, description=_LANGUAGE)


@strawberry.input
class UpdateStaffUserInput(MutationInput):
    id: str
    name: str | None = None
    role: StaffRole | None = None
    disabled: bool | None = strawberry.field(
        default=None, description="True ends the user's sessions at once and bars signing in."
    )


@strawberry.input
class ResetStaffPasswordInput(MutationInput):
    id: str
    language: str | None = strawberry.field(default=None, description=_LANGUAGE)


def may_manage(principal: Principal | None) -> bool:
    if principal is None:
        return False
    if principal.user is not None:
        return principal.user.role.allows(Permission.MANAGE)
    return principal.may_write


def _staff(info: Info) -> StaffAccounts:
    staff = info.context.staff
    assert staff is not None, "request_context hands every context the staff accounts"
    return staff


def _failed(error: DomainError) -> t.StaffUserPayload:
    return t.StaffUserPayload(
        staff_user=None, link=None, emailed=False, user_errors=user_errors(error)
    )


@strawberry.type
class StaffQueries:
    @strawberry.field(description="The tenant's staff users, by e-mail (admins only).")
    async def staff_users(self, info: Info) -> list[t.StaffUserType]:
        if not may_manage(info.context.principal):
            raise ClientError("only admins see the team", ErrorCode.FORBIDDEN)
        users = await _staff(info).store.users(info.context.tenant_id)
        return [t.StaffUserType.from_domain(user) for user in users]


@strawberry.type
class StaffMutations:
    @strawberry.mutation(
        description="Invite a user: the link that sets their password is e-mailed to them "
        "when the service sends mail (`emailed`), else returned (`link`)."
    )
    async def create_staff_user(
        self, info: Info, input: CreateStaffUserInput
    ) -> t.StaffUserPayload:
        try:
            user, link = await _staff(info).invite(
                info.context.tenant_id, input.email, input.name, input.role, language=input.language
            )
        except DomainError as error:
            return _failed(error)
        return t.StaffUserPayload(
            staff_user=t.StaffUserType.from_domain(user),
            link=link,
            emailed=link is None,
            user_errors=[],
        )

    @strawberry.mutation(description="Rename a user, change their role, disable or enable them.")
    async def update_staff_user(
        self, info: Info, input: UpdateStaffUserInput
    ) -> t.StaffUserPayload:
        principal = info.context.principal
        try:
            user = await _staff(info).update_user(
                info.context.tenant_id,
                input.id,
                acting=principal.user if principal else None,
                name=input.name,
                role=input.role,
                disabled=input.disabled,
            )
        except DomainError as error:
            return _failed(error)
        return t.StaffUserPayload(
            staff_user=t.StaffUserType.from_domain(user), link=None, emailed=False, user_errors=[]
        )

    @strawberry.mutation(
        description="A new single-use link that sets the user's password: e-mailed to them "
        "when the service sends mail (`emailed`), else returned (`link`)."
    )
    async def reset_staff_password(
        self, info: Info, input: ResetStaffPasswordInput
    ) -> t.StaffUserPayload:
        staff = _staff(info)
        tenant = info.context.tenant_id
        try:
            user = await staff.existing(tenant, input.id)
            link = await staff.send_reset(tenant, input.id, language=input.language)
        except DomainError as error:
            return _failed(error)
        return t.StaffUserPayload(
            staff_user=t.StaffUserType.from_domain(user),
            link=link,
            emailed=link is None,
            user_errors=[],
        )
