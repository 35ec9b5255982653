"""Outbound sections compiled once and run on small frames of invoices."""

import datetime as dt

import polars as pl
import pytest

from connector.errors import DataError
from connector.mapping import RunContext, load_mapping
from tests.mapping.conftest import invoice, outbound

RUN = RunContext(dt.datetime(2024, 5, 31, 9, 0), 7, "acme")


def render(write_mapping, body, records, **kwargs):
    mapping = load_mapping(write_mapping(outbound(body, **kwargs)))
    return mapping.outbound("invoice").render(records, RUN)


def lines(result):
    return result.content.decode().splitlines()


def test_rows_per_line_with_sources(write_mapping):
    result = render(
        write_mapping,
        '"No" = invoice.invoice_number\n "Item" = line.name',
        [invoice("0000142"), invoice("0000143")],
    )
    assert result.name == "OUT_7.csv"
    assert lines(result) == [
        "No,Item",
        "0000142,Consulting",
        "0000142,Hosting",
        "0000143,Consulting",
        "0000143,Hosting",
    ]
    assert result.rows == 4
    assert [(s.source_id, s.row_number) for s in result.sources] == [
        ("142", 1),
        ("142", 2),
        ("143", 3),
        ("143", 4),
    ]


def test_rows_per_document(write_mapping):
    result = render(
        write_mapping,
        '"No" = invoice.invoice_number',
        [invoice()],
        settings='file "X.csv"\n rows per document\n',
    )
    assert lines(result) == ["No", "0000142"]


def test_money_rounds_half_up_exactly(write_mapping):
    records = [
        invoice(amount={"amount": amount, "code": "USD"}, lines=[])
        for amount in ("2.675", "-2.675", "0.125", "1.005", "10")
    ]
    body = (
        '"Two" = money(invoice.amount, places: 2)\n'
        ' "Even" = money(invoice.amount, places: 2, rounding: "half_even")\n'
        ' "Cents" = cents(invoice.amount)\n "Raw" = invoice.amount'
    )
    result = render(write_mapping, body, records, settings='file "X.csv"\n')
    assert lines(result)[1:] == [
        "2.68,2.68,268,2.675",
        "-2.68,-2.68,-268,-2.675",
        "0.13,0.12,13,0.125",
        "1.01,1.00,101,1.005",
        "10.00,10.00,1000,10",
    ]


def test_arithmetic_constants_concatenation_and_text_functions(write_mapping):
    body = (
        '"Ext" = money(number(line.qty) * line.unit_cost, places: 2)\n'
        ' "Label" = upper(trim(" " ~ line.name ~ " ")) ~ "-" ~ lower("X")\n'
        ' "Half" = line.qty / 4\n "Const" = 12.50\n'
        ' "Date" = format_date(invoice.create_date, "%d.%m.%Y")'
    )
    result = render(write_mapping, body, [invoice()])
    assert lines(result)[1:] == [
        "1000.00,CONSULTING-x,2.5,12.5,02.05.2024",
        "130.00,HOSTING-x,0.25,12.5,02.05.2024",
    ]


def test_where_filter_and_coalesce(write_mapping):
    records = [invoice("1", po_number="PO-1"), invoice("2", v3_status="draft"), invoice("3")]
    body = '"No" = invoice.invoice_number\n "PO" = invoice.po_number ?? "none"'
    result = render(
        write_mapping, body, records, settings='file "X.csv"\n where invoice.v3_status != "draft"\n'
    )
    assert lines(result) == ["No,PO", "1,PO-1", "3,none"]


def test_if_else_and_case(write_mapping):
    records = [invoice("1", v3_status="paid"), invoice("2", v3_status="partial"), invoice("3")]
    body = (
        '"S" = case invoice.v3_status { "paid" -> "P" "partial" -> "X" else -> "O" }\n'
        ' "Big" = if invoice.amount > 1000 then "yes" else "no"\n'
        ' "W" = case { when invoice.invoice_number == "1" -> 1 else -> 2 }'
    )
    result = render(write_mapping, body, records, settings='file "X.csv"\n')
    assert lines(result)[1:] == ["P,yes,1", "X,yes,2", "O,yes,2"]


def test_lookup_rejects_the_whole_record(write_mapping):
    records = [
        invoice("1", customer=51234),
        invoice("2", customer=99999),
        invoice("3", customer=51235),
    ]
    body = (
        '"No" = invoice.invoice_number\n "Cust" = customer_numbers[invoice.customerid]\n'
        '   or reject "no Acme number for customer {invoice.customerid}"'
    )
    result = render(write_mapping, body, records)
    assert lines(result) == ["No,Cust", "1,AC-10017", "1,AC-10017", "3,AC-10018", "3,AC-10018"]
    (problem,) = result.rejected
    assert (problem.file, problem.row_number, problem.column, problem.value, problem.source_id) == (
        "OUT_7.csv",
        2,
        "Cust",
        "99999",
        "2",
    )
    assert problem.message == "no Acme number for customer 99999"


def test_reject_and_warn_rules(write_mapping):
    records = [invoice("1"), invoice("2", amount={"amount": "0.00", "code": "USD"})]
    body = (
        '"No" = invoice.invoice_number\n'
        ' reject when invoice.amount <= 0: "empty invoice {invoice.invoice_number}"\n'
        ' warn when invoice.po_number ?? "" == "": "no PO on {invoice.invoice_number}"'
    )
    result = render(write_mapping, body, records, settings='file "X.csv"\n')
    assert lines(result) == ["No", "1"]
    assert [p.message for p in result.rejected] == ["empty invoice 2"]
    assert [p.message for p in result.warnings] == ["no PO on 1"]


def test_formula_injection_protected_but_numbers_kept(write_mapping):
    names = ["=1+2", "+cmd", "-x", "@SUM(A1)", "\tTab", "-12.50", "plain"]
    records = [
        invoice(str(i), lines=[{"name": n, "qty": "1", "unit_cost": None}])
        for i, n in enumerate(names, start=1)
    ]
    result = render(write_mapping, '"Item" = line.name', records)
    assert lines(result)[1:] == ["'=1+2", "'+cmd", "'-x", "'@SUM(A1)", "'\tTab", "-12.50", "plain"]


def test_api_shaped_frame_gives_the_same_file_as_dicts(write_mapping):
    records = [invoice("1"), invoice("2", lines=[]), invoice("3", po_number="P")]
    body = (
        '"No" = invoice.invoice_number\n "PO" = invoice.po_number ?? ""\n'
        ' "Item" = line.name\n "Price" = money(line.unit_cost)\n "Date" = invoice.create_date'
    )
    mapping = load_mapping(write_mapping(outbound(body)))
    section = mapping.outbound("invoice")
    from_dicts = section.render(records, RUN)
    from_frame = section.render(pl.DataFrame(records), RUN)
    assert from_frame.content == from_dicts.content
    assert lines(from_dicts)[1] == "1,,Consulting,100.00,2024-05-02"
    assert from_dicts.rows == 4


def test_money_given_as_a_bare_number_and_ids_as_text(write_mapping):
    record = invoice("1", customerid="51234", amount=1130, lines=[])
    result = render(
        write_mapping,
        '"T" = money(invoice.amount)\n "C" = invoice.customerid',
        [record],
        settings='file "X.csv"\n',
    )
    assert lines(result)[1] == "1130.00,51234"


def test_frame_missing_fields_is_a_data_error(write_mapping):
    mapping = load_mapping(write_mapping(outbound('"Item" = line.name')))
    with pytest.raises(DataError, match="lacks lines"):
        mapping.outbound("invoice").render(pl.DataFrame({"id": [1]}), RUN)
    with pytest.raises(DataError, match="must be objects"):
        mapping.outbound("invoice").render(["not a record"], RUN)


def test_cp1252_encoding_and_unencodable_value(write_mapping):
    settings = 'file "X.csv"\n rows per line\n encoding "cp1252"\n newline lf\n'
    records = [invoice(lines=[{"name": "Café €", "qty": "1", "unit_cost": None}])]
    result = render(write_mapping, '"Item" = line.name', records, settings=settings)
    assert result.content == "Item\nCafé €\n".encode("cp1252")
    records = [invoice(lines=[{"name": "日本", "qty": "1", "unit_cost": None}])]
    with pytest.raises(DataError, match="on line 2 cannot be written in cp1252"):
        render(write_mapping, '"Item" = line.name', records, settings=settings)


def test_pages_give_the_same_file_sources_and_refusals_as_a_flat_list(write_mapping):
    records = [
        invoice("1"),
        invoice("2", customer=99999),
        invoice("3", lines=None),
        invoice("4", lines=[{"name": "Extra", "qty": "2", "unit_cost": None}]),
    ]
    body = (
        '"No" = invoice.invoice_number\n "Item" = line.name\n "Price" = money(line.unit_cost)\n'
        ' "Cust" = customer_numbers[invoice.customerid] or reject "no number"'
    )
    section = load_mapping(write_mapping(outbound(body))).outbound("invoice")
    flat = section.render(records, RUN)
    paged = section.render(iter([records[:1], records[1:3], [], records[3:]]), RUN)
    assert paged.content == flat.content
    assert list(paged.sources) == list(flat.sources)
    assert [(s.source_id, s.row_number) for s in flat.sources][-1] == ("4", 3)
    assert [(p.row_number, p.source_id) for p in paged.rejected] == [(2, "2")]
    assert lines(flat)[-1] == "4,Extra,,AC-10017"
    empty = section.render([], RUN)
    assert (lines(empty), empty.rows, empty.rejected) == (["No,Item,Price,Cust"], 0, [])


def test_money_codes_are_read_only_where_named(write_mapping):
    body = (
        '"Cur" = line.unit_cost.code ?? "none"\n "Total" = invoice.amount\n'
        ' "Code" = invoice.amount.code'
    )
    records = [
        invoice(lines=[{"name": "A", "qty": "1", "unit_cost": {"amount": "1", "code": "EUR"}}])
    ]
    result = render(write_mapping, body, records)
    assert lines(result)[1:] == ["EUR,1130.00,USD"]


def test_line_checks_and_line_filter_refuse_whole_records(write_mapping):
    def line(name, description):
        return {"name": name, "description": description, "qty": "1", "unit_cost": None}

    records = [
        invoice("1", lines=[line("A", "1"), line("Skip", "x")]),
        invoice("2", lines=[line("B", "x")]),
        invoice("3", lines=[line("Skip", "x")]),
        invoice("4", customer=99999, lines=[line("D", "x"), line("E", "y")]),
    ]
    body = (
        '"No" = invoice.invoice_number\n "N" = number(line.description)\n'
        ' "Cust" = customer_numbers[invoice.customerid] or reject "no number"\n'
        ' warn when line.name == "A": "line A on {invoice.invoice_number}"'
    )
    settings = 'file "X.csv"\n rows per line\n where line.name != "Skip"\n'
    result = render(write_mapping, body, records, settings=settings)
    assert lines(result) == ["No,N,Cust", "1,1,AC-10017"]
    assert [(p.source_id, p.column, p.value) for p in result.rejected] == [
        ("2", "N", "x"),
        ("4", "N", "x"),
        ("4", "Cust", "99999"),
    ]
    assert [p.message for p in result.warnings] == ["line A on 1"]
