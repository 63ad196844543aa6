"""Merchant reference data and return settings (Carriyo's Return Reasons to Return Comments).

Each merchant configures its own codes: return reasons (with the requirements they impose),
rejection reasons, resolutions, refund types and return comments (each allowed for some
reasons), item conditions; plus return settings, pickup locations and delivery options.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from domain.errors import DomainError, ErrorCode, InvalidInput
from domain.values import CODE_LIMIT, Address, bounded_text, spoken

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
NAME_LIMIT = 200
MAX_TRANSLATIONS = 50


class ReferenceKind(StrEnum):
    RETURN_REASON = "RETURN_REASON"
    REJECTION_REASON = "REJECTION_REASON"
    RESOLUTION = "RESOLUTION"
    REFUND_TYPE = "REFUND_TYPE"
    ITEM_CONDITION = "ITEM_CONDITION"
    RETURN_COMMENT = "RETURN_COMMENT"

    @property
    def label(self) -> str:
        return self.value.lower().replace("_", " ")


# Kinds whose entries apply only to some return reasons (`allowed_return_reasons`).
REASON_SCOPED = frozenset({ReferenceKind.REFUND_TYPE, ReferenceKind.RETURN_COMMENT})


@dataclass(frozen=True, slots=True)
class ReferenceEntry:
    """One configured code. The reason flags only mean something on return reasons, and
    `allowed_return_reasons` only on refund types and return comments (empty: all reasons)."""

    kind: ReferenceKind
    merchant: str
    code: str
    name: str
    translations: Mapping[str, str] = field(default_factory=dict)
    allowed_return_reasons: tuple[str, ...] = ()
    require_comments: bool = False
    require_images: bool = False
    require_item_condition: bool = False
    reverse_shipment_create_enabled: bool = True
    auto_approve: bool = False
    store_credit: bool = False  # refund types only: a refund of this type is store credit
    is_exchange: bool = False  # resolutions only: the one Carriyo names for an exchange

    def display_name(self, language: str | None) -> str:
        """The translation for `language` (exact, then its base language), else the name."""
        if not language:
            return self.name
        return (
            self.translations.get(language)
            or self.translations.get(language.split("-")[0])
            or self.name
        )

    def allows_reason(self, reason_code: str | None) -> bool:
        return not self.allowed_return_reasons or reason_code in self.allowed_return_reasons


def validate_entry(entry: ReferenceEntry) -> ReferenceEntry:
    bounded_text(entry.merchant, field="merchant", limit=100)
    check_code_format(entry.code, field="code")
    bounded_text(entry.name, field="name", limit=NAME_LIMIT)
    if len(entry.translations) > MAX_TRANSLATIONS:
        raise InvalidInput(f"at most {MAX_TRANSLATIONS} translations", field="translations")
    for language, text in entry.translations.items():
        if not _LANGUAGE.match(language):
            raise InvalidInput(
                f"{language!r} is not a language code such as en or pt-BR", field="translations"
            )
        bounded_text(text, field=f"translations.{language}", limit=NAME_LIMIT)
    if entry.allowed_return_reasons and entry.kind not in REASON_SCOPED:
        raise InvalidInput(
            f"a {entry.kind.label} cannot be limited to return reasons",
            field="allowed_return_reasons",
        )
    for code in entry.allowed_return_reasons:
        check_code_format(code, field="allowed_return_reasons")
    if entry.store_credit and entry.kind != ReferenceKind.REFUND_TYPE:
        raise InvalidInput(
            f"only a refund type can be marked as store credit, not a {entry.kind.label}",
            field="store_credit",
        )
    if entry.is_exchange and entry.kind != ReferenceKind.RESOLUTION:
        raise InvalidInput(
            f"only a resolution can be marked as the exchange one, not a {entry.kind.label}",
            field="is_exchange",
        )
    return entry


def check_code_format(code: str, *, field: str) -> str:
    if not isinstance(code, str) or len(code) > CODE_LIMIT or not _CODE.match(code):
        raise InvalidInput(
            f"{code!r} is not a valid code: use letters, digits, _ . : - "
            f"(at most {CODE_LIMIT} characters)",
            field=field,
        )
    return code


@dataclass(frozen=True, slots=True)
class NotificationUser:
    email: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class ReturnSettings:
    """A merchant's return settings. Fields we do not act on yet (Shopify) are kept as given."""

    merchant: str
    allowed_days_for_return: int | None = None
    default_dropoff_locations: Mapping[str, str] = field(default_factory=dict)
    allow_undelivered_items: bool = False
    allow_pickup_location_selection: bool = False
    notification_users: tuple[NotificationUser, ...] = ()
    order_lookup_methods: tuple[str, ...] = ()
    auto_close_days: int | None = None
    shopify_integration_enabled: str | None = None
    shopify_connector_id: str | None = None


MAX_DAYS = 3650


def validate_settings(settings: ReturnSettings) -> ReturnSettings:
    bounded_text(settings.merchant, field="merchant", limit=100)
    for name, value in (
        ("allowed_days_for_return", settings.allowed_days_for_return),
        ("auto_close_days", settings.auto_close_days),
    ):
        if value is not None and not 0 <= value <= MAX_DAYS:
            raise InvalidInput(f"{spoken(name)} must be between 0 and {MAX_DAYS}", field=name)
    for country, location in settings.default_dropoff_locations.items():
        if not re.match(r"^[A-Z]{2}$", country):
            raise InvalidInput(
                f"{country!r} is not a 2-letter ISO country code", field="default_dropoff_locations"
            )
        check_code_format(location, field="default_dropoff_locations")
    for user in settings.notification_users:
        bounded_text(user.email, field="notification_users.email", limit=320)
    for method in settings.order_lookup_methods:
        check_code_format(method, field="order_lookup_methods")
    for name, value in (
        ("shopify_integration_enabled", settings.shopify_integration_enabled),
        ("shopify_connector_id", settings.shopify_connector_id),
    ):
        if value is not None:
            bounded_text(value, field=name, required=False, limit=CODE_LIMIT)
    return settings


@dataclass(frozen=True, slots=True)
class PickupLocation:
    """A merchant warehouse or branch; OTO calls its code `pickupLocationCode`."""

    merchant: str
    code: str
    name: str
    address: Address


@dataclass(frozen=True, slots=True)
class DeliveryOption:
    """A carrier option; OTO calls its id `deliveryOptionId`."""

    merchant: str
    id: str
    name: str
    carrier: str | None = None


def validate_location(location: PickupLocation) -> PickupLocation:
    bounded_text(location.merchant, field="merchant", limit=100)
    check_code_format(location.code, field="code")
    bounded_text(location.name, field="name", limit=NAME_LIMIT)
    if not location.address.is_usable():
        raise InvalidInput("a pickup location needs address1 and country", field="address")
    return location


def validate_delivery_option(option: DeliveryOption) -> DeliveryOption:
    bounded_text(option.merchant, field="merchant", limit=100)
    check_code_format(option.id, field="id")
    bounded_text(option.name, field="name", limit=NAME_LIMIT)
    if option.carrier is not None:
        bounded_text(option.carrier, field="carrier", required=False, limit=CODE_LIMIT)
    return option


def unknown_code(kind: ReferenceKind | str, code: str, merchant: str, field: str) -> DomainError:
    label = kind.label if isinstance(kind, ReferenceKind) else kind
    return DomainError(
        f"unknown {label} {code!r} for merchant {merchant}",
        field=field,
        code=ErrorCode.UNKNOWN_CODE,
    )
