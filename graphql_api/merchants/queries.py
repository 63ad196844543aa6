"""Configuration queries; with `language`, names come back translated (else the default).

The query of each kind of code is made from its row in `core.reference_kinds`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from strawberry.types.field import StrawberryField

from core.reference_kinds import REFERENCE_KINDS, KindFaces
from graphql_api.context import Info
from graphql_api.merchants import types as t
from persistence.configuration import SqlConfigurationRepository

T = TypeVar("T")


async def read(info: Info, query: Callable[[SqlConfigurationRepository], Awaitable[T]]) -> T:
    """Run one read of the caller's tenant configuration on a read session."""
    async with info.context.db.reading() as reads:
        return await query(SqlConfigurationRepository(reads, info.context.tenant_id))


def _codes_field(faces: KindFaces) -> StrawberryField:
    """`returnReasons(merchant, language)` and its like: one kind's codes of a merchant."""
    kind = faces.kind

    async def codes(info: Info, merchant: str, language: str | None = None) -> list[Any]:
        entries = await read(info, lambda config: config.entries(merchant, kind))
        return [t.reference_view(entry, language) for entry in entries]

    codes.__annotations__ = {
        "info": Info,
        "merchant": str,
        "language": str | None,
        "return": list[t.VIEWS[kind]],  # type: ignore[misc]
    }
    return strawberry.field(resolver=codes, name=faces.plural)


@strawberry.field(description="Null when the merchant has no settings (defaults apply).")
async def return_settings(info: Info, merchant: str) -> t.ReturnSettingsType | None:
    found = await read(info, lambda config: config.settings(merchant))
    return t.ReturnSettingsType.from_domain(found) if found else None


@strawberry.field
async def pickup_locations(info: Info, merchant: str) -> list[t.PickupLocationType]:
    found = await read(info, lambda config: config.locations(merchant))
    return [t.PickupLocationType.from_domain(location) for location in found]


@strawberry.field
async def delivery_options(info: Info, merchant: str) -> list[t.DeliveryOptionType]:
    found = await read(info, lambda config: config.delivery_options(merchant))
    return [t.DeliveryOptionType.from_domain(option) for option in found]


MerchantQueries = strawberry.type(
    type(
        "MerchantQueries",
        (),
        {
            **{faces.snake + "s": _codes_field(faces) for faces in REFERENCE_KINDS},
            "return_settings": return_settings,
            "pickup_locations": pickup_locations,
            "delivery_options": delivery_options,
        },
    )
)
