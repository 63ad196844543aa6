"""What OTO's return-shipment calls need from the domain: quantities as text, the delivery
option, the customer's address as pickup, and approval that ships on the chosen carrier."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.configured_rules import ConfiguredRules, choose_delivery_option
from domain.eligibility import ANY_CODE
from domain.errors import DomainError, ErrorCode
from domain.orders import Customer, choose_merchant
from domain.parts import MANUAL_CARRIER
from domain.reference import DeliveryOption
from domain.values import Address, quantity_from_text
from tests.unit.domain.conftest import ACTOR, NOW, NoShipmentRules, make_order, make_request

OPTION = DeliveryOption(merchant="acme", id="156", name="Aramex reverse", carrier="aramex")


@pytest.mark.parametrize(("given", "expected"), [("1", 1), ("12", 12), (3, 3), ("007", 7)])
def test_quantity_from_text_accepts_positive_whole_numbers(given, expected):
    assert quantity_from_text(given, field="items[0].quantity") == expected


@pytest.mark.parametrize(
    "given",
    [
        "0",
        "-1",
        "1.5",
        "1.0",
        "1e3",
        "",
        " 1",
        "+1",
        "one",
        "\uff11",  # a full-width digit one
        "9999999999",
        0,
        -2,
        1.0,
        True,
        None,
        [],
        {},
    ],
)
def test_quantity_from_text_refuses_anything_else_with_invalid_quantity(given):
    with pytest.raises(DomainError) as raised:
        quantity_from_text(given, field="items[0].quantity")
    assert raised.value.code == ErrorCode.INVALID_QUANTITY
    assert raised.value.field == "items[0].quantity"


def test_a_configured_delivery_option_is_chosen_by_id():
    assert choose_delivery_option([OPTION], "acme", "156", field="delivery_option_id") == OPTION


def test_an_unknown_delivery_option_is_an_unknown_code_once_options_are_configured():
    with pytest.raises(DomainError) as raised:
        choose_delivery_option([OPTION], "acme", "999", field="delivery_option_id")
    assert raised.value.code == ErrorCode.UNKNOWN_CODE
    assert raised.value.field == "delivery_option_id"
    assert "999" in raised.value.message


def test_without_configured_options_the_id_is_kept_on_the_manual_carrier():
    option = choose_delivery_option([], "acme", "156", field="delivery_option_id")
    assert (option.id, option.carrier) == ("156", None)


def test_a_delivery_option_id_must_look_like_a_code():
    with pytest.raises(DomainError) as raised:
        choose_delivery_option([], "acme", "no spaces please", field="delivery_option_id")
    assert raised.value.code == ErrorCode.INVALID_INPUT


def test_approving_with_a_delivery_option_ships_on_it_even_when_reasons_need_no_shipment():
    request = make_request()
    request.approve(at=NOW, actor=ACTOR, rules=NoShipmentRules(), delivery_option=OPTION)
    [shipment] = request.shipments
    assert (shipment.carrier, shipment.delivery_option_id) == ("aramex", "156")
    assert shipment.items == [("SKU-A", 2), ("SKU-B", 1)]


def test_approving_without_a_delivery_option_keeps_the_manual_carrier():
    request = make_request()
    request.approve(at=NOW, actor=ACTOR, rules=ConfiguredRules("acme", None, [], []))
    [shipment] = request.shipments
    assert (shipment.carrier, shipment.delivery_option_id) == (MANUAL_CARRIER, None)


def test_a_split_keeps_the_delivery_option_of_the_shipment():
    request = make_request()
    request.approve(at=NOW, actor=ACTOR, rules=NoShipmentRules(), delivery_option=OPTION)
    new = request.split(rules=ANY_CODE, at=NOW, actor=ACTOR, quantities={"SKU-B": 1})
    assert [(s.carrier, s.delivery_option_id) for s in new.shipments] == [("aramex", "156")]


def test_the_customer_address_is_the_delivery_address_with_the_customer_as_contact():
    order = make_order()
    order.customer = Customer("Layla Haddad", "layla@example.com", "+971500000000")
    order.delivery_address = Address(address1="12 Al Wasl Road", city="Dubai", country="AE")
    address = order.customer_address()
    assert address == Address(
        contact_name="Layla Haddad",
        contact_phone="+971500000000",
        contact_email="layla@example.com",
        address1="12 Al Wasl Road",
        city="Dubai",
        country="AE",
    )


def test_an_order_without_delivery_address_has_no_customer_address():
    assert make_order().customer_address() is None


def test_an_order_is_delivered_when_any_line_is():
    assert make_order().is_delivered
    assert not make_order({"SKU-C": (1, 0, Decimal("1.00"))}).is_delivered


def test_an_order_reference_names_the_one_merchant_that_has_it():
    assert choose_merchant(["acme"], "SO-1", None) == "acme"
    assert choose_merchant(["acme", "globex"], "SO-1", "globex") == "globex"


@pytest.mark.parametrize(
    ("merchants", "named", "code", "field"),
    [
        ([], None, ErrorCode.NOT_FOUND, "order_reference"),
        (["acme"], "globex", ErrorCode.NOT_FOUND, "order_reference"),
        (["acme", "globex"], None, ErrorCode.INVALID_INPUT, "merchant"),
    ],
)
def test_a_missing_or_ambiguous_order_reference_is_refused(merchants, named, code, field):
    with pytest.raises(DomainError) as raised:
        choose_merchant(merchants, "SO-1", named)
    assert (raised.value.code, raised.value.field) == (code, field)
