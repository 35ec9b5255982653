"""Money on the wire is ``{"amount": "41.94", "code": "CAD"}`` with the amount as a string."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Decimal, code: str) -> dict[str, str]:
    return {"amount": f"{cents(value):.2f}", "code": code}


def plain_number(value: Decimal) -> str:
    """Quantities and percentages travel as bare strings without trailing zeros (``"4"``)."""
    return format(value.normalize(), "f")


def parse_decimal(value: Any) -> Decimal:
    """Accept the string form FreshBooks sends and the bare numbers some fixtures use.

    Raises ValueError for anything else, including booleans and non-finite numbers.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError(f"not a number: {value!r}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise ValueError(f"not a number: {value!r}") from error
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def parse_money(value: Any) -> tuple[Decimal, str | None]:
    """A money object, or a bare amount, as (amount, currency code or None)."""
    if isinstance(value, dict):
        code = value.get("code")
        if code is not None and not isinstance(code, str):
            raise ValueError(f"currency code must be a string, got {code!r}")
        return parse_decimal(value.get("amount")), code
    return parse_decimal(value), None
