"""Text functions: the everyday clean-up of names and numbers, each one polars string expression.

Positions are counted from 1, as a partner's file specification counts them. Patterns are the
regular expressions polars runs (Rust `regex` syntax: no look-around); a pattern is tried on the
real engine when the mapping is checked, so a bad one is a check-time problem, not a failed run.
"""

from __future__ import annotations

import polars as pl

from connector.mapping.functions import Arguments, Function, FunctionRegistry, Param
from connector.mapping.values import Compiled, Kind, as_text, merged_checks, source_of

TEXT = frozenset({Kind.TEXT, Kind.NULL})
WORDS = frozenset({Kind.TEXT})  # constants: a literal is never missing
ANY = frozenset(Kind)
WHOLE = frozenset({Kind.NUMBER})
PAD_SIDES = ("left", "right")


def _text(value: Compiled, expr: pl.Expr, kind: Kind = Kind.TEXT) -> Compiled:
    dtype = {Kind.TEXT: pl.String, Kind.NUMBER: pl.Int64}[kind]
    return value.with_expr(expr, kind, dtype)


def _simple(name: str, apply, summary: str) -> Function:
    def compile_(args: Arguments) -> Compiled:
        value = args.values["value"]
        return _text(value, apply(value.expr))

    return Function(name, (Param("value", TEXT),), Kind.TEXT, compile_, summary)


def _whole(constants: dict[str, object], name: str, least: int) -> str | None:
    number = constants.get(name)
    if number is None:
        return None
    if number != int(number) or int(number) < least:
        return f"{name} must be a whole number of at least {least}, got {number}"
    return None


def _first_problem(*problems: str | None) -> str | None:
    return next((problem for problem in problems if problem), None)


def _pattern_problem(constants: dict[str, object]) -> str | None:
    """Runs the pattern once on polars so that check reports what the run would trip on."""
    pattern = str(constants["pattern"])
    try:
        groups = pl.Series([""]).str.extract_groups(pattern).struct.fields
    except pl.exceptions.PolarsError as error:
        reason = str(error).strip().splitlines()[-1].strip()
        return f"pattern {pattern!r} is not a valid regular expression: {reason}"
    group = constants.get("group")
    if group is not None and (group != int(group) or not 0 <= int(group) <= len(groups)):
        return f"group must be a whole number from 0 to {len(groups)} for {pattern!r}"
    return None


def _pad_problem(constants: dict[str, object]) -> str | None:
    fill, side = str(constants["fill"]), constants["side"]
    if len(fill) != 1:
        return f"fill must be exactly one character, got {fill!r}"
    if side not in PAD_SIDES:
        return f"side must be 'left' or 'right', got {side!r}"
    return _whole(constants, "width", 1)


def _pad(args: Arguments) -> Compiled:
    value = args.values["value"]
    width, fill = int(args.constants["width"]), str(args.constants["fill"])
    if args.constants["side"] == "left":
        return _text(value, as_text(value).str.pad_start(width, fill))
    return _text(value, as_text(value).str.pad_end(width, fill))


def _slice(args: Arguments) -> Compiled:
    value = args.values["value"]
    start, length = int(args.constants["start"]), args.constants["length"]
    count = None if length is None else int(length)
    return _text(value, value.expr.str.slice(start - 1, count))


def _replace(args: Arguments) -> Compiled:
    value = args.values["value"]
    old, new = str(args.constants["old"]), str(args.constants["new"])
    return _text(value, value.expr.str.replace_all(old, new, literal=True))


def _regex_extract(args: Arguments) -> Compiled:
    value = args.values["value"]
    pattern, group = str(args.constants["pattern"]), int(args.constants["group"])
    return _text(value, value.expr.str.extract(pattern, group))


def _regex_replace(args: Arguments) -> Compiled:
    value = args.values["value"]
    pattern, replacement = str(args.constants["pattern"]), str(args.constants["replacement"])
    return _text(value, value.expr.str.replace_all(pattern, replacement))


def _split(args: Arguments) -> Compiled:
    value = args.values["value"]
    separator, index = str(args.constants["separator"]), int(args.constants["index"])
    parts = value.expr.str.split(separator, literal=True)
    return _text(value, parts.list.get(index - 1, null_on_oob=True))


def _split_problem(constants: dict[str, object]) -> str | None:
    if not constants["separator"]:
        return "separator must not be empty"
    return _whole(constants, "index", 1)


def _length(args: Arguments) -> Compiled:
    value = args.values["value"]
    return _text(value, value.expr.str.len_chars().cast(pl.Int64), Kind.NUMBER)


def _test(name: str, method: str, summary: str) -> Function:
    def compile_(args: Arguments) -> Compiled:
        value, part = args.values["value"], args.values["part"]
        if method == "contains":
            expr = value.expr.str.contains(part.expr, literal=True)
        else:
            expr = getattr(value.expr.str, method)(part.expr)
        checks, source = merged_checks(value, part), source_of(value, part)
        return Compiled(expr, Kind.BOOLEAN, pl.Boolean, checks, source)

    params = (Param("value", TEXT), Param("part", TEXT))
    return Function(name, params, Kind.BOOLEAN, compile_, summary)


def _concat(args: Arguments) -> Compiled:
    values = [*args.values.values(), *args.repeated]
    expr = pl.concat_str([as_text(value) for value in values], ignore_nulls=True)
    return Compiled(expr, Kind.TEXT, pl.String, merged_checks(*values), source_of(*values))


def _to_text(args: Arguments) -> Compiled:
    value = args.values["value"]
    return _text(value, as_text(value))


def register(registry: FunctionRegistry) -> None:
    for function in (
        _simple("upper", lambda e: e.str.to_uppercase(), "capital letters"),
        _simple("lower", lambda e: e.str.to_lowercase(), "small letters"),
        _simple("trim", lambda e: e.str.strip_chars(), "without surrounding spaces"),
        Function(
            "pad",
            (
                Param("value", ANY),
                Param("width", WHOLE, constant=True),
                Param("side", WORDS, default="left", constant=True),
                Param("fill", WORDS, default=" ", constant=True),
            ),
            Kind.TEXT,
            _pad,
            "the value as text filled on the left (or right) side up to width; never cut",
            _pad_problem,
        ),
        Function(
            "slice",
            (
                Param("value", TEXT),
                Param("start", WHOLE, constant=True),
                Param("length", WHOLE, default=None, constant=True),
            ),
            Kind.TEXT,
            _slice,
            "length characters from position start (1 is the first); the rest without length",
            lambda c: _first_problem(_whole(c, "start", 1), _whole(c, "length", 0)),
        ),
        Function(
            "replace",
            (
                Param("value", TEXT),
                Param("old", WORDS, constant=True),
                Param("new", WORDS, constant=True),
            ),
            Kind.TEXT,
            _replace,
            "every occurrence of the text old replaced by new (no patterns)",
            lambda c: "old must not be empty" if not c["old"] else None,
        ),
        Function(
            "regex_extract",
            (
                Param("value", TEXT),
                Param("pattern", WORDS, constant=True),
                Param("group", WHOLE, default=1, constant=True),
            ),
            Kind.TEXT,
            _regex_extract,
            "the part matched by a group of the pattern (0: the whole match); empty if no match",
            _pattern_problem,
        ),
        Function(
            "regex_replace",
            (
                Param("value", TEXT),
                Param("pattern", WORDS, constant=True),
                Param("replacement", WORDS, constant=True),
            ),
            Kind.TEXT,
            _regex_replace,
            "every match of the pattern replaced ($1 in the replacement is group 1)",
            _pattern_problem,
        ),
        Function(
            "split",
            (
                Param("value", TEXT),
                Param("separator", WORDS, constant=True),
                Param("index", WHOLE, constant=True),
            ),
            Kind.TEXT,
            _split,
            "the index-th piece (1 is the first) of the text cut at each separator",
            _split_problem,
        ),
        Function(
            "length", (Param("value", TEXT),), Kind.NUMBER, _length, "the number of characters"
        ),
        _test("starts_with", "starts_with", "true when the text begins with part"),
        _test("ends_with", "ends_with", "true when the text ends with part"),
        _test("contains", "contains", "true when part occurs in the text (no patterns)"),
        Function(
            "concat",
            (Param("value1", ANY), Param("value2", ANY), Param("more", ANY, None, variadic=True)),
            Kind.TEXT,
            _concat,
            "two or more values written one after another; missing ones are skipped",
        ),
        Function("to_text", (Param("value", ANY),), Kind.TEXT, _to_text, "the value as text"),
    ):
        registry.register(function)
