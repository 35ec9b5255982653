"""Third-party plugins found through entry points, exactly as an installed package would be.

Each test writes a `*.dist-info` (METADATA + entry_points.txt) into a temporary folder put on
sys.path, with the plugin's code under tests/plugins/site/: importlib.metadata then discovers it
without pip install. Registries and format caches are cleared around each test.
"""

from __future__ import annotations

import datetime as dt
import importlib
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector.errors import ConfigurationError
from connector.formats import available_formats, load_format
from connector.mapping import RunContext, check_mapping, load_mapping
from connector.mapping.cli import app
from connector.mapping.functions import ENTRY_POINT_GROUP, default_registry
from connector.mapping.reference import functions_markdown

SITE = Path(__file__).parent / "site"
RUN = RunContext(dt.datetime(2024, 5, 31), 3, "pipes")
INVOICE = {
    "id": 142,
    "invoice_number": "0000142",
    "customerid": 51234,
    "create_date": "2024-05-02",
    "v3_status": "sent",
    "organization": "Acme Dist",
    "amount": {"amount": "1130.00", "code": "USD"},
    "lines": [],
}


def _clear_caches() -> None:
    default_registry.cache_clear()
    load_format.cache_clear()
    importlib.invalidate_caches()


@pytest.fixture
def install(tmp_path, monkeypatch):
    """Make a distribution with the given entry points discoverable for this test only."""

    def install_(name: str, entry_points: str) -> None:
        info = tmp_path / f"{name}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
        (info / "entry_points.txt").write_text(entry_points)
        _clear_caches()

    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(SITE))
    yield install_
    monkeypatch.undo()
    for module in [m for m in sys.modules if m.startswith(("mlc_shout", "mlc_pipe", "mlc_broken"))]:
        del sys.modules[module]
    _clear_caches()


def test_function_plugin_is_checked_and_run(install, tmp_path):
    install("mlc-shout", f"[{ENTRY_POINT_GROUP}]\nshout = mlc_shout:register\n")
    assert default_registry().get("shout") is not None
    assert "| `shout` | value: text | text |" in functions_markdown(default_registry())
    mapping = tmp_path / "shouting.map"
    mapping.write_text(
        'mapping "Shouting"\n'
        "outbound invoice to csv {\n"
        '  file "OUT_{run.seq}.csv"\n'
        '  "Customer" = shout(invoice.organization)\n'
        '  "Number" = shout(invoice.invoice_number)\n'
        "}\n"
    )
    assert check_mapping(mapping) == []
    result = load_mapping(mapping).outbound("invoice").render([INVOICE], RUN)
    assert result.content == b"Customer,Number\r\nACME DIST!,0000142!\r\n"


def test_function_plugin_call_is_type_checked(install, tmp_path):
    install("mlc-shout", f"[{ENTRY_POINT_GROUP}]\nshout = mlc_shout\n")
    mapping = tmp_path / "bad.map"
    mapping.write_text(
        'mapping "Bad"\noutbound invoice to csv {\n file "O.csv"\n "A" = shout(invoice.amount)\n}\n'
    )
    [problem] = check_mapping(mapping)
    assert "shout expects value to be text, got a money value" in problem.message


def test_broken_function_plugin_is_named(install):
    install("mlc-broken", f"[{ENTRY_POINT_GROUP}]\nbroken = mlc_broken_missing:register\n")
    with pytest.raises(ConfigurationError) as raised:
        default_registry()
    assert "mlc_broken_missing:register" in raised.value.message
    assert raised.value.hint
    for command in (["functions"], ["check", "any.map"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "error: the mapping function plugin broken = " in result.output


def test_plugin_that_is_not_a_register_hook_is_named(install):
    install("mlc-shout", f"[{ENTRY_POINT_GROUP}]\nshout = mlc_shout:__doc__\n")
    with pytest.raises(ConfigurationError, match="is not a register"):
        default_registry()


def test_two_plugins_defining_one_name_are_refused(install):
    install("mlc-shout", f"[{ENTRY_POINT_GROUP}]\nshout = mlc_shout\nagain = mlc_shout\n")
    with pytest.raises(ConfigurationError, match="'shout' is registered twice"):
        default_registry()


def test_format_plugin_writes_and_reads_a_mapping(install, tmp_path):
    install("mlc-pipe", "[ml_connector.formats]\npipe = mlc_pipe:PipeFormat\n")
    assert "pipe" in available_formats()
    mapping = tmp_path / "pipes.map"
    mapping.write_text(
        'mapping "Pipes"\n'
        "outbound invoice to pipe {\n"
        '  file "INV_{run.seq}.txt"\n'
        '  "No" = invoice.invoice_number\n'
        '  "Total" = money(invoice.amount)\n'
        "}\n"
        "inbound payment from pipe {\n"
        '  files "PAY*.txt"\n'
        '  invoice_number = col("No")\n'
        '  amount = money(col("Paid"))\n'
        '  date = parse_date(col("On"), "%Y%m%d")\n'
        "}\n"
    )
    assert check_mapping(mapping) == []
    loaded = load_mapping(mapping)
    written = loaded.outbound("invoice").render([INVOICE], RUN)
    assert (written.name, written.content) == ("INV_3.txt", b"No|Total\n0000142|1130.00\n")
    batch = loaded.inbound("payment").parse(b"No|Paid|On\n0000142|99.5|20240601\n", "PAY1.txt")
    [record] = batch.records
    assert (record.values["invoice_number"], str(record.values["amount"])) == ("0000142", "99.50")
    assert record.values["date"] == dt.date(2024, 6, 1)


def test_unknown_format_suggests_the_plugin_name(install, tmp_path):
    install("mlc-pipe", "[ml_connector.formats]\npipe = mlc_pipe:PipeFormat\n")
    mapping = tmp_path / "typo.map"
    mapping.write_text(
        'mapping "Typo"\noutbound invoice to pipes {\n  file "O.txt"\n  "A" = invoice.id\n}\n'
    )
    [problem] = check_mapping(mapping)
    assert "did you mean 'pipe'?" in problem.message
