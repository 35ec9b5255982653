"""Every built-in function compiled by the real compiler and run on small frames.

`evaluate` compiles one expression against a frame whose columns stand for partner columns
(`col("A")`, text) or typed fields (`amount`, `day`, ...), then runs it and its row checks, so each
test sees both the values and the refusals an analyst would see.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from connector.mapping import RunContext, load_mapping
from connector.mapping import nodes as ast
from connector.mapping.compiler import ExpressionCompiler
from connector.mapping.functions import default_registry
from connector.mapping.parser import parse_expression
from connector.mapping.values import DECIMAL, MONEY_DTYPE, Compiled, Kind

_KINDS = {
    pl.String: Kind.TEXT,
    pl.Date: Kind.DATE,
    pl.Boolean: Kind.BOOLEAN,
    pl.Int64: Kind.NUMBER,
}


class FrameScope:
    """Field names are the frame's typed columns; col("X") is the text column X."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def wants_money_parts(self, node: ast.FieldPath, parts: frozenset[str]) -> None:
        """The frame already holds whole money structs."""

    def field(self, node: ast.FieldPath, report) -> Compiled | None:
        name = node.dotted
        if name not in self.frame.columns:
            report(node.pos, f"unknown name {name!r}")
            return None
        dtype = self.frame.schema[name]
        if isinstance(dtype, pl.Decimal):
            kind = Kind.NUMBER
        elif isinstance(dtype, pl.Datetime):
            kind = Kind.DATETIME
        elif isinstance(dtype, pl.Struct):
            kind = Kind.MONEY
        else:
            kind = _KINDS[dtype]
        return Compiled(pl.col(name), kind, dtype)

    def column(self, node: ast.ColumnRef, report) -> Compiled | None:
        return Compiled(pl.col(str(node.column)), Kind.TEXT, pl.String, (), str(node.column))


class Outcome:
    def __init__(self, values: list, kind: Kind, refusals: list[tuple]) -> None:
        self.values, self.kind, self.refusals = values, kind, refusals


def compile_problems(source: str, frame: pl.DataFrame) -> list[str]:
    problems: list[str] = []
    compiler = ExpressionCompiler(
        FrameScope(frame), {}, default_registry(), lambda pos, msg: problems.append(msg)
    )
    compiler.compile(parse_expression(source, ast.Pos(1, 1)))
    return problems


def evaluate(source: str, frame: pl.DataFrame) -> Outcome:
    problems: list[str] = []
    compiler = ExpressionCompiler(
        FrameScope(frame), {}, default_registry(), lambda pos, msg: problems.append(msg)
    )
    compiled = compiler.compile(parse_expression(source, ast.Pos(1, 1)))
    assert problems == [] and compiled is not None
    values = frame.select(compiled.expr.alias("v"))["v"].to_list()
    refusals = []
    for check in compiled.checks:
        rows = frame.with_row_index("row", offset=1).filter(check.failed.fill_null(False))
        shown = rows.select("row", check.message.alias("m"), check.value.cast(pl.String))
        refusals += [(row, check.column, value, message) for row, message, value in shown.rows()]
    return Outcome(values, compiled.kind, refusals)


def text(*values: str | None, name: str = "A") -> pl.DataFrame:
    return pl.DataFrame({name: list(values)}, schema={name: pl.String})


def numbers(*values: str | None) -> pl.DataFrame:
    return pl.DataFrame({"n": list(values)}, schema={"n": pl.String}).select(
        pl.col("n").cast(DECIMAL)
    )


D = Decimal


# -- text


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('trim(col("A"))', ["ab", "", None]),
        ('upper(col("A"))', [" AB ", "", None]),
        ('lower(upper(col("A")))', [" ab ", "", None]),
        ('length(col("A"))', [4, 0, None]),
        ('pad(trim(col("A")), 4, fill: "0")', ["00ab", "0000", None]),
        ('pad(trim(col("A")), 3, side: "right", fill: "*")', ["ab*", "***", None]),
        ('slice(col("A"), 2, 2)', ["ab", "", None]),
        ('slice(col("A"), 3)', ["b ", "", None]),
        ('replace(col("A"), "b", "B")', [" aB ", "", None]),
        ('starts_with(col("A"), " a")', [True, False, None]),
        ('ends_with(col("A"), "b ")', [True, False, None]),
        ('contains(col("A"), ".")', [False, False, None]),
        ('to_text(col("A"))', [" ab ", "", None]),
    ],
)
def test_text_functions(source, expected):
    assert evaluate(source, text(" ab ", "", None)).values == expected


def test_pad_never_cuts_longer_text():
    assert evaluate('pad(col("A"), 2, fill: "0")', text("12345")).values == ["12345"]


def test_regex_functions():
    frame = text("INV-0042 paid", "nothing here", None)
    assert evaluate(r'regex_extract(col("A"), "INV-(\\d+)")', frame).values == ["0042", None, None]
    assert evaluate(r'regex_extract(col("A"), "[a-z]+", group: 0)', frame).values == [
        "paid",
        "nothing",
        None,
    ]
    assert evaluate(r'regex_replace(col("A"), "(\\d+)", "#$1")', frame).values == [
        "INV-#0042 paid",
        "nothing here",
        None,
    ]


def test_split_counts_pieces_from_one():
    frame = text("a|b|c", "a", None)
    assert evaluate('split(col("A"), "|", 2)', frame).values == ["b", None, None]
    assert evaluate('split(col("A"), "|", 1)', frame).values == ["a", "a", None]


def test_concat_of_many_skips_missing_values():
    frame = pl.DataFrame(
        {"A": ["x", None], "B": ["y", "y"], "n": [D("1.50"), D("2")]},
        schema_overrides={"n": DECIMAL},
    )
    outcome = evaluate('concat(col("A"), "-", col("B"), "-", n)', frame)
    assert outcome.values == ["x-y-1.5", "-y-2"]
    assert outcome.kind is Kind.TEXT


# -- numbers and money


def test_money_reads_text_and_refuses_bad_amounts_naming_the_cell():
    outcome = evaluate(
        'money(col("Amount"))', text("12.345", " 7 ", "", "1,000.00", "$5", None, name="Amount")
    )
    assert outcome.values == [D("12.35"), D("7.00"), None, None, None, None]
    assert [(row, column, value) for row, column, value, _ in outcome.refusals] == [
        (4, "Amount", "1,000.00"),
        (5, "Amount", "$5"),
    ]
    assert "not an amount" in outcome.refusals[0][3]


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [
        ("half_up", ["2.68", "-2.68", "0.12", "-0.12"]),
        ("half_even", ["2.68", "-2.68", "0.12", "-0.12"]),
        ("down", ["2.67", "-2.67", "0.12", "-0.12"]),
        ("up", ["2.68", "-2.68", "0.13", "-0.13"]),
        ("ceiling", ["2.68", "-2.67", "0.13", "-0.12"]),
        ("floor", ["2.67", "-2.68", "0.12", "-0.13"]),
    ],
)
def test_money_rounding_modes(rounding, expected):
    frame = numbers("2.675", "-2.675", "0.121", "-0.121")
    outcome = evaluate(f'money(n, places: 2, rounding: "{rounding}")', frame)
    assert [str(v) for v in outcome.values] == expected


def test_round_and_abs():
    frame = numbers("2.5", "-2.5", None)
    assert evaluate("round(n)", frame).values == [D("3"), D("-3"), None]
    assert evaluate('round(n, rounding: "half_even")', frame).values == [D("2"), D("-2"), None]
    assert evaluate("abs(n)", frame).values == [D("2.5"), D("2.5"), None]


def test_cents_and_from_cents():
    amounts = numbers("12.345", "-0.005", None)
    assert evaluate("cents(n)", amounts).values == [1235, -1, None]
    frame = text("123456", "-5", "12.5", "", None, name="Cents")
    outcome = evaluate('from_cents(col("Cents"))', frame)
    assert outcome.values == [D("1234.56"), D("-0.05"), None, None, None]
    assert [(row, value) for row, _, value, _ in outcome.refusals] == [(3, "12.5")]
    assert evaluate('from_cents(col("Cents"), places: 3)', text("1234", name="Cents")).values == [
        D("1.234")
    ]


def test_currency_reads_the_code_of_a_money_value():
    frame = pl.DataFrame(
        {"amount": [{"amount": "1.00", "code": "CAD"}, None]}, schema={"amount": MONEY_DTYPE}
    )
    assert evaluate("currency(amount)", frame).values == ["CAD", None]
    assert evaluate("money(amount)", frame).values == [D("1.00"), None]


@pytest.mark.parametrize("name", ["number", "to_number"])
def test_to_number_refuses_text_that_is_not_a_number(name):
    outcome = evaluate(f'{name}(col("Qty"))', text("10", "1e3", "-0.5", name="Qty"))
    assert outcome.values == [D("10"), None, D("-0.5")]
    assert [(row, column, value) for row, column, value, _ in outcome.refusals] == [
        (2, "Qty", "1e3")
    ]


# -- dates and times


def test_parse_and_format_dates():
    frame = text("05/31/2024", "", "31/05/2024", None, name="Paid")
    outcome = evaluate('parse_date(col("Paid"), "%m/%d/%Y")', frame)
    assert outcome.values == [dt.date(2024, 5, 31), None, None, None]
    assert [(row, column, value) for row, column, value, _ in outcome.refusals] == [
        (3, "Paid", "31/05/2024")
    ]
    assert "like 05/31/2024" in outcome.refusals[0][3]
    assert evaluate('format_date(parse_date(col("Paid"), "%m/%d/%Y"), "%Y%m%d")', frame).values[
        0
    ] == ("20240531")


def test_datetimes_carry_their_zone():
    frame = text("2024-05-31 23:30:00", "2024-03-10 02:30:00", None, name="At")
    outcome = evaluate('parse_datetime(col("At"), "%Y-%m-%d %H:%M:%S")', frame)
    eastern = outcome.values[0]
    assert eastern.utcoffset() == dt.timedelta(hours=-4) and eastern.hour == 23
    # 02:30 on 10 March 2024 does not exist in New York (clocks jump from 2:00 to 3:00).
    assert outcome.values[1:] == [None, None]
    assert [row for row, *_ in outcome.refusals] == [2]
    utc = evaluate(
        'format_datetime(parse_datetime(col("At"), "%Y-%m-%d %H:%M:%S"), "%Y-%m-%dT%H:%M",'
        ' tz: "UTC")',
        frame,
    )
    assert utc.values == ["2024-06-01T03:30", None, None]


def test_parse_datetime_with_offset_and_naive_freshbooks_times():
    frame = text("2024-05-31T12:00:00+0200", name="At")
    outcome = evaluate(
        'format_datetime(parse_datetime(col("At"), "%Y-%m-%dT%H:%M:%S%z", tz: "UTC"), "%H:%M",'
        ' tz: "UTC")',
        frame,
    )
    assert outcome.values == ["10:00"]
    naive = pl.DataFrame({"updated": [dt.datetime(2024, 5, 10, 16, 2, 11)]})
    assert evaluate('format_datetime(updated, "%H:%M", tz: "UTC")', naive).values == ["20:02"]
    assert evaluate('format_datetime(updated, "%H:%M")', naive).values == ["16:02"]


def test_date_arithmetic_and_parts():
    frame = pl.DataFrame({"day": [dt.date(2024, 2, 28), None], "n": [D("2"), D("-1")]})
    assert evaluate("add_days(day, n)", frame).values == [dt.date(2024, 3, 1), None]
    assert evaluate("add_days(day, 30)", frame).kind is Kind.DATE
    assert evaluate("year(day)", frame).values == [2024, None]
    assert evaluate("month(day)", frame).values == [2, None]
    assert evaluate("day(day)", frame).values == [28, None]
    assert evaluate("weekday(day)", frame).values == [3, None]


def test_today_and_now_are_fixed_when_compiled():
    frame = text("x")
    today = evaluate('today(tz: "UTC")', frame)
    assert today.kind is Kind.DATE
    assert abs(today.values[0] - dt.datetime.now(dt.UTC).date()) <= dt.timedelta(days=1)
    now = evaluate("now()", frame).values[0]
    assert now.tzinfo is not None and now.microsecond == 0


# -- missing values


def test_coalesce_default_and_is_empty():
    frame = pl.DataFrame(
        {"A": [None, None, "a"], "B": [None, "b", "x"], "n": [None, D("1"), D("2")]}
    )
    assert evaluate('coalesce(col("A"), col("B"), "z")', frame).values == ["z", "b", "a"]
    assert evaluate("default(n, 0)", frame).values == [D("0"), D("1"), D("2")]
    assert evaluate("default(n, 0)", frame).kind is Kind.NUMBER
    mixed = evaluate('default(n, "none")', frame)
    assert (mixed.kind, mixed.values) == (Kind.TEXT, ["none", "1", "2"])
    assert evaluate('is_empty(col("B"))', text(None, " ", "b", name="B")).values == [
        True,
        True,
        False,
    ]


# -- check-time problems


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ('pad(col("A"), 0)', "width must be a whole number of at least 1, got 0"),
        ('pad(col("A"), 2.5)', "width must be a whole number of at least 1, got 2.5"),
        ('pad(col("A"), 5, fill: "ab")', "fill must be exactly one character"),
        ('pad(col("A"), 5, side: "middle")', "side must be 'left' or 'right'"),
        ('slice(col("A"), 0)', "start must be a whole number of at least 1"),
        ('split(col("A"), "", 1)', "separator must not be empty"),
        ('replace(col("A"), "", "x")', "old must not be empty"),
        ('regex_extract(col("A"), "(unclosed")', "is not a valid regular expression"),
        ('regex_extract(col("A"), "(a)(b)", group: 3)', "group must be a whole number from 0 to 2"),
        ('money(col("A"), places: 7)', "places must be a whole number from 0 to 6"),
        ('money(col("A"), rounding: "bankers")', "rounding must be one of"),
        ('round(col("A"))', "round expects value to be a money value or a number, got text"),
        ('parse_date(col("A"), "YYYY-MM-DD")', "has no %-directive"),
        ('parse_datetime(col("A"), "%Y", tz: "Europe/Pariss")', "did you mean 'Europe/Paris'"),
        ('today(tz: "Mars/Olympus")', "unknown time zone 'Mars/Olympus'"),
        ('now(tz: "Mars/Olympus")', "unknown time zone 'Mars/Olympus'"),
        ('format_date(parse_date(col("A"), "%Y"), "%Y-%Q")', "has an unknown %-directive"),
        ('slice(col("A"), 1, 1.5)', "length must be a whole number of at least 0"),
        ('regex_replace(col("A"), "[", "x")', "is not a valid regular expression"),
        ('parse_date(col("A"), col("A"))', "format must be written as a constant value"),
        ('currency(col("A"))', "currency expects value to be a money value, got text"),
        ('concat("a")', "needs its 'value2' argument"),
        ('length(col("A"), 1)', "length takes at most 1 argument(s)"),
    ],
)
def test_mistakes_are_reported_when_the_mapping_is_checked(source, problem):
    problems = compile_problems(source, text("x"))
    assert len(problems) == 1 and problem in problems[0], problems


# -- through a whole mapping, as an analyst meets them


def test_inbound_refusal_names_file_row_column_and_value(tmp_path):
    path = tmp_path / "cents.map"
    path.write_text(
        'mapping "Cents"\n'
        "inbound payment from csv {\n"
        '  files "PAY*.csv"\n'
        '  invoice_number = pad(trim(col("Invoice")), 7, fill: "0")\n'
        '  amount = from_cents(col("Cents"))\n'
        '  date = parse_datetime(col("When"), "%Y-%m-%dT%H:%M", tz: "UTC")\n'
        "}\n"
    )
    data = b"Invoice,Cents,When\n142,50000,2024-05-31T09:00\n143,12x,2024-05-31T09:00\n"
    batch = load_mapping(path).inbound("payment").parse(data, "PAY1.csv")
    assert [
        (r.row_number, r.values["invoice_number"], r.values["amount"]) for r in batch.records
    ] == [(2, "0000142", D("500.00"))]
    assert batch.records[0].values["date"] == dt.date(2024, 5, 31)
    assert [str(p) for p in batch.rejected] == [
        "PAY1.csv: row 3, column 'Cents', value '12x': "
        "not a whole number of cents (write it like 123456)"
    ]


def test_currency_in_an_outbound_mapping_fetches_the_code(tmp_path):
    path = tmp_path / "currency.map"
    path.write_text(
        'mapping "Currency"\noutbound invoice to csv {\n file "O.csv"\n'
        ' "Currency" = currency(invoice.amount)\n}\n'
    )
    record = {"id": 1, "invoice_number": "1", "amount": {"amount": "1.00", "code": "CAD"}}
    run = RunContext(dt.datetime(2024, 5, 31), 1, "p")
    result = load_mapping(path).outbound("invoice").render([record], run)
    assert result.content == b"Currency\r\nCAD\r\n"


def test_outbound_refusal_names_the_output_column_and_value(tmp_path):
    path = tmp_path / "po.map"
    path.write_text(
        'mapping "PO"\noutbound invoice to csv {\n file "O.csv"\n'
        ' "No" = invoice.invoice_number\n "PO amount" = money(invoice.po_number)\n}\n'
    )
    records = [
        {"id": 1, "invoice_number": "0000001", "po_number": "12.50"},
        {"id": 2, "invoice_number": "0000002", "po_number": "PO-7781"},
    ]
    run = RunContext(dt.datetime(2024, 5, 31), 1, "p")
    result = load_mapping(path).outbound("invoice").render(records, run)
    assert result.content == b"No,PO amount\r\n0000001,12.50\r\n"
    [refused] = result.rejected
    assert (refused.source_id, refused.column, refused.value) == ("2", "PO amount", "PO-7781")
    assert refused.message.startswith("not an amount")
