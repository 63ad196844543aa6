"""GraphQL views of exchanges: variants (Nodes, paged by sku), a merchant's exchange
settings, and a request's exchange lines and payments (read from its child rows, batched
per page like its items)."""

from __future__ import annotations

import base64
from datetime import datetime
from decimal import Decimal

import strawberry

from core.global_ids import to_global_id
from domain.exchange_lines import ExchangeLine, ExchangeLineStatus, ExchangePayment
from domain.variants import ExchangeRelease, ExchangeSettings, OutOfStockFallback, Variant
from graphql_api.common import Node, PageInfo
from graphql_api.context import Info
from graphql_api.errors import UserError
from graphql_api.returns.parts import RefundOutcome  # registered there as the enum
from persistence.exchange_mappers import exchange_line_from_row, exchange_payment_from_row
from persistence.statements import Row

strawberry.enum(
    ExchangeLineStatus,
    name="ExchangeLineStatus",
    description="Where an exchange line is: PENDING (undecided) → RESERVED (approved) → "
    "RELEASED (sent to the merchant's order system) → FULFILLED; or PAYMENT_REQUIRED, "
    "OUT_OF_STOCK, CONVERTED (money or store credit), CANCELLED.",
)
strawberry.enum(
    ExchangeRelease,
    name="ExchangeRelease",
    description="When an approved exchange is released: on approval (instant exchange), on "
    "the carrier's first scan, or on receipt of the returned units.",
)
strawberry.enum(
    OutOfStockFallback,
    name="OutOfStockFallback",
    description="What a line sold out at release becomes: waits for review, or turns into a "
    "refund or store credit.",
)
VARIANT = "Variant"


@strawberry.type(name="VariantOption")
class VariantOptionType:
    name: str
    value: str


@strawberry.type(
    name="Variant",
    description="A sku the merchant's customers may receive in exchange, as last pushed.",
)
class VariantType(Node):
    merchant: str
    sku: str
    group_key: str = strawberry.field(
        description="The product it belongs to: exchanges stay within a group unless the "
        "merchant allows any product."
    )
    title: str
    options: list[VariantOptionType]
    price: Decimal
    currency: str
    available: bool
    backorderable: bool
    exchangeable: bool = strawberry.field(description="Available or backorderable.")
    image_url: str | None
    updated_at: datetime

    @classmethod
    def from_domain(cls, variant: Variant) -> VariantType:
        return cls(
            id=strawberry.ID(to_global_id(VARIANT, f"{variant.merchant}/{variant.sku}")),
            merchant=variant.merchant,
            sku=variant.sku,
            group_key=variant.group_key,
            title=variant.title,
            options=[VariantOptionType(name=n, value=v) for n, v in variant.options],
            price=variant.price,
            currency=variant.currency,
            available=variant.available,
            backorderable=variant.backorderable,
            exchangeable=variant.exchangeable,
            image_url=variant.image_url,
            updated_at=variant.updated_at,  # type: ignore[arg-type]
        )


def variant_cursor(sku: str) -> str:
    return base64.urlsafe_b64encode(sku.encode()).decode()


def sku_after(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        return None


@strawberry.type(name="VariantEdge")
class VariantEdge:
    cursor: str
    node: VariantType


@strawberry.type(name="VariantConnection")
class VariantConnection:
    edges: list[VariantEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type(name="ExchangeSettings")
class ExchangeSettingsType:
    merchant: str
    release_on: ExchangeRelease
    allow_any_product: bool
    out_of_stock_fallback: OutOfStockFallback

    @classmethod
    def from_domain(cls, settings: ExchangeSettings) -> ExchangeSettingsType:
        return cls(
            merchant=settings.merchant,
            release_on=settings.release_on,
            allow_any_product=settings.allow_any_product,
            out_of_stock_fallback=settings.out_of_stock_fallback,
        )


@strawberry.type(name="ExchangeFulfilment")
class ExchangeFulfilmentType:
    tracking_number: str
    carrier: str | None
    tracking_url: str | None
    fulfilled_at: datetime


@strawberry.type(
    name="ExchangeLine",
    description="What the customer receives instead of returned units of `replacesSku`.",
)
class ExchangeLineType:
    line_id: str = strawberry.field(description="XL-1, XL-2…: unique within its request.")
    sku: str
    title: str
    quantity: int
    replaces_sku: str
    unit_price: Decimal
    currency: str
    total: Decimal
    status: ExchangeLineStatus
    released_at: datetime | None
    fulfilment: ExchangeFulfilmentType | None
    converted_to: RefundOutcome | None = strawberry.field(
        description="What a CONVERTED line became."
    )
    merchant: strawberry.Private[str]

    @strawberry.field(description="The variant as the merchant lists it now; null if removed.")
    async def variant(self, info: Info) -> VariantType | None:
        found = await info.context.loaders.variant_by_sku.load((self.merchant, self.sku))
        return VariantType.from_domain(found) if found else None

    @classmethod
    def from_row(cls, row: Row, merchant: str) -> ExchangeLineType:
        line: ExchangeLine = exchange_line_from_row(row)
        done = line.fulfilment
        return cls(
            line_id=line.line_id,
            sku=line.sku,
            title=line.title,
            quantity=line.quantity,
            replaces_sku=line.replaces_sku,
            unit_price=line.unit_price,
            currency=line.currency,
            total=line.total,
            status=line.status,
            released_at=line.released_at,
            fulfilment=None
            if done is None
            else ExchangeFulfilmentType(
                tracking_number=done.tracking_number,
                carrier=done.carrier,
                tracking_url=done.tracking_url,
                fulfilled_at=done.fulfilled_at,
            ),
            converted_to=line.converted_to,
            merchant=merchant,
        )


@strawberry.type(
    name="ExchangePayment", description="What the customer paid towards a positive difference."
)
class ExchangePaymentType:
    amount: Decimal
    currency: str
    reference: str | None
    recorded_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> ExchangePaymentType:
        payment: ExchangePayment = exchange_payment_from_row(row)
        return cls(
            amount=payment.amount,
            currency=payment.currency,
            reference=payment.reference,
            recorded_at=payment.recorded_at,
        )


@strawberry.type
class UpsertVariantsPayload:
    created: int
    updated: int
    variants: list[VariantType]
    user_errors: list[UserError]


@strawberry.type
class ExchangeSettingsPayload:
    exchange_settings: ExchangeSettingsType | None
    user_errors: list[UserError]
