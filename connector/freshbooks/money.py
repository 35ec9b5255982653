"""Amounts as FreshBooks takes them: strings with exactly two decimal places, never floats."""

from __future__ import annotations

from decimal import Decimal

from connector.freshbooks.errors import InvalidMoney

CENT = Decimal("0.01")


def money_text(amount: Decimal | int) -> str:
    """``Decimal("5")`` becomes ``"5.00"``; an amount with fractions of a cent is refused."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise InvalidMoney(
            f"amount {amount!r} is a {type(amount).__name__}, not a Decimal",
            hint="read amounts as Decimal (never float) so no cent is lost on the way",
        )
    value = Decimal(amount)
    if not value.is_finite():
        raise InvalidMoney(f"amount {amount} is not a finite number", hint="fix the source amount")
    cents = value.quantize(CENT)
    if cents != value:
        raise InvalidMoney(
            f"amount {amount} has fractions of a cent",
            hint="round it in the mapping (say how) before posting it to FreshBooks",
        )
    return f"{cents:.2f}"


def money_object(amount: Decimal | int, code: str | None = None) -> dict[str, str]:
    """FreshBooks' money shape, ``{"amount": "5.00", "code": "USD"}``; without a code the
    amount is taken in the document's own currency."""
    money = {"amount": money_text(amount)}
    if code:
        money["code"] = code
    return money
