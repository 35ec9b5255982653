"""Invoices out after webhooks: the event drain beside a naive client doing one GET per event.

A sandbox holds 1,000 changed invoices (three lines each); 3,000 webhook deliveries name them
(a create and two updates each, buffered in a SQLite store as the receiver buffers them). The
drain (``find_changes``: read the pending events, coalesce per invoice, fetch 100 ids per call
with lines) is timed beside a client that answers each delivery with its own GET of the invoice
with lines. API calls are counted from the sandbox's request log. The drain runs --repeat times
(it marks nothing done, so each run sees the same events) and the median counts; the naive
client runs once (it is the slow side). Size: `--invoices N` (events are three per invoice).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.harness import report, timed  # noqa: E402
from connector.freshbooks import (  # noqa: E402
    FreshBooksClient,
    FreshBooksConfig,
    MemoryTokenStore,
    Token,
)
from connector.jobs.changes import find_changes, scanned_cursor, source_for  # noqa: E402
from connector.sandbox import Sandbox, SeedPlan  # noqa: E402
from connector.sandbox.state import NewLine  # noqa: E402
from connector.store import Store, WebhookEvent  # noqa: E402

PARTNER = "bench"
EVENTS_PER_INVOICE = ("invoice.create", "invoice.update", "invoice.update")
LINES = (
    NewLine("Widget A-100", Decimal(12), Decimal("4.75")),
    NewLine("Pallet freight", Decimal(1), Decimal("72.50")),
    NewLine("Installation", Decimal(3), Decimal("38.00")),
)


def _client(sandbox: Sandbox) -> FreshBooksClient:
    info = sandbox.info
    config = FreshBooksConfig(
        client_id=info.client_id,
        client_secret=info.client_secret,
        redirect_uri=info.redirect_uri,
        api_url=info.api_url,
        auth_url=info.auth_url,
    )
    token = Token(info.access_token, info.refresh_token, expires_at=2**40)
    return FreshBooksClient(config, MemoryTokenStore(token))


def _deliveries(sandbox: Sandbox, invoices: int) -> list[tuple[str, int]]:
    customer = sandbox.state.clients[0].id
    ids = [
        sandbox.state.add_invoice(customer, date(2026, 3, 2), LINES, sent=True).id
        for _ in range(invoices)
    ]
    return [(name, invoice_id) for name in EVENTS_PER_INVOICE for invoice_id in ids]


def _buffer(store: Store, account_id: str, deliveries: list[tuple[str, int]]) -> None:
    path = store.events.add_callback("invoice").path_token
    for name, object_id in deliveries:
        fields = (("name", name), ("object_id", str(object_id)), ("account_id", account_id))
        store.events.record(WebhookEvent(path, account_id, name, str(object_id), fields))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-outbound-events-") as tmp:
        work = Path(tmp)
        with (
            Sandbox(work / "sftp", state_dir=work / "state", seed_plan=SeedPlan()) as sandbox,
            Store.open(f"sqlite:///{work / 'store.db'}") as store,
            _client(sandbox) as client,
        ):
            deliveries = _deliveries(sandbox, args.invoices)
            _buffer(store, sandbox.info.account_id, deliveries)
            source = source_for("invoice")
            now = datetime.now(UTC)
            store.cursors.set(PARTNER, scanned_cursor(source), now.isoformat())  # events only
            client.account_id  # noqa: B018 -- the identity call, made once, outside the timing

            def drain() -> int:
                changes = find_changes(client, store, PARTNER, source, now=now)
                return len(changes.changed)

            def naive() -> int:
                return len({client.invoices.get(oid)["id"] for _, oid in deliveries})

            sandbox.requests.clear()
            value, drained = timed("event drain, 100 ids per call", drain, args.repeat)
            drain_calls = len(sandbox.requests.entries()) // args.repeat
            sandbox.requests.clear()
            baseline, fetched = timed("naive, one GET per event", naive, 1)
            naive_calls = len(sandbox.requests.entries())

    assert drained == fetched == args.invoices, (drained, fetched)
    print(
        f"{len(deliveries)} events over {args.invoices} invoices: drain {drain_calls} API calls, "
        f"naive {naive_calls}; calls {drain_calls / naive_calls:.2%} of naive (goal < 2%), "
        f"time {value / baseline:.2%} of naive"
    )
    report(
        "outbound_events_drain",
        value,
        "one GET per event",
        baseline,
        "< 2% of the naive API calls",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
