"""Minor units of currencies (ISO 4217): how many decimals an amount of money is rounded
to. Fees and quotes are rounded per line in these units, so a customer is never charged a
fraction of a fils or of a yen, and what is left to refund always adds up to the last unit."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_NO_DECIMALS = ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX")
_NO_DECIMALS += ("UYI", "VND", "VUV", "XAF", "XOF", "XPF")
# The exceptions to two decimals; every other currency (AED, SAR, USD, EUR…) has two.
_MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(_NO_DECIMALS, 0),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}
DEFAULT_MINOR_UNITS = 2


def minor_units(currency: str) -> int:
    """Decimals of the currency's smallest unit: JPY 0, KWD 3, most others 2."""
    return _MINOR_UNITS.get(currency, DEFAULT_MINOR_UNITS)


def round_money(amount: Decimal, currency: str, *, rounding: str = ROUND_HALF_UP) -> Decimal:
    """The amount rounded (half up unless told) to the currency's minor units, never a
    negative zero."""
    rounded = amount.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=rounding)
    return rounded.copy_abs() if rounded.is_zero() else rounded
