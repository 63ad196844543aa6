"""Exchange lines on the aggregate (issue 27): asking, keeping them consistent with the units
through approval, rejection, cancellation and split, release by each trigger and by hand,
payment, fulfilment, conversion, the out-of-stock fallback, and the difference due
(including Medusa's reported exchange bugs)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import events as ev
from domain.eligibility import ANY_CODE, BaseRules
from domain.errors import DomainError, DomainErrors, ErrorCode
from domain.exchange_lines import ExchangeItem
from domain.exchange_lines import ExchangeLineStatus as S
from domain.fees import FeeBasis, FeeKind, FeeRule
from domain.lifecycle import Action, ReturnStatus
from domain.orders import Order
from domain.parts import RefundOutcome
from domain.returns import ReturnRequest
from domain.values import Address
from domain.variants import Catalogue, ExchangeRelease, OutOfStockFallback
from tests.unit.domain.conftest import (
    ACTOR,
    DROPOFF,
    LATER,
    NOW,
    PICKUP,
    create_request,
    item_requests,
    make_catalogue,
    make_order,
)

HOME = Address(address1="1 Home Street", city="Dubai", country="AE")


def ask(
    exchange: list[ExchangeItem],
    items: dict[str, int] | None = None,
    *,
    catalogue: Catalogue | None = None,
    rules: BaseRules | None = None,
    order: Order | None = None,
    **fields: object,
) -> ReturnRequest:
    request = create_request(
        order or make_order(),
        item_requests(items or {"SKU-A": 2, "SKU-B": 1}),
        rules or BaseRules(),
        NOW,
        ACTOR,
        pickup=PICKUP,
        dropoff=DROPOFF,
        exchange_items=exchange,
        catalogue=catalogue or make_catalogue(),
        **fields,
    )
    return request


def swap(sku: str = "SHIRT-S", quantity: int = 1, replaces: str = "SKU-A") -> ExchangeItem:
    return ExchangeItem(sku=sku, quantity=quantity, replaces_sku=replaces)


def codes(caught: pytest.ExceptionInfo[DomainError]) -> list[tuple[str, str | None]]:
    error = caught.value
    found = error.errors if isinstance(error, DomainErrors) else [error]
    return [(e.code.value, e.field) for e in found]


def events_of(request: ReturnRequest, kind: type) -> list:
    return [e for e in request.events if isinstance(e, kind)]


def release(request: ReturnRequest, catalogue: Catalogue | None = None, **kw: object) -> bool:
    return request.release_exchange(
        catalogue or make_catalogue(), at=LATER, actor=ACTOR, ship_to=HOME, **kw
    )


# ------------------------------------------------------------------ asking


def test_creation_with_an_exchange_keeps_a_pending_line_priced_from_the_variant():
    request = ask([swap("SHIRT-L")])

    [line] = request.exchange_lines
    assert (line.line_id, line.sku, line.quantity, line.replaces_sku) == (
        "XL-1",
        "SHIRT-L",
        1,
        "SKU-A",
    )
    assert (line.unit_price, line.currency, line.status) == (Decimal("120.00"), "AED", S.PENDING)
    assert line.title == "Variant SHIRT-L"
    [asked] = events_of(request, ev.ExchangeRequested)
    assert asked.lines == (("XL-1", "SHIRT-L", 1, "SKU-A", Decimal("120.00"), "AED"),)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (swap("NOPE"), ("UNKNOWN_SKU", "exchange_items.sku")),
        (swap("SHIRT-XL"), ("OUT_OF_STOCK", "exchange_items.sku")),
        (swap("MUG-BLUE"), ("EXCHANGE_NOT_ALLOWED", "exchange_items.sku")),
        (swap(replaces="SKU-C"), ("UNKNOWN_SKU", "exchange_items.replaces_sku")),
        (swap(quantity=0), ("INVALID_QUANTITY", "exchange_items.quantity")),
        (swap(quantity=3), ("QUANTITY_EXCEEDED", "exchange_items.quantity")),
    ],
    ids=["unknown", "out-of-stock", "other-group", "not-returned", "zero", "too-many"],
)
def test_creation_refuses_an_exchange_the_rules_do_not_allow(item, expected):
    with pytest.raises(DomainError) as caught:
        ask([item])
    assert expected in codes(caught)


def test_two_lines_replacing_one_sku_count_together_against_its_units():
    with pytest.raises(DomainError) as caught:
        ask([swap("SHIRT-S"), swap("SHIRT-L", 2)])
    assert codes(caught) == [("QUANTITY_EXCEEDED", "exchange_items.quantity")]


def test_any_product_allows_another_group_but_never_another_currency():
    request = ask([swap("MUG-BLUE")], catalogue=make_catalogue(allow_any_product=True))
    assert request.exchange_lines[0].sku == "MUG-BLUE"

    usd = make_order()
    usd.currency = "USD"
    with pytest.raises(DomainError) as caught:
        ask([swap("MUG-BLUE")], order=usd, catalogue=make_catalogue(allow_any_product=True))
    assert codes(caught) == [("EXCHANGE_NOT_ALLOWED", "exchange_items.sku")]


def test_an_edit_replaces_the_live_lines_and_cancels_the_old_ones():
    request = ask([swap("SHIRT-S")])
    request.pull_events()

    request.update(
        at=LATER,
        actor=ACTOR,
        rules=ANY_CODE,
        exchange_items=[swap("SHIRT-L")],
        catalogue=make_catalogue(),
    )

    assert [(line.line_id, line.sku, line.status) for line in request.exchange_lines] == [
        ("XL-1", "SHIRT-S", S.CANCELLED),
        ("XL-2", "SHIRT-L", S.PENDING),
    ]
    assert [e.reason for e in events_of(request, ev.ExchangeCancelled)] == ["EDITED"]


def test_an_edit_that_drops_the_replaced_item_cancels_its_line():
    request = ask([swap("SHIRT-S")])
    request.update(
        at=LATER,
        actor=ACTOR,
        rules=ANY_CODE,
        items=item_requests({"SKU-B": 1}),
        order=make_order(),
        already_requested={},
    )
    assert request.exchange_lines[0].status == S.CANCELLED


# ------------------------------------------------------------------ decisions


def test_approval_reserves_lines_and_a_partial_approval_cancels_the_rejected_units_line():
    request = ask([swap("SHIRT-S"), swap("SHIRT-L")])
    request.pull_events()

    request.approve(
        at=LATER,
        actor=ACTOR,
        rules=BaseRules(),
        quantities={"SKU-A": 1, "SKU-B": 1},
        rejection_reason="worn",
    )

    assert [line.status for line in request.exchange_lines] == [S.RESERVED, S.CANCELLED]
    [cancelled] = events_of(request, ev.ExchangeCancelled)
    assert (cancelled.line_id, cancelled.reason) == ("XL-2", "UNITS_REJECTED")


def test_a_partial_approval_cuts_a_line_of_two_units_in_two():
    request = ask([swap("SHIRT-S", 2)])
    request.approve(
        at=LATER,
        actor=ACTOR,
        rules=BaseRules(),
        quantities={"SKU-A": 1, "SKU-B": 1},
        rejection_reason="worn",
    )
    assert [(x.line_id, x.quantity, x.status) for x in request.exchange_lines] == [
        ("XL-1", 1, S.RESERVED),
        ("XL-2", 1, S.CANCELLED),
    ]


@pytest.mark.parametrize("end", ["reject", "cancel"])
def test_rejecting_or_cancelling_cancels_every_line(end):
    request = ask([swap("SHIRT-S")])
    if end == "reject":
        request.reject(at=LATER, actor=ACTOR, reason="worn", rules=ANY_CODE)
    else:
        request.cancel(at=LATER, actor=ACTOR)
    assert request.exchange_lines[0].status == S.CANCELLED
    assert all(b.difference_due == 0 for b in request.balance())


def test_a_split_carries_the_lines_of_the_units_it_moves():
    request = ask([swap("SHIRT-S"), swap("MUG-BLUE", replaces="SKU-B")])
    request.approve(at=LATER, actor=ACTOR, rules=BaseRules())

    new = request.split(at=LATER, actor=ACTOR, quantities={"SKU-B": 1}, rules=ANY_CODE)

    assert [x.line_id for x in request.exchange_lines] == ["XL-1"]
    assert [(x.line_id, x.sku, x.status) for x in new.exchange_lines] == [
        ("XL-2", "MUG-BLUE", S.RESERVED)
    ]


def test_a_split_of_some_units_cuts_the_line_keeping_its_id():
    request = ask([swap("SHIRT-S", 2)], {"SKU-A": 2, "SKU-B": 1})
    new = request.split(at=LATER, actor=ACTOR, quantities={"SKU-A": 1}, rules=ANY_CODE)
    assert [(x.line_id, x.quantity) for x in request.exchange_lines] == [("XL-1", 1)]
    assert [(x.line_id, x.quantity) for x in new.exchange_lines] == [("XL-1", 1)]


# ------------------------------------------------------------------ release


def approved_with(
    exchange: list[ExchangeItem],
    items: dict[str, int] | None = None,
    catalogue: Catalogue | None = None,
    **kw: object,
) -> ReturnRequest:
    request = ask(exchange, items, catalogue=catalogue, **kw)
    request.approve(at=NOW, actor=ACTOR, rules=BaseRules())
    request.pull_events()
    return request


@pytest.mark.parametrize("trigger", list(ExchangeRelease))
def test_only_the_merchants_trigger_releases(trigger):
    request = approved_with([swap("SHIRT-S")])
    request.receive(at=NOW, actor=ACTOR, quantities={"SKU-A": 2}, rules=ANY_CODE)
    request.pull_events()
    catalogue = make_catalogue(release_on=ExchangeRelease.FIRST_SCAN)

    released = release(request, catalogue, trigger=trigger)

    assert released == (trigger == ExchangeRelease.FIRST_SCAN)
    assert len(events_of(request, ev.ExchangeReleased)) == int(released)


def test_a_receipt_releases_only_once_the_replaced_units_are_in():
    request = approved_with([swap("SHIRT-S")])
    request.receive(at=NOW, actor=ACTOR, quantities={"SKU-A": 1}, rules=ANY_CODE)
    assert not release(request, trigger=ExchangeRelease.RECEIPT)
    request.receive(at=NOW, actor=ACTOR, quantities={"SKU-A": 1}, rules=ANY_CODE)
    assert release(request, trigger=ExchangeRelease.RECEIPT)


def test_release_by_hand_sends_the_lines_once_to_the_pickup_address():
    request = approved_with([swap("SHIRT-S")])

    assert release(request)

    [released] = events_of(request, ev.ExchangeReleased)
    assert released.lines == (("XL-1", "SHIRT-S", 1, "SKU-A", Decimal("100.00"), "AED"),)
    assert released.ship_to["address1"] == PICKUP.address1
    assert request.exchange_lines[0].released_at == LATER
    assert Action.RELEASE_EXCHANGE not in request.allowed_actions
    with pytest.raises(DomainError) as caught:
        release(request)
    assert caught.value.code == ErrorCode.INVALID_TRANSITION
    assert not release(request, trigger=ExchangeRelease.RECEIPT)
    assert len(events_of(request, ev.ExchangeReleased)) == 1


def test_a_positive_difference_blocks_release_until_paid():
    request = approved_with([swap("SHIRT-L")], {"SKU-A": 1})  # 120 for 100: owes 20
    assert request.balance()[0].difference_due == Decimal("20.00")
    assert Action.RECORD_EXCHANGE_PAYMENT in request.allowed_actions

    with pytest.raises(DomainError) as caught:
        release(request)
    assert caught.value.code == ErrorCode.PAYMENT_REQUIRED
    assert request.exchange_lines[0].status == S.RESERVED

    request.receive(at=NOW, actor=ACTOR, quantities={"SKU-A": 1}, rules=ANY_CODE)
    assert not release(request, trigger=ExchangeRelease.RECEIPT)
    assert request.exchange_lines[0].status == S.PAYMENT_REQUIRED

    request.record_exchange_payment(
        amount=Decimal("20.00"),
        currency="AED",
        catalogue=make_catalogue(),
        at=LATER,
        actor=ACTOR,
        ship_to=HOME,
        reference="PAY-1",
    )
    assert request.exchange_lines[0].status == S.RELEASED
    assert len(events_of(request, ev.ExchangeReleased)) == 1
    assert request.balance()[0].unpaid == 0


def test_a_payment_beyond_what_is_owed_is_refused():
    request = approved_with([swap("SHIRT-L")], {"SKU-A": 1})
    with pytest.raises(DomainError) as caught:
        request.record_exchange_payment(
            amount=Decimal("20.01"),
            currency="AED",
            catalogue=make_catalogue(),
            at=LATER,
            actor=ACTOR,
            ship_to=HOME,
        )
    assert codes(caught) == [("INVALID_INPUT", "amount")]


@pytest.mark.parametrize(
    ("fallback", "status", "outcome"),
    [
        (OutOfStockFallback.REVIEW, S.OUT_OF_STOCK, None),
        (OutOfStockFallback.REFUND, S.CONVERTED, RefundOutcome.MONEY),
        (OutOfStockFallback.STORE_CREDIT, S.CONVERTED, RefundOutcome.STORE_CREDIT),
    ],
)
def test_a_line_sold_out_at_release_takes_the_merchants_fallback(fallback, status, outcome):
    request = approved_with([swap("SHIRT-S")])
    sold_out = make_catalogue(out_of_stock_fallback=fallback)
    sold_out.variants["SHIRT-S"] = sold_out.variants["SHIRT-XL"]  # type: ignore[index]

    assert not release(request, sold_out)

    line = request.exchange_lines[0]
    assert (line.status, line.converted_to) == (status, outcome)
    assert events_of(request, ev.ExchangeOutOfStock)
    assert not events_of(request, ev.ExchangeReleased)
    if status == S.OUT_OF_STOCK:  # the operator retries once it is back
        assert Action.RELEASE_EXCHANGE in request.allowed_actions
        assert release(request)


def test_conversion_makes_the_lines_value_refundable():
    request = approved_with([swap("SHIRT-S")], {"SKU-A": 1})
    assert request.balance()[0].remaining == 0
    assert Action.ADD_REFUND not in request.allowed_actions

    request.convert_exchange("XL-1", RefundOutcome.MONEY, at=LATER, actor=ACTOR)

    assert request.balance()[0].remaining == Decimal("100.00")
    assert request.exchange_lines[0].converted_to == RefundOutcome.MONEY


def test_fulfilment_records_the_tracking_of_released_lines():
    request = approved_with([swap("SHIRT-S")])
    with pytest.raises(DomainError):
        request.mark_exchange_fulfilled(tracking_number="T1", at=LATER, actor=ACTOR)
    release(request)

    request.mark_exchange_fulfilled(
        tracking_number="T1", carrier="aramex", at=LATER, actor=ACTOR, line_ids=["XL-1"]
    )

    line = request.exchange_lines[0]
    assert line.status == S.FULFILLED
    assert (line.fulfilment.tracking_number, line.fulfilment.carrier) == ("T1", "aramex")


def test_a_released_exchange_cannot_be_cancelled():
    request = approved_with([swap("SHIRT-S")])
    release(request)
    assert Action.CANCEL not in request.allowed_actions
    with pytest.raises(DomainError):
        request.cancel(at=LATER, actor=ACTOR)
    with pytest.raises(DomainError):
        request.set_status(ReturnStatus.CANCELLED, at=LATER, actor=ACTOR)


# ------------------------------------------------------------------ money (Medusa's bugs)


def test_difference_due_is_zero_not_null_without_an_exchange():
    request = ask([])
    request.approve(at=NOW, actor=ACTOR, rules=BaseRules())
    [balance] = request.balance()
    assert balance.difference_due == Decimal(0)
    assert balance.remaining == Decimal("249.50")


def test_an_even_exchange_owes_nothing_and_counts_the_returned_item_once():
    """Medusa #5530-like: a same-price swap showed the item's price as due, twice."""
    request = ask([swap("SHIRT-S", 2)], {"SKU-A": 2})
    [pending] = request.balance()
    assert (pending.exchange_total, pending.returned_value) == (Decimal(200), Decimal(200))
    assert pending.difference_due == 0
    request.approve(at=NOW, actor=ACTOR, rules=BaseRules())
    [approved] = request.balance()
    assert approved.difference_due == 0
    assert approved.remaining == 0


def test_no_return_shipping_fee_on_an_exchange_unless_a_rule_says_so():
    class FeeRules(BaseRules):
        def __init__(self, resolutions: tuple[str, ...]) -> None:
            self._rule = FeeRule(
                "FR-1",
                "acme",
                FeeKind.RETURN_SHIPPING,
                FeeBasis.FLAT,
                Decimal("15"),
                "AED",
                resolutions=resolutions,
            )

        @property
        def fee_rules(self):
            return (self._rule,)

    refunds_only = approved_with(
        [swap("SHIRT-S")], rules=FeeRules(("REFUND",)), resolution="EXCHANGE"
    )
    assert refunds_only.balance()[0].fees == 0
    assert refunds_only.balance()[0].difference_due == Decimal("-149.50")

    charged = ask([swap("SHIRT-S")], rules=FeeRules(("EXCHANGE",)), resolution="EXCHANGE")
    charged.approve(at=NOW, actor=ACTOR, rules=FeeRules(("EXCHANGE",)))  # type: ignore[arg-type]
    [balance] = charged.balance()
    assert balance.fees == Decimal("15")
    assert balance.difference_due == Decimal("100") - (Decimal("249.50") - Decimal("15"))


def test_leftover_decimals_never_block_the_final_settlement():
    """Three units at 33.333 returned for a 100.00 variant: 0.001 'owed' rounds to 0.00."""
    order = make_order({"SKU-A": (3, 3, Decimal("33.333"))})
    request = ask([swap("SHIRT-S", 1, "SKU-A")], {"SKU-A": 3}, order=order)
    request.approve(at=NOW, actor=ACTOR, rules=BaseRules())
    [balance] = request.balance()
    assert balance.difference_due == Decimal("0.00")
    assert balance.unpaid == 0
    assert Action.RECORD_EXCHANGE_PAYMENT not in request.allowed_actions
    assert release(request)
