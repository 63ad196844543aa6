"""The money invariants of issue 24, for any sequence of approve, receive, fee changes and
refunds: refunded never exceeds the approved value less fees, and fees never exceed the
approved value (the same steps run on both databases in
tests/integration/persistence/test_persistence_fees.py)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.fees import FeeBasis, FeeKind
from domain.parts import ItemRequest
from domain.returns import ReturnRequest
from tests.unit.domain.conftest import ACTOR, NOW, make_order, make_request
from tests.unit.domain.test_domain_fees import RESTOCK_OPENED, SHIPPING, FeeRules, rule

RULES = FeeRules(
    RESTOCK_OPENED, SHIPPING, rule(FeeBasis.PERCENT_OF_RETURN, "7.5", FeeKind.HANDLING)
)
SKUS = ("SKU-A", "SKU-B")
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(400), places=2)
STEP = st.one_of(
    st.tuples(st.just("approve"), st.integers(0, 3), st.integers(0, 2)),
    st.tuples(st.just("receive"), st.sampled_from(SKUS), st.sampled_from([None, "OPENED", "NEW"])),
    st.tuples(st.just("waive"), st.integers(0, 4)),
    st.tuples(st.just("set"), st.integers(0, 4), amounts),
    st.tuples(st.just("refund"), amounts),
    st.tuples(st.just("refund_rest")),
    st.tuples(st.just("delete_refund")),
    st.tuples(st.just("split"), st.sampled_from(SKUS)),
)
STEPS = st.lists(STEP, max_size=12)
REASONS = st.sampled_from(["CHANGED_MIND", "DEFECTIVE"])


def new_request(reason: str) -> ReturnRequest:
    order = make_order({"SKU-A": (3, 3, Decimal("33.33")), "SKU-B": (2, 2, Decimal("0.05"))})
    items = [ItemRequest("SKU-A", 3, reason_code=reason), ItemRequest("SKU-B", 2)]
    return make_request(items, order=order)


def apply(request: ReturnRequest, step: tuple) -> None:
    """One step on the aggregate; a refusal is a fine outcome, a wrong state is not."""
    name, *args = step
    try:
        if name == "approve":
            request.approve(
                at=NOW,
                actor=ACTOR,
                rules=RULES,
                quantities={"SKU-A": args[0], "SKU-B": args[1]},
                rejection_reason="partial",
            )
        elif name == "receive":
            item = request.item(args[0])
            conditions = {args[0]: args[1]} if args[1] else None
            request.receive(
                at=NOW,
                actor=ACTOR,
                quantities={args[0]: max(item.outstanding_quantity, 1)},
                conditions=conditions,
                rules=RULES,
            )
        elif name == "waive":
            fee = request.fees[args[0] % len(request.fees)] if request.fees else None
            request.waive_fee(fee.id if fee else "FE-NONE", reason="x", at=NOW, actor=ACTOR)
        elif name == "set":
            fee = request.fees[args[0]] if args[0] < len(request.fees) else None
            request.set_fee(
                fee_id=fee.id if fee else None,
                kind=FeeKind.HANDLING,
                currency="AED",
                amount=args[1],
                at=NOW,
                actor=ACTOR,
            )
        elif name in ("refund", "refund_rest"):
            amount = args[0] if args else request.remaining_refundable("AED")
            request.add_refund(amount=amount, currency="AED", at=NOW, actor=ACTOR, rules=RULES)
        elif name == "split":
            new = request.split(at=NOW, actor=ACTOR, quantities={args[0]: 1}, rules=RULES)
            check_invariants(new)
        elif name == "delete_refund" and request.refunds:
            request.delete_refund(request.refunds[0].id, at=NOW, actor=ACTOR)
    except DomainError:
        pass


def check_invariants(request: ReturnRequest) -> None:
    for balance in request.balance():
        assert 0 <= balance.fees <= balance.approved_value, balance
        assert balance.refunded + balance.credited <= balance.approved_value - balance.fees
        assert balance.remaining >= 0
    for fee in request.fees:
        assert fee.amount >= 0
        assert fee.amount == fee.amount.quantize(Decimal("0.01"))


@settings(max_examples=300, deadline=None)
@given(reason=REASONS, steps=STEPS)
def test_refunds_stay_within_the_value_less_fees_and_fees_within_the_value(reason, steps):
    request = new_request(reason)
    for step in steps:
        apply(request, step)
        check_invariants(request)
