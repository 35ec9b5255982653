"""Missing values: the first value that is there, a fallback, and a test for nothing.

Values of one kind keep it (numbers and money meet as numbers); values of different kinds meet as
the text the partner file would show, as `~` does, so `default(qty, "n/a")` writes what it reads.
"""

from __future__ import annotations

import polars as pl

from connector.mapping.functions import Arguments, Function, FunctionRegistry, Param
from connector.mapping.values import (
    DECIMAL,
    Compiled,
    Kind,
    as_decimal,
    as_text,
    merged_checks,
    source_of,
)

ANY = frozenset(Kind)
KIND_NOTE = "the values' kind (text when they differ)"


def first_present(values: list[Compiled]) -> Compiled:
    """One value from several, the first that is not missing, in the kind they share."""
    kinds = {value.kind for value in values} - {Kind.NULL}
    checks, source = merged_checks(*values), source_of(*values)
    if kinds and kinds <= {Kind.NUMBER, Kind.MONEY}:
        exprs = [
            as_decimal(v) if v.kind is not Kind.NULL else pl.lit(None, DECIMAL) for v in values
        ]
        return Compiled(pl.coalesce(exprs), Kind.NUMBER, DECIMAL, checks, source)
    dtypes = {value.dtype for value in values if value.kind is not Kind.NULL}
    if len(kinds) == 1 and len(dtypes) == 1:
        kind, dtype = kinds.pop(), dtypes.pop()
        exprs = [v.expr if v.kind is not Kind.NULL else pl.lit(None, dtype) for v in values]
        return Compiled(pl.coalesce(exprs), kind, dtype, checks, source)
    kind = Kind.TEXT if kinds else Kind.NULL
    return Compiled(pl.coalesce([as_text(v) for v in values]), kind, pl.String, checks, source)


def _coalesce(args: Arguments) -> Compiled:
    return first_present([*args.values.values(), *args.repeated])


def _default(args: Arguments) -> Compiled:
    return first_present([args.values["value"], args.values["fallback"]])


def _is_empty(args: Arguments) -> Compiled:
    value = args.values["value"]
    empty = value.expr.is_null()
    if value.dtype == pl.String:
        empty = empty | (value.expr.str.strip_chars() == "")
    return value.with_expr(empty, Kind.BOOLEAN, pl.Boolean)


def register(registry: FunctionRegistry) -> None:
    registry.register(
        Function(
            "coalesce",
            (Param("value1", ANY), Param("value2", ANY), Param("more", ANY, None, variadic=True)),
            Kind.TEXT,
            _coalesce,
            "the first of two or more values that is not missing",
            result_note=KIND_NOTE,
        )
    )
    registry.register(
        Function(
            "default",
            (Param("value", ANY), Param("fallback", ANY)),
            Kind.TEXT,
            _default,
            "the value, or the fallback when the value is missing",
            result_note=KIND_NOTE,
        )
    )
    registry.register(
        Function(
            "is_empty",
            (Param("value", ANY),),
            Kind.BOOLEAN,
            _is_empty,
            "true when the value is missing or blank text",
        )
    )
