"""File rules decided on the file's lines: a file without rows is one line of nulls to them,
so a rule on a total still decides it."""

from pathlib import Path

import pytest

from connector.mapping import load_mapping
from connector.mapping.inbound import InboundFileError

MAPPING = """mapping "Rules"
inbound payment from csv {
    files "*.csv"
    invoice_number = trim(col("Invoice"))
    amount         = money(col("Amount"))
    date           = parse_date(col("Date"), "%Y-%m-%d")
    reject file when sum(money(col("Amount"))) == 0: "the file has no payments"
}
"""


def _section(tmp_path: Path):
    path = tmp_path / "rules.map"
    path.write_text(MAPPING, encoding="utf-8")
    return load_mapping(path).inbound("payment")


def test_a_file_of_only_a_header_is_refused_by_a_rule_on_its_total(tmp_path):
    with pytest.raises(InboundFileError, match="the file has no payments"):
        _section(tmp_path).parse(b"Invoice,Amount,Date\r\n", "pay.csv")


def test_a_file_read_in_batches_without_rows_is_refused_too(tmp_path):
    path = tmp_path / "pay.csv"
    path.write_bytes(b"Invoice,Amount,Date\r\n")
    with pytest.raises(InboundFileError, match="the file has no payments"):
        list(_section(tmp_path).iter_batches(path, batch_rows=2))


def test_a_file_with_rows_passes_the_rule(tmp_path):
    batch = _section(tmp_path).parse(b"Invoice,Amount,Date\r\nA1,1.00,2026-01-05\r\n", "pay.csv")
    assert batch.frame["invoice_number"].to_list() == ["A1"]
