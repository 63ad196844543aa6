"""Mutation inputs of exchanges; each turns itself into a domain command."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from domain import commands as c
from domain.values import Actor
from domain.variants import ExchangeRelease, OutOfStockFallback, Variant
from graphql_api.common import MutationInput
from graphql_api.returns.inputs import ReturnCommandInput
from graphql_api.returns.parts import RefundOutcome  # registered there as the enum


@strawberry.input
class VariantOptionInput:
    name: str
    value: str


@strawberry.input
class VariantInput:
    sku: str
    group_key: str
    title: str
    options: list[VariantOptionInput] = strawberry.field(default_factory=list)
    price: Decimal
    currency: str
    available: bool = True
    backorderable: bool = False
    image_url: str | None = None

    def to_domain(self, merchant: str) -> Variant:
        return Variant(
            merchant=merchant,
            sku=self.sku,
            group_key=self.group_key,
            title=self.title,
            price=self.price,
            currency=self.currency,
            options=tuple((option.name, option.value) for option in self.options),
            available=self.available,
            backorderable=self.backorderable,
            image_url=self.image_url,
        )


@strawberry.input(description="Up to 1000 variants a call; each replaces the one of its sku.")
class UpsertVariantsInput(MutationInput):
    merchant: str
    variants: list[VariantInput]

    def to_command(self, actor: Actor) -> c.UpsertVariants:
        return c.UpsertVariants(
            actor=actor,
            merchant=self.merchant,
            variants=[v.to_domain(self.merchant) for v in self.variants],
        )


@strawberry.input
class DeleteVariantInput(MutationInput):
    merchant: str
    sku: str

    def to_command(self, actor: Actor) -> c.DeleteVariant:
        return c.DeleteVariant(actor=actor, merchant=self.merchant, sku=self.sku)


@strawberry.input(description="Settings left out (null) keep their value.")
class UpdateExchangeSettingsInput(MutationInput):
    merchant: str
    release_on: ExchangeRelease | None = None
    allow_any_product: bool | None = None
    out_of_stock_fallback: OutOfStockFallback | None = None

    def to_command(self, actor: Actor) -> c.UpdateExchangeSettings:
        return c.UpdateExchangeSettings(
            actor=actor,
            merchant=self.merchant,
            release_on=self.release_on,
            allow_any_product=self.allow_any_product,
            out_of_stock_fallback=self.out_of_stock_fallback,
        )


@strawberry.input
class ReleaseExchangeInput(ReturnCommandInput):
    def to_command(self, actor: Actor) -> c.ReleaseExchange:
        return c.ReleaseExchange(**self._common(actor))


@strawberry.input
class RecordExchangePaymentInput(ReturnCommandInput):
    amount: Decimal
    currency: str
    reference: str | None = None

    def to_command(self, actor: Actor) -> c.RecordExchangePayment:
        return c.RecordExchangePayment(
            **self._common(actor),
            amount=self.amount,
            currency=self.currency,
            reference=self.reference,
        )


@strawberry.input
class MarkExchangeFulfilledInput(ReturnCommandInput):
    line_ids: list[str] | None = strawberry.field(
        default=None, description="Null: every released line."
    )
    tracking_number: str
    carrier: str | None = None
    tracking_url: str | None = None

    def to_command(self, actor: Actor) -> c.MarkExchangeFulfilled:
        return c.MarkExchangeFulfilled(
            **self._common(actor),
            line_ids=self.line_ids,
            tracking_number=self.tracking_number,
            carrier=self.carrier,
            tracking_url=self.tracking_url,
        )


@strawberry.input
class ConvertExchangeInput(ReturnCommandInput):
    line_id: str
    outcome: RefundOutcome

    def to_command(self, actor: Actor) -> c.ConvertExchange:
        return c.ConvertExchange(
            **self._common(actor), line_id=self.line_id, outcome=RefundOutcome(self.outcome)
        )
