"""Date and time functions: partners write dates every way there is, FreshBooks wants YYYY-MM-DD.

Times carry their zone. FreshBooks writes most accounting timestamps without one, in US/Eastern
(freshbooks-api.md, "Dates"), so a time without a zone is read as FRESHBOOKS_ZONE unless the mapping
says `tz:`; formatting converts to the zone the partner asked for. Zones are IANA names.
"""

from __future__ import annotations

import datetime as dt
import difflib
import zoneinfo

import polars as pl

from connector.mapping.functions import Arguments, Function, FunctionRegistry, Param
from connector.mapping.functions.rowchecks import bad_value, present
from connector.mapping.values import Compiled, Kind, as_decimal

FRESHBOOKS_ZONE = "America/New_York"
_SAMPLE = dt.datetime(2024, 5, 31, 14, 30, 5)
_TEXT = frozenset({Kind.TEXT, Kind.NULL})
_WORDS = frozenset({Kind.TEXT})  # constants: a literal is never missing
_DATED = frozenset({Kind.DATE, Kind.DATETIME, Kind.NULL})
_ZONE = Param("tz", _WORDS, default=FRESHBOOKS_ZONE, constant=True)
_FORMAT = Param("format", _WORDS, constant=True)
_AWARE = "us"


def _format_problem(constants: dict[str, object]) -> str | None:
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


def _zone_problem(constants: dict[str, object]) -> str | None:
    zone = str(constants["tz"])
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        guess = difflib.get_close_matches(zone, zoneinfo.available_timezones(), n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else " (write an IANA name like 'UTC')"
        return f"unknown time zone {zone!r}{hint}"
    return None


def _format_and_zone(constants: dict[str, object]) -> str | None:
    return _format_problem(constants) or _zone_problem(constants)


def in_zone(value: Compiled, zone: str) -> pl.Expr:
    """A DATETIME value as the wall-clock time in `zone`; a zoneless one is read as FreshBooks'."""
    dtype = value.dtype
    expr = value.expr
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is None:
        expr = expr.dt.replace_time_zone(FRESHBOOKS_ZONE, ambiguous="earliest")
    return expr.dt.convert_time_zone(zone)


def _format_date(args: Arguments) -> Compiled:
    value = args.values["value"]
    fmt = str(args.constants["format"])
    return value.with_expr(value.expr.dt.strftime(fmt), Kind.TEXT, pl.String)


def _format_datetime(args: Arguments) -> Compiled:
    value = args.values["value"]
    fmt, zone = str(args.constants["format"]), str(args.constants["tz"])
    expr = value.expr
    if value.kind is Kind.DATETIME:
        expr = in_zone(value, zone)
    return value.with_expr(expr.dt.strftime(fmt), Kind.TEXT, pl.String)


def _parsed(value: Compiled, parsed: pl.Expr, fmt: str, what: str) -> tuple[pl.Expr, tuple]:
    failed = present(value.expr) & parsed.is_null()
    example = _SAMPLE.replace(tzinfo=dt.UTC).strftime(fmt)
    return parsed, (bad_value(value, failed, f"not {what} in the form {fmt} (like {example})"),)


def _parse_date(args: Arguments) -> Compiled:
    value = args.values["value"]
    fmt = str(args.constants["format"])
    text = value.expr.str.strip_chars()
    parsed, checks = _parsed(value, text.str.strptime(pl.Date, fmt, strict=False), fmt, "a date")
    return value.with_expr(parsed, Kind.DATE, pl.Date, *checks)


def _parse_datetime(args: Arguments) -> Compiled:
    """Text with an offset (%z) is that moment; text without one is wall-clock time in `tz`."""
    value = args.values["value"]
    fmt, zone = str(args.constants["format"]), str(args.constants["tz"])
    text = value.expr.str.strip_chars()
    if "%z" in fmt:
        moment = text.str.strptime(pl.Datetime(_AWARE, "UTC"), fmt, strict=False)
        moment = moment.dt.convert_time_zone(zone)
    else:
        naive = text.str.strptime(pl.Datetime(_AWARE), fmt, strict=False)
        # A wall-clock time skipped by a daylight-saving change names no moment: the row is refused.
        moment = naive.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
    parsed, checks = _parsed(value, moment, fmt, f"a date and time in {zone}")
    return value.with_expr(parsed, Kind.DATETIME, pl.Datetime(_AWARE, zone), *checks)


def _today(args: Arguments) -> Compiled:
    # Fixed when the mapping is compiled: one run sees one "today" even across midnight.
    today = dt.datetime.now(zoneinfo.ZoneInfo(str(args.constants["tz"]))).date()
    return Compiled(pl.lit(today, dtype=pl.Date), Kind.DATE, pl.Date)


def _now(args: Arguments) -> Compiled:
    zone = str(args.constants["tz"])
    moment = dt.datetime.now(zoneinfo.ZoneInfo(zone)).replace(microsecond=0)
    dtype = pl.Datetime(_AWARE, zone)
    return Compiled(pl.lit(moment, dtype=dtype), Kind.DATETIME, dtype)


def _add_days(args: Arguments) -> Compiled:
    value, days = args.values["value"], args.values["days"]
    whole = as_decimal(days).round(0, mode="half_away_from_zero").cast(pl.Int64)
    expr = value.expr + pl.duration(days=whole)
    return Compiled(
        expr, value.kind, value.dtype, (*value.checks, *days.checks), value.source_column
    )


def _part(name: str, extract, summary: str) -> Function:
    def compile_(args: Arguments) -> Compiled:
        value = args.values["value"]
        return value.with_expr(extract(value.expr.dt).cast(pl.Int64), Kind.NUMBER, pl.Int64)

    return Function(name, (Param("value", _DATED),), Kind.NUMBER, compile_, summary)


def register(registry: FunctionRegistry) -> None:
    for function in (
        Function(
            "format_date",
            (Param("value", _DATED), _FORMAT),
            Kind.TEXT,
            _format_date,
            "a date (or the date and time as they stand) written in the given strftime format",
            _format_problem,
        ),
        Function(
            "parse_date",
            (Param("value", _TEXT), _FORMAT),
            Kind.DATE,
            _parse_date,
            "text read as a date in the given strftime format; other text rejects the row",
            _format_problem,
        ),
        Function(
            "format_datetime",
            (Param("value", _DATED), _FORMAT, _ZONE),
            Kind.TEXT,
            _format_datetime,
            "a date and time written in the given format as the clock reads in zone tz",
            _format_and_zone,
        ),
        Function(
            "parse_datetime",
            (Param("value", _TEXT), _FORMAT, _ZONE),
            Kind.DATETIME,
            _parse_datetime,
            "text read as a date and time; without %z it is the clock time in zone tz",
            _format_and_zone,
        ),
        Function(
            "today",
            (_ZONE,),
            Kind.DATE,
            _today,
            "the date in zone tz when the mapping was loaded",
            _zone_problem,
        ),
        Function(
            "now",
            (Param("tz", _WORDS, default="UTC", constant=True),),
            Kind.DATETIME,
            _now,
            "the date and time (whole seconds) in zone tz when the mapping was loaded",
            _zone_problem,
        ),
        Function(
            "add_days",
            (Param("value", _DATED), Param("days", frozenset({Kind.NUMBER, Kind.MONEY}))),
            Kind.DATE,
            _add_days,
            "the date (or date and time) the given number of days later; negative goes back",
            result_note="the value's kind",
        ),
        _part("year", lambda d: d.year(), "the year of a date, such as 2024"),
        _part("month", lambda d: d.month(), "the month of a date, 1 to 12"),
        _part("day", lambda d: d.day(), "the day of the month, 1 to 31"),
        _part("weekday", lambda d: d.weekday(), "the day of the week, 1 (Monday) to 7 (Sunday)"),
    ):
        registry.register(function)
