"""Small value objects shared by the entities: ids, money, addresses, actors."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from domain.errors import InvalidInput, InvalidQuantity

# Crockford-style alphabet without look-alikes (0/O, 1/I/L, U): safe to read out on the phone.
_ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_ID_LENGTH = 8
_CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_AMOUNT_DECIMALS = 3
MAX_TEXT = 5000

# "Leave this field as it is" in partial updates, where None means "clear it".
UNSET: object = object()


def new_id(prefix: str) -> str:
    """A short random id such as `RR-7K3P9Q2M` (≈ 6.6·10^11 values per prefix)."""
    body = "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))
    return f"{prefix}-{body}"


def new_return_request_id() -> str:
    return new_id("RR")


def positive_quantity(value: int, *, field: str) -> int:
    """Quantities are whole numbers ≥ 1 (DESIGN.md §8)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidQuantity(f"quantity must be a whole number ≥ 1, got {value!r}", field=field)
    return value


MAX_QUANTITY_DIGITS = 9


def quantity_from_text(value: object, *, field: str) -> int:
    """A quantity as legacy clients send it: OTO writes `"quantity": "1"`. Digits only (or a
    JSON integer), at least 1; "1.5", "-1", "1e3", "", true and 1.0 are refused."""
    if isinstance(value, int) and not isinstance(value, bool):
        return positive_quantity(value, field=field)
    text = value if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_QUANTITY_DIGITS):
        raise InvalidQuantity(
            f'quantity must be a positive whole number such as "1", got {value!r}', field=field
        )
    return positive_quantity(int(text), field=field)


def currency_code(value: str, *, field: str = "currency") -> str:
    if not isinstance(value, str) or not _CURRENCY.match(value):
        raise InvalidInput(
            f"currency must be an ISO 4217 code such as AED, got {value!r}", field=field
        )
    return value


MAX_AMOUNT = Decimal("1e12")
MAX_PRICE_DECIMALS = 4
MAX_DECIMAL_TEXT = 40
# The one written form of a decimal number (README "Money"): ASCII digits, an optional
# leading minus, no leading zeros, and a point only between digits.
_CANONICAL_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")


def decimal_from_text(text: object, *, field: str = "amount") -> Decimal:
    """A decimal written in the one canonical form, or InvalidInput. Decimal() alone also
    reads "٣" (any script's digits), " 1", "+1", ".5", "1.", "1e3" and "NaN": other
    spellings of a number, or of none, that would be stored as written. "-0" is refused
    too: zero is written 0, and a stored -0 would be shown as -0."""
    if not (
        isinstance(text, str)
        and len(text) <= MAX_DECIMAL_TEXT
        and _CANONICAL_DECIMAL.fullmatch(text)
    ):
        raise InvalidInput(
            f'{spoken(field)} must be written like "49.90" (digits 0-9, an optional leading "-", a '
            f"point only between digits), got {_shown(text)}",
            field=field,
        )
    value = Decimal(text)
    if value.is_zero() and value.is_signed():
        raise InvalidInput(f'{spoken(field)} must not be a negative zero; write "0"', field=field)
    return value


def decimal_text(value: Decimal) -> str:
    """A decimal in that same canonical form: fixed-point, never an exponent or a -0.
    `str` already writes fixed-point whenever it would not use an exponent, at a third of
    the cost of `format` (a page of 100 returns writes a thousand prices)."""
    text = str(value)
    if "E" in text or (text[0] == "-" and value.is_zero()):
        return format(value.copy_abs() if value.is_zero() else value, "f")
    return text


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= MAX_DECIMAL_TEXT + 2 else text[:MAX_DECIMAL_TEXT] + "…"


def _decimals(value: Decimal) -> int:
    """Decimal places as written: "1.50" has two. Bounding these bounds the stored text."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _plain(value: Decimal) -> Decimal:
    """The same number without an exponent or a negative zero (Decimal("1E+2") is 100)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        value = value.quantize(Decimal(1))
    return value.copy_abs() if value.is_zero() else value


def price_amount(value: Decimal, *, field: str) -> Decimal:
    """A price of one unit: finite, ≥ 0, below 10^12, at most four decimals."""
    if not value.is_finite() or value < 0 or value >= MAX_AMOUNT:
        raise InvalidInput(
            f"unit price must be between 0 and {MAX_AMOUNT:,.0f}, got {value}", field=field
        )
    if _decimals(value) > MAX_PRICE_DECIMALS:
        raise InvalidInput(
            f"unit price has more than {MAX_PRICE_DECIMALS} decimals: {value}", field=field
        )
    return _plain(value)


def money_amount(value: Decimal | int | str, *, field: str = "amount") -> Decimal:
    """A positive, finite amount with at most three decimals (covers KWD/BHD/OMR minor units).
    Text must be written in the canonical form (`decimal_from_text`)."""
    if isinstance(value, str):
        amount = decimal_from_text(value, field=field)
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(value)
    else:
        raise InvalidInput(f"amount must be a decimal number, got {value!r}", field=field)
    if not amount.is_finite() or amount <= 0 or amount >= MAX_AMOUNT:
        raise InvalidInput(
            f"amount must be a positive number below {MAX_AMOUNT:,.0f}, got {value}", field=field
        )
    if _decimals(amount) > MAX_AMOUNT_DECIMALS:
        raise InvalidInput(
            f"amount has more than {MAX_AMOUNT_DECIMALS} decimals: {value}", field=field
        )
    return _plain(amount)


def spoken(field: str) -> str:
    """A field's name as a message says it (`refund_date` → `refund date`). The `field` of
    an error is the domain's own name; each face maps it to its wire name at its edge."""
    return field.replace("_", " ")


def bounded_text(value: str, *, field: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if "\x00" in text:
        raise InvalidInput(f"{spoken(field)} must not contain NUL characters", field=field)
    if required and not text:
        raise InvalidInput(f"{spoken(field)} must not be empty", field=field)
    if len(text) > limit:
        raise InvalidInput(f"{spoken(field)} is longer than {limit} characters", field=field)
    return text


def aware(value: datetime | None, *, field: str) -> datetime | None:
    """The same instant in UTC. Times must say their offset: a naive time is ambiguous
    across the merchant's time zones."""
    if value is None:
        return None
    if value.utcoffset() is None:
        raise InvalidInput(
            f"{spoken(field)} needs a time zone offset, e.g. 2026-01-31T10:00:00Z", field=field
        )
    return value.astimezone(UTC)


def optional_text(value: object, field: str, limit: int = MAX_TEXT) -> str | None:
    """Optional free text: None or blank become None; longer than `limit` is refused."""
    if value is None:
        return None
    return bounded_text(value, field=field, required=False, limit=limit) or None  # type: ignore[arg-type]


CODE_LIMIT = 100
ADDRESS_FIELD_LIMIT = 500
REASON_LIMIT = 200


def optional_code(value: str | None, *, field: str) -> str | None:
    """A merchant code (reason, condition, resolution, refund type, channel…): short text."""
    if value is None:
        return None
    return bounded_text(value, field=field, limit=CODE_LIMIT) or None


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Address:
    """A pickup or dropoff point: a free address, or a merchant location by its code."""

    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    postcode: str | None = None
    country: str | None = None
    partner_location_id: str | None = None

    def __post_init__(self) -> None:
        for name in self.__slots__:  # type: ignore[attr-defined]
            value = getattr(self, name)
            if value is not None:
                bounded_text(
                    value, field=f"address.{name}", required=False, limit=ADDRESS_FIELD_LIMIT
                )

    def is_usable(self) -> bool:
        """Good enough to hand to a carrier: a known location, or an address with a country."""
        return bool(self.partner_location_id) or bool(self.address1 and self.country)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change and through which face of the service (GraphQL, REST, system job)."""

    source: str = "API"
    user: str | None = None


SYSTEM = Actor(source="SYSTEM")


@dataclass(frozen=True, slots=True)
class TimeWindow:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        # Frozen: normalise through object.__setattr__, once, at construction.
        object.__setattr__(self, "start", aware(self.start, field="collection.start"))
        object.__setattr__(self, "end", aware(self.end, field="collection.end"))
        if self.end < self.start:
            raise InvalidInput("collection window ends before it starts", field="collection")
