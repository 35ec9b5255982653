"""Remittances in, end to end: files on a real sshd -> mapping -> sandbox FreshBooks payments."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import pytest

from connector.jobs.inbound_payments import receive_payments
from connector.jobs.resolve import open_partner_run
from connector.transport import PartnerFolders
from flows.inbound_payments import inbound_payments

HEADER = "Invoice #,Amount Paid,Paid On,Method,Check No\r\n"


def _open_invoices(sandbox, count: int) -> list[dict]:
    invoices = [
        invoice
        for invoice in (record.to_json(include_lines=False) for record in sandbox.state.invoices)
        if invoice["v3_status"] in ("sent", "viewed", "partial")
        and invoice["currency_code"] == "USD"
    ]
    assert len(invoices) >= count, "the sandbox seeds enough open invoices"
    return invoices[:count]


def _drop(folder: Path, name: str, text: str, encoding: str = "utf-8") -> None:
    (folder / name).write_bytes(text.encode(encoding))


def _payments_for(sandbox, invoice_id) -> list[dict]:
    """The payments ml-connector posted to one invoice (the seed data has others)."""
    payments = (payment.to_json() for payment in sandbox.state.payments)
    return [
        payment
        for payment in payments
        if payment["invoiceid"] == invoice_id and "ml-connector:" in (payment["note"] or "")
    ]


def test_valid_file_posts_each_row_once_and_lands_in_processed(partner, sandbox, store, incoming):
    first, second = _open_invoices(sandbox, 2)
    _drop(
        incoming,
        "REMIT_1.csv",
        HEADER
        + f"{first['invoice_number']},12.50,2026-01-05,CHK,1001\r\n"
        + f" {second['invoice_number']} ,7.25,2026-01-05,WIR,1002\r\n",
    )

    [outcome] = inbound_payments(partner)

    assert outcome["status"] == "processed" and outcome["posted"] == 2
    [paid] = _payments_for(sandbox, first["id"])
    assert paid["amount"]["amount"] == "12.50" and paid["type"] == "Check"
    assert "ml-connector:acme:" in paid["note"]
    assert _payments_for(sandbox, second["id"])[0]["type"] == "Bank Transfer"
    assert (incoming / "processed" / "REMIT_1.csv").exists()
    audit = store.audit.list(partner="acme")
    assert [row.status for row in audit if row.direction == "inbound"].count("posted") == 2


def test_same_file_dropped_again_posts_nothing_twice(partner, sandbox, incoming):
    [invoice] = _open_invoices(sandbox, 1)
    body = HEADER + f"{invoice['invoice_number']},5.00,2026-01-05,ACH,77\r\n"
    _drop(incoming, "REMIT_A.csv", body)
    inbound_payments(partner)
    _drop(incoming, "REMIT_A.csv", body)

    [outcome] = inbound_payments(partner)

    assert outcome["duplicates"] == 1 and outcome["posted"] == 0
    assert len(_payments_for(sandbox, invoice["id"])) == 1
    processed = sorted(p.name for p in (incoming / "processed").iterdir())
    assert processed == ["REMIT_A.1.csv", "REMIT_A.csv"]


def test_bad_rows_go_to_error_with_a_report_and_good_rows_are_posted(partner, sandbox, incoming):
    [invoice] = _open_invoices(sandbox, 1)
    _drop(
        incoming,
        "REMIT_BAD.csv",
        HEADER
        + f"{invoice['invoice_number']},20.00,2026-01-05,CHK,1\r\n"
        + "NO-SUCH-INVOICE,10.00,2026-01-05,CHK,2\r\n"
        + f"{invoice['invoice_number']},ten dollars,2026-01-05,CHK,3\r\n",
    )

    state = inbound_payments(partner, return_state=True)

    assert state.is_failed()
    error_dir = incoming / "error"
    report = json.loads((error_dir / "REMIT_BAD.csv.error.json").read_text())
    rejected = {row["row_number"]: row for row in report["rejected"]}
    assert set(rejected) == {3, 4}
    assert "NO-SUCH-INVOICE" in rejected[3]["message"]
    assert rejected[4]["value"] == "ten dollars"
    assert [row["row"] for row in report["posted"]] == [2]
    assert len(_payments_for(sandbox, invoice["id"])) == 1


def test_replaying_a_corrected_error_file_posts_only_what_was_missing(partner, sandbox, incoming):
    [invoice] = _open_invoices(sandbox, 1)
    body = (
        HEADER
        + f"{invoice['invoice_number']},3.00,2026-01-05,CHK,1\r\n"
        + "NO-SUCH-INVOICE,4.00,2026-01-05,CHK,2\r\n"
    )
    _drop(incoming, "REMIT_R.csv", body)
    inbound_payments(partner, return_state=True)

    with _folders(partner) as folders:
        folders.replay("REMIT_R.csv")
    inbound_payments(partner, return_state=True)

    assert len(_payments_for(sandbox, invoice["id"])) == 1, "row 2 was posted once, never again"


def test_bom_and_crlf_are_read(partner, sandbox, incoming):
    [invoice] = _open_invoices(sandbox, 1)
    _drop(
        incoming,
        "REMIT_BOM.csv",
        "\ufeff" + HEADER + f"{invoice['invoice_number']},1.00,2026-01-05,CHK,9\r\n",
    )

    [outcome] = inbound_payments(partner)

    assert outcome["status"] == "processed" and outcome["posted"] == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "empty"), ("Invoice #,Paid On,Method,Check No\r\nX,2026-01-05,CHK,1\r\n", "Amount Paid")],
    ids=["empty-file", "missing-column"],
)
def test_unreadable_files_go_to_error_with_the_reason(partner, text, expected, incoming):
    _drop(incoming, "REMIT_X.csv", text)

    state = inbound_payments(partner, return_state=True)

    assert state.is_failed()
    report = json.loads((incoming / "error" / "REMIT_X.csv.error.json").read_text())
    assert expected in report["error"]


def test_crash_after_posting_then_rerun_posts_nothing_twice(
    partner, sandbox, monkeypatch, incoming
):
    [invoice] = _open_invoices(sandbox, 1)
    _drop(
        incoming, "REMIT_C.csv", HEADER + f"{invoice['invoice_number']},8.00,2026-01-05,CHK,5\r\n"
    )

    class Crash(BaseException):
        pass

    def crash(self, claimed):
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(PartnerFolders, "move_to_processed", crash)
        with pytest.raises(Crash), open_partner_run(partner) as run:
            receive_payments(run)
    assert len(_payments_for(sandbox, invoice["id"])) == 1

    rerun = partner.model_copy(update={"reclaim_after_seconds": 0})
    [outcome] = inbound_payments(rerun)

    assert outcome["status"] == "processed" and outcome["duplicates"] == 1
    assert len(_payments_for(sandbox, invoice["id"])) == 1
    assert (incoming / "processed" / "REMIT_C.csv").exists()


@contextmanager
def _folders(partner):
    with open_partner_run(partner) as run:
        yield run.folders


def _northwind_file(invoices: list[dict], amounts: list[str], count: int) -> str:
    """A Northwind fixed-width remittance: header, one detail per payment, control trailer."""
    details = [
        f"DT{invoice['invoice_number']:<10}{amount.replace('.', ''):0>12}CHK"
        for invoice, amount in zip(invoices, amounts, strict=True)
    ]
    total = sum(int(amount.replace(".", "")) for amount in amounts)
    return "\n".join(["HDB000099920260105", *details, f"TR{count:06d}{total:014d}", ""])


@pytest.fixture
def northwind(partner):
    """The same partner, reading Northwind's fixed-width remittances instead."""
    return partner.model_copy(update={"mapping": "northwind_fixed_width.map"})


def test_fixed_width_remittance_posts_through_the_same_flow(northwind, sandbox, incoming):
    invoices = _open_invoices(sandbox, 2)
    _drop(incoming, "NWPAY_1.txt", _northwind_file(invoices, ["4.00", "6.25"], count=2))

    [outcome] = inbound_payments(northwind)

    assert outcome["status"] == "processed" and outcome["posted"] == 2
    assert _payments_for(sandbox, invoices[1]["id"])[0]["amount"]["amount"] == "6.25"


def test_a_file_its_trailer_refuses_posts_nothing(northwind, sandbox, incoming):
    invoices = _open_invoices(sandbox, 2)
    _drop(incoming, "NWPAY_2.txt", _northwind_file(invoices, ["4.00", "6.25"], count=3))

    state = inbound_payments(northwind, return_state=True)

    assert state.is_failed()
    report = json.loads((incoming / "error" / "NWPAY_2.txt.error.json").read_text())
    assert "the trailer counts 3 payments, the file has 2" in report["error"]
    assert not any(_payments_for(sandbox, invoice["id"]) for invoice in invoices)
