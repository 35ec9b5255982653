"""Values that do not read as what a function needs: the row is refused and the analyst told why.

Every such refusal names the partner column (or output column) and the raw value, the way inbound
parse errors are reported, so a bad cell can be found in the file without guessing.
"""

from __future__ import annotations

import polars as pl

from connector.mapping.values import Compiled, Kind, RowCheck, as_decimal

AMOUNT_ADVICE = "not an amount (write it like 1234.56: no currency sign or separators)"


def bad_value(value: Compiled, failed: pl.Expr, message: str) -> RowCheck:
    """A check that refuses rows where `failed` holds, showing the argument's raw value."""
    return RowCheck(
        failed=failed, message=pl.lit(message), column=value.source_column, value=value.expr
    )


def present(text: pl.Expr) -> pl.Expr:
    """Text that says something: empty cells are missing values, not bad ones."""
    return text.is_not_null() & (text.str.strip_chars() != "")


def decimal_of(
    value: Compiled, advice: str = AMOUNT_ADVICE
) -> tuple[pl.Expr, tuple[RowCheck, ...]]:
    """The value as an exact Decimal, plus a check for text that is not a plain decimal number."""
    decimal = as_decimal(value)
    if value.kind is not Kind.TEXT:
        return decimal, ()
    failed = present(value.expr) & decimal.is_null()
    return decimal, (bad_value(value, failed, advice),)
