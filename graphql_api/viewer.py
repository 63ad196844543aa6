"""`viewer`: who the caller is. A dashboard needs to know before the operator clicks whether
its key may write, so a read-only key's buttons can be disabled with the reason instead of
failing with FORBIDDEN; and when its token expires, so it can renew it in time."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.access import Role
from graphql_api.context import Info
from graphql_api.staff.types import StaffUserType

strawberry.enum(Role, name="ApiClientRole", description="What an API key may do.")


@strawberry.type
class Viewer:
    tenant_id: str
    client_id: str
    role: Role
    may_write: bool = strawberry.field(description="False for a read-only key: no mutations.")
    token_expires_at: datetime | None = strawberry.field(
        description="When the bearer token of this call stops working."
    )
    staff_user: StaffUserType | None = strawberry.field(
        description="The desk user signed in (their session makes this call); null for an "
        "API client."
    )


@strawberry.type
class ViewerQueries:
    @strawberry.field(description="The API client making this call and what it may do.")
    def viewer(self, info: Info) -> Viewer:
        principal = info.context.principal
        assert principal is not None  # every executed operation is authenticated
        return Viewer(
            tenant_id=principal.tenant_id,
            client_id=principal.client_id,
            role=principal.role,
            may_write=principal.may_write,
            token_expires_at=principal.expires_at,
            staff_user=StaffUserType.from_domain(principal.user) if principal.user else None,
        )
