"""A third-party function plugin, as a partner's IT team might ship one: `shout(text)`."""

import polars as pl

from connector.mapping.functions import Arguments, Function, FunctionRegistry, Param
from connector.mapping.values import Compiled, Kind


def _shout(args: Arguments) -> Compiled:
    value = args.values["value"]
    expr = pl.concat_str([value.expr.str.to_uppercase(), pl.lit("!")])
    return value.with_expr(expr, Kind.TEXT, pl.String)


def register(registry: FunctionRegistry) -> None:
    registry.register(
        Function(
            "shout",
            (Param("value", frozenset({Kind.TEXT, Kind.NULL})),),
            Kind.TEXT,
            _shout,
            "capital letters and an exclamation mark",
        )
    )
