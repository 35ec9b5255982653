"""Shared by the inbound job tests: a partner run on the sandbox with a local folder as server."""

from __future__ import annotations

import json
from pathlib import Path

from connector.freshbooks import FreshBooksClient, MemoryTokenStore, RetryPolicy
from connector.jobs.context import PartnerRun
from connector.mapping import load_mapping
from connector.partners import PartnerSettings
from connector.store import Store
from connector.transport import Endpoint, PartnerFolders, open_filesystem
from tests.freshbooks.conftest import sandbox_config, sandbox_token

# Remittances with the partner's own payment type and currency columns, untranslated.
RAW_PAYMENTS_MAP = """
mapping "Raw remittances"

inbound payment from csv {
    files   "PAY_*.csv"
    header  yes

    invoice_number = trim(col("Invoice"))
    amount         = money(col("Amount"))
    date           = parse_date(trim(col("Date")), "%Y-%m-%d")
    type           = trim(col("Type"))
    currency       = trim(col("Currency"))
    note           = trim(col("Ref"))
}
"""
RAW_HEADER = "Invoice,Amount,Date,Type,Currency,Ref\n"


def client_for(sandbox, retry: RetryPolicy | None = None) -> FreshBooksClient:
    """A client on the sandbox; retry pauses are skipped so tests never wait for them."""
    return FreshBooksClient(
        sandbox_config(sandbox.info),
        MemoryTokenStore(sandbox_token(sandbox.info)),
        retry=retry or RetryPolicy(sleep=lambda _: None),
    )


def partner_run(
    mapping: str | Path, client: FreshBooksClient, store: Store, root: Path
) -> PartnerRun:
    for folder in ("inbound", "outbound"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    partner = PartnerSettings(
        name="acme", mapping=str(mapping), remote_url=root.as_uri(), settle_seconds=0
    )
    endpoint = Endpoint(url=partner.remote_url, development=True)
    folders = PartnerFolders(open_filesystem(endpoint), endpoint.path)
    return PartnerRun(partner, load_mapping(partner.mapping_path()), client, folders, store)


def open_invoices(sandbox, count: int, currency: str = "USD") -> list[dict]:
    """Seeded invoices that still owe something, in ``currency``."""
    invoices = [
        invoice
        for invoice in (record.to_json(include_lines=False) for record in sandbox.state.invoices)
        if invoice["v3_status"] in ("sent", "viewed", "partial")
        and invoice["currency_code"] == currency
        and invoice["vis_state"] == 0
    ]
    assert len(invoices) >= count, "the sandbox seeds enough open invoices"
    return invoices[:count]


def our_payments(sandbox, invoice_id) -> list[dict]:
    """The payments ml-connector posted to one invoice (the seed data has others)."""
    payments = (payment.to_json() for payment in sandbox.state.payments)
    return [
        p
        for p in payments
        if p["invoiceid"] == invoice_id
        and "ml-connector:" in (p["note"] or "")
        and p["vis_state"] == 0
    ]


def report(root: Path, name: str) -> dict:
    """The error report a refused file ``name`` left beside it in the partner's error/ folder."""
    return json.loads((root / "outbound" / "error" / f"{name}.error.json").read_text())
