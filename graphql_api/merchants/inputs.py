"""Inputs for merchant configuration; each turns itself into the domain object it describes."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.errors import InvalidInput
from domain.reference import (
    DeliveryOption,
    NotificationUser,
    PickupLocation,
    ReferenceEntry,
    ReferenceKind,
    ReturnSettings,
)
from graphql_api.common import AddressInput, MutationInput


@strawberry.input
class TranslationInput:
    language: str = strawberry.field(description="e.g. en, ar, pt-BR")
    text: str


def _translations(items: list[TranslationInput]) -> dict[str, str]:
    return unique_map([(item.language, item.text) for item in items], field="translations")


def unique_map(pairs: list[tuple[str, str]], *, field: str) -> dict[str, str]:
    """A list input as a map; a key given twice is a mistake to report, not to overwrite."""
    result: dict[str, str] = {}
    for key, value in pairs:
        if key in result:
            raise InvalidInput(f"{key} appears twice in {field}", field=field)
        result[key] = value
    return result


@strawberry.input
class CodeInput(MutationInput):
    """What every kind of code is given: a merchant's code, its name and translations (a
    base: the schema shows the inputs of each shape)."""

    merchant: str
    code: str
    name: str
    translations: list[TranslationInput] = strawberry.field(default_factory=list)

    def to_domain(self, kind: ReferenceKind) -> ReferenceEntry:
        return ReferenceEntry(
            kind=kind,
            merchant=self.merchant,
            code=self.code,
            name=self.name,
            translations=_translations(self.translations),
            **self._more(),
        )

    def _more(self) -> dict[str, Any]:
        """The fields of the entry that this shape of code adds."""
        return {}


@strawberry.input(description="A return reason and the requirements it puts on items.")
class ReturnReasonInput(CodeInput):
    require_comments: bool = False
    require_images: bool = False
    require_item_condition: bool = False
    reverse_shipment_create_enabled: bool = True
    auto_approve: bool = False

    def _more(self) -> dict[str, Any]:
        return {
            "require_comments": self.require_comments,
            "require_images": self.require_images,
            "require_item_condition": self.require_item_condition,
            "reverse_shipment_create_enabled": self.reverse_shipment_create_enabled,
            "auto_approve": self.auto_approve,
        }


@strawberry.input(description="A rejection reason, resolution or item condition.")
class ReferenceCodeInput(CodeInput):
    is_exchange: bool = strawberry.field(
        default=False,
        description="Resolutions only: the merchant's exchange resolution, which Carriyo's "
        "shim names for requests with exchange lines.",
    )

    def _more(self) -> dict[str, Any]:
        return {"is_exchange": self.is_exchange} if self.is_exchange else {}


@strawberry.input(description="A refund type or return comment, limited to some reasons.")
class ScopedReferenceCodeInput(CodeInput):
    allowed_return_reasons: list[str] = strawberry.field(
        default_factory=list, description="Return reason codes; empty means all reasons."
    )
    store_credit: bool | None = strawberry.field(
        default=None,
        description="Refund types only: a refund of this type is store credit (addRefund and "
        "Carriyo's refund call issue it to the order's customer's account). Null: no.",
    )

    def _more(self) -> dict[str, Any]:
        more: dict[str, Any] = {"allowed_return_reasons": tuple(self.allowed_return_reasons)}
        if self.store_credit is not None:
            more["store_credit"] = self.store_credit
        return more


@strawberry.input
class DeleteReferenceCodeInput(MutationInput):
    merchant: str
    code: str


@strawberry.input
class CountryLocationInput:
    country: str = strawberry.field(description="ISO 3166 alpha-2, e.g. AE")
    location_code: str


@strawberry.input
class NotificationUserInput:
    email: str
    name: str | None = None


@strawberry.input(description="A merchant's return settings (replaces them whole).")
class ReturnSettingsInput(MutationInput):
    merchant: str
    allowed_days_for_return: int | None = None
    default_dropoff_locations: list[CountryLocationInput] = strawberry.field(default_factory=list)
    allow_undelivered_items: bool = False
    allow_pickup_location_selection: bool = False
    notification_users: list[NotificationUserInput] = strawberry.field(default_factory=list)
    order_lookup_methods: list[str] = strawberry.field(default_factory=list)
    auto_close_days: int | None = None
    shopify_integration_enabled: str | None = None
    shopify_connector_id: str | None = None

    def to_domain(self) -> ReturnSettings:
        return ReturnSettings(
            merchant=self.merchant,
            allowed_days_for_return=self.allowed_days_for_return,
            default_dropoff_locations=unique_map(
                [(d.country, d.location_code) for d in self.default_dropoff_locations],
                field="defaultDropoffLocations",
            ),
            allow_undelivered_items=self.allow_undelivered_items,
            allow_pickup_location_selection=self.allow_pickup_location_selection,
            notification_users=tuple(
                NotificationUser(u.email, u.name) for u in self.notification_users
            ),
            order_lookup_methods=tuple(self.order_lookup_methods),
            auto_close_days=self.auto_close_days,
            shopify_integration_enabled=self.shopify_integration_enabled,
            shopify_connector_id=self.shopify_connector_id,
        )


@strawberry.input
class PickupLocationInput(MutationInput):
    merchant: str
    code: str
    name: str
    address: AddressInput

    def to_domain(self) -> PickupLocation:
        return PickupLocation(self.merchant, self.code, self.name, self.address.to_domain())


@strawberry.input
class DeliveryOptionInput(MutationInput):
    merchant: str
    id: str
    name: str
    carrier: str | None = None

    def to_domain(self) -> DeliveryOption:
        return DeliveryOption(self.merchant, self.id, self.name, self.carrier)


@strawberry.input
class DeleteByMerchantInput(MutationInput):
    merchant: str
