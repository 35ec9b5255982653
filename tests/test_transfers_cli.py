from typer.testing import CliRunner

from connector.cli import app
from connector.store import AuditRow, Store

runner = CliRunner(env={"COLUMNS": "240"})


def _one_transfer() -> int:
    with Store.open() as store:
        transfer_id = store.transfers.start("acme", "inbound", "payment", "REMIT_7.csv")
        store.audit.record(
            [
                AuditRow(
                    transfer_id, "acme", "inbound", "payment", "posted", "REMIT_7.csv#2", "601"
                ),
                AuditRow(
                    transfer_id,
                    "acme",
                    "inbound",
                    "payment",
                    "rejected",
                    "REMIT_7.csv#3",
                    message="no FreshBooks invoice numbered 'X9'",
                ),
            ]
        )
        store.transfers.finish(transfer_id, "partially_posted", message="1 row(s) rejected")
    return transfer_id


def test_list_and_show_what_moved():
    transfer_id = _one_transfer()

    listed = runner.invoke(app, ["transfers", "list", "--partner", "acme"])
    shown = runner.invoke(app, ["transfers", "show", str(transfer_id)])

    assert listed.exit_code == 0 and "REMIT_7.csv" in listed.output
    assert shown.exit_code == 0
    assert "601" in shown.output and "no FreshBooks invoice numbered 'X9'" in shown.output


def test_an_unknown_transfer_is_named():
    result = runner.invoke(app, ["transfers", "show", "4242"])
    assert result.exit_code != 0
    assert "no transfer 4242" in str(result.exception)
