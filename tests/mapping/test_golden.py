"""The golden examples runner: cases.toml beside a mapping; a failed case shows a diff."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from connector.mapping import RunContext, load_mapping
from connector.mapping.golden import GoldenManifestError, load_cases, run_cases

REPO = Path(__file__).resolve().parents[2]
ACME = REPO / "mappings" / "acme_distribution.map"
ACME_CASES = REPO / "mappings" / "acme_distribution.tests"


@pytest.fixture
def acme_copy(tmp_path) -> Path:
    """The Acme mapping, its lookup and its examples, copied so a test may break them."""
    shutil.copy(ACME, tmp_path / ACME.name)
    shutil.copy(REPO / "mappings" / "acme_customers.csv", tmp_path / "acme_customers.csv")
    shutil.copytree(ACME_CASES, tmp_path / ACME_CASES.name)
    return tmp_path / ACME.name


def write_manifest(mapping: Path, text: str) -> None:
    (mapping.with_suffix(".tests") / "cases.toml").write_text(text, encoding="utf-8")


def test_every_acme_example_passes():
    results = run_cases(ACME)
    assert [(r.case.direction, r.passed) for r in results] == [
        ("outbound", True),
        ("inbound", True),
    ]


def test_acme_outbound_refusals_and_sources():
    [case, _] = load_cases(ACME)
    assert case.run == RunContext(dt.datetime(2024, 5, 31, tzinfo=dt.UTC), 1, "acme")
    records = json.loads(case.input.read_text())
    result = load_mapping(ACME).outbound("invoice").render(records, case.run)
    assert result.name == "ACME_INV_20240531_0001.csv"
    assert [(p.source_id, p.message) for p in result.rejected] == [
        ("880023", "no Acme number for customer 51299")
    ]
    assert [s.source_id for s in result.sources] == ["880021", "880021", "880022"]


def test_a_changed_output_fails_with_a_unified_diff(acme_copy):
    expected = acme_copy.with_suffix(".tests") / "ACME_INV_20240531_0001.expected.csv"
    expected.write_bytes(expected.read_bytes().replace(b"SELLERCO", b"SELLER CO", 1))
    outbound, inbound = run_cases(acme_copy)
    assert inbound.passed and not outbound.passed
    assert outbound.diff.startswith(
        "--- expected ACME_INV_20240531_0001.expected.csv\n+++ actual\n"
    )
    removed = [line for line in outbound.diff.splitlines() if line.startswith("-0000142")]
    added = [line for line in outbound.diff.splitlines() if line.startswith("+0000142")]
    assert "SELLER CO" in removed[0] and "SELLERCO" in added[0]
    assert removed[0].endswith("\\r")  # line endings are shown, so CRLF vs LF is visible


def test_a_changed_inbound_record_fails_with_a_diff(acme_copy):
    expected = acme_copy.with_suffix(".tests") / "REMIT_20240601.expected.jsonl"
    expected.write_text(expected.read_text().replace('"500.00"', '"500.0"'))
    _, inbound = run_cases(acme_copy)
    assert not inbound.passed
    assert '-{"row": 2, "invoice_number": "0000142", "amount": "500.0"' in inbound.diff
    assert '+{"row": 2, "invoice_number": "0000142", "amount": "500.00"' in inbound.diff


def test_a_file_refused_whole_is_one_file_rejected_line(acme_copy):
    folder = acme_copy.with_suffix(".tests")
    (folder / "REMIT_20240601.csv").write_bytes(b"")
    _, inbound = run_cases(acme_copy)
    assert not inbound.passed and inbound.error is None
    assert '+{"file_rejected": "REMIT_20240601.csv: the file is empty"}' in inbound.diff
    (folder / "REMIT_20240601.expected.jsonl").write_text(
        '{"file_rejected": "REMIT_20240601.csv: the file is empty"}\n'
    )
    assert run_cases(acme_copy)[1].passed


def test_inbound_lines_keep_text_readable(acme_copy):
    folder = acme_copy.with_suffix(".tests")
    remittance = folder / "REMIT_20240601.csv"
    remittance.write_text(remittance.read_text().replace("4471", "Café 4471"), encoding="utf-8")
    _, inbound = run_cases(acme_copy)
    assert '+{"row": 2, "invoice_number": "0000142", "amount": "500.00"' in inbound.diff
    assert '"note": "Acme remittance Café 4471"}' in inbound.diff


def test_a_section_the_mapping_lacks_fails_the_case_with_the_error(acme_copy):
    manifest = acme_copy.with_suffix(".tests") / "cases.toml"
    manifest.write_text(manifest.read_text().replace('document = "payment"', 'document = "bill"'))
    _, inbound = run_cases(acme_copy)
    assert not inbound.passed and "has no `inbound bill` section" in inbound.error


def test_missing_folder_and_manifest_are_explained(acme_copy):
    shutil.rmtree(acme_copy.with_suffix(".tests"))
    with pytest.raises(GoldenManifestError) as raised:
        load_cases(acme_copy)
    assert "the folder" in raised.value.message and "does not exist" in raised.value.message
    assert "[[case]]" in raised.value.hint
    acme_copy.with_suffix(".tests").mkdir()
    with pytest.raises(GoldenManifestError) as raised:
        load_cases(acme_copy)
    assert raised.value.message.endswith("cases.toml does not exist")


CASE = """[[case]]
name = "in"
document = "payment"
direction = "inbound"
input = "REMIT_20240601.csv"
expected = "REMIT_20240601.expected.jsonl"
"""


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("[[case]\n", "is not valid TOML"),
        ("title = 'no cases'\n", "lists no cases"),
        (CASE + "colour = 'red'\n", "case 1 ('in'): unknown key 'colour'"),
        (CASE.replace('document = "payment"\n', ""), "document is missing or not text"),
        (CASE.replace('"inbound"', '"sideways"'), "direction must be outbound or inbound"),
        (
            CASE.replace('"REMIT_20240601.csv"', '"nope.csv"'),
            "nope.csv does not exist",
        ),
        (CASE + 'run = { date = "2024-05-31", seq = 1, partner = "x" }\n', "only used by outbound"),
        (
            CASE.replace('"inbound"', '"outbound"'),
            "an outbound case needs run",
        ),
        (
            CASE.replace('"inbound"', '"outbound"')
            + 'run = { date = "31/05/2024", seq = 1, partner = "x" }\n',
            "run.date '31/05/2024' is not an ISO date",
        ),
        (
            CASE.replace('"inbound"', '"outbound"') + 'run = { date = "2024-05-31", seq = 1 }\n',
            "run needs exactly date, seq and partner",
        ),
    ],
)
def test_manifest_mistakes_name_the_case_and_the_fix(acme_copy, manifest, message):
    write_manifest(acme_copy, manifest)
    with pytest.raises(GoldenManifestError) as raised:
        load_cases(acme_copy)
    assert message in raised.value.message and raised.value.hint


def test_outbound_input_must_be_a_json_list(acme_copy):
    folder = acme_copy.with_suffix(".tests")
    (folder / "acme_invoices.json").write_text('{"invoice": 1}')
    outbound, _ = run_cases(acme_copy)
    assert not outbound.passed and "is not a JSON list" in outbound.error
    (folder / "acme_invoices.json").write_text("[not json")
    outbound, _ = run_cases(acme_copy)
    assert "is not readable JSON" in outbound.error
