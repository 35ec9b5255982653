"""Payments posted from a remittance file, confirmed by FreshBooks' payment events, end to end."""

from __future__ import annotations

from flows.confirm_postings import confirm_postings
from flows.inbound_payments import inbound_payments
from tests.jobs.conftest import Deliver


def test_posted_payments_are_confirmed_by_their_events(partner, sandbox, store, incoming):
    invoice = next(
        i.to_json(include_lines=False)
        for i in sandbox.state.invoices
        if i.statuses()["v3_status"] in ("sent", "viewed", "partial") and i.currency_code == "USD"
    )
    (incoming / "REMIT_1.csv").write_text(
        "Invoice #,Amount Paid,Paid On,Method,Check No\r\n"
        f"{invoice['invoice_number']},12.50,2026-01-05,CHK,1001\r\n",
        encoding="utf-8",
    )
    [outcome] = inbound_payments(partner)
    deliver = Deliver(store, sandbox.info.account_id)
    for payment in sandbox.state.payments:
        deliver("payment.create", payment.id)

    result = confirm_postings(partner.freshbooks_credentials)

    assert result["confirmed"] == outcome["posted"] == 1
    assert result["not_ours"] == len(sandbox.state.payments) - 1, "the seed's payments"
    confirmed = [row for row in store.audit.list("acme") if row.status == "confirmed"]
    assert [row.target_id for row in confirmed] == [
        str(p.id) for p in sandbox.state.payments if "ml-connector:" in (p.note or "")
    ]
