"""Every EDI file our shipped mappings write is accepted by independent checkers.

mock-edi validates 810/850 and INVOIC/ORDERS (and their envelopes); ansi-x12 re-reads the X12
envelope and counts. Both are dev-only test dependencies: product code never imports them. The
files checked are the golden outputs the mapping tests prove the mappings write.
"""

from __future__ import annotations

from pathlib import Path

import pytest

MAPPINGS = Path(__file__).parents[2] / "mappings"
X12_FILES = sorted(MAPPINGS.glob("*.tests/*.expected.x12"))
EDIFACT_FILES = sorted(MAPPINGS.glob("*.tests/*.expected.edi"))


def test_the_shipped_mappings_write_edi_in_both_standards():
    assert {p.name.split("_")[1] for p in X12_FILES} >= {"810", "850"}
    assert {p.name.split("_")[1] for p in EDIFACT_FILES} >= {"INVOIC", "ORDERS"}


@pytest.mark.parametrize("path", X12_FILES, ids=lambda p: p.name)
def test_mock_edi_accepts_every_x12_file_we_write(path: Path):
    mock_x12 = pytest.importorskip("mockedi.x12", reason="mock-edi (dev-only) is not installed")
    from mockedi.validate import validate

    report = validate(mock_x12.parse(path.read_text(encoding="utf-8")))

    findings = [m.summary() for m in report.messages] + [
        f.note for f in report.interchange_findings
    ]
    assert report.clean, findings
    assert report.group_code == "A"


@pytest.mark.parametrize("path", X12_FILES, ids=lambda p: p.name)
def test_ansi_x12_reads_every_x12_file_we_write(path: Path):
    ansi_x12 = pytest.importorskip("x12", reason="ansi-x12 (dev-only) is not installed")

    interchange = ansi_x12.parse_x12_interchange(ansi_x12.tokenize_x12(path.read_bytes()))

    [group] = interchange.groups
    assert group.transactions


@pytest.mark.parametrize("path", EDIFACT_FILES, ids=lambda p: p.name)
def test_mock_edi_accepts_every_edifact_file_we_write(path: Path):
    pytest.importorskip("mockedi", reason="mock-edi (dev-only) is not installed")
    from mockedi import charsets, validate
    from mockedi import edifact as mock_edifact

    raw = path.read_bytes()
    text = charsets.decode(raw, charsets.declared("EDIFACT", raw))
    report = validate.validate(mock_edifact.parse(text))

    assert report.clean, [m.summary() for m in report.messages]
    assert report.accepted >= 1
