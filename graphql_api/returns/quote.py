"""`quoteReturn`: what a customer gets back for a return (a Quote, DESIGN.md §2), for one
about to be created (the input of createReturn) or one that exists. Computed by the pure
`domain.quote` functions; nothing is written."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from core.global_ids import return_request_key
from domain import fee_services
from domain.errors import DomainError, InvalidInput
from domain.parts import RefundOutcome
from domain.quote import Quote, QuoteExchangeLine, QuoteLine, QuoteTotal
from graphql_api.context import Info
from graphql_api.errors import UserError, user_errors
from graphql_api.returns.fees import FeeType
from graphql_api.returns.inputs import CreateReturnInput


@strawberry.type(name="QuoteLine", description="One returned line: its value and its fees.")
class QuoteLineType:
    sku: str
    quantity: int
    currency: str
    value: Decimal
    fees: list[FeeType]
    net: Decimal = strawberry.field(description="The value less the line's own fees.")

    @classmethod
    def from_domain(cls, line: QuoteLine) -> QuoteLineType:
        fees = [FeeType.from_domain(fee) for fee in line.fees]
        return cls(
            sku=line.sku,
            quantity=line.quantity,
            currency=line.currency,
            value=line.value,
            fees=fees,
            net=line.net,
        )


@strawberry.type(name="QuoteOutcome")
class QuoteOutcomeType:
    outcome: RefundOutcome
    amount: Decimal = strawberry.field(description="The value less fees.")
    bonus: Decimal = strawberry.field(description="Added for choosing store credit.")
    total: Decimal


@strawberry.type(name="QuoteTotal", description="One currency's figures and each outcome.")
class QuoteTotalType:
    currency: str
    value: Decimal
    fees: Decimal
    net: Decimal
    outcomes: list[QuoteOutcomeType]
    exchange_total: Decimal = strawberry.field(description="The exchange lines' total.")
    difference_due: Decimal = strawberry.field(
        description="exchangeTotal - (value - fees), in minor units: above 0 the customer "
        "pays it, below 0 it is refunded; 0 without an exchange."
    )

    @classmethod
    def from_domain(cls, total: QuoteTotal) -> QuoteTotalType:
        outcomes = [
            QuoteOutcomeType(outcome=o.outcome, amount=o.amount, bonus=o.bonus, total=o.total)
            for o in total.outcomes
        ]
        return cls(
            currency=total.currency,
            value=total.value,
            fees=total.fees,
            net=total.net,
            outcomes=outcomes,
            exchange_total=total.exchange_total,
            difference_due=total.difference_due,
        )


@strawberry.type(name="QuoteExchangeLine", description="A variant received instead.")
class QuoteExchangeLineType:
    sku: str
    title: str
    quantity: int
    replaces_sku: str
    unit_price: Decimal
    currency: str
    total: Decimal
    exchangeable: bool

    @classmethod
    def from_domain(cls, line: QuoteExchangeLine) -> QuoteExchangeLineType:
        return cls(
            sku=line.sku,
            title=line.title,
            quantity=line.quantity,
            replaces_sku=line.replaces_sku,
            unit_price=line.unit_price,
            currency=line.currency,
            total=line.total,
            exchangeable=line.exchangeable,
        )


@strawberry.type(name="ReturnQuote")
class QuoteType:
    lines: list[QuoteLineType]
    fees: list[FeeType] = strawberry.field(description="Every fee: per line and on the return.")
    totals: list[QuoteTotalType]
    exchange_lines: list[QuoteExchangeLineType]

    @classmethod
    def from_domain(cls, quote: Quote) -> QuoteType:
        return cls(
            lines=[QuoteLineType.from_domain(line) for line in quote.lines],
            fees=[FeeType.from_domain(fee) for fee in quote.fees],
            totals=[QuoteTotalType.from_domain(total) for total in quote.totals],
            exchange_lines=[QuoteExchangeLineType.from_domain(x) for x in quote.exchange_lines],
        )


@strawberry.input(description="Exactly one of: an existing request, or a return to create.")
class QuoteReturnInput:
    return_request_id: strawberry.ID | None = None
    create: CreateReturnInput | None = None


@strawberry.type
class QuoteReturnResult:
    quote: QuoteType | None
    user_errors: list[UserError] = strawberry.field(
        description="Why the return could not be created as asked (the createReturn errors)."
    )


@strawberry.type
class QuoteQueries:
    @strawberry.field(
        description="What the customer gets back, per line and in total, by outcome, less "
        "fees. Writes nothing."
    )
    async def quote_return(self, info: Info, input: QuoteReturnInput) -> QuoteReturnResult:
        try:
            quote = await _quote(info, input)
        except DomainError as error:
            return QuoteReturnResult(quote=None, user_errors=user_errors(error))
        return QuoteReturnResult(quote=QuoteType.from_domain(quote), user_errors=[])


async def _quote(info: Info, data: QuoteReturnInput) -> Quote:
    context = info.context
    if (data.return_request_id is None) == (data.create is None):
        raise InvalidInput("give either returnRequestId or create", field="return_request_id")
    if data.create is not None:
        command = data.create.to_command(context.actor)
        return await fee_services.quote_new_return(
            command, uow=context.unit_of_work(), clock=context.clock
        )
    key = return_request_key(str(data.return_request_id))
    return await fee_services.quote_existing_return(key, uow=context.unit_of_work())
