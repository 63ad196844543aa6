"""RequestDetails: what a customer says about a return besides its items, each detail
checked where it is declared, and which of them an update may change."""

from __future__ import annotations

import pytest

from domain.errors import DomainError, ErrorCode
from domain.request_details import DETAILS, EDITABLE, RequestDetails
from domain.values import Address


def test_checked_trims_and_turns_a_blank_comment_into_none() -> None:
    details = RequestDetails(customer_comment="  ring twice ", resolution=" SWAP ", channel="WEB")
    checked = details.checked()
    assert (checked.customer_comment, checked.resolution, checked.channel) == (
        "ring twice",
        "SWAP",
        "WEB",
    )
    assert RequestDetails(customer_comment="   ").checked().customer_comment is None


def test_checked_keeps_what_has_no_check_as_given() -> None:
    pickup = Address(address1="1 Road", country="AE")
    assert RequestDetails(pickup=pickup).checked().pickup is pickup


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("resolution", "X" * 200),
        ("refund_method", "   "),
        ("channel", "A\x00B"),
        ("customer_comment", "x" * 5001),
    ],
)
def test_checked_refuses_a_bad_detail_naming_its_field(name: str, value: str) -> None:
    with pytest.raises(DomainError) as caught:
        RequestDetails(**{name: value}).checked()  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.field) == (ErrorCode.INVALID_INPUT, name)


def test_changes_are_checked_and_come_back_in_declaration_order() -> None:
    changes = RequestDetails.checked_changes({"customer_comment": " hi ", "pickup": None})
    assert list(changes.items()) == [("pickup", None), ("customer_comment", "hi")]


def test_how_a_request_came_in_cannot_be_changed() -> None:
    assert "channel" in DETAILS and "channel" not in EDITABLE
    with pytest.raises(ValueError, match="channel"):
        RequestDetails.checked_changes({"channel": "APP"})


def test_a_name_that_is_no_detail_is_the_callers_mistake() -> None:
    with pytest.raises(ValueError, match="status"):
        RequestDetails.checked_changes({"status": "APPROVED"})


def test_details_are_checked_in_declaration_order_and_the_first_refused_is_reported() -> None:
    with pytest.raises(DomainError) as caught:
        RequestDetails(customer_comment="a\x00b", refund_method="   ").checked()
    assert caught.value.field == "refund_method"
