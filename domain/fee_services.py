"""Use cases of fees and the quote: merchants' fee rules, a person waiving or setting a
fee on a request, and the quote of a return about to be created or of one that exists.
The quotes open a unit of work to read with the same rules as a write, and never commit:
a quote writes nothing."""

from __future__ import annotations

from domain import commands as c
from domain import exchange_triggers
from domain.errors import InvalidInput, NotFound
from domain.fees import FeeKind, FeeRule
from domain.ports import Clock, UnitOfWork
from domain.quote import Bonus, Quote, new_return_quote, no_bonus, request_quote
from domain.reference import ReferenceKind
from domain.returns import ReturnRequest
from domain.services import _load, _order, _stored, retried
from domain.values import new_id


async def fee_rules(merchant: str, *, uow: UnitOfWork) -> list[FeeRule]:
    async with uow:
        return await uow.fee_rules.rules(merchant)


async def create_fee_rule(rule: FeeRule, *, uow: UnitOfWork, clock: Clock) -> FeeRule:
    """A new rule applies from the next approval or receipt; fees already fixed stay."""
    rule = FeeRule(**{**_fields(rule), "id": rule.id or new_id("FR")}).checked()
    async with uow:
        await uow.fee_rules.add(rule, at=clock.now())
        await uow.commit()
    return rule


async def delete_fee_rule(merchant: str, rule_id: str, *, uow: UnitOfWork) -> None:
    async with uow:
        if not await uow.fee_rules.remove(merchant, rule_id):
            raise NotFound(f"fee rule {rule_id} not found for merchant {merchant}", field="id")
        await uow.commit()


def _fields(rule: FeeRule) -> dict[str, object]:
    return {name: getattr(rule, name) for name in FeeRule.__dataclass_fields__}


@retried
async def waive_return_fee(
    cmd: c.WaiveReturnFee, *, uow: UnitOfWork, clock: Clock
) -> ReturnRequest:
    async with uow:
        request = await _load(uow, cmd)
        request.waive_fee(cmd.fee_id, reason=cmd.reason, at=clock.now(), actor=cmd.actor)
        return await _stored(uow, request)


@retried
async def set_return_fee(cmd: c.SetReturnFee, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    kind = None
    if cmd.kind is not None:
        try:
            kind = FeeKind(cmd.kind)
        except ValueError:
            known = ", ".join(FeeKind)
            message = f"unknown fee kind {cmd.kind!r}; known: {known}"
            raise InvalidInput(message, field="kind") from None
    async with uow:
        request = await _load(uow, cmd)
        request.set_fee(
            amount=cmd.amount,
            at=clock.now(),
            actor=cmd.actor,
            fee_id=cmd.fee_id,
            kind=kind,
            currency=cmd.currency,
            reason=cmd.reason,
        )
        return await _stored(uow, request)


async def quote_new_return(cmd: c.CreateReturn, *, uow: UnitOfWork, clock: Clock) -> Quote:
    """The quote of the return `cmd` would create: the same checks as createReturn (an
    input it would refuse is refused here with the same errors), on a request that is
    built and never saved."""
    async with uow:
        order = await _order(uow, cmd.merchant, cmd.order_reference)
        rules = await uow.rules_for(cmd.merchant)
        catalogue = None
        if cmd.exchange_items:
            skus = [x.sku for x in cmd.exchange_items] + [i.sku for i in cmd.items]
            catalogue = await exchange_triggers.asking_catalogue(uow, cmd.merchant, skus)
        request = ReturnRequest.create(
            order=order,
            items=cmd.items,
            rules=rules,
            already_requested=await uow.returns.live_quantities(order.merchant, order.reference),
            at=clock.now(),
            actor=cmd.actor,
            details=cmd.details,
            exchange_items=cmd.exchange_items,
            catalogue=catalogue,
        )
        bonus = await _bonus(uow, cmd.merchant)
    return new_return_quote(request, rules.fee_rules, bonus=bonus)


async def quote_existing_return(return_request_id: str, *, uow: UnitOfWork) -> Quote:
    """The quote of a stored request as it stands: its own fees once approved."""
    async with uow:
        request = await uow.returns.get(return_request_id)
        rules = await uow.rules_for(request.merchant)
        bonus = await _bonus(uow, request.merchant)
    return request_quote(request, rules.fee_rules, bonus=bonus)


async def offers_store_credit(merchant: str, *, uow: UnitOfWork) -> bool:
    """Whether a customer is offered store credit at all: the merchant has store-credit
    settings (a bonus, an expiry), or a refund type marked as store credit. Without either
    the merchant has never said they give credit, so only money is shown."""
    async with uow:
        if await uow.store_credit.settings(merchant) is not None:
            return True
        types = await uow.configuration.entries(merchant, ReferenceKind.REFUND_TYPE)
    return any(entry.store_credit for entry in types)


async def _bonus(uow: UnitOfWork, merchant: str) -> Bonus:
    """The merchant's store-credit bonus as the quote shows it (none without settings)."""
    settings = await uow.store_credit.settings(merchant)
    if settings is None:
        return no_bonus
    return lambda currency, amount: settings.bonus_for(amount, currency)
