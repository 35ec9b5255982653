"""Events belong to the business: every partner's outbound run, and the confirmations, take each
change on their own. Sandbox over real HTTP, a real SQLite store, local folders as servers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connector.jobs.changes import outbound_consumer
from connector.jobs.confirmations import CONSUMER, confirm_postings
from connector.jobs.context import PartnerRun
from connector.jobs.outbound_documents import send_documents
from connector.mapping import load_mapping
from connector.partners import PartnerSettings
from connector.transport import Endpoint, PartnerFolders, RemoteFolderMissing, open_filesystem
from tests.jobs.conftest import Deliver

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SOON = T0 + timedelta(minutes=5)  # before either partner's next catch-up scan is due
INVOICES = ["invoice.create", "invoice.update", "invoice.delete"]


def _partner_run(name: str, store, freshbooks, root: Path) -> PartnerRun:
    for folder in ("inbound", "outbound"):
        (root / folder).mkdir(parents=True)
    partner = PartnerSettings(
        name=name, mapping="acme_distribution.map", remote_url=root.as_uri(), development=True
    )
    endpoint = Endpoint(url=partner.remote_url, development=True)
    folders = PartnerFolders(open_filesystem(endpoint), endpoint.path)
    return PartnerRun(partner, load_mapping(partner.mapping_path()), freshbooks, folders, store)


def _invoice_numbers(path: Path) -> set[str]:
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    return {row["Invoice No"] for row in rows}


@dataclass
class Partners:
    runs: dict[str, PartnerRun]
    sent: list
    """The sandbox's invoices both partners sent at T0: the ones a change sends again."""


@pytest.fixture
def partners(store, freshbooks, sandbox, tmp_path, archive) -> Partners:
    """Acme and Globex take invoices from one business; both have sent everything once."""
    runs = {
        name: _partner_run(name, store, freshbooks, tmp_path / name) for name in ("acme", "globex")
    }
    sent_ids = []
    for run in runs.values():
        first = send_documents(run, archive, "invoice", now=T0)
        rows = store.audit.for_transfer(first.transfer_id)
        sent_ids.append({int(row.source_id) for row in rows if row.status == "sent"})
    both = set.intersection(*sent_ids)
    return Partners(runs, [invoice for invoice in sandbox.state.invoices if invoice.id in both])


def _change(sandbox, deliver, invoices: list) -> set[str]:
    for invoice in invoices:
        sandbox.state.touch_invoice(invoice.id)
        deliver("invoice.update", invoice.id)
    return {invoice.invoice_number for invoice in invoices}


def test_two_partners_each_get_every_change_from_the_events_alone(
    partners, sandbox, store, deliver, archive, tmp_path
):
    changed = partners.sent[:3]
    numbers = _change(sandbox, deliver, changed)
    sandbox.requests.clear()

    sent = {
        name: send_documents(run, archive, "invoice", now=SOON)
        for name, run in partners.runs.items()
    }

    for name, result in sent.items():
        assert result.events == 3
        assert _invoice_numbers(tmp_path / name / "inbound" / result.file_name) == numbers
        assert store.events.pending(outbound_consumer(name, "invoice"), INVOICES, 10) == []
    calls = sandbox.requests.entries(path_regex=r"/invoices/invoices$")
    assert len(calls) == 2 and all("invoiceids" in call.query for call in calls), "no scan ran"
    assert [e.object_id for e in store.events.pending(CONSUMER, ["invoice.update"], 10)] == [
        str(invoice.id) for invoice in changed
    ], "a consumer that has not drained them still has them"


def test_a_partner_whose_run_failed_still_gets_the_change_the_other_sent(
    partners, sandbox, deliver, archive, tmp_path
):
    numbers = _change(sandbox, deliver, partners.sent[:1])
    inbound = tmp_path / "globex" / "inbound"
    inbound.rename(tmp_path / "globex" / "moved")

    assert send_documents(partners.runs["acme"], archive, "invoice", now=SOON).file_name
    with pytest.raises(RemoteFolderMissing):
        send_documents(partners.runs["globex"], archive, "invoice", now=SOON)
    (tmp_path / "globex" / "moved").rename(inbound)
    retried = send_documents(partners.runs["globex"], archive, "invoice", now=SOON)

    assert _invoice_numbers(inbound / retried.file_name) == numbers


def test_events_of_another_account_are_passed_over(run, sandbox, store, archive):
    first = send_documents(run, archive, "invoice", now=T0)
    sent = next(row for row in store.audit.for_transfer(first.transfer_id) if row.status == "sent")
    sandbox.state.touch_invoice(int(sent.source_id))
    Deliver(store, "another-business")("invoice.update", sent.source_id)
    sandbox.requests.clear()

    result = send_documents(run, archive, "invoice", now=SOON)

    assert (result.file_name, result.events, result.foreign_events) == (None, 1, 1)
    fetched = sandbox.requests.entries(path_regex=r"/invoices/invoices")
    assert all(f"={sent.source_id}&" not in call.query + "&" for call in fetched)
    assert store.events.pending(outbound_consumer("acme", "invoice"), INVOICES, 10) == []


def test_payment_events_of_another_account_are_not_confirmed(sandbox, store, freshbooks):
    payment = sandbox.state.payments[0]
    Deliver(store, "another-business")("payment.update", payment.id)
    sandbox.requests.clear()

    result = confirm_postings(store, freshbooks)

    assert (result.events, result.foreign, result.payments) == (1, 1, 0)
    assert sandbox.requests.entries(path_regex=r"/payments/payments") == []
    assert store.events.pending(CONSUMER, ["payment.update"], 10) == []
