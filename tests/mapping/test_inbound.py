"""Inbound payments from partner CSV: good rows become records, bad rows say where and why."""

import datetime as dt
from decimal import Decimal

import pytest

from connector.errors import DataError
from connector.mapping import load_mapping
from tests.mapping.conftest import ACME

HEADER = "Invoice #,Amount Paid,Paid On,Method,Check No\r\n"


@pytest.fixture(scope="module")
def payments():
    return load_mapping(ACME).inbound("payment")


def parse(section, body: str, header: str = HEADER, encoding="utf-8"):
    return section.parse((header + body).encode(encoding), "REMIT_1.csv")


def test_good_rows_become_payment_records(payments):
    batch = parse(
        payments, "0000142,1130.00,2024-05-10,CHK,4471\r\n 0000143 , 45.5 ,2024-05-11,ACH,\r\n"
    )
    assert batch.rejected == [] and batch.warnings == []
    first, second = batch.records
    assert first.row_number == 2
    assert first.values == {
        "invoice_number": "0000142",
        "amount": Decimal("1130.00"),
        "currency": None,
        "date": dt.date(2024, 5, 10),
        "type": "Check",
        "note": "Acme remittance 4471",
    }
    assert second.values["invoice_number"] == "0000143"
    assert second.values["amount"] == Decimal("45.50")
    assert second.values["type"] == "ACH"


def test_matches_the_files_glob(payments):
    assert payments.matches("REMIT_20240601.csv")
    assert not payments.matches("remit.txt")
    assert not payments.matches("OLD/REMIT_1.csv.bak")


def test_non_numeric_amount_names_row_column_and_value(payments):
    batch = parse(
        payments,
        "1,12.00,2024-05-10,CHK,1\r\n2,$1,000.00,2024-05-10,CHK,1\r\n".replace(
            "$1,000.00", '"$1,000.00"'
        ),
    )
    (problem,) = batch.rejected
    assert (problem.file, problem.row_number, problem.column, problem.value) == (
        "REMIT_1.csv",
        3,
        "Amount Paid",
        "$1,000.00",
    )
    assert problem.message.startswith("not an amount")
    assert [r.row_number for r in batch.records] == [2]
    assert "REMIT_1.csv: row 3, column 'Amount Paid', value '$1,000.00'" in str(problem)


def test_bad_date_names_row_column_and_value(payments):
    (problem,) = parse(payments, "1,12.00,05/10/2024,CHK,1\r\n").rejected
    assert (problem.row_number, problem.column, problem.value) == (2, "Paid On", "05/10/2024")
    assert problem.message == "not a date in the form %Y-%m-%d (like 2024-05-31)"


def test_rules_reject_and_warn(payments):
    batch = parse(payments, "1,-3.00,2024-05-10,CHK,1\r\n2,5.00,2999-01-01,CHK,1\r\n")
    (rejected,) = batch.rejected
    assert rejected.message == "amount must be positive, got -3.00"
    assert (rejected.row_number, rejected.column, rejected.value) == (2, "Amount Paid", "-3.00")
    (warning,) = batch.warnings
    assert (warning.row_number, warning.message) == (3, "payment dated in the future")
    assert [r.row_number for r in batch.records] == [3]


def test_required_field_empty(payments):
    (problem,) = parse(payments, "  ,5.00,2024-05-10,CHK,1\r\n").rejected
    assert problem.message == "invoice_number is required but empty"
    assert problem.column == "Invoice #"


def test_bom_crlf_file(payments):
    batch = parse(payments, "9,1.00,2024-05-10,WIR,7\r\n", header="\ufeff" + HEADER)
    assert batch.records[0].values["type"] == "Bank Transfer"
    assert batch.records[0].values["invoice_number"] == "9"


def test_empty_file_is_a_data_error(payments):
    with pytest.raises(DataError, match=r"REMIT_1\.csv: the file is empty"):
        payments.parse(b"", "REMIT_1.csv")
    with pytest.raises(DataError, match="the file is empty"):
        payments.parse(b"\xef\xbb\xbf\r\n", "REMIT_1.csv")


def test_header_missing_a_column_names_it_and_the_headers(payments):
    with pytest.raises(DataError) as caught:
        payments.parse(
            b"Invoice #,Amount,Paid On,Method,Check No\n1,2,2024-01-01,CHK,1\n", "REMIT_2.csv"
        )
    message = caught.value.message
    assert message.startswith("REMIT_2.csv: column 'Amount Paid' is missing")
    assert "'Invoice #', 'Amount', 'Paid On', 'Method', 'Check No'" in message


def test_bad_encoding_names_the_line(payments):
    data = (HEADER + "1,2.00,2024-05-10,CHK,caf").encode() + b"\xe9\r\n"
    with pytest.raises(DataError, match=r"REMIT_1\.csv: byte 0xe9 on line 2 is not valid utf-8"):
        payments.parse(data, "REMIT_1.csv")


def test_cp1252_inbound_with_regex_files(write_mapping):
    body = (
        'inbound payment from csv {\n files regex "PAY_[0-9]+[.]txt"\n encoding "cp1252"\n'
        ' delimiter ";"\n header no\n invoice_number = col(1)\n amount = money(col(2), places: 2)\n'
        ' date = parse_date(col(3), "%d.%m.%Y")\n note = col(4) ?? "none"\n'
        ' type = "Check"\n currency = "EUR"\n}'
    )
    section = load_mapping(write_mapping(body)).inbound("payment")
    assert section.matches("PAY_12.txt") and not section.matches("PAY_x.txt")
    batch = section.parse(
        "7;1,5;01.02.2024;Café\n8;2.345;01.02.2024;\n".encode("cp1252"), "PAY_1.txt"
    )
    (problem,) = batch.rejected
    assert (problem.row_number, problem.column, problem.value) == (1, "2", "1,5")
    (record,) = batch.records
    assert record.row_number == 2
    assert record.values == {
        "invoice_number": "8",
        "amount": Decimal("2.35"),
        "date": dt.date(2024, 2, 1),
        "currency": "EUR",
        "type": "Check",
        "note": "none",
    }


def test_unknown_payment_type_is_rejected(write_mapping):
    body = (
        'inbound payment from csv {\n invoice_number = col("I")\n amount = money(col("A"))\n'
        ' date = parse_date(col("D"), "%Y-%m-%d")\n type = col("T")\n}'
    )
    section = load_mapping(write_mapping(body)).inbound("payment")
    batch = section.parse(b"I,A,D,T\n1,2,2024-01-01,Wire Transfer\n2,2,2024-01-01,Cash\n", "x.csv")
    (problem,) = batch.rejected
    assert problem.message.startswith("type Wire Transfer is not one FreshBooks accepts")
    assert batch.records[0].values["type"] == "Cash"
