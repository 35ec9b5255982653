"""Mapping a file in batches gives what mapping it whole gives: records, row numbers, refusals,
warnings, header and trailer values across batch boundaries, and file rules decided at the end."""

from pathlib import Path

import pytest

from connector.mapping import load_mapping
from connector.mapping.inbound import InboundFileError
from tests.mapping.conftest import REPO

MAPPINGS = REPO / "mappings"
BATCH_SIZES = [1, 2, 3, 5, 8, 1000]

GROUPS = """\
mapping "Groups"

inbound payment from fixed_width {
    files "G_*.txt"

    record header  when "HD" at 1 { "Type" width 2  "Batch" width 8  "PaidOn" width 8 }
    record detail  when "DT" at 1 { "Type" width 2  "Invoice" width 10
                                    "Amount" width 12 align right pad "0" implied 2 }
    record trailer when "TR" at 1 { "Type" width 2  "Count" width 6 align right pad "0" }

    invoice_number = detail.Invoice
    amount         = money(detail.Amount)
    date           = parse_date(header.PaidOn, "%Y%m%d")
    type           = "Check"
    note           = header.Batch ~ " of " ~ (trailer.Count ?? "none")

    reject when amount <= 0: "amount must be positive, got {amount}"
    reject file when count(detail) > LIMIT: "too many payments: {count(detail)}"
}
"""


def outcome(batches) -> tuple:
    records, rejected, warnings = [], [], []
    for batch in batches:
        records += batch.records
        rejected += batch.rejected
        warnings += batch.warnings
    return records, rejected, warnings


def whole(section, path: Path) -> tuple:
    return outcome([section.parse(path.read_bytes(), path.name)])


def acme_file(tmp_path: Path) -> Path:
    lines = ["Invoice #,Amount Paid,Paid On,Method,Check No"]
    for i in range(23):
        amount = ("0", "abc", "", f"{i}.5")[i % 4]
        date = "2999-01-01" if i % 7 == 3 else f"2024-05-{i % 28 + 1:02d}"
        lines.append(f"{i:07d},{amount},{date},{('CHK', 'WIR', 'ZZZ')[i % 3]},{i}")
    path = tmp_path / "REMIT_1.csv"
    path.write_text("\r\n".join(lines) + "\r\n")
    return path


def group_file(tmp_path: Path, groups: int = 3, details: int = 4) -> Path:
    """Several header/detail/trailer groups, so batch edges fall inside a group."""
    lines = []
    for g in range(groups):
        lines.append(f"HDB{g:07d}202406{g + 1:02d}")
        for d in range(details):
            amount = 0 if d == 2 else 1000 * g + d + 1
            lines.append(f"DT{g}{d:06d}   {amount:012d}")
        lines.append(f"TR{details:06d}")
        if g == 1:
            lines.append("")  # a blank line between groups is skipped but still counted
    path = tmp_path / "G_1.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def groups_section(tmp_path: Path, limit: int = 100):
    mapping = tmp_path / "groups.map"
    mapping.write_text(GROUPS.replace("LIMIT", str(limit)))
    return load_mapping(mapping).inbound("payment")


@pytest.mark.parametrize("batch_rows", BATCH_SIZES)
def test_csv_in_batches_equals_the_whole_file(tmp_path, batch_rows):
    section = load_mapping(MAPPINGS / "acme_distribution.map").inbound("payment")
    path = acme_file(tmp_path)
    expected = whole(section, path)
    assert expected[0] and expected[1] and expected[2]
    assert outcome(section.iter_batches(path, batch_rows=batch_rows)) == expected


@pytest.mark.parametrize("batch_rows", BATCH_SIZES)
def test_fixed_width_groups_in_batches_carry_headers_and_wait_for_trailers(tmp_path, batch_rows):
    section = groups_section(tmp_path)
    path = group_file(tmp_path)
    expected = whole(section, path)
    records, rejected, _ = expected
    assert [r.values["note"] for r in records][:3] == ["B0000000 of 4"] * 3
    assert records[-1].row_number == 18  # the blank line (13) counts as a line
    assert [p.row_number for p in rejected] == [4, 10, 17]
    assert outcome(section.iter_batches(path, batch_rows=batch_rows)) == expected


def test_a_trailer_that_never_comes_leaves_its_values_empty_as_in_the_whole_file(tmp_path):
    section = groups_section(tmp_path)
    path = tmp_path / "G_2.txt"
    path.write_text("HDB000000120240601\nDT1         000000000100\nDT2         000000000200\n")
    expected = whole(section, path)
    assert [r.values["note"] for r in expected[0]] == ["B0000001 of none"] * 2
    assert outcome(section.iter_batches(path, batch_rows=1)) == expected


@pytest.mark.parametrize("batch_rows", [1, 4, 1000])
def test_northwind_example_in_batches_equals_the_whole_file(tmp_path, batch_rows):
    section = load_mapping(MAPPINGS / "northwind_fixed_width.map").inbound("payment")
    path = MAPPINGS / "northwind_fixed_width.tests" / "NWPAY_20240601.txt"
    assert outcome(section.iter_batches(path, batch_rows=batch_rows)) == whole(section, path)


@pytest.mark.parametrize("batch_rows", [1, 2, 1000])
def test_a_file_rule_across_batches_refuses_the_file_at_the_end(tmp_path, batch_rows):
    section = groups_section(tmp_path, limit=10)
    path = group_file(tmp_path)  # 12 details in all, at most 4 in any group
    with pytest.raises(InboundFileError, match="too many payments: 12") as whole_error:
        section.parse(path.read_bytes(), path.name)
    batches = section.iter_batches(path, batch_rows=batch_rows)
    yielded = []
    with pytest.raises(InboundFileError) as streamed_error:
        yielded.extend(batches)
    assert streamed_error.value.message == whole_error.value.message
    assert yielded  # the batches came first: the caller must not post before the end
    with pytest.raises(InboundFileError, match="too many payments: 12"):
        section.check_file_rules(path, batch_rows=batch_rows)


def test_northwind_bad_trailer_is_refused_in_batches(tmp_path):
    section = load_mapping(MAPPINGS / "northwind_fixed_width.map").inbound("payment")
    path = MAPPINGS / "northwind_fixed_width.tests" / "NWPAY_bad_trailer.txt"
    with pytest.raises(InboundFileError, match="the trailer counts 2 payments, the file has 1"):
        section.check_file_rules(path, batch_rows=1)


def test_file_rules_that_hold_let_the_file_through(tmp_path):
    section = groups_section(tmp_path, limit=12)
    path = group_file(tmp_path)
    section.check_file_rules(path, batch_rows=2)
    assert outcome(section.iter_batches(path, batch_rows=2)) == whole(section, path)


def test_a_missing_column_is_a_file_error_in_batches_too(tmp_path):
    section = load_mapping(MAPPINGS / "acme_distribution.map").inbound("payment")
    path = tmp_path / "REMIT_2.csv"
    path.write_text("Invoice #,Amount Paid,Paid On,Method\r\n1,2.00,2024-05-01,CHK\r\n")
    with pytest.raises(InboundFileError, match="column 'Check No' is missing"):
        list(section.iter_batches(path, batch_rows=1))


def test_an_unknown_record_names_its_line_in_the_file_not_in_the_batch(tmp_path):
    section = groups_section(tmp_path)
    path = group_file(tmp_path)
    path.write_text(path.read_text() + "XX what is this\n")
    with pytest.raises(InboundFileError, match="line 20 is no known record type"):
        list(section.iter_batches(path, batch_rows=3))


def test_journal_entries_come_as_one_batch(tmp_path):
    section = load_mapping(MAPPINGS / "ledger_journal.map").inbound("journal_entry")
    path = MAPPINGS / "ledger_journal.tests" / "JE_20240531.csv"
    batches = list(section.iter_batches(path, batch_rows=1))
    assert len(batches) == 1
    assert outcome(batches) == whole(section, path)


def test_records_are_built_from_the_frame_once(tmp_path):
    section = load_mapping(MAPPINGS / "acme_distribution.map").inbound("payment")
    batch = section.parse(acme_file(tmp_path).read_bytes(), "REMIT_1.csv")
    assert batch.frame.columns[0] == "row_number"
    assert [r.row_number for r in batch.records] == batch.frame["row_number"].to_list()
    assert batch.records is batch.records
