"""`apiClients`, `createApiClient`, `revokeApiClient`: the desk's API-keys screen, and the
same for an API client with a full-access key (it opens everything the tenant has already).
Which staff roles may run the mutations is the permissions table's (MANAGE: admins);
reading the list needs the same. The secrets of a new client are in its answer once; only
their hashes are stored, and nothing here logs them."""

from __future__ import annotations

import strawberry

from domain.access import Role
from domain.errors import DomainError, ErrorCode, NotFound
from graphql_api.api_clients import types as t
from graphql_api.context import Info
from graphql_api.errors import ClientError, user_errors
from graphql_api.staff.resolvers import may_manage
from persistence.access import AccessStore


@strawberry.input
class CreateApiClientInput:
    """No idempotency key: a replayed answer would have to keep the secrets in clear."""

    name: str = strawberry.field(description="What the key is for (an integration's name).")
    role: Role = strawberry.field(
        default=Role.FULL, description="READ_ONLY keys may only query and subscribe."
    )


@strawberry.input
class RevokeApiClientInput:
    client_id: str


def _refuse_unless_admin(info: Info) -> None:
    if not may_manage(info.context.principal):
        raise ClientError("only admins manage API keys", ErrorCode.FORBIDDEN)


@strawberry.type
class ApiClientQueries:
    @strawberry.field(
        description="The tenant's API clients: the live ones, then the latest revoked ones, "
        "newest first (admins only)."
    )
    async def api_clients(self, info: Info) -> list[t.ApiClientType]:
        _refuse_unless_admin(info)
        clients = await AccessStore(info.context.db).clients(info.context.tenant_id)
        return [t.ApiClientType.from_domain(client) for client in clients]


@strawberry.type
class ApiClientMutations:
    @strawberry.mutation(
        description="A new API client: its secrets are in this answer, once (admins only)."
    )
    async def create_api_client(
        self, info: Info, input: CreateApiClientInput
    ) -> t.CreateApiClientPayload:
        _refuse_unless_admin(info)
        context = info.context
        try:
            issued = await AccessStore(context.db).create_client(
                context.tenant_id, input.role, input.name, context.clock.now()
            )
        except DomainError as error:
            return t.CreateApiClientPayload(
                api_client=None, credentials=None, user_errors=user_errors(error)
            )
        return t.CreateApiClientPayload(
            api_client=t.ApiClientType.from_domain(issued.client),
            credentials=t.ApiClientCredentials.from_domain(issued),
            user_errors=[],
        )

    @strawberry.mutation(
        description="Revoke an API client: every serving process refuses its tokens within "
        "RETURNS_AUTH_CACHE_SECONDS (admins only)."
    )
    async def revoke_api_client(
        self, info: Info, input: RevokeApiClientInput
    ) -> t.ApiClientPayload:
        _refuse_unless_admin(info)
        context = info.context
        store = AccessStore(context.db)
        tenant = context.tenant_id
        try:
            if not await store.revoke_client(
                input.client_id, context.clock.now(), tenant_id=tenant
            ):
                raise NotFound(f"API client {input.client_id} not found", field="client_id")
        except DomainError as error:
            return t.ApiClientPayload(api_client=None, user_errors=user_errors(error))
        client = await store.client(input.client_id, tenant)
        return t.ApiClientPayload(
            api_client=t.ApiClientType.from_domain(client) if client else None, user_errors=[]
        )
