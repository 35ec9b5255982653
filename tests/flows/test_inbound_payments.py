"""Remittances in, end to end: files on a real sshd -> mapping -> sandbox FreshBooks payments."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from connector.jobs.inbound_payments import receive_payments
from connector.jobs.resolve import open_partner_run
from connector.sandbox.purchases import NewBillLine
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


GLOBEX_TESTS = Path(__file__).parents[2] / "mappings" / "globex_xml.tests"


@pytest.fixture
def globex(partner):
    """The same partner, sending Globex's XML bill-payment remittances."""
    return partner.model_copy(update={"mapping": "globex_xml.map"})


def _add_bill(sandbox, number: str, amount: str, currency: str = "USD") -> int:
    """A bill the business owes, numbered as the remittance names it."""
    purchases = sandbox.state.purchases
    vendor = purchases.add_vendor(f"Globex vendor for {number}", currency_code=currency)
    category = purchases.categories[0].id
    line = NewBillLine(categoryid=category, quantity=Decimal(1), unit_cost=Decimal(amount))
    bill = purchases.add_bill(
        vendor.vendorid, date(2024, 5, 31), [line], bill_number=number, currency_code=currency
    )
    return bill.id


def _bill_payments_for(sandbox, billid: int) -> list[dict]:
    return [
        payment.to_json()
        for payment in sandbox.state.purchases.bill_payments
        if payment.billid == billid and "ml-connector:" in (payment.note or "")
    ]


def test_globex_s_remittance_posts_bill_payments_and_reports_the_rows_it_refuses(
    globex, sandbox, incoming
):
    full = _add_bill(sandbox, "INV-99812", "250.00")
    partial = _add_bill(sandbox, "SW-1", "500.00", currency="CAD")
    refused = [_add_bill(sandbox, number, "20.00") for number in ("SW-2", "SW-3")]
    shipped = (GLOBEX_TESTS / "GLOBEX_PAY_20240605.xml").read_bytes()
    (incoming / "GLOBEX_PAY_20240605.xml").write_bytes(shipped)

    state = inbound_payments(globex, return_state=True)

    assert state.is_failed(), "rows were refused, so the file went to error/"
    [paid] = _bill_payments_for(sandbox, full)
    assert (paid["amount"]["amount"], paid["payment_type"]) == ("250.00", "Bank Transfer")
    assert paid["note"].startswith("Globex ref W-4471 [ml-connector:acme:bill_payment:")
    [part] = _bill_payments_for(sandbox, partial)
    assert (part["amount"]["amount"], part["amount"]["code"]) == ("99.00", "CAD")
    assert all(_bill_payments_for(sandbox, billid) == [] for billid in refused)
    report = json.loads((incoming / "error" / "GLOBEX_PAY_20240605.xml.error.json").read_text())
    assert report["kind"] == "bill_payment"
    assert [row["row"] for row in report["posted"]] == [1, 2]
    rejected = {row["row_number"]: row for row in report["rejected"]}
    assert "a bill payment must be positive" in rejected[3]["message"]
    assert rejected[4]["value"] == "12,00"
    [warning] = report["warnings"]
    assert warning["row_number"] == 2 and "paid in CAD" in warning["message"]


def test_a_clean_globex_remittance_lands_in_processed_and_is_not_posted_twice(
    globex, sandbox, incoming
):
    billid = _add_bill(sandbox, "GX-7", "80.00")
    body = (
        '<gx:Payments xmlns:gx="urn:globex:payments:1"><gx:Payment bill="GX-7">'
        '<gx:Amount currency="USD">30.00</gx:Amount><gx:PaidOn>2024-06-07</gx:PaidOn>'
        "<gx:Method>check</gx:Method><gx:Reference>C-9</gx:Reference></gx:Payment></gx:Payments>"
    )
    (incoming / "GLOBEX_PAY_20240607.xml").write_text(body)
    [first] = inbound_payments(globex)
    (incoming / "GLOBEX_PAY_20240607.xml").write_text(body)

    [again] = inbound_payments(globex)

    assert (first["kind"], first["status"], first["posted"]) == ("bill_payment", "processed", 1)
    assert (again["status"], again["duplicates"], again["posted"]) == ("processed", 1, 0)
    [paid] = _bill_payments_for(sandbox, billid)
    assert (paid["amount"]["amount"], paid["payment_type"]) == ("30.00", "Check")
    assert (incoming / "processed" / "GLOBEX_PAY_20240607.xml").exists()
