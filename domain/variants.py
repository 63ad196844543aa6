"""What a customer may exchange into. We own no catalogue and no inventory: the merchant
pushes its variants (sku, the group they belong to, price, availability) and its exchange
settings, and the exchange rules judge against that snapshot (DESIGN §2 "Variant")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from domain.errors import DomainError, ErrorCode, InvalidInput
from domain.values import bounded_text, currency_code, optional_text, price_amount

MAX_VARIANTS_PER_CALL = 1000
MAX_EXCHANGE_OPTIONS = 200  # the variants one line is offered, first by sku
KEY_LIMIT = 100
TITLE_LIMIT = 500


class ExchangeRelease(StrEnum):
    """When an approved exchange goes to the merchant's order system."""

    APPROVAL = "APPROVAL"  # instant exchange: the approval releases it
    FIRST_SCAN = "FIRST_SCAN"  # the carrier's first scan of the parcel
    RECEIPT = "RECEIPT"  # the warehouse received the replaced units


class OutOfStockFallback(StrEnum):
    """What a line unavailable at release becomes: waits for a person, or turns into money
    or store credit at once."""

    REVIEW = "REVIEW"
    REFUND = "REFUND"
    STORE_CREDIT = "STORE_CREDIT"


@dataclass(frozen=True, slots=True)
class ExchangeSettings:
    merchant: str
    release_on: ExchangeRelease = ExchangeRelease.RECEIPT
    allow_any_product: bool = False
    out_of_stock_fallback: OutOfStockFallback = OutOfStockFallback.REVIEW


@dataclass(frozen=True, slots=True)
class Variant:
    """One sku a customer may receive in exchange, as the merchant last pushed it."""

    merchant: str
    sku: str
    group_key: str
    title: str
    price: Decimal
    currency: str
    options: tuple[tuple[str, str], ...] = ()
    available: bool = True
    backorderable: bool = False
    image_url: str | None = None
    updated_at: datetime | None = None

    @property
    def exchangeable(self) -> bool:
        return self.available or self.backorderable


def checked_variant(variant: Variant, *, field: str = "variants") -> Variant:
    """The variant with its texts trimmed and its values judged (INVALID_INPUT)."""
    names = [name for name, _ in variant.options]
    if len(set(names)) != len(names):
        raise InvalidInput(f"variant {variant.sku}: an option is named twice", field=field)
    return Variant(
        merchant=variant.merchant,
        sku=bounded_text(variant.sku, field=f"{field}.sku", limit=KEY_LIMIT),
        group_key=bounded_text(variant.group_key, field=f"{field}.group_key", limit=KEY_LIMIT),
        title=bounded_text(variant.title, field=f"{field}.title", limit=TITLE_LIMIT),
        price=price_amount(variant.price, field=f"{field}.price"),
        currency=currency_code(variant.currency, field=f"{field}.currency"),
        options=tuple(
            (
                bounded_text(name, field=f"{field}.options.name", limit=KEY_LIMIT),
                bounded_text(value, field=f"{field}.options.value", limit=KEY_LIMIT),
            )
            for name, value in variant.options
        ),
        available=variant.available,
        backorderable=variant.backorderable,
        image_url=optional_text(variant.image_url, f"{field}.image_url"),
        updated_at=variant.updated_at,
    )


def checked_batch(variants: Iterable[Variant]) -> list[Variant]:
    """A bulk upsert: at most MAX_VARIANTS_PER_CALL, each sku once."""
    batch = [checked_variant(v) for v in variants]
    if not batch or len(batch) > MAX_VARIANTS_PER_CALL:
        raise InvalidInput(
            f"send between 1 and {MAX_VARIANTS_PER_CALL} variants a call", field="variants"
        )
    skus = [v.sku for v in batch]
    if len(set(skus)) != len(skus):
        raise DomainError(
            "a sku appears twice in the batch", field="variants", code=ErrorCode.DUPLICATE_SKU
        )
    return batch


@dataclass(frozen=True, slots=True)
class Catalogue:
    """What the exchange rules of one request need: the merchant's settings and the
    variants of the skus involved (those asked for and those returned), by sku."""

    settings: ExchangeSettings
    variants: Mapping[str, Variant] = field(default_factory=dict)
    # The merchant's resolution marked as the exchange one: a request asking for an
    # exchange takes it (Carriyo's resolution field, fee rules filtering on resolutions).
    exchange_resolution: str | None = None

    def variant(self, sku: str) -> Variant | None:
        return self.variants.get(sku)

    def group_of(self, sku: str) -> str | None:
        """A returned line's group: the group of the variant with the line's sku."""
        found = self.variants.get(sku)
        return found.group_key if found else None
