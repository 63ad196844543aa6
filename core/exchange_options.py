"""What each returned line of an order may be exchanged into (issue 27): the variants of the
line's group (the group of the variant whose sku is the line's), or every variant of the
merchant when it allows any product; only those priced in the order's currency. Unavailable
variants stay in the answer, so a customer sees that the size they wanted is out of stock
rather than missing.

Without any-product, a line whose sku is no variant of the merchant has no options: the
merchant pushed nothing it could be exchanged into. Reads what is committed: the settings,
the lines' own variants, then one statement per group asked (an order has a few lines)."""

from __future__ import annotations

from collections.abc import Iterable

from core.context import Context
from domain.orders import Order
from domain.variants import Variant
from persistence.statements import Statements
from persistence.variants import VariantReads, exchange_settings


async def exchange_options(
    context: Context, order: Order, skus: Iterable[str]
) -> dict[str, list[Variant]]:
    """By each of the order's given skus that has options, its options in sku order."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    async with context.db.reading() as reads:
        return await options_by_sku(reads, context.tenant_id, order, wanted)


async def options_by_sku(
    reads: Statements, tenant_id: str, order: Order, skus: list[str]
) -> dict[str, list[Variant]]:
    variants = VariantReads(reads, tenant_id)
    settings = await exchange_settings(reads, tenant_id, order.merchant)
    if settings.allow_any_product:
        everything = _priced_in(await variants.for_group(order.merchant, None), order.currency)
        return {sku: everything for sku in skus} if everything else {}
    own = await variants.by_skus(order.merchant, skus)
    groups = {
        group: _priced_in(await variants.for_group(order.merchant, group), order.currency)
        for group in sorted({variant.group_key for variant in own.values()})
    }
    return {
        sku: groups[variant.group_key] for sku, variant in own.items() if groups[variant.group_key]
    }


def _priced_in(variants: list[Variant], currency: str) -> list[Variant]:
    return [variant for variant in variants if variant.currency == currency]
