"""Number functions: numbers read from partner text, rounding and signs, in exact decimals."""

from __future__ import annotations

import polars as pl

from connector.mapping.functions import Arguments, Function, FunctionRegistry, Param
from connector.mapping.functions.money import AMOUNT, rounded, rounding_problem
from connector.mapping.functions.rowchecks import decimal_of
from connector.mapping.values import DECIMAL, Compiled, Kind, as_decimal

_NUMERIC = frozenset({Kind.NUMBER, Kind.MONEY, Kind.NULL})


def _number(args: Arguments) -> Compiled:
    value = args.values["value"]
    decimal, checks = decimal_of(value, "not a number (write it like 1234.56: no separators)")
    return value.with_expr(decimal, Kind.NUMBER, DECIMAL, *checks)


def _round(args: Arguments) -> Compiled:
    value = args.values["value"]
    places = int(args.constants["places"])
    expr = rounded(as_decimal(value), places, str(args.constants["rounding"]))
    return value.with_expr(expr, Kind.NUMBER, pl.Decimal(38, places))


def _abs(args: Arguments) -> Compiled:
    value = args.values["value"]
    decimal = as_decimal(value)
    return value.with_expr(decimal.abs(), Kind.NUMBER, decimal_dtype(value))


def decimal_dtype(value: Compiled) -> pl.DataType:
    """The Decimal dtype `as_decimal(value)` yields: computed numbers keep their scale."""
    return value.dtype if isinstance(value.dtype, pl.Decimal) else DECIMAL


def register(registry: FunctionRegistry) -> None:
    for name in ("number", "to_number"):
        registry.register(
            Function(
                name,
                (Param("value", AMOUNT),),
                Kind.NUMBER,
                _number,
                "text read as an exact decimal number; other text rejects the row",
            )
        )
    registry.register(
        Function(
            "round",
            (
                Param("value", _NUMERIC),
                Param("places", frozenset({Kind.NUMBER}), default=0, constant=True),
                Param("rounding", frozenset({Kind.TEXT}), default="half_up", constant=True),
            ),
            Kind.NUMBER,
            _round,
            "a number rounded to the given places (same rounding modes as money)",
            rounding_problem,
        )
    )
    registry.register(
        Function("abs", (Param("value", _NUMERIC),), Kind.NUMBER, _abs, "a number without its sign")
    )
