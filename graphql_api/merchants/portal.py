"""A merchant's return-portal brand through GraphQL: `portalSettings(merchant)` and
`updatePortalSettings`. The portal page reads the same row on every visit."""

from __future__ import annotations

from dataclasses import asdict

import strawberry

from domain.errors import DomainError
from domain.portal import (
    DEFAULT_ACCENT,
    PortalSettings,
    default_portal_settings,
    validated_portal_settings,
)
from graphql_api.common import MutationInput
from graphql_api.context import Info
from graphql_api.errors import UserError, user_errors
from persistence.portal_settings import portal_settings, save_portal_settings


@strawberry.type(
    name="PortalSettings",
    description="How the customer return portal shows the merchant (defaults until set).",
)
class PortalSettingsType:
    merchant: str
    display_name: str | None = strawberry.field(description="Shown as the portal's title.")
    logo_url: str | None = strawberry.field(description="https:// or a path on this server.")
    accent_colour: str = strawberry.field(description="#rrggbb, for buttons and borders.")
    support_email: str | None
    support_phone: str | None
    return_policy: str | None = strawberry.field(description="Plain text, shown as written.")

    @classmethod
    def from_domain(cls, settings: PortalSettings) -> PortalSettingsType:
        return cls(**asdict(settings))


@strawberry.input(description="A merchant's return-portal settings (replaces them whole).")
class PortalSettingsInput(MutationInput):
    merchant: str
    display_name: str | None = None
    logo_url: str | None = None
    accent_colour: str = DEFAULT_ACCENT
    support_email: str | None = None
    support_phone: str | None = None
    return_policy: str | None = None

    def to_domain(self) -> PortalSettings:
        fields = {name: getattr(self, name) for name in PortalSettings.__dataclass_fields__}
        return PortalSettings(**fields)


@strawberry.type
class PortalSettingsPayload:
    portal_settings: PortalSettingsType | None
    user_errors: list[UserError]


@strawberry.type
class PortalSettingsQueries:
    @strawberry.field(description="The merchant's portal settings, or the defaults.")
    async def portal_settings(self, info: Info, merchant: str) -> PortalSettingsType:
        async with info.context.db.read_session() as session:
            found = await portal_settings(session, info.context.tenant_id, merchant)
        return PortalSettingsType.from_domain(found or default_portal_settings(merchant))


@strawberry.type
class PortalSettingsMutations:
    @strawberry.mutation(description="Set the brand and texts of the merchant's return portal.")
    async def update_portal_settings(
        self, info: Info, input: PortalSettingsInput
    ) -> PortalSettingsPayload:
        try:
            settings = validated_portal_settings(input.to_domain())
        except DomainError as error:
            return PortalSettingsPayload(portal_settings=None, user_errors=user_errors(error))
        context = info.context
        try:
            await save_portal_settings(
                context.db,
                context.tenant_id,
                settings,
                now=context.clock.now(),
                idempotency=context.idempotency,
            )
        except DomainError as error:  # the request's idempotency key was taken over
            return PortalSettingsPayload(portal_settings=None, user_errors=user_errors(error))
        return PortalSettingsPayload(
            portal_settings=PortalSettingsType.from_domain(settings), user_errors=[]
        )
