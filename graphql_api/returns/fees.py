"""GraphQL views of money on a return request: its Fees (with their rule, basis and who
waived or set them, and why) and its balance per currency. Both are read from the whole
aggregate, which alone knows them (domain/request_fees.py, domain/balance.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from domain.balance import Balance
from domain.fees import Fee, FeeBasis, FeeKind

strawberry.enum(FeeKind, name="FeeKind", description="What a fee charges for.")
strawberry.enum(
    FeeBasis,
    name="FeeBasis",
    description="How a fee is reckoned: a flat amount, a percent of each item's value, or "
    "a percent of the return's value.",
)


@strawberry.type(
    name="Fee",
    description="A deduction from what the customer gets back: from a merchant's fee rule "
    "(fixed at approval, re-evaluated at receipt) or set by hand.",
)
class FeeType:
    id: str
    kind: FeeKind
    basis: FeeBasis
    amount: Decimal = strawberry.field(description="What the fee takes, or would take when waived.")
    charged: Decimal = strawberry.field(description="What it takes: 0 when waived.")
    currency: str
    rule_id: str | None = strawberry.field(description="The rule it came from; null if by hand.")
    sku: str | None = strawberry.field(description="The item of a per-item fee.")
    rate: Decimal | None = strawberry.field(description="The rule's percent or flat amount.")
    waived: bool
    waived_reason: str | None
    waived_by: str | None
    waived_at: datetime | None
    set_by_hand: bool = strawberry.field(
        description="A person waived it or set its amount: re-evaluation keeps it as it is."
    )
    set_by: str | None
    set_reason: str | None
    set_at: datetime | None

    @classmethod
    def from_domain(cls, fee: Fee) -> FeeType:
        return cls(
            id=fee.id,
            kind=fee.kind,
            basis=fee.basis,
            amount=fee.amount,
            charged=fee.charged,
            currency=fee.currency,
            rule_id=fee.rule_id,
            sku=fee.sku,
            rate=fee.rate,
            waived=fee.waived,
            waived_reason=fee.waived_reason,
            waived_by=fee.waived_by,
            waived_at=fee.waived_at,
            set_by_hand=fee.manual,
            set_by=fee.set_by,
            set_reason=fee.set_reason,
            set_at=fee.set_at,
        )


@strawberry.type(
    name="ReturnBalance",
    description="Where a request's money stands in one currency: refunds and credit may "
    "reach the approved value less fees, no more.",
)
class BalanceType:
    currency: str
    approved_value: Decimal
    fees: Decimal
    refunded: Decimal
    credited: Decimal = strawberry.field(description="Issued as store credit.")
    remaining: Decimal = strawberry.field(
        description="What may still be refunded or credited: with an exchange, what is left "
        "after the exchange lines (never below 0)."
    )
    exchange_total: Decimal = strawberry.field(
        description="The live exchange lines: unit price times quantity."
    )
    difference_due: Decimal = strawberry.field(
        description="exchangeTotal - (returned value - fees), in minor units: above 0 the "
        "customer owes it (release waits for recordExchangePayment), below 0 the merchant "
        "does (it is what remains refundable). 0 without an exchange; never null."
    )
    paid: Decimal = strawberry.field(description="What the customer paid towards it.")

    @classmethod
    def from_domain(cls, balance: Balance) -> BalanceType:
        return cls(
            currency=balance.currency,
            approved_value=balance.approved_value,
            fees=balance.fees,
            refunded=balance.refunded,
            credited=balance.credited,
            remaining=balance.remaining,
            exchange_total=balance.exchange_total,
            difference_due=balance.difference_due,
            paid=balance.paid,
        )
