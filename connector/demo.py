"""`ml-connector demo`: the whole path once, on loopback, with nothing to install or configure.

It starts the sandbox (FreshBooks API and the partner's SFTP server), runs the two Acme flows
through a temporary local Prefect, plays the partner in between (a remittance file paying some of
the invoices just sent, and one with a mistake in it), and shows what moved at each step.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.table import Table

from connector.sandbox import Sandbox

PARTNER = "acme"
console = Console()


@contextmanager
def _private_environment(workdir: Path) -> Iterator[None]:
    """Point state, credentials and Prefect at a temp folder for the demo's lifetime only."""
    overrides = {
        "ML_CONNECTOR_HOME": str(workdir / "home"),
        "PREFECT_HOME": str(workdir / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "CRITICAL",  # the demo prints its own account
    }
    saved = {name: os.environ.get(name) for name in [*overrides, "PREFECT_API_URL"]}
    os.environ.update(overrides)
    os.environ.pop("PREFECT_API_URL", None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_demo() -> None:
    with tempfile.TemporaryDirectory(prefix="ml-connector-demo-") as tmp:
        workdir = Path(tmp)
        with _private_environment(workdir), Sandbox(root=workdir / "sandbox") as sandbox:
            _run(sandbox)


def _run(sandbox: Sandbox) -> None:
    # Imported here: Prefect reads PREFECT_HOME when it is first imported.
    from connector.demo_setup import partner_settings, save_credentials
    from connector.store import Store
    from flows.inbound_payments import inbound_payments
    from flows.outbound_invoices import outbound_invoices

    info = sandbox.info
    console.rule("[bold]ml-connector demo")
    console.print(
        f"FreshBooks sandbox API at {info.api_url}, partner SFTP at port {info.sftp_port}"
    )
    console.print("Starting a temporary local Prefect (the first start takes a few seconds)...")
    save_credentials(sandbox)
    partner = partner_settings(sandbox)
    root = Path(info.sftp_root)
    for folder in (partner.outgoing_folder, partner.incoming_folder):
        (root / folder).mkdir(parents=True, exist_ok=True)  # the partner's server has both

    console.rule("1. Invoices out: FreshBooks -> Acme's inbound folder")
    sent = outbound_invoices(partner)
    uploaded = root / partner.outgoing_folder / sent["file_name"]
    console.print(
        f"Uploaded [bold]{sent['file_name']}[/]: {sent['rows']} rows from "
        f"{sent['records']} invoices ({sent['rejected']} refused by the mapping)."
    )
    _show_csv(uploaded.read_bytes(), title=f"{uploaded.name} (first rows)")

    console.rule("2. The partner drops two remittance files")
    good, bad = _remittances(uploaded.read_bytes())
    incoming = root / partner.incoming_folder
    (incoming / "REMIT_20260101_001.csv").write_text(good, newline="")
    (incoming / "REMIT_20260101_002.csv").write_text(bad, newline="")
    _show_csv(good.encode(), title="REMIT_20260101_001.csv")
    _show_csv(bad.encode(), title="REMIT_20260101_002.csv (one row names an unknown invoice)")

    console.rule("3. Remittances in: Acme's outbound folder -> FreshBooks payments")
    state = inbound_payments(partner, return_state=True)
    console.print(f"Flow run state: [bold]{state.name}[/] (a file went to the error folder)")
    payments = Table(title="Payments ml-connector posted to FreshBooks")
    for column in ("id", "invoice", "amount", "date", "type", "note"):
        payments.add_column(column)
    for payment in (record.to_json() for record in sandbox.state.payments):
        if "ml-connector:" not in (payment["note"] or ""):
            continue  # the sandbox's seed payments
        payments.add_row(
            str(payment["id"]),
            str(payment["invoiceid"]),
            payment["amount"]["amount"],
            payment["date"],
            payment["type"],
            payment["note"],
        )
    console.print(payments)
    for folder in ("processed", "error"):
        names = sorted(p.name for p in (incoming / folder).glob("*"))
        console.print(f"{partner.incoming_folder}/{folder}/: {', '.join(names) or '(empty)'}")
    reports = sorted((incoming / "error").glob("*.error.json"))
    if reports:
        console.print(f"[bold]{reports[0].name}[/]:")
        console.print_json(reports[0].read_text())

    console.rule("4. The audit trail")
    with Store.open() as store:
        rows = store.audit.list(partner=PARTNER, limit=10_000)
    counts = Counter((row.direction, row.status) for row in rows)
    summary = Table(title="Records moved, by direction and outcome")
    for column in ("direction", "status", "records"):
        summary.add_column(column)
    for (direction, status), count in sorted(counts.items()):
        summary.add_row(direction, status, str(count))
    console.print(summary)
    audit = Table(title="Audit rows of the remittances and of the refused invoices")
    for column in ("file", "row", "source", "FreshBooks id", "status", "message"):
        audit.add_column(column)
    for row in rows:
        if row.direction == "inbound" or row.status != "sent":
            audit.add_row(
                row.file_name or "",
                "" if row.row_number is None else str(row.row_number),
                row.source_id or "",
                row.target_id or "",
                row.status,
                row.message or "",
            )
    console.print(audit)
    console.rule("done: sandbox and Prefect stopped, temp files removed")


def _remittances(sent_csv: bytes) -> tuple[str, str]:
    """The partner's answer: pay the first invoices sent; the second file also pays a ghost."""
    reader = csv.DictReader(io.StringIO(sent_csv.decode("utf-8-sig")))
    totals: dict[str, str] = {}
    for row in reader:
        totals.setdefault(row["Invoice No"], row["Invoice Total"])
    numbers = list(totals)[:4]
    header = ["Invoice #", "Amount Paid", "Paid On", "Method", "Check No"]

    def render(rows: list[list[str]]) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue()

    good = [
        [number, totals[number], "2026-01-05", method, f"CHK{1000 + i}"]
        for i, (number, method) in enumerate(zip(numbers[:3], ["CHK", "ACH", "WIR"], strict=False))
    ]
    bad = [
        [numbers[3], totals[numbers[3]], "2026-01-06", "ACH", "CHK2001"],
        ["9999999", "10.00", "2026-01-06", "CHK", "CHK2002"],
    ]
    return render(good), render(bad)


def _show_csv(data: bytes, *, title: str, limit: int = 8) -> None:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    if not rows:
        console.print(f"{title}: (empty)")
        return
    table = Table(title=title)
    for column in rows[0]:
        table.add_column(column)
    for row in rows[1 : limit + 1]:
        table.add_row(*row)
    console.print(table)
    if len(rows) - 1 > limit:
        console.print(f"... and {len(rows) - 1 - limit} more rows")
