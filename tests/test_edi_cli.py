"""`ml-connector edi`: a partner moved over from another translator never gets a number twice."""

from typer.testing import CliRunner

from connector.cli import app
from connector.store import Store

runner = CliRunner(env={"COLUMNS": "200"})


def test_counters_continue_from_the_previous_translator_and_never_go_back():
    first = runner.invoke(app, ["edi", "continue-from", "acme", "x12", "interchange", "4500"])
    back = runner.invoke(app, ["edi", "continue-from", "acme", "x12", "interchange", "10"])

    assert first.exit_code == 0 and "next number is 4501" in first.output
    assert back.exit_code == 0 and "next number is 4501" in back.output
    with Store.open() as store:
        assert store.control_numbers.allocate("acme", "x12", "interchange") == range(4501, 4502)
    shown = runner.invoke(app, ["edi", "counters", "acme"])
    assert shown.exit_code == 0
    assert "4501" in shown.output and "none yet" in shown.output


def test_a_number_beyond_the_field_or_an_unknown_standard_is_refused():
    too_big = runner.invoke(app, ["edi", "continue-from", "acme", "x12", "set", "1000000000"])
    assert too_big.exit_code != 0
    assert "out of range" in str(too_big.exception) or "out of range" in too_big.output
    unknown = runner.invoke(app, ["edi", "continue-from", "acme", "x13", "set", "5"])
    assert unknown.exit_code == 2 and "x13" in unknown.output
