"""Fees on both databases (issue 24): fee rules and a request's fees saved and loaded
exactly, the quote writing nothing, and the money invariants for generated sequences of
approve, receive, fee changes and refunds run through the real use cases."""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import text

from domain import commands as c
from domain import fee_services, services, store_credit_services
from domain.errors import DomainError
from domain.fees import FeeBasis, FeeKind, FeeRule
from domain.parts import ItemRequest, RefundOutcome
from domain.request_details import RequestDetails
from domain.store_credit import BonusBasis, StoreCreditSettings
from tests.drawn import drawn
from tests.integration.persistence.conftest import ACTOR, DROPOFF, MERCHANT, PICKUP

SHIPPING = FeeRule(
    "", MERCHANT, FeeKind.RETURN_SHIPPING, FeeBasis.FLAT, Decimal("15"), "AED",
    waiving_reasons=("DEFECTIVE",),
)  # fmt: skip
RESTOCKING = FeeRule(
    "", MERCHANT, FeeKind.RESTOCKING, FeeBasis.PERCENT_OF_ITEM, Decimal("12.5"),
    conditions=("OPENED",),
)  # fmt: skip
HANDLING = FeeRule("", MERCHANT, FeeKind.HANDLING, FeeBasis.PERCENT_OF_RETURN, Decimal("7.5"))
LINES = {"SKU-A": (3, 3, Decimal("33.33")), "SKU-B": (2, 2, Decimal("0.05"))}


async def with_rules(world: Any, *rules: FeeRule) -> list[FeeRule]:
    return [
        await fee_services.create_fee_rule(rule, uow=world.uow(), clock=world.clock)
        for rule in rules
    ]


async def test_fee_rules_are_saved_and_read_back_exactly_in_order(world):
    made = await with_rules(world, SHIPPING, RESTOCKING, HANDLING)
    assert await fee_services.fee_rules(MERCHANT, uow=world.uow()) == made
    assert await fee_services.fee_rules("other", uow=world.uow()) == []
    await fee_services.delete_fee_rule(MERCHANT, made[1].id, uow=world.uow())
    assert await fee_services.fee_rules(MERCHANT, uow=world.uow()) == [made[0], made[2]]


async def test_fee_rules_read_with_the_other_rules_are_the_ones_read_alone(world):
    """Every write reads a merchant's fee rules in the statement of its other rules on
    PostgreSQL; they must be what the fee rules' own read gives, in the same order."""
    made = await with_rules(world, SHIPPING, RESTOCKING, HANDLING)
    async with world.uow() as uow:
        *sources, fee_rules = await uow.configuration.rule_sources_and_fees(MERCHANT)
        alone = await uow.configuration.rule_sources(MERCHANT)
        *_, nothing = await uow.configuration.rule_sources_and_fees("other")
    assert fee_rules == made
    assert tuple(sources) == alone
    assert nothing == []


async def test_a_requests_fees_round_trip_through_both_loaders(world):
    await with_rules(world, SHIPPING, RESTOCKING)
    await world.order(lines=LINES)
    rid = (await world.create(items={"SKU-A": 3})).id
    await world.run(services.approve_return, c.ApproveReturn(return_request_id=rid))
    fee_id = (await world.load(rid)).fees[0].id
    await world.run(
        fee_services.waive_return_fee,
        c.WaiveReturnFee(return_request_id=rid, fee_id=fee_id, reason="ours", actor=ACTOR),
    )
    await world.run(
        services.receive_return,
        c.ReceiveReturn(
            return_request_id=rid, quantities={"SKU-A": 3}, conditions={"SKU-A": "OPENED"}
        ),
    )
    stored = await world.load(rid)
    assert [(f.kind, f.amount, f.waived, f.manual) for f in stored.fees] == [
        (FeeKind.RETURN_SHIPPING, Decimal("15.00"), True, True),
        (FeeKind.RESTOCKING, Decimal("12.50"), False, False),
    ]
    assert stored.fees[0].waived_at == world.clock.now()
    assert (await world.read([rid]))[rid].fees == stored.fees


async def table_contents(world: Any) -> list[Any]:
    async with world.db.read_session() as session:
        rows = []
        for table in ("return_requests", "return_items", "outbox_events", "fee_rules"):
            result = await session.execute(text(f"SELECT * FROM {table}"))
            rows.append(sorted(map(repr, result.all())))
        return rows


async def test_a_quote_changes_no_row(world):
    await with_rules(world, SHIPPING, HANDLING)
    await world.order(lines=LINES)
    rid = (await world.create(items={"SKU-A": 1})).id
    before = await table_contents(world)
    cmd = c.CreateReturn(
        merchant=MERCHANT,
        order_reference="ORD-1",
        items=[ItemRequest("SKU-A", 2, reason_code="X")],
        details=RequestDetails(pickup=PICKUP, dropoff=DROPOFF),
    )
    quote = await fee_services.quote_new_return(cmd, uow=world.uow(), clock=world.clock)
    assert quote.totals[0].value == Decimal("66.66")
    await fee_services.quote_existing_return(rid, uow=world.uow())
    assert await table_contents(world) == before


AMOUNTS = st.decimals(Decimal("0.01"), Decimal("150"), places=2)
SKUS = st.sampled_from(["SKU-A", "SKU-B"])
STEP = st.one_of(
    st.tuples(st.just("approve"), st.integers(0, 3), st.integers(0, 2)),
    st.tuples(st.just("receive"), SKUS, st.sampled_from([None, "OPENED"])),
    st.tuples(st.just("waive"), st.integers(0, 3)),
    st.tuples(st.just("set"), st.integers(0, 3), AMOUNTS),
    st.tuples(st.just("refund"), AMOUNTS),
    st.tuples(st.just("refund_rest")),
)
SCENARIO = st.tuples(st.sampled_from(["CHANGED_MIND", "DEFECTIVE"]), st.lists(STEP, max_size=8))


def command(rid: str, step: tuple, fees: list, remaining: Decimal) -> tuple[Any, Any] | None:
    name, *args = step
    common = {"return_request_id": rid, "actor": ACTOR}
    if name == "approve":
        quantities = {"SKU-A": args[0], "SKU-B": args[1]}
        return services.approve_return, c.ApproveReturn(
            **common, quantities=quantities, rejection_reason="partial"
        )
    if name == "receive":
        conditions = {args[0]: args[1]} if args[1] else {}
        return services.receive_return, c.ReceiveReturn(
            **common, quantities={args[0]: 1}, conditions=conditions
        )
    if name == "waive" and fees:
        fee_id = fees[args[0] % len(fees)].id
        return fee_services.waive_return_fee, c.WaiveReturnFee(**common, fee_id=fee_id, reason="x")
    if name == "set":
        fee_id = fees[args[0]].id if args[0] < len(fees) else None
        return fee_services.set_return_fee, c.SetReturnFee(
            **common, fee_id=fee_id, kind="HANDLING", currency="AED", amount=args[1]
        )
    if name in ("refund", "refund_rest"):
        amount = args[0] if args else remaining
        return services.add_refund, c.AddRefund(**common, amount=amount, currency="AED")
    return None


async def test_refunds_stay_within_the_value_less_fees_on_any_sequence(world):
    await with_rules(world, SHIPPING, RESTOCKING, HANDLING)
    await world.order(lines=LINES)
    for number, (reason, steps) in enumerate(drawn(SCENARIO, 25)):
        await world.order(reference=f"ORD-P{number}", lines=LINES)
        items = [ItemRequest("SKU-A", 3, reason_code=reason), ItemRequest("SKU-B", 2)]
        rid = (await world.create(reference=f"ORD-P{number}", items=items)).id
        for step in steps:
            request = await world.load(rid)
            remaining = max(request.remaining_refundable("AED"), Decimal(0))
            made = command(rid, step, request.fees, remaining)
            if made is None:
                continue
            with contextlib.suppress(DomainError):
                await world.run(*made)
            for balance in (await world.load(rid)).balance():
                assert 0 <= balance.fees <= balance.approved_value, (steps, balance)
                assert balance.refunded <= balance.approved_value - balance.fees, (steps, balance)


async def test_a_quote_offers_the_merchants_store_credit_bonus(world):
    await with_rules(world, SHIPPING)
    await world.order(lines=LINES)
    await store_credit_services.set_store_credit_settings(
        StoreCreditSettings(MERCHANT, BonusBasis.PERCENT, Decimal("10"), bonus_cap=Decimal("5")),
        uow=world.uow(),
        clock=world.clock,
    )
    rid = (await world.create(items={"SKU-A": 1})).id
    quote = await fee_services.quote_existing_return(rid, uow=world.uow())
    outcomes = {o.outcome: o for o in quote.totals[0].outcomes}
    # 33.33 less the 15 shipping fee: 18.33; a 10% bonus is 1.83, under the cap of 5.
    assert outcomes[RefundOutcome.MONEY].bonus == Decimal("0.00")
    assert outcomes[RefundOutcome.STORE_CREDIT].bonus == Decimal("1.83")
