"""Language features through whole mappings: subtraction, variadic functions, quoted field names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from connector.errors import ConfigurationError
from connector.mapping import RunContext, check_mapping, load_mapping
from connector.mapping.functions import Function, Param, default_registry
from connector.mapping.values import Compiled, Kind
from tests.mapping.conftest import invoice, outbound

RUN = RunContext(dt.datetime(2024, 5, 31, 9, 0), 7, "acme")


def rendered(write_mapping, body: str) -> list[str]:
    mapping = load_mapping(write_mapping(outbound(body)))
    return mapping.outbound("invoice").render([invoice()], RUN).content.decode().splitlines()


def test_subtraction_and_negation(write_mapping):
    lines = rendered(
        write_mapping,
        '"A" = line.qty - 1\n "B" = money(line.unit_cost) - money(line.unit_cost) * 2\n'
        ' "C" = -line.qty - -1',
    )
    assert lines == ["A,B,C", "9,-100,-9", "0,-130,0"]


def test_concat_and_coalesce_take_any_number_of_values(write_mapping):
    parts = ", ".join(f'"{letter}"' for letter in "abcdefghijkl")
    lines = rendered(
        write_mapping,
        f'"A" = concat({parts})\n'
        ' "B" = coalesce(invoice.po_number, invoice.notes, invoice.terms, invoice.street,\n'
        "   invoice.city, invoice.country, invoice.province, invoice.code, invoice.street2,\n"
        '   "none")\n'
        ' "C" = concat(line.name, "/")',
    )
    assert lines == ["A,B,C", "abcdefghijkl,none,Consulting/", "abcdefghijkl,none,Hosting/"]


@pytest.mark.parametrize(
    ("source", "line", "column", "message"),
    [
        (
            '"A" = concat("a")',
            6,
            7,
            "concat needs its 'value2' argument: concat(value1: any, value2: any, more: any ...)"
            " -> text",
        ),
        (
            '"A" = concat("a", "b", more: "c")',
            6,
            24,
            "concat: give the 'more' values by position, without a name",
        ),
        (
            '"A" = concat("a", "b", "c", invoice.create_date > 1)',
            6,
            49,
            "cannot compare a date with a number: compare values of the same kind",
        ),
        (
            '"A" = coalesce(invoice.id, 1, 2, invoice.nope)',
            6,
            34,
            "invoice has no field 'nope'; did you mean 'notes'?",
        ),
    ],
)
def test_variadic_calls_are_checked_value_by_value(write_mapping, source, line, column, message):
    problems = check_mapping(write_mapping(outbound(source)))
    assert [(p.line, p.column, p.message) for p in problems] == [(line, column, message)]


def _identity(args) -> Compiled:
    return args.values["value"]


def test_a_function_may_repeat_only_its_last_parameter():
    with pytest.raises(ConfigurationError, match="only the last parameter may repeat"):
        Function(
            "bad",
            (Param("values", frozenset(Kind), variadic=True), Param("value", frozenset(Kind))),
            Kind.TEXT,
            _identity,
            "never registered",
        )
    with pytest.raises(ConfigurationError, match="a repeating parameter cannot be constant"):
        Function(
            "bad",
            (Param("values", frozenset(Kind), constant=True, variadic=True),),
            Kind.TEXT,
            _identity,
            "never registered",
        )


def test_a_required_variadic_needs_one_value():
    function = Function(
        "joined",
        (Param("values", frozenset({Kind.TEXT}), variadic=True),),
        Kind.TEXT,
        lambda args: Compiled(pl.concat_str([v.expr for v in args.repeated]), Kind.TEXT, pl.String),
        "test only",
    )
    assert function.signature() == "joined(values: text ...) -> text"
    assert function.variadic is function.params[0]
    assert default_registry().get("concat").variadic.name == "more"


NORTHWIND_QUOTED = """\
mapping "Quoted names"
inbound payment from fixed_width {
    files "P*.txt"
    record header when "HD" at 1 { "Type" width 2  "Paid On" width 8 }
    record detail when "DT" at 1 { "Type" width 2  "Invoice No" width 8  "Amount Paid" width 8 }
    invoice_number = detail."Invoice No"
    amount         = money(detail."Amount Paid")
    date           = parse_date(header."Paid On", "%Y%m%d")
    reject when amount <= 0: "invoice {detail.\\"Invoice No\\"} paid {detail.\\"Amount Paid\\"}"
}
"""


def test_record_fields_with_spaces_are_read_by_quoted_names(tmp_path):
    path = tmp_path / "quoted.map"
    path.write_text(NORTHWIND_QUOTED, encoding="utf-8")
    section = load_mapping(path).inbound("payment")
    data = "HD20240601\nDT0000014200012.50\nDT00000143    0.00\n"
    batch = section.parse(data.encode(), "P1.txt")
    assert [
        (r.row_number, r.values["invoice_number"], r.values["amount"]) for r in batch.records
    ] == [(2, "00000142", Decimal("12.50"))]
    assert batch.records[0].values["date"] == dt.date(2024, 6, 1)
    (refused,) = batch.rejected
    assert (refused.row_number, refused.message) == (3, "invoice 00000143 paid     0.00")
