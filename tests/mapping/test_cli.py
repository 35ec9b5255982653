"""`ml-connector mapping` check, run, test, functions and preview, as an analyst runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector.mapping.cli import app
from connector.mapping.functions import builtin_registry
from connector.mapping.reference import functions_markdown

REPO = Path(__file__).resolve().parents[2]
ACME = REPO / "mappings" / "acme_distribution.map"
CASES = REPO / "mappings" / "acme_distribution.tests"
INVOICES = CASES / "acme_invoices.json"
REMITTANCE = CASES / "REMIT_20240601.csv"


@pytest.fixture
def cli():
    runner = CliRunner(env={"COLUMNS": "200"})

    def invoke(*args: str | Path):
        return runner.invoke(app, [str(arg) for arg in args])

    return invoke


def test_check_ok_and_problems_with_caret(cli, tmp_path):
    result = cli("check", ACME)
    assert result.exit_code == 0 and "OK" in result.output
    bad = tmp_path / "bad.map"
    bad.write_text(
        'mapping "x"\noutbound invoice to csv {\n file "x.csv"\n "A" = uper(invoice.id)\n}\n'
    )
    result = cli("check", bad)
    assert result.exit_code == 1
    assert f"{bad}:4:8: unknown function 'uper'; did you mean 'upper'?" in result.output
    assert ' "A" = uper(invoice.id)\n           ^' in result.output


def test_run_both_directions(cli, tmp_path):
    result = cli(
        "run",
        ACME,
        "--document",
        "invoice",
        "--input",
        INVOICES,
        "--output",
        tmp_path,
        "--date",
        "2024-05-31",
    )
    assert result.exit_code == 1  # one invoice refused: its customer has no Acme number
    written = tmp_path / "ACME_INV_20240531_0001.csv"
    assert written.read_bytes() == (CASES / "ACME_INV_20240531_0001.expected.csv").read_bytes()
    assert "no Acme number for customer 51299" in result.output

    out = tmp_path / "payments.jsonl"
    result = cli("run", ACME, "--document", "payment", "--input", REMITTANCE, "--output", out)
    assert result.exit_code == 1
    assert out.read_text() == (CASES / "REMIT_20240601.expected.jsonl").read_text()
    assert "rejected: REMIT_20240601.csv: row 5, column 'Amount Paid', value 'abc'" in result.output


def test_run_reports_missing_section_bad_input_and_bad_direction(cli, tmp_path):
    result = cli("run", ACME, "--document", "bill", "--input", "x", "--output", tmp_path / "o")
    assert result.exit_code == 1 and "has no `outbound bill` section" in result.output
    assert "Traceback" not in result.output
    bad = tmp_path / "in.json"
    bad.write_text("{}")
    result = cli(
        "run", ACME, "--document", "invoice", "--input", bad, "--output", tmp_path / "o.csv"
    )
    assert result.exit_code == 2 and "expected a JSON list" in result.output
    result = cli(
        "run",
        ACME,
        "--document",
        "invoice",
        "--input",
        bad,
        "--output",
        tmp_path / "o",
        "--direction",
        "up",
    )
    assert result.exit_code == 2 and "direction must be" in result.output


def test_test_command_passes_the_acme_examples(cli):
    result = cli("test", ACME)
    assert result.exit_code == 0, result.output
    assert "passed  invoices to csv" in result.output
    assert "2 passed, 0 failed" in result.output


@pytest.mark.parametrize(
    "mapping",
    sorted(p.with_suffix(".map") for p in (REPO / "mappings").glob("*.tests")),
    ids=lambda p: p.stem,
)
def test_test_command_passes_every_shipped_mapping(cli, mapping):
    result = cli("test", mapping)
    assert result.exit_code == 0, result.output
    assert ", 0 failed" in result.output


def test_test_command_shows_a_diff_and_exits_1(cli, tmp_path):
    shutil.copy(ACME, tmp_path / ACME.name)
    shutil.copy(REPO / "mappings" / "acme_customers.csv", tmp_path)
    shutil.copytree(CASES, tmp_path / CASES.name)
    expected = tmp_path / CASES.name / "REMIT_20240601.expected.jsonl"
    expected.write_text(
        expected.read_text().replace("Acme remittance 4471", "Acme remittance 4470")
    )
    result = cli("test", tmp_path / ACME.name)
    assert result.exit_code == 1
    assert "FAILED  remittance with good rows" in result.output
    assert "--- expected REMIT_20240601.expected.jsonl" in result.output
    assert '-{"row": 2,' in result.output and '+{"row": 2,' in result.output
    assert "1 passed, 1 failed" in result.output


def test_test_command_explains_a_missing_manifest(cli, tmp_path):
    mapping = tmp_path / "lonely.map"
    shutil.copy(ACME, mapping)
    result = cli("test", mapping)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"error: no golden examples for {mapping}" in result.output
    assert "hint: create" in result.output


def test_functions_table_lists_every_function(cli):
    result = cli("functions")
    assert result.exit_code == 0
    for function in builtin_registry():
        assert function.name in result.output
    assert "rounding: text = 'half_up' (constant)" in result.output


def test_functions_markdown_and_the_committed_reference_agree(cli):
    result = cli("functions", "--markdown")
    assert result.exit_code == 0
    assert (
        "| `money` | value: money or number or text, places: number = 2 (constant)" in result.output
    )
    committed = (REPO / "docs" / "functions.md").read_text(encoding="utf-8")
    assert committed == functions_markdown(builtin_registry()), (
        "docs/functions.md is stale: regenerate it with python -m connector.mapping.reference"
    )


def test_preview_outbound_shows_the_partner_columns(cli):
    result = cli(
        "preview",
        ACME,
        "--document",
        "invoice",
        "--input",
        INVOICES,
        "--date",
        "2024-05-31",
        "--rows",
        "2",
    )
    assert result.exit_code == 0, result.output
    assert "ACME_INV_20240531_0001.csv: 3 row(s), showing the first 2" in result.output
    assert "Invoice No" in result.output and "Unit Price" in result.output
    assert result.output.count("0000142") == 2
    assert "refused: ACME_INV_20240531_0001.csv: row 3" in result.output
    everything = cli("preview", ACME, "--document", "invoice", "--input", INVOICES, "--all")
    assert "showing the first" not in everything.output and "0000143" in everything.output


def test_preview_inbound_shows_records_and_rejections(cli):
    result = cli("preview", ACME, "--document", "payment", "--input", REMITTANCE)
    assert result.exit_code == 0, result.output
    assert "REMIT_20240601.csv: 3 payment record(s) to post" in result.output
    assert "Bank Transfer" in result.output and "500.00" in result.output
    assert "rejected: REMIT_20240601.csv: row 5, column 'Amount Paid', value 'abc'" in result.output


def test_preview_errors_are_messages_not_tracebacks(cli, tmp_path):
    result = cli("preview", ACME, "--document", "payment", "--input", tmp_path / "missing.csv")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "the sample" in result.output and "cannot be read" in result.output
    empty = tmp_path / "REMIT_empty.csv"
    empty.write_bytes(b"")
    result = cli("preview", ACME, "--document", "payment", "--input", empty)
    assert result.exit_code == 1 and "error: REMIT_empty.csv: the file is empty" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"not": "a list"}))
    result = cli("preview", ACME, "--document", "invoice", "--input", broken)
    assert result.exit_code == 2 and "expected a JSON list" in result.output
