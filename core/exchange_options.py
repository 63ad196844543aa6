"""What each returned line of an order may be exchanged into, for the portal (issue 27): the
variants of the line's group (the group of the variant whose sku is the line's), or every
variant of the merchant when it allows any product. Unavailable variants are kept in the
answer, so a customer sees the size they wanted is out of stock rather than missing.

A line whose sku is no variant of the merchant has no options: the merchant pushed nothing
it could be exchanged into. Reads what is committed, in one read session: the settings, the
lines' own variants, then one statement per group asked (an order has a few lines)."""

from __future__ import annotations

from collections.abc import Iterable

from core.context import Context
from domain.variants import Variant
from persistence.statements import SqlAlchemyStatements
from persistence.variants import VariantReads, exchange_settings


async def exchange_options(
    context: Context, merchant: str, skus: Iterable[str]
) -> dict[str, list[Variant]]:
    """By each given sku that has options, its options in sku order."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    async with context.db.read_session() as session:
        statements = SqlAlchemyStatements.of(session)
        variants = VariantReads(statements, context.tenant_id)
        own = await variants.by_skus(merchant, wanted)
        if not own:
            return {}
        settings = await exchange_settings(statements, context.tenant_id, merchant)
        if settings.allow_any_product:
            everything = await variants.for_group(merchant, None)
            return {sku: everything for sku in own}
        groups = {
            group: await variants.for_group(merchant, group)
            for group in sorted({variant.group_key for variant in own.values()})
        }
    return {sku: groups[variant.group_key] for sku, variant in own.items()}
