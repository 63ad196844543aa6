"""Fees (issue 24, item 1): rules, rounding in minor units, waiving reasons, re-evaluation
at receipt, hand-set and waived fees that survive it, the cap, and the refund cap that
leaves the last cent refundable."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest

from domain import events as ev
from domain.currencies import minor_units, round_money
from domain.eligibility import BaseRules
from domain.errors import DomainError, ErrorCode, InvalidInput, InvalidTransition, NotFound
from domain.fees import (
    Fee,
    FeeBasis,
    FeeKind,
    FeeLine,
    FeeRule,
    cap_fees,
    evaluate_fees,
    reevaluate,
)
from domain.lifecycle import ReturnStatus
from domain.parts import ItemRequest
from domain.values import Actor
from tests.unit.domain.conftest import ACTOR, NOW, make_order, make_request

ANYWHERE = None


class FeeRules(BaseRules):
    def __init__(self, *rules: FeeRule) -> None:
        self._rules = rules

    @property
    def fee_rules(self) -> Sequence[FeeRule]:
        return self._rules


def rule(
    basis: FeeBasis = FeeBasis.PERCENT_OF_ITEM,
    value: str = "10",
    kind: FeeKind = FeeKind.RESTOCKING,
    **filters: object,
) -> FeeRule:
    currency = filters.pop("currency", "AED" if basis == FeeBasis.FLAT else None)
    return FeeRule(
        id=f"FR-{kind}-{basis}",
        merchant="acme",
        kind=kind,
        basis=basis,
        value=Decimal(value),
        currency=currency,  # type: ignore[arg-type]
        **{k: tuple(v) for k, v in filters.items()},  # type: ignore[arg-type]
    ).checked()


def line(sku: str = "A", value: str = "100", currency: str = "AED", **rest: object) -> FeeLine:
    return FeeLine(sku=sku, currency=currency, value=Decimal(value), **rest)  # type: ignore[arg-type]


# ------------------------------------------------------------------ currencies


@pytest.mark.parametrize(("currency", "units"), [("JPY", 0), ("KWD", 3), ("AED", 2), ("XYZ", 2)])
def test_minor_units_follow_iso_4217(currency, units):
    assert minor_units(currency) == units


def test_rounding_is_half_up_in_the_currencys_minor_units():
    assert round_money(Decimal("10.005"), "AED") == Decimal("10.01")
    assert str(round_money(Decimal("1234.5"), "JPY")) == "1235"
    assert str(round_money(Decimal("1.23456"), "KWD")) == "1.235"
    assert str(round_money(Decimal("-0.001"), "AED")) == "0.00"


# ------------------------------------------------------------------ rules


def test_percent_of_item_is_one_fee_per_line_rounded_per_line():
    fees = evaluate_fees(
        [rule(value="33.333")], [line("A", "10"), line("B", "10")], country=ANYWHERE
    )
    assert [(f.sku, f.amount) for f in fees] == [("A", Decimal("3.33")), ("B", Decimal("3.33"))]


def test_percent_of_return_is_one_fee_on_the_matching_lines_total():
    fees = evaluate_fees(
        [rule(FeeBasis.PERCENT_OF_RETURN, "10", FeeKind.HANDLING)],
        [line("A", "10.05"), line("B", "10.00")],
        country=ANYWHERE,
    )
    assert [(f.sku, f.amount, f.kind) for f in fees] == [(None, Decimal("2.01"), FeeKind.HANDLING)]


def test_a_flat_fee_is_charged_once_per_return_in_its_own_currency_only():
    flat = rule(FeeBasis.FLAT, "15", FeeKind.RETURN_SHIPPING)
    assert [f.amount for f in evaluate_fees([flat], [line(), line("B")], country="AE")] == [
        Decimal("15.00")
    ]
    assert evaluate_fees([flat], [line(currency="SAR")], country="AE") == []


def test_jpy_fees_have_no_decimals_and_kwd_fees_three():
    [yen] = evaluate_fees([rule(value="15")], [line(value="999", currency="JPY")], country=None)
    assert str(yen.amount) == "150"  # 149.85 rounds up to a whole yen
    [fils] = evaluate_fees([rule(value="7")], [line(value="1.234", currency="KWD")], country=None)
    assert str(fils.amount) == "0.086"  # 0.08638


@pytest.mark.parametrize(
    ("filters", "fields", "applies"),
    [
        ({"resolutions": ["REFUND"]}, {"resolution": "REFUND"}, True),
        ({"resolutions": ["REFUND"]}, {"resolution": "EXCHANGE"}, False),
        ({"reasons": ["CHANGED_MIND"]}, {"reason": "CHANGED_MIND"}, True),
        ({"reasons": ["CHANGED_MIND"]}, {"reason": "DAMAGED"}, False),
        ({"conditions": ["OPENED"]}, {"condition": "OPENED"}, True),
        ({"conditions": ["OPENED"]}, {"condition": None}, False),  # not judged yet
        ({}, {}, True),
    ],
)
def test_a_rule_applies_only_where_its_filters_allow(filters, fields, applies):
    fees = evaluate_fees([rule(**filters)], [line(**fields)], country="AE")
    assert bool(fees) is applies


def test_a_rule_for_some_countries_applies_only_to_parcels_from_them():
    scoped = rule(countries=["SA"])
    assert evaluate_fees([scoped], [line()], country="SA")
    assert not evaluate_fees([scoped], [line()], country="AE")
    assert not evaluate_fees([scoped], [line()], country=None)


def test_a_waiving_reason_leaves_the_fee_visible_but_taking_nothing():
    shipping = rule(FeeBasis.FLAT, "20", FeeKind.RETURN_SHIPPING, waiving_reasons=["DEFECTIVE"])
    [fee] = evaluate_fees([shipping], [line(reason="DEFECTIVE"), line("B")], country=None)
    assert fee.waived and fee.charged == 0 and fee.amount == Decimal("20.00")
    assert fee.waived_reason == "reason DEFECTIVE waives this fee"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"value": Decimal(0)}, "value"),
        ({"value": Decimal("100.01")}, "value"),
        ({"basis": FeeBasis.FLAT, "currency": None}, "currency"),
        ({"currency": "AED"}, "currency"),
        ({"basis": FeeBasis.FLAT, "currency": "aed"}, "currency"),
        ({"reasons": ("X",) * 101}, "reasons"),
    ],
)
def test_a_rule_that_makes_no_sense_is_refused_with_its_field(changes, field):
    base = FeeRule("FR-1", "acme", FeeKind.RESTOCKING, FeeBasis.PERCENT_OF_ITEM, Decimal(10))
    with pytest.raises(InvalidInput) as refused:
        FeeRule(**{**{n: getattr(base, n) for n in base.__dataclass_fields__}, **changes}).checked()
    assert refused.value.field == field


def test_fees_never_exceed_the_lines_value():
    rules = [rule(FeeBasis.FLAT, "80"), rule(value="50", kind=FeeKind.HANDLING)]
    fees = evaluate_fees(rules, [line(value="100")], country=None)
    assert [f.amount for f in fees] == [Decimal("80.00"), Decimal("20")]


def test_the_cap_counts_hand_set_fees_first():
    auto = Fee("F1", FeeKind.RESTOCKING, FeeBasis.FLAT, Decimal(50), "AED")
    manual = Fee("F2", FeeKind.HANDLING, FeeBasis.FLAT, Decimal(70), "AED", manual=True)
    assert [f.amount for f in cap_fees([auto, manual], {"AED": Decimal(100)})] == [30, 70]


def test_a_capped_fee_is_cut_to_a_whole_minor_unit():
    fee = Fee("F1", FeeKind.RESTOCKING, FeeBasis.FLAT, Decimal(50), "KWD")
    assert cap_fees([fee], {"KWD": Decimal("10.00059")})[0].amount == Decimal("10.000")


def test_reevaluation_keeps_ids_and_hand_made_changes():
    old = Fee("F1", FeeKind.RESTOCKING, FeeBasis.PERCENT_OF_ITEM, Decimal(5), "AED", "R1", "A")
    manual = Fee("F2", FeeKind.HANDLING, FeeBasis.FLAT, Decimal(9), "AED", manual=True)
    new = Fee("F9", FeeKind.RESTOCKING, FeeBasis.PERCENT_OF_ITEM, Decimal(7), "AED", "R1", "A")
    assert reevaluate([old, manual], [new]) == [
        Fee("F1", FeeKind.RESTOCKING, FeeBasis.PERCENT_OF_ITEM, Decimal(7), "AED", "R1", "A"),
        manual,
    ]


# ------------------------------------------------------------------ on a request

RESTOCK_OPENED = rule(value="20", conditions=["OPENED"])
SHIPPING = rule(FeeBasis.FLAT, "15", FeeKind.RETURN_SHIPPING, waiving_reasons=["DEFECTIVE"])


def approved(*rules: FeeRule, reason: str = "CHANGED_MIND"):
    request = make_request([ItemRequest("SKU-A", 2, reason_code=reason)])
    request.approve(at=NOW, actor=ACTOR, rules=FeeRules(*rules))
    return request


def test_fees_are_fixed_at_approval_with_an_event_each():
    request = approved(SHIPPING)
    [fee] = request.fees
    assert (fee.kind, fee.amount, fee.rule_id) == (FeeKind.RETURN_SHIPPING, 15, SHIPPING.id)
    applied = [e for e in request.pull_events() if isinstance(e, ev.ReturnFeeApplied)]
    assert [(e.fee_id, e.amount) for e in applied] == [(fee.id, Decimal("15.00"))]
    [balance] = request.balance()
    assert (balance.approved_value, balance.fees, balance.remaining) == (200, 15, 185)


def test_no_fee_on_a_merchant_fault_reason():
    request = approved(SHIPPING, reason="DEFECTIVE")
    [fee] = request.fees
    assert fee.waived and request.balance()[0].fees == 0
    assert any(isinstance(e, ev.ReturnFeeWaived) for e in request.pull_events())
    request.add_refund(amount=Decimal(200), currency="AED", at=NOW, actor=ACTOR, rules=BaseRules())


def test_receipt_re_evaluates_fees_once_the_condition_is_known():
    request = approved(RESTOCK_OPENED, SHIPPING)
    assert [f.kind for f in request.fees] == [FeeKind.RETURN_SHIPPING]
    request.receive(
        at=NOW,
        actor=ACTOR,
        quantities={"SKU-A": 2},
        conditions={"SKU-A": "OPENED"},
        rules=FeeRules(RESTOCK_OPENED, SHIPPING),
    )
    assert [(f.kind, f.amount) for f in request.fees] == [
        (FeeKind.RESTOCKING, Decimal("40.00")),
        (FeeKind.RETURN_SHIPPING, Decimal("15.00")),
    ]


def test_a_manual_fee_survives_receipt_re_evaluation():
    request = approved(SHIPPING)
    fee = request.set_fee(
        fee_id=request.fees[0].id, amount=Decimal("5"), reason="goodwill", at=NOW, actor=ACTOR
    )
    assert fee.manual and fee.set_by == ACTOR.user and fee.set_reason == "goodwill"
    request.receive(at=NOW, actor=ACTOR, quantities={"SKU-A": 2}, rules=FeeRules(SHIPPING))
    assert [(f.id, f.amount, f.manual) for f in request.fees] == [(fee.id, Decimal(5), True)]


def test_a_waived_fee_survives_receipt_re_evaluation_and_says_who_and_why():
    request = approved(SHIPPING)
    fee = request.waive_fee(request.fees[0].id, reason="loyal customer", at=NOW, actor=ACTOR)
    assert (fee.waived, fee.waived_by, fee.waived_reason) == (True, ACTOR.user, "loyal customer")
    request.receive(at=NOW, actor=ACTOR, quantities={"SKU-A": 2}, rules=FeeRules(SHIPPING))
    assert request.fees == [fee] and request.balance()[0].fees == 0
    with pytest.raises(InvalidInput):
        request.waive_fee(fee.id, reason="again", at=NOW, actor=ACTOR)


def test_a_new_fee_set_by_hand_needs_its_kind_and_currency_and_fits_the_value():
    request = approved()
    fee = request.set_fee(
        kind=FeeKind.HANDLING, currency="AED", amount=Decimal("12.50"), at=NOW, actor=ACTOR
    )
    assert (fee.basis, fee.rule_id, request.balance()[0].fees) == (FeeBasis.FLAT, None, 12.5)
    with pytest.raises(InvalidInput):
        request.set_fee(amount=Decimal(1), at=NOW, actor=ACTOR)
    with pytest.raises(DomainError) as refused:
        request.set_fee(fee_id=fee.id, amount=Decimal("200.01"), at=NOW, actor=ACTOR)
    assert refused.value.code == ErrorCode.FEE_EXCEEDS_VALUE


def test_a_fee_amount_has_no_more_decimals_than_its_currency():
    request = approved()
    with pytest.raises(InvalidInput) as refused:
        request.set_fee(
            kind=FeeKind.HANDLING, currency="AED", amount=Decimal("1.001"), at=NOW, actor=ACTOR
        )
    assert "2 decimals" in refused.value.message


def test_fees_change_only_once_units_are_approved():
    pending = make_request()
    with pytest.raises(InvalidTransition):
        pending.set_fee(
            kind=FeeKind.HANDLING, currency="AED", amount=Decimal(1), at=NOW, actor=ACTOR
        )
    with pytest.raises(NotFound):
        approved().waive_fee("FE-NOPE", reason="x", at=NOW, actor=ACTOR)


def test_a_refund_cannot_exceed_the_approved_value_less_fees():
    request = approved(SHIPPING)
    with pytest.raises(DomainError) as refused:
        request.add_refund(
            amount=Decimal("185.01"), currency="AED", at=NOW, actor=ACTOR, rules=BaseRules()
        )
    assert refused.value.code == ErrorCode.REFUND_EXCEEDS_VALUE
    request.add_refund(amount=Decimal(185), currency="AED", at=NOW, actor=ACTOR, rules=BaseRules())


def test_the_last_cent_is_refundable():
    """Medusa: leftover decimals blocked the final refund. Fees are rounded per line, so
    what remains is an exact amount, and refunding it leaves exactly zero."""
    order = make_order({"SKU-A": (3, 3, Decimal("33.33"))})
    request = make_request([ItemRequest("SKU-A", 3, reason_code="X")], order=order)
    request.approve(at=NOW, actor=ACTOR, rules=FeeRules(rule(value="12.5")))
    assert request.fees[0].amount == Decimal("12.50")  # 99.99 at 12.5% is 12.49875
    for amount in ("29.16", "29.16"):
        request.add_refund(
            amount=Decimal(amount), currency="AED", at=NOW, actor=ACTOR, rules=BaseRules()
        )
    [balance] = request.balance()
    assert balance.remaining == Decimal("29.17")
    request.add_refund(
        amount=balance.remaining, currency="AED", at=NOW, actor=ACTOR, rules=BaseRules()
    )
    assert request.balance()[0].remaining == 0


def test_re_evaluation_never_takes_back_money_already_refunded():
    request = approved(RESTOCK_OPENED)
    request.add_refund(amount=Decimal(190), currency="AED", at=NOW, actor=ACTOR, rules=BaseRules())
    request.receive(
        at=NOW,
        actor=ACTOR,
        quantities={"SKU-A": 2},
        conditions={"SKU-A": "OPENED"},
        rules=FeeRules(RESTOCK_OPENED),
    )
    [balance] = request.balance()
    assert (balance.fees, balance.remaining) == (10, 0)


def test_each_part_of_a_split_bears_the_fees_of_its_own_units():
    rules = FeeRules(SHIPPING, rule(value="10"))
    request = approved(*rules.fee_rules)
    assert [f.amount for f in request.fees] == [Decimal("15.00"), Decimal("20.00")]
    new = request.split(at=NOW, actor=Actor(), quantities={"SKU-A": 1}, rules=rules)
    assert new.status == ReturnStatus.APPROVED
    assert [f.amount for f in request.fees] == [Decimal("15.00"), Decimal("10.00")]
    assert [f.amount for f in new.fees] == [Decimal("15.00"), Decimal("10.00")]
    assert {f.id for f in new.fees}.isdisjoint(f.id for f in request.fees)
