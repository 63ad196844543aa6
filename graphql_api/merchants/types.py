"""GraphQL views of merchant configuration: reference codes, settings, locations, options.

Each kind of code gets its type from its row in `core.reference_kinds`; only the return
reason, whose flags no other kind has, is written out."""

from __future__ import annotations

import strawberry

from core.reference_kinds import BY_KIND, REFERENCE_KINDS, KindFaces, Shape
from domain.reference import (
    DeliveryOption,
    PickupLocation,
    ReferenceEntry,
    ReferenceKind,
    ReturnSettings,
)
from graphql_api.common import AddressType
from graphql_api.errors import UserError


@strawberry.type(name="Translation")
class TranslationType:
    language: str
    text: str


@strawberry.interface(
    name="ReferenceCode", description="A code a merchant configures, with its translations."
)
class ReferenceCodeType:
    merchant: str
    code: str
    name: str = strawberry.field(
        description="In the requested language when translated, else the default name."
    )
    default_name: str
    translations: list[TranslationType]


@strawberry.type(name="ReturnReason")
class ReturnReasonType(ReferenceCodeType):
    require_comments: bool
    require_images: bool
    require_item_condition: bool
    reverse_shipment_create_enabled: bool = strawberry.field(
        description="Approving opens a reverse shipment for items with this reason."
    )
    auto_approve: bool = strawberry.field(
        description="A request whose items all have auto-approve reasons approves on creation."
    )


_ALLOWED_REASONS = "Return reasons it applies to; empty means all."
_EXCHANGE = "The merchant's exchange resolution: Carriyo's shim names it for exchanges."
_STORE_CREDIT = "A refund of this type is store credit, issued to the customer's account."


def _view_type(faces: KindFaces) -> type[ReferenceCodeType]:
    """The GraphQL type of a kind: return reasons carry their flags (ReturnReasonType),
    scoped kinds the reasons they apply to, the others nothing beyond the interface."""
    if faces.shape is Shape.REASON:
        return ReturnReasonType
    namespace: dict[str, object] = {"__annotations__": {}, "__module__": __name__}
    if faces.shape in (Shape.SCOPED, Shape.REFUND):
        namespace["__annotations__"] = {"allowed_return_reasons": list[str]}
        namespace["allowed_return_reasons"] = strawberry.field(description=_ALLOWED_REASONS)
    if faces.shape is Shape.REFUND:
        namespace["__annotations__"]["store_credit"] = bool  # type: ignore[index]
        namespace["store_credit"] = strawberry.field(description=_STORE_CREDIT)
    if faces.kind == ReferenceKind.RESOLUTION:
        namespace["__annotations__"]["is_exchange"] = bool  # type: ignore[index]
        namespace["is_exchange"] = strawberry.field(description=_EXCHANGE)
    made = type(f"{faces.name}Type", (ReferenceCodeType,), namespace)
    return strawberry.type(made, name=faces.name)


VIEWS: dict[ReferenceKind, type[ReferenceCodeType]] = {
    faces.kind: _view_type(faces) for faces in REFERENCE_KINDS
}
REFERENCE_TYPES = list(VIEWS.values())

# The kinds a return request's fields name (graphql_api/returns/parts.py reads them lazily).
ItemConditionType = VIEWS[ReferenceKind.ITEM_CONDITION]
ResolutionType = VIEWS[ReferenceKind.RESOLUTION]
RefundTypeType = VIEWS[ReferenceKind.REFUND_TYPE]
ReturnCommentType = VIEWS[ReferenceKind.RETURN_COMMENT]


def reference_view(entry: ReferenceEntry, language: str | None = None) -> ReferenceCodeType:
    common = {
        "merchant": entry.merchant,
        "code": entry.code,
        "name": entry.display_name(language),
        "default_name": entry.name,
        "translations": [
            TranslationType(language=lang, text=text)
            for lang, text in sorted(entry.translations.items())
        ],
    }
    shape = BY_KIND[entry.kind].shape
    if shape is Shape.REASON:
        return ReturnReasonType(
            **common,
            require_comments=entry.require_comments,
            require_images=entry.require_images,
            require_item_condition=entry.require_item_condition,
            reverse_shipment_create_enabled=entry.reverse_shipment_create_enabled,
            auto_approve=entry.auto_approve,
        )
    if shape in (Shape.SCOPED, Shape.REFUND):
        common["allowed_return_reasons"] = list(entry.allowed_return_reasons)
    if shape is Shape.REFUND:
        common["store_credit"] = entry.store_credit
    if entry.kind == ReferenceKind.RESOLUTION:
        common["is_exchange"] = entry.is_exchange
    return VIEWS[entry.kind](**common)


@strawberry.type(name="CountryLocation")
class CountryLocationType:
    country: str
    location_code: str


@strawberry.type(name="NotificationUser")
class NotificationUserType:
    email: str
    name: str | None


@strawberry.type(name="ReturnSettings")
class ReturnSettingsType:
    merchant: str
    allowed_days_for_return: int | None = strawberry.field(
        description="Days after delivery during which items may be returned; null: no limit."
    )
    default_dropoff_locations: list[CountryLocationType] = strawberry.field(
        description="Where returns go, by the pickup's country."
    )
    allow_undelivered_items: bool
    allow_pickup_location_selection: bool
    notification_users: list[NotificationUserType]
    order_lookup_methods: list[str]
    auto_close_days: int | None = strawberry.field(
        description="Decided requests idle this long are completed with autoClosed set."
    )
    shopify_integration_enabled: str | None = strawberry.field(
        description="Stored as given; not acted on yet."
    )
    shopify_connector_id: str | None = strawberry.field(
        description="Stored as given; not acted on yet."
    )

    @classmethod
    def from_domain(cls, s: ReturnSettings) -> ReturnSettingsType:
        return cls(
            merchant=s.merchant,
            allowed_days_for_return=s.allowed_days_for_return,
            default_dropoff_locations=[
                CountryLocationType(country=country, location_code=code)
                for country, code in sorted(s.default_dropoff_locations.items())
            ],
            allow_undelivered_items=s.allow_undelivered_items,
            allow_pickup_location_selection=s.allow_pickup_location_selection,
            notification_users=[
                NotificationUserType(email=u.email, name=u.name) for u in s.notification_users
            ],
            order_lookup_methods=list(s.order_lookup_methods),
            auto_close_days=s.auto_close_days,
            shopify_integration_enabled=s.shopify_integration_enabled,
            shopify_connector_id=s.shopify_connector_id,
        )


@strawberry.type(
    name="PickupLocation", description="A merchant warehouse or branch (OTO's pickupLocationCode)."
)
class PickupLocationType:
    merchant: str
    code: str
    name: str
    address: AddressType

    @classmethod
    def from_domain(cls, location: PickupLocation) -> PickupLocationType:
        return cls(
            merchant=location.merchant,
            code=location.code,
            name=location.name,
            address=AddressType.from_domain(location.address),
        )  # type: ignore[arg-type]


@strawberry.type(name="DeliveryOption", description="A carrier option (OTO's deliveryOptionId).")
class DeliveryOptionType:
    merchant: str
    id: str
    name: str
    carrier: str | None

    @classmethod
    def from_domain(cls, option: DeliveryOption) -> DeliveryOptionType:
        return cls(merchant=option.merchant, id=option.id, name=option.name, carrier=option.carrier)


@strawberry.type
class ReferenceCodePayload:
    reference_code: ReferenceCodeType | None
    user_errors: list[UserError]


@strawberry.type
class DeletePayload:
    deleted: bool
    user_errors: list[UserError]


@strawberry.type
class ReturnSettingsPayload:
    return_settings: ReturnSettingsType | None
    user_errors: list[UserError]


@strawberry.type
class PickupLocationPayload:
    pickup_location: PickupLocationType | None
    user_errors: list[UserError]


@strawberry.type
class DeliveryOptionPayload:
    delivery_option: DeliveryOptionType | None
    user_errors: list[UserError]
