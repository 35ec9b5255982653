"""Invoices out driven by webhook events, with the catch-up scan behind them: the sandbox over real
HTTP, a real SQLite store, a local folder as the partner's server."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from connector.errors import ConfigurationError, DataError
from connector.jobs.changes import CatchUp, find_changes, outbound_consumer, source_for
from connector.jobs.outbound_documents import send_documents
from connector.sandbox.state import NewLine
from connector.transport import RemoteFolderMissing
from tests.jobs.conftest import open_run

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SOON = T0 + timedelta(minutes=5)  # before the next catch-up scan is due
LATER = T0 + timedelta(hours=2)  # after it
INVOICE_LIST = r"/invoices/invoices$"
INVOICE_ANY = r"/invoices/invoices"
ACME = outbound_consumer("acme", "invoice")

CANCELLATIONS = """
mapping "Cancellations"

outbound invoice to csv {
    file   "CANCEL_{run.seq:04}.csv"
    header yes

    "Invoice No" = invoice.invoice_number
    "Status"     = if invoice.vis_state == 1 then "CANCELLED" else "ACTIVE"
}
"""


def _rows(path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _sendable(sandbox) -> list:
    """Invoices the Acme mapping sends whole: not drafts, for customers Acme can name."""
    names = {row["freshbooks_id"] for row in _acme_customers()}
    return [
        invoice
        for invoice in sandbox.state.invoices
        if invoice.statuses()["v3_status"] != "draft" and str(invoice.customerid) in names
    ]


def _acme_customers() -> list[dict[str, str]]:
    from connector.partners import MAPPINGS_DIR

    with open(MAPPINGS_DIR / "acme_customers.csv", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def settled(run, archive):
    """The first run: everything sent (or refused) once, the scan's marks set at T0."""
    first = send_documents(run, archive, "invoice", now=T0)
    assert first.file_name is not None
    return first


def test_repeated_events_for_one_invoice_are_fetched_once(
    run, archive, sandbox, deliver, settled, partner_root
):
    invoices = _sendable(sandbox)[:3]
    for invoice in invoices:
        sandbox.state.touch_invoice(invoice.id)
        deliver("invoice.update", invoice.id)
        deliver("invoice.update", invoice.id)  # a redelivery
        deliver("invoice.create", invoice.id)
    sandbox.requests.clear()

    sent = send_documents(run, archive, "invoice", now=SOON)

    calls = sandbox.requests.entries(path_regex=INVOICE_ANY)
    assert len(calls) == 1, "one list call by id covers every event"
    assert calls[0].query.count("invoiceids") == len(invoices) + settled.rejected
    rows = _rows(partner_root / "inbound" / sent.file_name)
    assert {row["Invoice No"] for row in rows} == {i.invoice_number for i in invoices}
    assert sent.events == 6, "create and update are separate events; the redeliveries are not"
    assert run.store.events.pending(ACME, ["invoice.update", "invoice.create"], 100) == []


def test_a_thousand_events_cost_one_call_per_hundred_invoices(run, sandbox, deliver, store):
    customer = sandbox.state.clients[0].id
    created = [
        sandbox.state.add_invoice(
            customer, T0.date(), [NewLine("Widget", Decimal(1), Decimal("4.75"))], sent=True
        )
        for _ in range(250)
    ]
    for invoice in created:
        for name in ("invoice.create", "invoice.update", "invoice.update"):
            deliver(name, invoice.id)
    store.cursors.set("acme", "invoices.scanned_at", T0.isoformat())  # no scan in this run
    sandbox.requests.clear()

    changes = find_changes(run.freshbooks, store, "acme", source_for("invoice"), now=SOON)

    assert len(sandbox.requests.entries(path_regex=INVOICE_LIST)) == 3
    assert sandbox.requests.entries(path_regex=r"/invoices/invoices/\d+") == []
    assert sorted(record["id"] for record in changes.changed) == [i.id for i in created]
    assert all(record["lines"] for record in changes.changed), "lines come with the batch"


def test_the_catch_up_scan_finds_a_change_whose_webhook_never_came(
    run, archive, sandbox, settled, partner_root
):
    changed = _sendable(sandbox)[0]
    sandbox.state.touch_invoice(changed.id)  # and no event is buffered

    before_scan = send_documents(run, archive, "invoice", now=SOON)
    after_scan = send_documents(run, archive, "invoice", now=LATER)

    assert before_scan.file_name is None, "between scans only events and refusals are fetched"
    rows = _rows(partner_root / "inbound" / after_scan.file_name)
    assert {row["Invoice No"] for row in rows} == {changed.invoice_number}


def test_the_overlap_window_resends_nothing_unchanged(run, archive, sandbox, settled):
    sandbox.requests.clear()

    again = send_documents(
        run, archive, "invoice", now=LATER, catch_up=CatchUp(overlap=timedelta(days=400))
    )

    assert sandbox.requests.entries(path_regex=INVOICE_LIST), "the scan ran"
    assert again.file_name is None
    assert again.records == again.rejected == settled.rejected, "only refusals are retried"


def test_a_failed_upload_leaves_the_events_pending_and_the_next_run_sends(
    run, archive, sandbox, deliver, settled, partner_root, store
):
    changed = _sendable(sandbox)[0]
    sandbox.state.touch_invoice(changed.id)
    deliver("invoice.update", changed.id)
    (partner_root / "inbound").rename(partner_root / "moved")  # the partner's folder is gone

    with pytest.raises(RemoteFolderMissing):
        send_documents(run, archive, "invoice", now=SOON)

    assert [e.object_id for e in store.events.pending(ACME, ["invoice.update"], 10)] == [
        str(changed.id)
    ]
    failed = store.transfers.get(settled.transfer_id + 1)
    assert failed.status == "error" and "upload failed" in failed.message
    (partner_root / "moved").rename(partner_root / "inbound")

    retried = send_documents(run, archive, "invoice", now=SOON)

    rows = _rows(partner_root / "inbound" / retried.file_name)
    assert {row["Invoice No"] for row in rows} == {changed.invoice_number}
    assert store.events.pending(ACME, ["invoice.update"], 10) == []


def test_a_deleted_invoice_is_audited_not_sent_when_the_mapping_cannot_say_so(
    run, archive, sandbox, deliver, settled, store
):
    gone = _sendable(sandbox)[0]
    sandbox.state.set_invoice_vis_state(gone.id, 1)
    deliver("invoice.delete", gone.id)

    result = send_documents(run, archive, "invoice", now=SOON)
    again = send_documents(run, archive, "invoice", now=LATER)

    assert result.file_name is None and result.not_sent_deleted == 1
    audit = [row for row in store.audit.for_transfer(result.transfer_id) if row.status == "skipped"]
    assert [row.source_id for row in audit] == [str(gone.id)]
    assert "does not read invoice.vis_state" in audit[0].message
    assert again.not_sent_deleted == 0, "settled: the scan does not report it again"
    assert store.events.pending(ACME, ["invoice.delete"], 10) == []


def test_a_deleted_invoice_goes_out_when_the_mapping_reads_vis_state(
    sandbox, store, freshbooks, partner_root, archive, deliver, tmp_path
):
    mapping = tmp_path / "cancellations.map"
    mapping.write_text(CANCELLATIONS, encoding="utf-8")
    run = open_run(str(mapping), store, freshbooks, partner_root)
    send_documents(run, archive, "invoice", now=T0)
    gone = sandbox.state.invoices[0]
    sandbox.state.set_invoice_vis_state(gone.id, 1)
    deliver("invoice.delete", gone.id)

    result = send_documents(run, archive, "invoice", now=SOON)

    rows = _rows(partner_root / "inbound" / result.file_name)
    assert rows == [{"Invoice No": gone.invoice_number, "Status": "CANCELLED"}]
    assert result.not_sent_deleted == 0


def test_events_for_ids_freshbooks_does_not_have_are_audited_and_bad_ids_dropped(
    run, archive, deliver, settled, store, sandbox
):
    deliver("invoice.update", 999_999)
    deliver("invoice.update", "not-an-id")
    sandbox.requests.clear()

    result = send_documents(run, archive, "invoice", now=SOON)

    skipped = [r for r in store.audit.for_transfer(result.transfer_id) if r.status == "skipped"]
    assert [row.source_id for row in skipped] == ["999999"]
    assert "no longer has this invoice" in skipped[0].message
    assert result.events == 2
    assert store.events.pending(ACME, ["invoice.update"], 10) == []
    assert all("not-an-id" not in call.query for call in sandbox.requests.entries())


def test_bad_settings_and_records_are_refused_with_a_reason():
    with pytest.raises(ConfigurationError, match="catch-up every"):
        CatchUp(every=timedelta(minutes=-1))
    with pytest.raises(ConfigurationError, match="catch-up overlap"):
        CatchUp(overlap=3600)
    with pytest.raises(ConfigurationError, match="not supported"):
        source_for("estimate")
    with pytest.raises(DataError, match="without `updated`"):
        source_for("invoice").version({"id": 5})
