"""Invoices out, end to end: sandbox FreshBooks -> mapping -> real sshd, through a real Prefect."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest

from connector.jobs.changes import outbound_consumer
from connector.partners import MAPPINGS_DIR
from connector.transport import RemoteFileExists
from flows.outbound_invoices import outbound_invoices
from flows.resend_file import resend_file
from tests.jobs.conftest import Deliver

ACME = outbound_consumer("acme", "invoice")


def _invoices(sandbox) -> list[dict]:
    return [invoice.to_json(include_lines=True) for invoice in sandbox.state.invoices]


with open(MAPPINGS_DIR / "acme_customers.csv", newline="") as _handle:
    ACME_CUSTOMERS = {int(row["freshbooks_id"]) for row in csv.DictReader(_handle)}


def _sendable(sandbox) -> list[dict]:
    """Invoices the Acme mapping sends: not drafts, and for a customer Acme has a number for."""
    return [
        invoice
        for invoice in _invoices(sandbox)
        if invoice["v3_status"] != "draft" and invoice["customerid"] in ACME_CUSTOMERS
    ]


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_sends_changed_invoices_once_and_audits_each_row(partner, sandbox, store, outgoing):
    sent = outbound_invoices(partner)

    uploaded = outgoing / sent["file_name"]
    rows = _rows(uploaded)
    expected_lines = sum(len(invoice["lines"]) for invoice in _sendable(sandbox))
    assert len(rows) == sent["rows"] == expected_lines > 0
    assert not list(uploaded.parent.glob("*.part"))
    audit = store.audit.for_transfer(sent["transfer_id"])
    assert sorted(row.row_number for row in audit if row.status == "sent") == list(
        range(1, len(rows) + 1)
    )
    refused = {row.source_id for row in audit if row.status == "rejected"}
    unknown_customer = {
        str(invoice["id"])
        for invoice in _invoices(sandbox)
        if invoice["v3_status"] != "draft" and invoice["customerid"] not in ACME_CUSTOMERS
    }
    assert refused == unknown_customer and refused, "the seed has a customer Acme cannot name"
    assert Path(sent["archive_url"].removeprefix("file://")).read_bytes() == uploaded.read_bytes()

    again = outbound_invoices(partner)
    assert again["file_name"] is None, "nothing changed, so nothing is sent twice"
    assert again["rejected"] == len(refused), "refused invoices are tried again every run"


def test_a_changed_invoice_goes_out_in_the_next_file(partner, sandbox, store, outgoing):
    first = outbound_invoices(partner)
    changed = _sendable(sandbox)[0]
    sandbox.state.touch_invoice(changed["id"])
    Deliver(store, sandbox.info.account_id)("invoice.update", changed["id"])

    second = outbound_invoices(partner)

    assert second["file_name"] != first["file_name"] and second["events"] == 1
    rows = _rows(outgoing / second["file_name"])
    assert {row["Invoice No"] for row in rows} == {changed["invoice_number"]}
    assert store.events.pending(ACME, ["invoice.update"], 10) == []


def test_the_catch_up_scan_finds_a_change_without_its_webhook(partner, sandbox, outgoing):
    outbound_invoices(partner)
    changed = _sendable(sandbox)[0]
    sandbox.state.touch_invoice(changed["id"])

    between_scans = outbound_invoices(partner)
    scanned = outbound_invoices(partner, catch_up_every=timedelta(0))

    assert between_scans["file_name"] is None
    rows = _rows(outgoing / scanned["file_name"])
    assert {row["Invoice No"] for row in rows} == {changed["invoice_number"]}


def test_a_lost_file_is_resent_from_the_archive(partner, store, outgoing):
    sent = outbound_invoices(partner)
    original = (outgoing / sent["file_name"]).read_bytes()
    (outgoing / sent["file_name"]).unlink()  # the partner lost it

    resent = resend_file(partner, sent["transfer_id"])

    assert (outgoing / sent["file_name"]).read_bytes() == original
    sent_rows = [
        row for row in store.audit.for_transfer(sent["transfer_id"]) if row.status == "sent"
    ]
    again = store.audit.for_transfer(resent["transfer_id"])
    assert [row.source_id for row in again] == [row.source_id for row in sent_rows]


def test_resending_a_file_the_partner_still_has_is_refused(partner):
    sent = outbound_invoices(partner)

    state = resend_file(partner, sent["transfer_id"], return_state=True)

    assert state.is_failed()
    with pytest.raises(RemoteFileExists):
        state.result()
