"""`reject file when ...` rules: what they may read, and what they count."""

from pathlib import Path

import pytest

from connector.mapping import check_mapping, load_mapping
from connector.mapping.inbound import InboundFileError

SECTION = """mapping "Rules"
inbound payment from csv {{
    files "*.csv"
    invoice_number = trim(col("Invoice"))
    amount         = money(col("Amount"))
    date           = parse_date(col("Date"), "%Y-%m-%d")
    {rule}
}}
"""
FILE = b"Invoice,Amount,Date\r\nA1,1.00,2026-01-05\r\nA2,2.50,2026-01-06\r\n"


def _mapping(tmp_path: Path, rule: str) -> Path:
    path = tmp_path / "rules.map"
    path.write_text(SECTION.format(rule=rule), encoding="utf-8")
    return path


@pytest.mark.parametrize(("expected", "refused"), [(2, False), (3, True)])
def test_count_rows_counts_the_file_rows(tmp_path, expected, refused):
    rule = f'reject file when count(rows) != {expected}: "the file has {{count(rows)}} rows"'
    section = load_mapping(_mapping(tmp_path, rule)).inbound("payment")
    if refused:
        with pytest.raises(InboundFileError, match="the file has 2 rows"):
            section.parse(FILE, "pay.csv")
    else:
        assert len(section.parse(FILE, "pay.csv").records) == 2


def test_a_file_rule_cannot_read_assigned_fields(tmp_path):
    [problem] = check_mapping(_mapping(tmp_path, 'reject file when sum(amount) > 10: "too much"'))
    assert problem.line == 7
    assert "before fields are assigned, so it cannot use amount" in problem.message


def test_a_file_rule_on_the_partners_data_is_decided_on_the_whole_file(tmp_path):
    rule = 'reject file when sum(money(col("Amount"))) > 3: "the payments add up to over 3"'
    section = load_mapping(_mapping(tmp_path, rule)).inbound("payment")
    with pytest.raises(InboundFileError, match="add up to over 3"):
        section.parse(FILE, "pay.csv")


def test_an_empty_file_is_counted_as_having_no_rows(tmp_path):
    rule = 'reject file when count(rows) == 0: "the file has no payments"'
    section = load_mapping(_mapping(tmp_path, rule)).inbound("payment")
    with pytest.raises(InboundFileError, match="the file has no payments"):
        section.parse(b"Invoice,Amount,Date\r\n", "pay.csv")
    local = tmp_path / "pay.csv"
    local.write_bytes(b"Invoice,Amount,Date\r\n")
    with pytest.raises(InboundFileError, match="the file has no payments"):
        section.check_file_rules(local)
