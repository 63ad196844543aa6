"""Money has one written form (README, "Money"); every other spelling is refused, and no
amount or price is ever kept as a negative zero or with an exponent (issue 12, item 6)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ErrorCode, InvalidInput
from domain.values import decimal_from_text, decimal_text, money_amount, price_amount

CANONICAL = ["0", "3", "120", "49.90", "0.5", "0.001", "-5", "-0.5", "999999999999.999"]
NOT_CANONICAL = [
    "\u0663",  # ARABIC-INDIC DIGIT THREE: Decimal() reads it as 3
    "\uff11",  # FULLWIDTH DIGIT ONE
    " 1",
    "1 ",
    "+1",
    ".5",
    "1.",
    "01",
    "-01",
    "1e2",
    "1E-2",
    "NaN",
    "Infinity",
    "-0",
    "-0.00",
    "1_000",
    "1,5",
    "0x10",
    "",
    "-",
    "1" * 41,
]


@pytest.mark.parametrize("text", CANONICAL)
def test_the_canonical_form_reads_as_written(text: str) -> None:
    value = decimal_from_text(text)

    assert value == Decimal(text)
    assert decimal_text(value) == text


@pytest.mark.parametrize("text", NOT_CANONICAL)
def test_every_other_spelling_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        decimal_from_text(text, field="amount")

    assert refused.value.code == ErrorCode.INVALID_INPUT
    assert refused.value.field == "amount"


@pytest.mark.parametrize("value", [1.5, 3, None, True, b"3"])
def test_only_text_is_read_as_a_decimal(value: object) -> None:
    with pytest.raises(InvalidInput):
        decimal_from_text(value)


@pytest.mark.parametrize("text", ["\u0663", " 1", "+1", ".5", "-0"])
def test_a_refund_amount_given_as_text_takes_the_same_form(text: str) -> None:
    with pytest.raises(InvalidInput):
        money_amount(text)


@pytest.mark.parametrize("price", [Decimal("-0"), Decimal("-0.00"), Decimal("0E+3")])
def test_a_zero_price_is_never_kept_negative_or_with_an_exponent(price: Decimal) -> None:
    kept = price_amount(price, field="unitPrice")

    assert kept == 0 and not kept.is_signed()
    assert decimal_text(kept) in ("0", "0.00")


def test_an_exponent_is_kept_as_the_plain_number() -> None:
    assert str(price_amount(Decimal("1.2E+2"), field="unitPrice")) == "120"
    assert str(money_amount(Decimal("5E+1"))) == "50"
    assert decimal_text(Decimal("1E+2")) == "100"
    assert decimal_text(Decimal("-0.0")) == "0.0"


def test_decimal_places_count_as_written() -> None:
    """Trailing zeros are places too: bounding them bounds the text stored (an amount of 1
    followed by 45 zeros used to pass as 1 and overflow PostgreSQL's column)."""
    assert money_amount(Decimal("1.000")) == 1
    assert price_amount(Decimal("1.0000"), field="unitPrice") == 1
    for amount in (Decimal("1.0000"), Decimal("1." + "0" * 45)):
        with pytest.raises(InvalidInput):
            money_amount(amount)
    with pytest.raises(InvalidInput):
        price_amount(Decimal("1.00000"), field="unitPrice")


@given(st.decimals(allow_nan=False, allow_infinity=False, places=None))
def test_the_written_form_is_the_fixed_point_one_without_a_negative_zero(value: Decimal) -> None:
    """decimal_text takes `str` when it writes no exponent; it must always agree with the
    fixed-point `format`, with a zero's sign dropped."""
    expected = format(value.copy_abs() if value.is_zero() else value, "f")

    assert decimal_text(value) == expected
