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


def _sent_810(store, control: int):
    transfer_id = store.transfers.start("acme", "outbound", "invoice", f"ACME_810_{control}.x12")
    return store.sent_interchanges.record(
        "acme",
        "x12",
        interchange_control=control,
        group_control=control,
        functional_code="IN",
        sets=[(1, "810"), (2, "810")],
        transfer_id=transfer_id,
    )


def test_an_interchange_settled_by_hand_stops_being_pending_and_the_audit_says_why():
    with Store.open() as store:
        sent = _sent_810(store, 77)

    result = runner.invoke(
        app, ["edi", "settle", "acme", "x12", "77", "--reason", "confirmed by phone with Acme"]
    )

    assert result.exit_code == 0, result.output
    assert "accepted (2 set(s)), settled by hand: confirmed by phone with Acme" in result.output
    with Store.open() as store:
        assert store.sent_interchanges.pending("acme") == []
        rows = [row for row in store.audit.list(partner="acme") if row.status == "accepted"]
    assert [row.transfer_id for row in rows] == [sent.transfer_id] * 2
    assert all("settled by hand: confirmed by phone" in row.message for row in rows)


def test_settling_by_hand_needs_a_verdict_a_reason_and_an_interchange_we_sent():
    with Store.open() as store:
        _sent_810(store, 78)

    pending = runner.invoke(
        app, ["edi", "settle", "acme", "x12", "78", "--as", "pending", "--reason", "x"]
    )
    blank = runner.invoke(app, ["edi", "settle", "acme", "x12", "78", "--reason", " "])
    unknown = runner.invoke(app, ["edi", "settle", "acme", "x12", "79", "--reason", "x"])

    assert "needs a verdict, not pending" in str(pending.exception)
    assert "needs a reason" in str(blank.exception)
    assert "no interchange 79 was sent to 'acme'" in str(unknown.exception)
    with Store.open() as store:
        assert [s.interchange_control for s in store.sent_interchanges.pending("acme")] == [78]
