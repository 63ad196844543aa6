"""Configuration queries; with `language`, names come back translated (else the default)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from domain.reference import ReferenceKind
from graphql_api.context import Info
from graphql_api.merchants import types as t
from persistence.configuration import SqlConfigurationRepository

T = TypeVar("T")


async def read(info: Info, query: Callable[[SqlConfigurationRepository], Awaitable[T]]) -> T:
    """Run one read of the caller's tenant configuration on a read session."""
    async with info.context.db.reading() as reads:
        return await query(SqlConfigurationRepository(reads, info.context.tenant_id))


async def _codes(
    info: Info, kind: ReferenceKind, merchant: str, language: str | None
) -> list[t.ReferenceCodeType]:
    entries = await read(info, lambda config: config.entries(merchant, kind))
    return [t.reference_view(entry, language) for entry in entries]


@strawberry.type
class MerchantQueries:
    @strawberry.field
    async def return_reasons(
        self, info: Info, merchant: str, language: str | None = None
    ) -> list[t.ReturnReasonType]:
        return await _codes(info, ReferenceKind.RETURN_REASON, merchant, language)  # type: ignore[return-value]

    @strawberry.field
    async def rejection_reasons(
        self, info: Info, merchant: str, language: str | None = None
    ) -> list[t.RejectionReasonType]:
        return await _codes(info, ReferenceKind.REJECTION_REASON, merchant, language)  # type: ignore[return-value]

    @strawberry.field
    async def resolutions(
        self, info: Info, merchant: str, language: str | None = None
    ) -> list[t.ResolutionType]:
        return await _codes(info, ReferenceKind.RESOLUTION, merchant, language)  # type: ignore[return-value]

    @strawberry.field
    async def refund_types(
        self, info: Info, merchant: str, language: str | None = None
    ) -> list[t.RefundTypeType]:
        return await _codes(info, ReferenceKind.REFUND_TYPE, merchant, language)  # type: ignore[return-value]

    @strawberry.field
    async def item_conditions(
        self, info: Info, merchant: str, language: str | None = None
    ) -> list[t.ItemConditionType]:
        return await _codes(info, ReferenceKind.ITEM_CONDITION, merchant, language)  # type: ignore[return-value]

    @strawberry.field
    async def return_comments(
        self, info: Info, merchant: str, language: str | None = None
    ) -> list[t.ReturnCommentType]:
        return await _codes(info, ReferenceKind.RETURN_COMMENT, merchant, language)  # type: ignore[return-value]

    @strawberry.field(description="Null when the merchant has no settings (defaults apply).")
    async def return_settings(self, info: Info, merchant: str) -> t.ReturnSettingsType | None:
        found = await read(info, lambda config: config.settings(merchant))
        return t.ReturnSettingsType.from_domain(found) if found else None

    @strawberry.field
    async def pickup_locations(self, info: Info, merchant: str) -> list[t.PickupLocationType]:
        found = await read(info, lambda config: config.locations(merchant))
        return [t.PickupLocationType.from_domain(location) for location in found]

    @strawberry.field
    async def delivery_options(self, info: Info, merchant: str) -> list[t.DeliveryOptionType]:
        found = await read(info, lambda config: config.delivery_options(merchant))
        return [t.DeliveryOptionType.from_domain(option) for option in found]
