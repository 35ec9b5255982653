"""Text functions: case and whitespace, the everyday clean-up of names and numbers."""

from __future__ import annotations

import polars as pl

from connector.mapping.functions import Arguments, Function, FunctionRegistry, Param
from connector.mapping.values import Compiled, Kind

_TEXT = frozenset({Kind.TEXT, Kind.NULL})


def _text_function(name: str, apply, summary: str) -> Function:
    def compile_(args: Arguments) -> Compiled:
        value = args.values["value"]
        return value.with_expr(apply(value.expr), Kind.TEXT, pl.String)

    return Function(name, (Param("value", _TEXT),), Kind.TEXT, compile_, summary)


def register(registry: FunctionRegistry) -> None:
    registry.register(_text_function("upper", lambda e: e.str.to_uppercase(), "capital letters"))
    registry.register(_text_function("lower", lambda e: e.str.to_lowercase(), "small letters"))
    registry.register(
        _text_function("trim", lambda e: e.str.strip_chars(), "without surrounding spaces")
    )
