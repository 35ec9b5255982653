"""Outbound then inbound through the same layout gives back the same values.

Each format gets one whole mapping (an outbound invoice section and an inbound payment section over
the same layout), written to a temp folder; hypothesis makes invoice-like records with awkward
text, amounts of 0-2 places (negative where the layout allows) and dates across years. The file
rendered out is parsed back in, and every value must come back exactly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.mapping import RunContext, load_mapping

RUN = RunContext(dt.datetime(2024, 5, 31, 9, 0), 1, "roundtrip")

CSV = """\
mapping "Round trip, CSV"
outbound invoice to csv {
    file "RT.csv"
    delimiter ";"
    "Invoice No"  = invoice.invoice_number
    "Customer"    = invoice.organization
    "Issued"      = format_date(invoice.create_date, "%d/%m/%Y")
    "Amount"      = money(invoice.amount, places: 2)
}
inbound payment from csv {
    files "RT*.csv"
    delimiter ";"
    invoice_number = col("Invoice No")
    note           = col("Customer")
    date           = parse_date(col("Issued"), "%d/%m/%Y")
    amount         = money(col("Amount"))
}
"""

FIXED_WIDTH = """\
mapping "Round trip, fixed width"
outbound invoice to fixed_width {
    file "RT.txt"
    record header once {
        "Type"  width 2                                = "HD"
        "Count" width 6  align right pad "0"           = count(detail)
        "Total" width 16 align right pad "0" implied 2 = money(sum(invoice.amount))
    }
    record detail per document {
        "Type"     width 2  = "DT"
        "Invoice"  width 12 = invoice.invoice_number
        "Customer" width 20 = invoice.organization
        "Issued"   width 8  = format_date(invoice.create_date, "%Y%m%d")
        "Amount"   width 14 align right pad "0" implied 2 = money(invoice.amount)
    }
}
inbound payment from fixed_width {
    files "RT*.txt"
    record header when "HD" at 1 {
        "Type" width 2  "Count" width 6 align right pad "0"
        "Total" width 16 align right pad "0" implied 2
    }
    record detail when "DT" at 1 {
        "Type" width 2  "Invoice" width 12  "Customer" width 20  "Issued" width 8
        "Amount" width 14 align right pad "0" implied 2
    }
    invoice_number = detail.Invoice
    note           = detail.Customer
    date           = parse_date(detail.Issued, "%Y%m%d")
    amount         = money(detail.Amount)
    reject file when count(detail) != number(header.Count): "the header counts {header.Count}"
    reject file when sum(money(detail.Amount)) != money(header.Total): "the total is off"
}
"""

XML = """\
mapping "Round trip, XML"
outbound invoice to xml {
    file    "RT.xml"
    root    "rt:Invoices"
    element "rt:Invoice"
    namespace rt "urn:roundtrip:1"
    "@number"     = invoice.invoice_number
    "rt:Customer" = invoice.organization
    "rt:Issued"   = format_date(invoice.create_date, "%Y-%m-%d")
    "rt:Amount"   = money(invoice.amount, places: 2)
}
inbound payment from xml {
    files   "RT*.xml"
    root    "rt:Invoices"
    element "rt:Invoice"
    namespace rt "urn:roundtrip:1"
    invoice_number = col("@number")
    note           = col("rt:Customer")
    date           = parse_date(col("rt:Issued"), "%Y-%m-%d")
    amount         = money(col("rt:Amount"))
}
"""

# Awkward text: quotes, delimiters, markup and non-ASCII letters; formats trim padding and
# spreadsheet-proof a leading = + - @, so values are written without those at their edges.
AWKWARD = "abcXYZ019 \"';,|<>&/\\#%()éüßøÆ€漢"
FORMULA_START = ("=", "+", "-", "@")


def _text(max_size: int) -> st.SearchStrategy[str]:
    return (
        st.text(alphabet=AWKWARD, min_size=1, max_size=max_size)
        .map(str.strip)
        .filter(lambda text: text != "" and not text.startswith(FORMULA_START))
    )


def _amounts(negative: bool) -> st.SearchStrategy[Decimal]:
    low = -(10**9) if negative else 0
    return st.builds(
        lambda units, places: Decimal(units).scaleb(-places),
        st.integers(low, 10**9),
        st.integers(0, 2),
    )


def _invoices(*, text_size: int, negative: bool = True):
    invoice = st.fixed_dictionaries(
        {
            "invoice_number": _text(text_size),
            "organization": _text(20),
            "create_date": st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31)),
            "amount": _amounts(negative),
        }
    )
    return st.lists(invoice, min_size=1, max_size=12)


def _api_records(invoices: list[dict]) -> list[dict]:
    return [
        {
            "id": number,
            "invoice_number": item["invoice_number"],
            "organization": item["organization"],
            "create_date": item["create_date"].isoformat(),
            "amount": {"amount": str(item["amount"]), "code": "USD"},
            "lines": [],
        }
        for number, item in enumerate(invoices, start=1)
    ]


def _round_trip(folder: Path, text: str, invoices: list[dict]) -> list[dict]:
    path = folder / "roundtrip.map"
    path.write_text(text, encoding="utf-8")
    mapping = load_mapping(path)
    written = mapping.outbound("invoice").render(_api_records(invoices), RUN)
    assert written.rejected == []
    batch = mapping.inbound("payment").parse(written.content, written.name)
    assert batch.rejected == [] and batch.warnings == []
    return [record.values for record in batch.records]


def _expected(invoices: list[dict]) -> list[tuple]:
    return [
        (i["invoice_number"], i["organization"], i["create_date"], i["amount"]) for i in invoices
    ]


def _got(values: list[dict]) -> list[tuple]:
    return [(v["invoice_number"], v["note"], v["date"], v["amount"]) for v in values]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("roundtrip")


@settings(max_examples=40, deadline=None)
@given(invoices=_invoices(text_size=16))
def test_csv_round_trip(folder, invoices):
    assert _got(_round_trip(folder, CSV, invoices)) == _expected(invoices)


@settings(max_examples=40, deadline=None)
@given(invoices=_invoices(text_size=12))
def test_fixed_width_round_trip(folder, invoices):
    assert _got(_round_trip(folder, FIXED_WIDTH, invoices)) == _expected(invoices)


@settings(max_examples=40, deadline=None)
@given(invoices=_invoices(text_size=16))
def test_xml_round_trip(folder, invoices):
    assert _got(_round_trip(folder, XML, invoices)) == _expected(invoices)


def test_amounts_keep_their_value_not_just_their_text(folder):
    invoices = [
        {
            "invoice_number": "A;1",
            "organization": 'Café "Zoë"',
            "create_date": dt.date(1999, 12, 31),
            "amount": Decimal("-0.5"),
        },
        {
            "invoice_number": "B",
            "organization": "漢字 & <Co>",
            "create_date": dt.date(2000, 2, 29),
            "amount": Decimal("1000000000"),
        },
    ]
    for text in (CSV, FIXED_WIDTH, XML):
        got = _got(_round_trip(folder, text, invoices))
        assert got == _expected(invoices)
        assert [str(row[3]) for row in got] == ["-0.50", "1000000000.00"]


def test_a_header_with_only_a_count_counts_the_rows(folder):
    path = folder / "count.map"
    path.write_text(
        'mapping "Count only"\n'
        "outbound invoice to fixed_width {\n"
        '  file "C.txt"\n'
        '  record header once { "Count" width 3 align right pad "0" = count(detail) }\n'
        '  record detail per document { "No" width 4 = invoice.invoice_number }\n'
        "}\n",
        encoding="utf-8",
    )
    invoices = [
        {
            "invoice_number": n,
            "organization": "x",
            "create_date": dt.date(2024, 1, 1),
            "amount": Decimal(1),
        }
        for n in ("A", "B")
    ]
    written = load_mapping(path).outbound("invoice").render(_api_records(invoices), RUN)
    assert written.content.decode().splitlines()[0] == "002"
