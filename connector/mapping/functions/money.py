"""Money functions: exact decimals from FreshBooks money objects, numbers or partner text.

Amounts never pass through floats: text is validated as plain decimal notation and cast to a polars
Decimal, and every rounding mode is computed on Decimals. Polars rounds ties natively (half-up,
half-even); the directed modes use the exact remainder `x mod 10^-places`, which for a Decimal is
never approximate.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from connector.mapping.functions import Arguments, Function, FunctionRegistry, Param
from connector.mapping.functions.rowchecks import bad_value, decimal_of, present
from connector.mapping.values import DECIMAL, Compiled, Kind, as_decimal

MAX_PLACES = 6
ROUNDING_MODES = ("half_up", "half_even", "down", "up", "ceiling", "floor")
_POLARS_TIES = {"half_up": "half_away_from_zero", "half_even": "half_to_even"}
AMOUNT = frozenset({Kind.MONEY, Kind.NUMBER, Kind.TEXT, Kind.NULL})
_WHOLE_TEXT = r"^\s*[+-]?\d{1,30}\s*$"


def places_problem(constants: dict[str, object]) -> str | None:
    places = constants.get("places")
    if places != int(places) or not 0 <= int(places) <= MAX_PLACES:
        return f"places must be a whole number from 0 to {MAX_PLACES}, got {places}"
    return None


def rounding_problem(constants: dict[str, object]) -> str | None:
    problem = places_problem(constants)
    if problem:
        return problem
    rounding = constants.get("rounding")
    if rounding not in ROUNDING_MODES:
        return f"rounding must be one of {', '.join(map(repr, ROUNDING_MODES))}, got {rounding!r}"
    return None


def rounded(decimal: pl.Expr, places: int, rounding: str) -> pl.Expr:
    """`decimal` rounded to `places` in the given mode, as a Decimal with exactly that scale."""
    dtype = pl.Decimal(38, places)
    if rounding in _POLARS_TIES:
        return decimal.round(places, mode=_POLARS_TIES[rounding]).cast(dtype)
    step = pl.lit(Decimal(1).scaleb(-places), dtype=DECIMAL)
    remainder = decimal % step  # takes the sign of `step`, so floor is `decimal - remainder`
    floor = decimal - remainder
    ceiling = pl.when(remainder == 0).then(floor).otherwise(floor + step)
    choice = {
        "floor": floor,
        "ceiling": ceiling,
        "down": pl.when(decimal >= 0).then(floor).otherwise(ceiling),
        "up": pl.when(decimal >= 0).then(ceiling).otherwise(floor),
    }[rounding]
    return choice.cast(dtype)


def _money(args: Arguments) -> Compiled:
    value = args.values["value"]
    decimal, checks = decimal_of(value)
    places = int(args.constants["places"])
    expr = rounded(decimal, places, str(args.constants["rounding"]))
    return value.with_expr(expr, Kind.NUMBER, pl.Decimal(38, places), *checks)


def _currency(args: Arguments) -> Compiled:
    value = args.values["value"]
    return value.with_expr(value.expr.struct.field("code"), Kind.TEXT, pl.String)


def _cents(args: Arguments) -> Compiled:
    value = args.values["value"]
    decimal, checks = decimal_of(value)
    cents = rounded(decimal * 100, 0, "half_up").cast(pl.Int64)
    return value.with_expr(cents, Kind.NUMBER, pl.Int64, *checks)


def _from_cents(args: Arguments) -> Compiled:
    value = args.values["value"]
    places = int(args.constants["places"])
    checks = ()
    if value.kind is Kind.TEXT:
        whole = value.expr.str.contains(_WHOLE_TEXT)
        count = pl.when(whole).then(value.expr.str.strip_chars()).cast(pl.Int64, strict=False)
        failed = present(value.expr) & count.is_null()
        checks = (bad_value(value, failed, "not a whole number of cents (write it like 123456)"),)
        decimal = count.cast(DECIMAL)
    else:
        decimal = rounded(as_decimal(value), 0, "half_up")
    unit = pl.lit(Decimal(1).scaleb(-places), dtype=DECIMAL)
    dtype = pl.Decimal(38, places)
    return value.with_expr((decimal * unit).cast(dtype), Kind.NUMBER, dtype, *checks)


def register(registry: FunctionRegistry) -> None:
    places = Param("places", frozenset({Kind.NUMBER}), default=2, constant=True)
    rounding = Param("rounding", frozenset({Kind.TEXT}), default="half_up", constant=True)
    registry.register(
        Function(
            "money",
            (Param("value", AMOUNT), places, rounding),
            Kind.NUMBER,
            _money,
            "an exact amount with the given decimal places; rounding: half_up, half_even, "
            "down, up, ceiling or floor; other text rejects the row",
            rounding_problem,
        )
    )
    registry.register(
        Function(
            "currency",
            (Param("value", frozenset({Kind.MONEY, Kind.NULL}), money_parts=frozenset({"code"})),),
            Kind.TEXT,
            _currency,
            "the currency code of a FreshBooks money value, such as USD",
        )
    )
    registry.register(
        Function(
            "cents",
            (Param("value", AMOUNT),),
            Kind.NUMBER,
            _cents,
            "an amount as a whole number of cents (hundredths), rounded half-up",
        )
    )
    registry.register(
        Function(
            "from_cents",
            (Param("value", frozenset({Kind.NUMBER, Kind.TEXT, Kind.NULL})), places),
            Kind.NUMBER,
            _from_cents,
            "a whole number of minor units (cents when places is 2) as an exact amount",
            places_problem,
        )
    )
