"""The kinds of values a mapping computes, and how each kind sits in a polars column.

A number may arrive as decimal text straight from FreshBooks (`qty "10"`), as an integer id or as a
polars Decimal computed by the mapping; converting happens here, once, as expressions, so money is
never a float. Numbers computed by the mapping carry INTERNAL_SCALE places until `money()` or
`round()` fixes them; text output drops the trailing zeros of such numbers and keeps the places
the analyst asked for otherwise.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import polars as pl

INTERNAL_SCALE = 12
DECIMAL = pl.Decimal(38, INTERNAL_SCALE)
# Plain decimal notation only: no exponent, no thousands separator, at most 26 digits before the
# point and INTERNAL_SCALE after it, so a successful parse is always exact.
DECIMAL_TEXT = rf"^[+-]?(\d{{1,26}}(\.\d{{0,{INTERNAL_SCALE}}})?|\.\d{{1,{INTERNAL_SCALE}}})$"
# A money value is read as its amount everywhere; its code is filled only where a mapping names
# `.code` (OutboundScope.money_codes), which spares reading a million codes nobody writes out.
MONEY_DTYPE = pl.Struct({"amount": pl.String, "code": pl.String})


class Kind(enum.Enum):
    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    DATETIME = "date and time"
    BOOLEAN = "true/false"
    NULL = "nothing"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class RowCheck:
    """A way a row can fail: `failed` is true for bad rows; the rest describe the failure.

    `column` names the partner column (inbound) or output column (outbound) concerned, `value` is an
    expression for the raw value to show, `message` an expression for the text of the complaint.
    """

    failed: pl.Expr
    message: pl.Expr
    column: str | None = None
    value: pl.Expr | None = None
    severity: str = "reject"


@dataclass(frozen=True)
class Compiled:
    """An expression, the kind of value it yields, its polars dtype, and the checks it brings."""

    expr: pl.Expr
    kind: Kind
    dtype: pl.DataType
    checks: tuple[RowCheck, ...] = field(default=())
    source_column: str | None = None

    def with_expr(self, expr: pl.Expr, kind: Kind, dtype: pl.DataType, *more: RowCheck) -> Compiled:
        return Compiled(expr, kind, dtype, (*self.checks, *more), self.source_column)


def merged_checks(*values: Compiled) -> tuple[RowCheck, ...]:
    return tuple(check for value in values for check in value.checks)


def source_of(*values: Compiled) -> str | None:
    return next((v.source_column for v in values if v.source_column is not None), None)


def as_decimal(value: Compiled) -> pl.Expr:
    """A NUMBER or MONEY value as a polars Decimal; text that is not a plain number becomes null."""
    expr, dtype = value.expr, value.dtype
    if value.kind is Kind.MONEY:
        expr, dtype = expr.struct.field("amount"), pl.String
    if dtype == pl.String:
        text = expr.str.strip_chars()
        return pl.when(text.str.contains(DECIMAL_TEXT)).then(text).cast(DECIMAL, strict=False)
    if isinstance(dtype, pl.Decimal):
        return expr
    return expr.cast(DECIMAL)


def as_text(value: Compiled) -> pl.Expr:
    """A value as the text a partner file shows."""
    expr, dtype, kind = value.expr, value.dtype, value.kind
    if kind is Kind.MONEY:
        return expr.struct.field("amount")
    if dtype == pl.String:
        return expr
    if kind is Kind.DATE:
        return expr.dt.strftime("%Y-%m-%d")
    if kind is Kind.DATETIME:
        return expr.dt.strftime("%Y-%m-%d %H:%M:%S")
    if kind is Kind.BOOLEAN:
        return pl.when(expr).then(pl.lit("true")).when(~expr).then(pl.lit("false"))
    if isinstance(dtype, pl.Decimal) and dtype.scale == INTERNAL_SCALE:
        return expr.cast(pl.String).str.replace(r"\.?0+$", "").str.replace(r"^-?$", "0")
    return expr.cast(pl.String)


def literal(value: object, kind: Kind) -> Compiled:
    if kind is Kind.NUMBER:
        return Compiled(pl.lit(value, dtype=DECIMAL), kind, DECIMAL)
    if kind is Kind.DATE:
        return Compiled(pl.lit(value, dtype=pl.Date), kind, pl.Date)
    if kind is Kind.BOOLEAN:
        return Compiled(pl.lit(value, dtype=pl.Boolean), kind, pl.Boolean)
    if kind is Kind.NULL:
        return Compiled(pl.lit(None, dtype=pl.String), kind, pl.String)
    return Compiled(pl.lit(value, dtype=pl.String), kind, pl.String)
