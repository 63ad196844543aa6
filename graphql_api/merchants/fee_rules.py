"""A merchant's fee rules as configuration: `feeRules(merchant)`, `createFeeRule` and
`deleteFeeRule`. A rule is changed by deleting it and creating another; fees already fixed
on requests keep their amounts until the next re-evaluation (receipt)."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from domain import fee_services as use
from domain.errors import DomainError
from domain.fees import FeeBasis, FeeKind, FeeRule
from graphql_api.common import MutationInput
from graphql_api.context import Info
from graphql_api.errors import UserError, user_errors
from graphql_api.merchants.types import DeletePayload


@strawberry.type(
    name="FeeRule",
    description="When a fee applies and how much it takes. An empty filter list applies to "
    "any value; a reason in waivingReasons (the shop's fault) waives the fee.",
)
class FeeRuleType:
    id: str
    merchant: str
    kind: FeeKind
    basis: FeeBasis
    value: Decimal = strawberry.field(description="The flat amount, or the percent (0 to 100).")
    currency: str | None = strawberry.field(description="A flat fee's currency.")
    resolutions: list[str]
    reasons: list[str]
    conditions: list[str] = strawberry.field(description="Item conditions (known at receipt).")
    countries: list[str] = strawberry.field(description="Countries the parcel comes from.")
    waiving_reasons: list[str]

    @classmethod
    def from_domain(cls, rule: FeeRule) -> FeeRuleType:
        return cls(
            id=rule.id,
            merchant=rule.merchant,
            kind=rule.kind,
            basis=rule.basis,
            value=rule.value,
            currency=rule.currency,
            resolutions=list(rule.resolutions),
            reasons=list(rule.reasons),
            conditions=list(rule.conditions),
            countries=list(rule.countries),
            waiving_reasons=list(rule.waiving_reasons),
        )


@strawberry.input
class FeeRuleInput(MutationInput):
    merchant: str
    kind: FeeKind
    basis: FeeBasis
    value: Decimal
    currency: str | None = None
    resolutions: list[str] = strawberry.field(default_factory=list)
    reasons: list[str] = strawberry.field(default_factory=list)
    conditions: list[str] = strawberry.field(default_factory=list)
    countries: list[str] = strawberry.field(default_factory=list)
    waiving_reasons: list[str] = strawberry.field(default_factory=list)

    def to_domain(self) -> FeeRule:
        return FeeRule(
            id="",
            merchant=self.merchant,
            kind=self.kind,
            basis=self.basis,
            value=self.value,
            currency=self.currency,
            resolutions=tuple(self.resolutions),
            reasons=tuple(self.reasons),
            conditions=tuple(self.conditions),
            countries=tuple(self.countries),
            waiving_reasons=tuple(self.waiving_reasons),
        )


@strawberry.input
class DeleteFeeRuleInput(MutationInput):
    merchant: str
    id: str


@strawberry.type
class FeeRulePayload:
    fee_rule: FeeRuleType | None
    user_errors: list[UserError]


@strawberry.type
class FeeRuleQueries:
    @strawberry.field(description="The merchant's fee rules, in the order fees apply.")
    async def fee_rules(self, info: Info, merchant: str) -> list[FeeRuleType]:
        rules = await use.fee_rules(merchant, uow=info.context.unit_of_work())
        return [FeeRuleType.from_domain(rule) for rule in rules]


@strawberry.type
class FeeRuleMutations:
    @strawberry.mutation(description="Applies from the next approval or receipt.")
    async def create_fee_rule(self, info: Info, input: FeeRuleInput) -> FeeRulePayload:
        context = info.context
        try:
            rule = await use.create_fee_rule(
                input.to_domain(), uow=context.unit_of_work(), clock=context.clock
            )
        except DomainError as error:
            return FeeRulePayload(fee_rule=None, user_errors=user_errors(error))
        return FeeRulePayload(fee_rule=FeeRuleType.from_domain(rule), user_errors=[])

    @strawberry.mutation
    async def delete_fee_rule(self, info: Info, input: DeleteFeeRuleInput) -> DeletePayload:
        try:
            await use.delete_fee_rule(input.merchant, input.id, uow=info.context.unit_of_work())
        except DomainError as error:
            return DeletePayload(deleted=False, user_errors=user_errors(error))
        return DeletePayload(deleted=True, user_errors=[])
