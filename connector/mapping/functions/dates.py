"""Date functions: partners write dates every way there is, FreshBooks wants YYYY-MM-DD."""

from __future__ import annotations

import datetime as dt

import polars as pl

from connector.mapping.functions import Arguments, Function, FunctionRegistry, Param
from connector.mapping.values import Compiled, Kind, RowCheck

_SAMPLE = dt.datetime(2024, 5, 31, 14, 30, 5)


def _check_format(constants: dict[str, object]) -> str | None:
    fmt = str(constants["format"])
    if "%" not in fmt:
        return f'date format {fmt!r} has no %-directive (for example "%Y-%m-%d")'
    try:
        rendered = _SAMPLE.strftime(fmt)
    except ValueError as error:
        return f"date format {fmt!r} is not valid: {error}"
    if "%" in rendered.replace("%%", ""):
        return f"date format {fmt!r} has an unknown %-directive"
    return None


def _format_date(args: Arguments) -> Compiled:
    value = args.values["value"]
    fmt = str(args.constants["format"])
    return value.with_expr(value.expr.dt.strftime(fmt), Kind.TEXT, pl.String)


def _parse_date(args: Arguments) -> Compiled:
    value = args.values["value"]
    fmt = str(args.constants["format"])
    text = value.expr.str.strip_chars()
    parsed = text.str.strptime(pl.Date, fmt, strict=False)
    failed = text.is_not_null() & (text != "") & parsed.is_null()
    check = RowCheck(
        failed=failed,
        message=pl.lit(f"not a date in the form {fmt} (like {_SAMPLE.strftime(fmt)})"),
        column=value.source_column,
        value=value.expr,
    )
    return value.with_expr(parsed, Kind.DATE, pl.Date, check)


def _today(args: Arguments) -> Compiled:
    # Fixed when the mapping is compiled: one run sees one "today" even across midnight.
    return Compiled(pl.lit(dt.date.today(), dtype=pl.Date), Kind.DATE, pl.Date)


def register(registry: FunctionRegistry) -> None:
    dated = frozenset({Kind.DATE, Kind.DATETIME, Kind.NULL})
    fmt = Param("format", frozenset({Kind.TEXT}), constant=True)
    registry.register(
        Function(
            "format_date",
            (Param("value", dated), fmt),
            Kind.TEXT,
            _format_date,
            "a date written in the given strftime format",
            _check_format,
        )
    )
    registry.register(
        Function(
            "parse_date",
            (Param("value", frozenset({Kind.TEXT, Kind.NULL})), fmt),
            Kind.DATE,
            _parse_date,
            "text read as a date in the given strftime format; other text rejects the row",
            _check_format,
        )
    )
    registry.register(Function("today", (), Kind.DATE, _today, "the date the mapping was loaded"))
