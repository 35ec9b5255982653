"""The shipped Acme mapping against its golden examples in mappings/examples/."""

import datetime as dt
import json

from typer.testing import CliRunner

from connector.mapping import RunContext, load_mapping
from connector.mapping.cli import app
from tests.mapping.conftest import ACME, EXAMPLES


def test_outbound_invoices_match_the_golden_file():
    records = json.loads((EXAMPLES / "acme_invoices.json").read_text())
    result = (
        load_mapping(ACME)
        .outbound("invoice")
        .render(records, RunContext(dt.datetime(2024, 5, 31), 1, "acme"))
    )
    assert result.name == "ACME_INV_20240531_0001.csv"
    assert result.content == (EXAMPLES / "ACME_INV_20240531_0001.expected.csv").read_bytes()
    assert [(p.source_id, p.message) for p in result.rejected] == [
        ("880023", "no Acme number for customer 51299")
    ]
    assert [s.source_id for s in result.sources] == ["880021", "880021", "880022"]


def test_inbound_remittance_matches_the_golden_records():
    data = (EXAMPLES / "REMIT_20240601.csv").read_bytes()
    batch = load_mapping(ACME).inbound("payment").parse(data, "REMIT_20240601.csv")
    expected = [
        json.loads(line)
        for line in (EXAMPLES / "REMIT_20240601.expected.jsonl").read_text().splitlines()
    ]
    got = [
        {
            "row_number": r.row_number,
            **{k: (str(v) if v is not None else None) for k, v in r.values.items()},
        }
        for r in batch.records
    ]
    assert got == expected
    assert [(p.row_number, p.column) for p in batch.rejected] == [
        (5, "Amount Paid"),
        (6, "Paid On"),
        (7, "Invoice #"),
        (8, "Amount Paid"),
    ]


def test_cli_check_and_run_both_directions(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["check", str(ACME)])
    assert result.exit_code == 0 and "OK" in result.output

    result = runner.invoke(
        app,
        [
            "run",
            str(ACME),
            "--document",
            "invoice",
            "--input",
            str(EXAMPLES / "acme_invoices.json"),
            "--output",
            str(tmp_path),
            "--date",
            "2024-05-31",
        ],
    )
    assert result.exit_code == 1  # one invoice refused: its customer has no Acme number
    written = tmp_path / "ACME_INV_20240531_0001.csv"
    assert written.read_bytes() == (EXAMPLES / "ACME_INV_20240531_0001.expected.csv").read_bytes()
    assert "no Acme number for customer 51299" in result.output

    out = tmp_path / "payments.jsonl"
    result = runner.invoke(
        app,
        [
            "run",
            str(ACME),
            "--document",
            "payment",
            "--input",
            str(EXAMPLES / "REMIT_20240601.csv"),
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 1
    assert out.read_text() == (EXAMPLES / "REMIT_20240601.expected.jsonl").read_text()
    assert "rejected: REMIT_20240601.csv: row 5, column 'Amount Paid', value 'abc'" in result.output


def test_cli_check_prints_problems_with_caret(tmp_path):
    bad = tmp_path / "bad.map"
    bad.write_text(
        'mapping "x"\noutbound invoice to csv {\n file "x.csv"\n "A" = uper(invoice.id)\n}\n'
    )
    result = CliRunner().invoke(app, ["check", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:4:8: unknown function 'uper'; did you mean 'upper'?" in result.output
    assert ' "A" = uper(invoice.id)\n           ^' in result.output


def test_cli_run_reports_missing_section_and_bad_input(tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["run", str(ACME), "--document", "bill", "--input", "x", "--output", str(tmp_path / "o")],
    )
    assert result.exit_code == 1 and "has no `outbound bill` section" in result.output
    bad = tmp_path / "in.json"
    bad.write_text("{}")
    result = runner.invoke(
        app,
        [
            "run",
            str(ACME),
            "--document",
            "invoice",
            "--input",
            str(bad),
            "--output",
            str(tmp_path / "o.csv"),
        ],
    )
    assert result.exit_code == 2 and "expected a JSON list" in result.output
