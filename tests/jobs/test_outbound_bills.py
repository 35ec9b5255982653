"""Bills out to CSV with their vendor and lines, driven by bill events and a full catch-up scan."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from connector.jobs.outbound_documents import send_documents
from tests.jobs.conftest import open_run

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SOON = T0 + timedelta(minutes=5)
LATER = T0 + timedelta(hours=7)

BILLS_CSV = """
mapping "Bills to CSV"

outbound bill to csv {
    file   "BILLS_{run.seq:04}.csv"
    header yes
    rows   per line

    "Bill No"     = bill.bill_number ?? ""
    "Vendor"      = bill.vendor.vendor_name
    "Line"        = line.list_index
    "Description" = line.description
    "Amount"      = money(line.amount, places: 2)
    "Currency"    = line.amount.code
}
"""


def _rows(path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@pytest.fixture
def bills_run(store, freshbooks, partner_root, tmp_path):
    mapping = tmp_path / "bills.map"
    mapping.write_text(BILLS_CSV, encoding="utf-8")
    return open_run(str(mapping), store, freshbooks, partner_root)


def test_bills_go_out_with_vendor_and_lines_then_only_changed_ones(
    bills_run, archive, sandbox, deliver, partner_root
):
    purchases = sandbox.state.purchases
    first = send_documents(bills_run, archive, "bill", now=T0)

    rows = _rows(partner_root / "inbound" / first.file_name)
    bills = [bill for bill in purchases.bills if bill.vis_state == 0]
    assert len(rows) == first.rows == sum(len(bill.lines) for bill in bills) > 0
    vendors = {purchases.vendor(bill.vendorid).vendor_name for bill in bills}
    assert {row["Vendor"] for row in rows} == vendors

    some = bills[0]

    purchases.update_bill(some.id, {"bill_number": "CHANGED-1"})
    deliver("bill.update", some.id)
    second = send_documents(bills_run, archive, "bill", now=SOON)

    changed = _rows(partner_root / "inbound" / second.file_name)
    assert {row["Bill No"] for row in changed} == {"CHANGED-1"}
    assert len(changed) == len(some.lines)


def test_the_bill_scan_reads_every_bill_and_sends_only_the_changed(
    bills_run, archive, sandbox, partner_root
):
    purchases = sandbox.state.purchases
    send_documents(bills_run, archive, "bill", now=T0)
    some = next(bill for bill in purchases.bills if bill.vis_state == 0)
    purchases.update_bill(some.id, {"bill_number": "NO-WEBHOOK"})  # no event buffered
    sandbox.requests.clear()

    scanned = send_documents(bills_run, archive, "bill", now=LATER)

    listing = sandbox.requests.entries(path_regex=r"/bills/bills$")
    assert listing and all("updated" not in call.query for call in listing), "no date filter"
    rows = _rows(partner_root / "inbound" / scanned.file_name)
    assert {row["Bill No"] for row in rows} == {"NO-WEBHOOK"}
