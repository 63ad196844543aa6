"""Creating a return request against an order, the eligibility rules (DESIGN.md §4), and
the validation of ingested orders."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain import events as ev
from domain.eligibility import Blocker, explain_lines
from domain.errors import DomainError, DomainErrors, ErrorCode
from domain.lifecycle import ReturnStatus
from domain.orders import Order, OrderLine, ensure_unique_skus, make_order_line, validate_order
from domain.parts import ItemRequest
from tests.unit.domain.conftest import create_request as _create

DELIVERED = datetime(2025, 2, 20, tzinfo=UTC)


def _errors(caught: pytest.ExceptionInfo[DomainErrors]) -> list[tuple[ErrorCode, str | None]]:
    return [(error.code, error.field) for error in caught.value.errors]


# ------------------------------------------------------------------ create: the happy path


def test_create_makes_a_pending_request_priced_from_the_order(order, rules, now, actor):
    request = _create(
        order,
        [ItemRequest("SKU-A", 2, reason_code="DAMAGED", comment="  cracked  ")],
        rules,
        now,
        actor,
        return_request_id="RR-ABCDEFGH",
        customer_comment="  please collect after 5pm ",
    )

    assert request.id == "RR-ABCDEFGH"
    assert request.status == ReturnStatus.PENDING
    assert (request.merchant, request.order_reference) == ("acme", "ORD-1001")
    assert request.created_at == request.updated_at == now
    assert request.creation_source == request.update_source == actor
    assert request.details.customer_comment == "please collect after 5pm"
    [item] = request.items
    assert (item.sku, item.quantity, item.unit_price, item.currency) == (
        "SKU-A",
        2,
        Decimal("100.00"),
        "AED",
    )
    assert item.description == "Item SKU-A"
    assert item.comment == "cracked"
    assert (item.approved_quantity, item.rejected_quantity, item.received_quantity) == (0, 0, 0)


def test_create_records_return_requested_with_the_item_quantities(order, rules, now, actor):
    request = _create(order, [ItemRequest("SKU-A", 2), ItemRequest("SKU-B", 1)], rules, now, actor)

    [event] = request.pull_events()
    assert isinstance(event, ev.ReturnRequested)
    assert event.return_request_id == request.id
    assert event.occurred_at == now
    assert event.actor == actor
    assert event.status == "PENDING"
    assert event.items == (("SKU-A", 2), ("SKU-B", 1))
    assert event.split_from is None
    assert event.status_change == (None, "PENDING")
    assert request.events == []


def test_create_generates_a_readable_id_when_none_is_given(order, rules, now, actor):
    request = _create(order, [ItemRequest("SKU-A", 1)], rules, now, actor)
    prefix, body = request.id.split("-")
    assert prefix == "RR"
    assert len(body) == 8
    assert not set(body) & set("01ILOU")


def test_create_accepts_up_to_delivered_minus_already_requested(order, rules, now, actor):
    request = _create(order, [ItemRequest("SKU-A", 1)], rules, now, actor, already={"SKU-A": 2})
    assert request.items[0].quantity == 1


# ------------------------------------------------------------------ create: violations


def test_create_refuses_an_empty_item_list(order, rules, now, actor):
    with pytest.raises(DomainError) as caught:
        _create(order, [], rules, now, actor)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.field == "items"


def test_create_refuses_a_sku_that_is_not_on_the_order(order, rules, now, actor):
    with pytest.raises(DomainErrors) as caught:
        _create(order, [ItemRequest("SKU-Z", 1)], rules, now, actor)
    assert _errors(caught) == [(ErrorCode.UNKNOWN_SKU, "items[0].sku")]
    assert caught.value.code == ErrorCode.UNKNOWN_SKU
    assert "SKU-Z" in caught.value.message


def test_create_refuses_the_same_sku_twice(order, rules, now, actor):
    with pytest.raises(DomainErrors) as caught:
        _create(order, [ItemRequest("SKU-A", 1), ItemRequest("SKU-A", 1)], rules, now, actor)
    assert _errors(caught) == [(ErrorCode.DUPLICATE_SKU, "items[1].sku")]


@pytest.mark.parametrize("quantity", [0, -1, True, 1.5])
def test_create_refuses_a_quantity_that_is_not_a_whole_number_of_at_least_one(
    order, rules, now, actor, quantity
):
    with pytest.raises(DomainErrors) as caught:
        _create(order, [ItemRequest("SKU-A", quantity)], rules, now, actor)
    assert _errors(caught) == [(ErrorCode.INVALID_QUANTITY, "items[0].quantity")]


def test_create_refuses_an_undelivered_line(order, rules, now, actor):
    with pytest.raises(DomainErrors) as caught:
        _create(order, [ItemRequest("SKU-C", 1)], rules, now, actor)
    assert _errors(caught) == [(ErrorCode.NOT_RETURNABLE, "items[0].sku")]
    assert "not been delivered" in caught.value.message


def test_create_refuses_more_than_delivered(order, rules, now, actor):
    with pytest.raises(DomainErrors) as caught:
        _create(order, [ItemRequest("SKU-B", 3)], rules, now, actor)
    assert _errors(caught) == [(ErrorCode.QUANTITY_EXCEEDED, "items[0].quantity")]


def test_create_refuses_more_than_delivered_minus_already_requested(order, rules, now, actor):
    with pytest.raises(DomainErrors) as caught:
        _create(order, [ItemRequest("SKU-A", 2)], rules, now, actor, already={"SKU-A": 2})
    assert _errors(caught) == [(ErrorCode.QUANTITY_EXCEEDED, "items[0].quantity")]
    assert "only 1 can still be returned" in caught.value.message


def test_create_refuses_a_line_fully_taken_by_other_requests(order, rules, now, actor):
    with pytest.raises(DomainErrors) as caught:
        _create(order, [ItemRequest("SKU-B", 1)], rules, now, actor, already={"SKU-B": 2})
    assert _errors(caught) == [(ErrorCode.QUANTITY_EXCEEDED, "items[0].quantity")]


def test_create_only_counts_delivered_units_of_a_partly_delivered_line(rules, now, actor):
    order = Order(
        merchant="acme",
        reference="ORD-2",
        currency="AED",
        lines=[OrderLine("SKU-P", "Plates", 4, Decimal("10"), 2, DELIVERED)],
    )
    _create(order, [ItemRequest("SKU-P", 2)], rules, now, actor)
    with pytest.raises(DomainErrors) as caught:
        _create(order, [ItemRequest("SKU-P", 3)], rules, now, actor)
    assert caught.value.code == ErrorCode.QUANTITY_EXCEEDED


def test_create_reports_every_violation_at_once(order, rules, now, actor):
    items = [
        ItemRequest("SKU-A", 1),
        ItemRequest("SKU-Z", 1),
        ItemRequest("SKU-A", 1),
        ItemRequest("SKU-B", 0),
        ItemRequest("SKU-C", 1),
    ]
    with pytest.raises(DomainErrors) as caught:
        _create(order, items, rules, now, actor)

    assert _errors(caught) == [
        (ErrorCode.UNKNOWN_SKU, "items[1].sku"),
        (ErrorCode.DUPLICATE_SKU, "items[2].sku"),
        (ErrorCode.INVALID_QUANTITY, "items[3].quantity"),
        (ErrorCode.NOT_RETURNABLE, "items[4].sku"),
    ]
    # The aggregate error carries the first violation as its own code and field.
    assert caught.value.code == ErrorCode.UNKNOWN_SKU
    assert caught.value.field == "items[1].sku"


def test_create_adds_the_merchant_rules_item_problems(order, now, actor):
    from domain.eligibility import BaseRules

    class NeedsImages(BaseRules):
        def item_problems(self, item, *, index):
            if not item.image_urls:
                return [
                    DomainError(
                        "this reason needs images",
                        field=f"items[{index}].image_urls",
                        code=ErrorCode.REQUIREMENT_MISSING,
                    )
                ]
            return []

    with pytest.raises(DomainErrors) as caught:
        _create(
            order,
            [ItemRequest("SKU-A", 1, image_urls=("https://img/1",)), ItemRequest("SKU-B", 1)],
            NeedsImages(),
            now,
            actor,
        )
    assert _errors(caught) == [(ErrorCode.REQUIREMENT_MISSING, "items[1].image_urls")]


def test_create_honours_a_merchant_line_blocker(order, now, actor):
    from domain.eligibility import BaseRules

    class WindowClosed(BaseRules):
        def line_blockers(self, line, *, now):
            return [Blocker(ErrorCode.RETURN_WINDOW_EXPIRED, f"{line.sku}: window closed")]

    with pytest.raises(DomainErrors) as caught:
        _create(order, [ItemRequest("SKU-A", 1)], WindowClosed(), now, actor)
    assert _errors(caught) == [(ErrorCode.RETURN_WINDOW_EXPIRED, "items[0].sku")]


# ------------------------------------------------------------------ explain_lines


def test_explain_lines_gives_each_line_its_returnable_quantity(order, rules, now):
    explained = {e.line.sku: e for e in explain_lines(order, {"SKU-A": 1}, rules=rules, now=now)}

    assert list(explained) == ["SKU-A", "SKU-B", "SKU-C"]
    assert explained["SKU-A"].already_requested == 1
    assert explained["SKU-A"].returnable_quantity == 2
    assert explained["SKU-A"].returnable
    assert explained["SKU-A"].blockers == ()
    assert explained["SKU-B"].returnable_quantity == 2


def test_explain_lines_says_an_undelivered_line_is_not_returnable(order, rules, now):
    [entry] = [e for e in explain_lines(order, {}, rules=rules, now=now) if e.line.sku == "SKU-C"]
    assert entry.returnable_quantity == 0
    assert not entry.returnable
    assert entry.blockers == (
        Blocker(ErrorCode.NOT_RETURNABLE, "sku SKU-C has not been delivered"),
    )


def test_explain_lines_says_when_every_delivered_unit_is_already_requested(order, rules, now):
    [entry] = [
        e for e in explain_lines(order, {"SKU-B": 2}, rules=rules, now=now) if e.line.sku == "SKU-B"
    ]
    assert entry.returnable_quantity == 0
    [blocker] = entry.blockers
    assert blocker.code == ErrorCode.QUANTITY_EXCEEDED
    assert "all 2 returnable units of sku SKU-B" in blocker.message


def test_returnable_quantity_never_goes_below_zero(order, rules, now):
    [entry] = [
        e for e in explain_lines(order, {"SKU-A": 9}, rules=rules, now=now) if e.line.sku == "SKU-A"
    ]
    assert entry.returnable_quantity == 0


# ------------------------------------------------------------------ live quantities


def test_live_quantities_hold_requested_minus_rejected_units(build_request, rules, now, actor):
    request = build_request({"SKU-A": 3, "SKU-B": 2})
    assert request.live_quantities() == {"SKU-A": 3, "SKU-B": 2}

    request.approve(
        at=now,
        actor=actor,
        rules=rules,
        quantities={"SKU-A": 1, "SKU-B": 2},
        rejection_reason="worn",
    )
    assert request.live_quantities() == {"SKU-A": 1, "SKU-B": 2}


@pytest.mark.parametrize("status", [ReturnStatus.REJECTED, ReturnStatus.CANCELLED], ids=str)
def test_rejected_and_cancelled_requests_hold_no_quantities(status, build_request_in):
    assert build_request_in(status).live_quantities() == {}


# ------------------------------------------------------------------ orders


def _line(**overrides):
    values = {
        "sku": "SKU-1",
        "description": "Shirt",
        "quantity": 2,
        "unit_price": Decimal("10.00"),
        "delivered_quantity": 2,
        "delivered_at": DELIVERED,
        "index": 0,
    }
    values.update(overrides)
    return make_order_line(**values)


def test_make_order_line_keeps_a_valid_line():
    line = _line(sku="  SKU-1 ", description=None)
    assert line == OrderLine("SKU-1", "", 2, Decimal("10.00"), 2, DELIVERED)
    assert line.is_delivered


def test_a_delivery_date_without_a_count_means_the_whole_line():
    assert _line(delivered_quantity=None).delivered_quantity == 2


def test_an_undelivered_line_has_no_delivery_date():
    line = _line(delivered_quantity=0, delivered_at=DELIVERED)
    assert (line.delivered_quantity, line.delivered_at) == (0, None)
    assert not line.is_delivered


def test_a_line_without_delivery_is_not_delivered():
    line = _line(delivered_quantity=None, delivered_at=None)
    assert (line.delivered_quantity, line.is_delivered) == (0, False)


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"delivered_quantity": 3}, ErrorCode.INVALID_QUANTITY, "lines[4].delivered_quantity"),
        ({"delivered_quantity": -1}, ErrorCode.INVALID_QUANTITY, "lines[4].delivered_quantity"),
        ({"delivered_at": None}, ErrorCode.INVALID_INPUT, "lines[4].delivered_at"),
        ({"unit_price": Decimal("-0.01")}, ErrorCode.INVALID_INPUT, "lines[4].unit_price"),
        ({"unit_price": Decimal("NaN")}, ErrorCode.INVALID_INPUT, "lines[4].unit_price"),
        ({"quantity": 0}, ErrorCode.INVALID_QUANTITY, "lines[4].quantity"),
        ({"quantity": True}, ErrorCode.INVALID_QUANTITY, "lines[4].quantity"),
        ({"sku": "  "}, ErrorCode.INVALID_INPUT, "lines[4].sku"),
        ({"sku": "S" * 101}, ErrorCode.INVALID_INPUT, "lines[4].sku"),
    ],
    ids=[
        "delivered-over-quantity",
        "delivered-negative",
        "delivered-without-date",
        "negative-price",
        "nan-price",
        "zero-quantity",
        "bool-quantity",
        "blank-sku",
        "long-sku",
    ],
)
def test_make_order_line_refuses_an_invalid_line(overrides, code, field):
    with pytest.raises(DomainError) as caught:
        _line(index=4, **overrides)
    assert caught.value.code == code
    assert caught.value.field == field


def test_a_free_line_with_price_zero_is_valid():
    assert _line(unit_price=Decimal("0")).unit_price == 0


def _order(**overrides) -> Order:
    values = {
        "merchant": "acme",
        "reference": "ORD-9",
        "currency": "AED",
        "lines": [_line(sku="A"), _line(sku="B")],
    }
    values.update(overrides)
    return Order(**values)


def test_validate_order_returns_a_valid_order():
    order = _order()
    assert validate_order(order) is order
    assert order.skus == ["A", "B"]
    assert order.line("B") is order.lines[1]
    assert order.line("Z") is None


def test_validate_order_refuses_a_sku_twice():
    with pytest.raises(DomainErrors) as caught:
        validate_order(_order(lines=[_line(sku="A"), _line(sku="B"), _line(sku="A")]))
    assert _errors(caught) == [(ErrorCode.DUPLICATE_SKU, "lines[2].sku")]


def test_ensure_unique_skus_reports_every_repeat():
    with pytest.raises(DomainErrors) as caught:
        ensure_unique_skus([_line(sku="A"), _line(sku="A"), _line(sku="A")])
    assert _errors(caught) == [
        (ErrorCode.DUPLICATE_SKU, "lines[1].sku"),
        (ErrorCode.DUPLICATE_SKU, "lines[2].sku"),
    ]


@pytest.mark.parametrize("currency", ["aed", "AE", "AEDX", "", "12A", None])
def test_validate_order_refuses_a_currency_that_is_not_iso_4217(currency):
    with pytest.raises(DomainError) as caught:
        validate_order(_order(currency=currency))
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.field == "currency"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"lines": []}, "lines"),
        ({"merchant": " "}, "merchant"),
        ({"reference": ""}, "reference"),
        ({"reference": "R" * 101}, "reference"),
    ],
    ids=["no-lines", "blank-merchant", "blank-reference", "long-reference"],
)
def test_validate_order_refuses_missing_or_oversized_identity(overrides, field):
    with pytest.raises(DomainError) as caught:
        validate_order(_order(**overrides))
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.field == field
