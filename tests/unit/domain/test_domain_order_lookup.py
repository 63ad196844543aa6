"""Looking an order up the way a customer portal does (Carriyo's `email_or_phone`), and where
a carrier may collect its return."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.orders import Customer, Order, OrderLine
from domain.values import Address

ANN = Customer(name="Ann Lee", email="Ann.Lee@Example.com", phone="+971 50-000 0000")
HOME = Address(contact_name="Ann Lee", address1="1 Palm St", city="Dubai", country="AE")


@pytest.mark.parametrize(
    "given",
    ["ann.lee@example.com", " ANN.LEE@EXAMPLE.COM ", "+971500000000", "00971 50 000 0000"],
)
def test_the_customer_matches_their_email_in_any_case_or_their_phone_in_any_spacing(given):
    assert ANN.matches(given)


@pytest.mark.parametrize("given", ["", "  ", "bob@example.com", "+971500000001", "ann.lee"])
def test_anyone_else_or_a_blank_does_not_match(given):
    assert not ANN.matches(given)


def test_a_customer_without_contact_details_matches_nobody():
    assert not Customer(name="Anonymous").matches("anonymous@example.com")
    assert not Customer(name="Anonymous").matches("+971500000000")


def _order(delivered: bool, address: Address | None = HOME) -> Order:
    at = datetime(2026, 11, 20, tzinfo=UTC)
    line = OrderLine(
        "SKU-A", "Shirt", 2, Decimal("10"), 2 if delivered else 0, at if delivered else None
    )
    return Order("acme", "SO-1", "AED", ANN, [line], delivery_address=address)


def test_a_delivered_order_is_collected_where_it_was_delivered_from_its_customer():
    assert _order(delivered=True).collection_addresses() == [
        replace(HOME, contact_phone=ANN.phone, contact_email=ANN.email)
    ]


def test_an_undelivered_order_or_one_without_a_usable_address_has_no_collection_address():
    assert _order(delivered=False).collection_addresses() == []
    assert _order(delivered=True, address=None).collection_addresses() == []
    assert _order(delivered=True, address=Address(city="Dubai")).collection_addresses() == []
