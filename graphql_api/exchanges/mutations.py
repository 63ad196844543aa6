"""Exchange mutations: the merchant's catalogue (variants in bulk, settings) and an
operator's changes to a request's exchange lines, each answering like approveReturn with
the request and userErrors (PAYMENT_REQUIRED, OUT_OF_STOCK, INVALID_TRANSITION, …)."""

from __future__ import annotations

import strawberry

from domain import exchange_services as use
from domain.errors import DomainError
from graphql_api.context import Info
from graphql_api.errors import user_errors
from graphql_api.exchanges import inputs as i
from graphql_api.exchanges import types as t
from graphql_api.execution import execute
from graphql_api.merchants.types import DeletePayload
from graphql_api.returns.mutations import Change

# The request's exchange changes, declared like the other request mutations.
EXCHANGE_CHANGES = (
    Change(
        "releaseExchange",
        use.release_exchange,
        i.ReleaseExchangeInput,
        "Release the waiting exchange lines now, by hand (before the merchant's trigger): "
        "ExchangeReleased is emitted once. Refused with PAYMENT_REQUIRED while the customer "
        "owes a difference; a line sold out becomes OUT_OF_STOCK and the fallback applies.",
    ),
    Change(
        "recordExchangePayment",
        use.record_exchange_payment,
        i.RecordExchangePaymentInput,
        "Record what the customer paid towards a positive difference (never more than "
        "owed); once it is covered, lines waiting in PAYMENT_REQUIRED are released.",
    ),
    Change(
        "markExchangeFulfilled",
        use.mark_exchange_fulfilled,
        i.MarkExchangeFulfilledInput,
        "The merchant shipped released lines: their tracking.",
    ),
    Change(
        "convertExchange",
        use.convert_exchange,
        i.ConvertExchangeInput,
        "Turn a line not yet released into money or store credit: its value leaves the "
        "exchange total and becomes refundable (record the refund as any other).",
    ),
)


@strawberry.type
class CatalogueMutations:
    @strawberry.mutation(description="Create or replace up to 1000 variants by sku.")
    async def upsert_variants(
        self, info: Info, input: i.UpsertVariantsInput
    ) -> t.UpsertVariantsPayload:
        try:
            created, updated, stored = await execute(
                info, use.upsert_variants, lambda: input.to_command(info.context.actor)
            )
        except DomainError as error:
            return t.UpsertVariantsPayload(
                created=0, updated=0, variants=[], user_errors=user_errors(error)
            )
        return t.UpsertVariantsPayload(
            created=created,
            updated=updated,
            variants=[t.VariantType.from_domain(v) for v in stored],
            user_errors=[],
        )

    @strawberry.mutation(
        description="Remove a variant: lines already asked for keep their sku and price."
    )
    async def delete_variant(self, info: Info, input: i.DeleteVariantInput) -> DeletePayload:
        try:
            await execute(info, use.delete_variant, lambda: input.to_command(info.context.actor))
        except DomainError as error:
            return DeletePayload(deleted=False, user_errors=user_errors(error))
        return DeletePayload(deleted=True, user_errors=[])

    @strawberry.mutation(description="Change some of a merchant's exchange settings.")
    async def update_exchange_settings(
        self, info: Info, input: i.UpdateExchangeSettingsInput
    ) -> t.ExchangeSettingsPayload:
        try:
            settings = await execute(
                info, use.update_exchange_settings, lambda: input.to_command(info.context.actor)
            )
        except DomainError as error:
            return t.ExchangeSettingsPayload(exchange_settings=None, user_errors=user_errors(error))
        return t.ExchangeSettingsPayload(
            exchange_settings=t.ExchangeSettingsType.from_domain(settings), user_errors=[]
        )


ExchangeMutations = strawberry.type(
    type(
        "ExchangeMutations",
        (CatalogueMutations,),
        {change.name: change.field() for change in EXCHANGE_CHANGES},
    )
)
