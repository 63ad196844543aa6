"""API clients as GraphQL shows them: never a secret or a hash, except the credentials of a
client just created, returned once by `createApiClient`."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.access import ApiClient, IssuedCredentials, Role
from graphql_api.errors import UserError


@strawberry.type(name="ApiClient")
class ApiClientType:
    client_id: str
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None = strawberry.field(
        description="When it was revoked: its tokens are refused since."
    )

    @classmethod
    def from_domain(cls, client: ApiClient) -> ApiClientType:
        return cls(
            client_id=client.client_id,
            name=client.name,
            role=client.role,
            created_at=client.created_at,
            revoked_at=client.revoked_at,
        )


@strawberry.type
class ApiClientCredentials:
    """What a machine needs to call the API: shown once, only hashes are kept."""

    client_id: str
    client_secret: str = strawberry.field(
        description="For POST /oauth/token (client_credentials), with the client id."
    )
    api_key: str = strawberry.field(description="Sent as x-api-key with every call.")
    tenant_id: str = strawberry.field(description="Sent as tenant-id with every call.")

    @classmethod
    def from_domain(cls, issued: IssuedCredentials) -> ApiClientCredentials:
        return cls(
            client_id=issued.client.client_id,
            client_secret=issued.client_secret,
            api_key=issued.api_key,
            tenant_id=issued.client.tenant_id,
        )


@strawberry.type
class CreateApiClientPayload:
    api_client: ApiClientType | None
    credentials: ApiClientCredentials | None = strawberry.field(
        description="The new client's secrets, returned this once and never again."
    )
    user_errors: list[UserError]


@strawberry.type
class ApiClientPayload:
    api_client: ApiClientType | None
    user_errors: list[UserError]
