"""Money functions: exact decimals from FreshBooks money objects, numbers or partner text.

Amounts never pass through floats: text is validated as plain decimal notation and cast to a polars
Decimal; rounding is half-up (away from zero) unless the mapping asks for half-even.
"""

from __future__ import annotations

import polars as pl

from connector.mapping.functions import Arguments, Function, FunctionRegistry, Param
from connector.mapping.values import DECIMAL, Compiled, Kind, RowCheck, as_decimal

MAX_PLACES = 6
ROUNDING_MODES = {"half_up": "half_away_from_zero", "half_even": "half_to_even"}
_AMOUNT = frozenset({Kind.MONEY, Kind.NUMBER, Kind.TEXT, Kind.NULL})


def _check_places(constants: dict[str, object]) -> str | None:
    places = constants.get("places")
    if places != int(places) or not 0 <= int(places) <= MAX_PLACES:
        return f"places must be a whole number from 0 to {MAX_PLACES}, got {places}"
    rounding = constants.get("rounding")
    if rounding not in ROUNDING_MODES:
        return f"rounding must be one of {', '.join(map(repr, ROUNDING_MODES))}, got {rounding!r}"
    return None


def _parsed(value: Compiled) -> tuple[pl.Expr, tuple[RowCheck, ...]]:
    """The value as a Decimal, plus a check for text that is not a plain decimal number."""
    decimal = as_decimal(value)
    if value.kind is not Kind.TEXT:
        return decimal, ()
    text = value.expr.str.strip_chars()
    failed = text.is_not_null() & (text != "") & decimal.is_null()
    check = RowCheck(
        failed=failed,
        message=pl.lit("not an amount (write it like 1234.56: no currency sign or separators)"),
        column=value.source_column,
        value=value.expr,
    )
    return decimal, (check,)


def _money(args: Arguments) -> Compiled:
    value = args.values["value"]
    places = int(args.constants["places"])
    mode = ROUNDING_MODES[str(args.constants["rounding"])]
    decimal, checks = _parsed(value)
    dtype = pl.Decimal(38, places)
    rounded = decimal.round(places, mode=mode).cast(dtype)
    return value.with_expr(rounded, Kind.NUMBER, dtype, *checks)


def _cents(args: Arguments) -> Compiled:
    value = args.values["value"]
    decimal, checks = _parsed(value)
    cents = (decimal * 100).round(0, mode="half_away_from_zero").cast(pl.Int64)
    return value.with_expr(cents, Kind.NUMBER, pl.Int64, *checks)


def _number(args: Arguments) -> Compiled:
    value = args.values["value"]
    decimal, checks = _parsed(value)
    return value.with_expr(decimal, Kind.NUMBER, DECIMAL, *checks)


def register(registry: FunctionRegistry) -> None:
    registry.register(
        Function(
            "money",
            (
                Param("value", _AMOUNT),
                Param("places", frozenset({Kind.NUMBER}), default=2, constant=True),
                Param("rounding", frozenset({Kind.TEXT}), default="half_up", constant=True),
            ),
            Kind.NUMBER,
            _money,
            "an exact amount with the given number of decimal places",
            _check_places,
        )
    )
    registry.register(
        Function(
            "cents",
            (Param("value", _AMOUNT),),
            Kind.NUMBER,
            _cents,
            "an amount as a whole number of cents (hundredths), rounded half-up",
        )
    )
    registry.register(
        Function(
            "number",
            (Param("value", _AMOUNT),),
            Kind.NUMBER,
            _number,
            "text read as an exact decimal number; other text rejects the row",
        )
    )
