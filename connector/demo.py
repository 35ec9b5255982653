"""`ml-connector demo`: the whole path once, on loopback, with nothing to install or configure.

It starts the sandbox (FreshBooks API and the partner's SFTP server) and the webhook receiver,
runs the Acme flows through a temporary local Prefect, plays the business and the partner in
between (invoices edited in FreshBooks, a remittance file paying some of the invoices just sent,
and one with a mistake in it, an accountant's journal files, an X12 partner's 820 and 997), and
shows what moved at each step.
The receiver is registered with the sandbox as `webhooks register` would, so the second outbound
run is driven by the signed deliveries it committed, and the payments posted are confirmed by
FreshBooks' own events.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from connector.errors import TransportError
from connector.sandbox import Sandbox
from connector.sandbox.callbacks import GAVE_UP, Delivery
from connector.store import Store
from connector.webhooks.registration import CallbackStatus, register, wait_until_verified

if TYPE_CHECKING:
    from connector.partners import PartnerSettings

PARTNER = "acme"
HANDSHAKE_WAIT_S = 15.0
DELIVERY_WAIT_S = 30.0
CORRECTED_INVOICES = 10
"""How many of the invoices given a PO number get it corrected too: repeated events to coalesce."""
LEDGER_PARTNER = "ledger"
EDI_PARTNER = "acme_x12"
EDI_SHOWN_SEGMENTS = 12
"""How much of the 810 to print: the envelope and the first invoice set."""
JOURNAL_HEADER = "Entry;Date;Memo;Account;Side;Amount;Line memo"
JOURNAL_FILES = {
    "JE_20260131_001.csv": (
        "JE-601;31.01.2026;Accrue January hosting;6400;D;120.00;Hosting café",
        "JE-601;31.01.2026;Accrue January hosting;2100;C;120.00;Accrued liabilities",
        "JE-602;31.01.2026;Hosting billed to a customer;1200;D;45.10;Receivable",
        "JE-602;31.01.2026;Hosting billed to a customer;6400;C;45.10;Hosting recharged",
    ),
    "JE_20260131_002.csv": (
        "JE-603;31.01.2026;Typo in the credit;6400;D;80.00;Hosting",
        "JE-603;31.01.2026;Typo in the credit;2100;C;8.00;Accrued liabilities",
    ),
}
"""The accountant's month-end files, in the shipped ledger mapping's layout (cp1252, `;`)."""
console = Console()


class DemoStalled(TransportError):
    """A webhook step on loopback did not complete, so the real-time part cannot be shown."""


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
    from connector.demo_setup import local_receiver, partner_settings, save_credentials
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
        f"{sent['records']} invoices ({sent['rejected']} refused by the mapping; the first run "
        "scans every invoice, later runs start from webhooks)."
    )
    _show_csv(uploaded.read_bytes(), title=f"{uploaded.name} (first rows)")

    with Store.open() as store, local_receiver(store) as receiver_url:
        _real_time(sandbox, store, receiver_url, partner, _invoice_numbers(uploaded.read_bytes()))
        _remittances_in(sandbox, partner, uploaded.read_bytes())
        _confirmations(sandbox)
    _journal_in(sandbox)
    _edi_partner(sandbox)
    _audit_trail()
    console.rule("done: sandbox, receiver and Prefect stopped, temp files removed")


def _real_time(
    sandbox: Sandbox,
    store: Store,
    receiver_url: str,
    partner: PartnerSettings,
    invoice_numbers: list[str],
) -> None:
    """Register the receiver, edit invoices in FreshBooks, and let the webhooks drive a run."""
    from connector.demo_setup import freshbooks_client
    from flows.outbound_invoices import outbound_invoices

    console.rule("2. Real time: FreshBooks webhooks -> the receiver -> the next outbound run")
    console.print(
        f"The webhook receiver (what `ml-connector webhooks serve` runs) listens at {receiver_url}"
    )
    with freshbooks_client() as client:
        register(client, store, receiver_url)
        callbacks = wait_until_verified(client, store, HANDSHAKE_WAIT_S)
    _show_callbacks(callbacks)
    unverified = [callback.event for callback in callbacks if not callback.verified]
    if unverified:
        raise DemoStalled(
            f"the sandbox's handshakes for {', '.join(unverified)} were not confirmed within "
            f"{HANDSHAKE_WAIT_S:.0f} s",
            hint="run the demo again; if it persists, something blocks loopback HTTP",
        )

    edited = _edit_invoices(sandbox, invoice_numbers)
    corrected = min(CORRECTED_INVOICES, len(edited))
    console.print(
        f"In FreshBooks, someone puts a PO number on the {len(edited)} invoices just sent and "
        f"corrects it on {corrected} of them: {len(edited) + corrected} changes."
    )
    delivered = sum(d.event.startswith("invoice.") for d in _await_deliveries(sandbox))
    console.print(
        f"FreshBooks posted {delivered} signed webhook deliveries; the receiver checked each "
        "signature and committed each event to the state store before answering 200 (a repeat "
        "for the same invoice only counts as another delivery)."
    )

    before = len(sandbox.requests.entries())
    result = outbound_invoices(partner)
    calls = sandbox.requests.entries()[before:]
    plural = "" if len(calls) == 1 else "s"
    console.print(
        f"[bold]{result['events']} events -> {len(calls)} API call{plural}[/] "
        f"({', '.join(sorted({f'{call.method} {call.path}' for call in calls}))}): "
        f"{result['records']} invoices fetched in batches, coalesced, mapped and uploaded as "
        f"[bold]{result['file_name']}[/] ({result['rows']} rows, "
        f"{result['rejected']} refused again)."
    )
    if result["file_name"]:
        uploaded = Path(sandbox.info.sftp_root) / partner.outgoing_folder / result["file_name"]
        _show_csv(uploaded.read_bytes(), title=f"{uploaded.name} (first rows: see the PO column)")


def _remittances_in(sandbox: Sandbox, partner: PartnerSettings, sent_csv: bytes) -> None:
    from flows.inbound_payments import inbound_payments

    root = Path(sandbox.info.sftp_root)
    console.rule("3. The partner drops two remittance files")
    good, bad = _remittances(sent_csv, _outstanding(sandbox))
    incoming = root / partner.incoming_folder
    (incoming / "REMIT_20260101_001.csv").write_text(good, newline="")
    (incoming / "REMIT_20260101_002.csv").write_text(bad, newline="")
    _show_csv(good.encode(), title="REMIT_20260101_001.csv")
    _show_csv(bad.encode(), title="REMIT_20260101_002.csv (one row names an unknown invoice)")

    console.rule("4. Remittances in: Acme's outbound folder -> FreshBooks payments")
    state = inbound_payments(partner, return_state=True)
    console.print(f"Flow run state: [bold]{state.name}[/] (a file went to the error folder)")
    _show_our_payments(sandbox, "Payments ml-connector posted to FreshBooks")
    for folder in ("processed", "error"):
        names = sorted(p.name for p in (incoming / folder).glob("*"))
        console.print(f"{partner.incoming_folder}/{folder}/: {', '.join(names) or '(empty)'}")
    reports = sorted((incoming / "error").glob("*.error.json"))
    if reports:
        console.print(f"[bold]{reports[0].name}[/]:")
        console.print_json(reports[0].read_text())


def _show_our_payments(sandbox: Sandbox, title: str, *, marker: str = "") -> None:
    """The payments ml-connector posted (the sandbox's seed payments carry no key), those whose
    note holds ``marker``."""
    payments = Table(title=title)
    for column in ("id", "invoice", "amount", "date", "type", "note"):
        payments.add_column(column)
    for payment in (record.to_json() for record in sandbox.state.payments):
        note = payment["note"] or ""
        if "ml-connector:" not in note or marker not in note:
            continue
        payments.add_row(
            *_plain(
                str(payment["id"]),
                str(payment["invoiceid"]),
                payment["amount"]["amount"],
                payment["date"],
                payment["type"],
                note,
            )
        )
    console.print(payments)


def _confirmations(sandbox: Sandbox) -> None:
    """The payments just posted come back as payment events: FreshBooks' word that they landed."""
    from connector.demo_setup import FRESHBOOKS_BLOCK
    from flows.confirm_postings import confirm_postings

    console.rule("5. FreshBooks confirms the payments ml-connector posted")
    _await_deliveries(sandbox)
    result = confirm_postings(FRESHBOOKS_BLOCK)
    console.print(
        f"[bold]{result['events']} payment events -> {result['confirmed']} of our payments "
        f"confirmed[/] in the audit trail ({result['not_ours']} not ours, "
        f"{result['deleted']} deleted in FreshBooks)."
    )


def _journal_in(sandbox: Sandbox) -> None:
    """The accountant's ledger export: one file that balances is posted, one that does not is
    refused whole, before anything of it reaches FreshBooks."""
    from connector.demo_setup import partner_settings
    from flows.inbound_journal import inbound_journal

    console.rule("6. GL journal files in: the accountant's folder -> FreshBooks journal entries")
    ledger = partner_settings(
        sandbox,
        name=LEDGER_PARTNER,
        mapping="ledger_journal.map",
        remote_url=f"sftp://{sandbox.info.sftp_host}:{sandbox.info.sftp_port}/{LEDGER_PARTNER}",
    )
    incoming = Path(sandbox.info.sftp_root) / LEDGER_PARTNER / ledger.incoming_folder
    incoming.mkdir(parents=True, exist_ok=True)
    for name, rows in JOURNAL_FILES.items():
        content = "".join(f"{row}\r\n" for row in (JOURNAL_HEADER, *rows))
        (incoming / name).write_text(content, encoding="cp1252", newline="")
        _show_csv(content.encode("cp1252"), title=name, delimiter=";", encoding="cp1252")

    state = inbound_journal(ledger, return_state=True)
    console.print(f"Flow run state: [bold]{state.name}[/] (the unbalanced file went to error/)")
    entries = Table(title="Journal entries ml-connector posted to FreshBooks")
    for column in ("entry", "name", "date", "sub-account", "debit", "credit"):
        entries.add_column(column)
    for entry in sandbox.state.ledger.entries:
        if "ml-connector:" not in entry.name:
            continue  # entries the sandbox holds from elsewhere
        for detail in entry.details:
            entries.add_row(
                *_plain(
                    str(entry.id),
                    entry.name,
                    entry.user_entered_date.isoformat(),
                    f"{detail.sub_account.number} {detail.sub_account.name}",
                    "" if detail.debit is None else f"{detail.debit:.2f}",
                    "" if detail.credit is None else f"{detail.credit:.2f}",
                )
            )
    console.print(entries)
    for report in sorted((incoming / "error").glob("*.error.json")):
        console.print(f"[bold]{report.name}[/], rejected:")
        for problem in json.loads(report.read_text())["rejected"]:
            console.print(
                f"  row {problem['row_number']}: {escape(problem['message'])}", highlight=False
            )


def _edi_partner(sandbox: Sandbox) -> None:
    """Acme on X12: invoices out as an 810 under control numbers kept in the store, an 820
    paying two of them posted and answered with our 997, and Acme's 997 settling the 810."""
    from connector.demo_setup import partner_settings
    from connector.jobs.acks import collect_acknowledgments
    from connector.jobs.archive import Archive
    from connector.jobs.inbound_payments import receive_payments
    from connector.jobs.outbound_documents import send_documents
    from connector.jobs.resolve import open_partner_run

    console.rule("7. An EDI partner: X12 810 invoices out, an 820 and a 997 back")
    info = sandbox.info
    partner = partner_settings(
        sandbox,
        name=EDI_PARTNER,
        mapping="acme_x12.map",
        remote_url=f"sftp://{info.sftp_host}:{info.sftp_port}/{EDI_PARTNER}",
    )
    folder = Path(info.sftp_root) / EDI_PARTNER
    for name in (partner.outgoing_folder, partner.incoming_folder):
        (folder / name).mkdir(parents=True, exist_ok=True)

    with open_partner_run(partner) as run:
        result = send_documents(run, Archive(partner.archive_url), "invoice")
        if result.file_name is None or result.transfer_id is None:
            raise DemoStalled(
                f"the 810 run sent nothing ({result.rejected} invoices refused by acme_x12.map)",
                hint="check the sandbox's seed invoices against mappings/acme_x12.map",
            )
        [sent] = [
            interchange
            for interchange in run.store.sent_interchanges.pending(partner.name)
            if interchange.transfer_id == result.transfer_id
        ]
        edi_810 = (folder / partner.outgoing_folder / result.file_name).read_bytes()
        set_controls = sorted(s.control for s in sent.sets)
        console.print(
            f"Uploaded [bold]{result.file_name}[/]: {result.rows} 810 sets from "
            f"{result.records} invoices (drafts left out by the mapping, {result.rejected} "
            "refused), recorded as ISA13 "
            f"{sent.interchange_control}, GS06 {sent.group_control}, ST02 "
            f"{set_controls[0]}..{set_controls[-1]}, awaiting Acme's 997.",
            highlight=False,
        )
        _show_segments(edi_810, title=f"{result.file_name} (first segments)")

        paid = _pay_two(sandbox, edi_810)
        remittance = _x12_remittance(paid, control=501)
        remittance_name = "ACME_820_20260301_0001.x12"
        (folder / partner.incoming_folder / remittance_name).write_text(remittance, newline="")
        console.print(f"Acme drops [bold]{remittance_name}[/], paying two of those invoices:")
        _show_segments(remittance.encode(), title=remittance_name)
        [outcome] = receive_payments(run)
        console.print(
            f"{remittance_name} -> [bold]{outcome.status}[/]: "
            f"{outcome.posted} payments posted, {outcome.rejected} rejected.",
            highlight=False,
        )
        _show_our_payments(sandbox, "Payments posted from the 820", marker="Acme 820 trace")
        for path in sorted((folder / partner.outgoing_folder).glob("997_*")):
            _show_segments(path.read_bytes(), title=f"Our 997 back to Acme: {path.name}")

        ack_name = f"ACME_997_{sent.interchange_control:09d}.x12"
        ack = _x12_acknowledgment(edi_810, control=502)
        (folder / partner.incoming_folder / ack_name).write_text(ack, newline="")
        console.print(f"Acme acknowledges our 810 with [bold]{ack_name}[/]:")
        _show_segments(ack.encode(), title=ack_name)
        for done in collect_acknowledgments(
            run.store,
            run.folders,
            partner.name,
            patterns=tuple(partner.ack_file_patterns),
            settle_seconds=0,
        ):
            console.print(
                f"Acks job: {done.name} -> {done.status}, {done.settled} acknowledgment(s) "
                "recorded.",
                highlight=False,
            )
        settled = run.store.sent_interchanges.get(sent.id)
    if settled is not None:
        console.print(
            f"Sent interchange {settled.interchange_control} ({result.file_name}): "
            f"[bold]{settled.verdict.status.value}[/], "
            f"{sum(s.verdict.status == settled.verdict.status for s in settled.sets)} of "
            f"{len(settled.sets)} sets {settled.verdict.status.value}.",
            highlight=False,
        )


def _x12_segments(data: bytes) -> list[str]:
    """The segments of an X12 text in order, split at the terminator its ISA declares."""
    text = data.decode("ascii")
    return [segment.strip() for segment in text.split(text[105]) if segment.strip()]


def _show_segments(data: bytes, *, title: str) -> None:
    segments = _x12_segments(data)
    console.print(f"[bold]{title}[/]")
    for segment in segments[:EDI_SHOWN_SEGMENTS]:
        console.print(f"  {escape(segment)}", highlight=False)
    if len(segments) > EDI_SHOWN_SEGMENTS:
        console.print(f"  ... and {len(segments) - EDI_SHOWN_SEGMENTS} more segments")


def _pay_two(sandbox: Sandbox, edi_810: bytes) -> list[tuple[str, str]]:
    """The partner pays what the first two invoices of the 810 that still owe something owe."""
    owed = _outstanding(sandbox)
    invoiced = [
        segment.split("*")[2] for segment in _x12_segments(edi_810) if segment.startswith("BIG*")
    ]
    paid = [(number, owed[number]) for number in invoiced if number in owed][:2]
    if len(paid) < 2:
        raise DemoStalled(
            "fewer than two invoices of the 810 still owe anything, so no 820 can pay two",
            hint="the sandbox's seed data should leave open invoices; check connector/sandbox",
        )
    return paid


def _x12_interchange(
    control: int, functional_code: str, set_code: str, sets: list[list[str]]
) -> str:
    """Acme's envelope around ``sets`` (each a list of segments, ST to SE excluded)."""
    now = datetime.now(UTC)
    body: list[str] = []
    for position, segments in enumerate(sets, start=1):
        st02 = f"{position:04d}"
        body += [f"ST*{set_code}*{st02}", *segments, f"SE*{len(segments) + 2}*{st02}"]
    lines = [
        "ISA*00*          *00*          *ZZ*ACMEDIST       *ZZ*SELLERCO       "
        f"*{now:%y%m%d}*{now:%H%M}*U*00401*{control:09d}*0*P*>",
        f"GS*{functional_code}*ACMEDIST*SELLERCO*{now:%Y%m%d}*{now:%H%M}*{control}*X*004010",
        *body,
        f"GE*{len(sets)}*{control}",
        f"IEA*1*{control:09d}",
    ]
    return "".join(f"{line}~\n" for line in lines)


def _x12_remittance(paid: list[tuple[str, str]], *, control: int) -> str:
    """One 820 paying ``paid`` (invoice number, amount) by ACH, as Acme's bank would send it."""
    total = sum(Decimal(amount) for _, amount in paid)
    return _x12_interchange(
        control,
        "RA",
        "820",
        [
            [
                f"BPR*C*{total:.2f}*C*ACH*CTX*01*999999999*DA*123456***01*888888888*DA*654321"
                f"*{datetime.now(UTC):%Y%m%d}",
                f"TRN*1*ACH{control}",
                "N1*PR*ACME DISTRIBUTION",
                "ENT*1",
                *(f"RMR*IV*{number}**{amount}" for number, amount in paid),
            ]
        ],
    )


def _x12_acknowledgment(edi_810: bytes, *, control: int) -> str:
    """Acme's 997 accepting every set of our 810, naming its GS06 and each ST02."""
    segments = [segment.split("*") for segment in _x12_segments(edi_810)]
    group = next(elements[6] for elements in segments if elements[0] == "GS")
    sets = [elements[2] for elements in segments if elements[0] == "ST"]
    body = [f"AK1*IN*{group}"]
    for st02 in sets:
        body += [f"AK2*810*{st02}", "AK5*A"]
    body.append(f"AK9*A*{len(sets)}*{len(sets)}*{len(sets)}")
    return _x12_interchange(control, "FA", "997", [body])


def _audit_trail() -> None:
    console.rule("8. The audit trail")
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
                *_plain(
                    row.file_name or "",
                    "" if row.row_number is None else str(row.row_number),
                    row.source_id or "",
                    row.target_id or "",
                    row.status,
                    row.message or "",
                )
            )
    console.print(audit)
    console.print(
        "The same trail from the command line: `ml-connector transfers list`, then "
        "`ml-connector transfers show ID`."
    )


def _show_callbacks(callbacks: list[CallbackStatus]) -> None:
    table = Table(title="Webhook callbacks registered with FreshBooks (one receiver path each)")
    for column in ("event", "callback id", "verified"):
        table.add_column(column)
    for callback in callbacks:
        table.add_row(
            *_plain(
                callback.event,
                "" if callback.callback_id is None else str(callback.callback_id),
                "yes" if callback.verified else "no",
            )
        )
    console.print(table)


def _edit_invoices(sandbox: Sandbox, numbers: list[str]) -> list[int]:
    """Edit the invoices as someone would in FreshBooks: each change is one webhook event."""
    by_number = {invoice.invoice_number: invoice.id for invoice in sandbox.state.invoices}
    ids = [by_number[number] for number in numbers if number in by_number]
    for position, invoice_id in enumerate(ids):
        sandbox.state.update_invoice(invoice_id, {"po_number": f"PO-{7100 + position}"})
    for position, invoice_id in enumerate(ids[:CORRECTED_INVOICES]):
        sandbox.state.update_invoice(invoice_id, {"po_number": f"PO-{7100 + position}-B"})
    return ids


def _await_deliveries(sandbox: Sandbox) -> list[Delivery]:
    """Wait until the sandbox has delivered every webhook; all of them must have landed."""
    sandbox.callbacks.wait_idle(DELIVERY_WAIT_S)
    deliveries = [d for d in sandbox.callbacks.deliveries if d.event != "callback.verify"]
    failed = [d for d in deliveries if d.outcome == GAVE_UP]
    if failed:
        raise DemoStalled(
            f"{len(failed)} webhook deliveries to the receiver failed (first: {failed[0].error})",
            hint="run the demo again; if it persists, something blocks loopback HTTP",
        )
    return deliveries


def _plain(*values: str) -> list[Text]:
    """Cells as plain text: FreshBooks notes carry `[ml-connector:KEY]`, which rich would
    otherwise take for markup and drop."""
    return [Text(value) for value in values]


def _invoice_numbers(sent_csv: bytes) -> list[str]:
    reader = csv.DictReader(io.StringIO(sent_csv.decode("utf-8-sig")))
    return list(dict.fromkeys(row["Invoice No"] for row in reader))


def _outstanding(sandbox: Sandbox) -> dict[str, str]:
    """What each invoice still owes, by number: the partner pays what it owes, no more."""
    return {
        invoice.invoice_number: f"{invoice.outstanding:.2f}"
        for invoice in sandbox.state.invoices
        if invoice.outstanding > 0
    }


def _remittances(sent_csv: bytes, owed: dict[str, str]) -> tuple[str, str]:
    """The partner's answer: pay what the first invoices sent still owe; the second file also
    pays a ghost."""
    numbers = [number for number in _invoice_numbers(sent_csv) if number in owed][:4]
    header = ["Invoice #", "Amount Paid", "Paid On", "Method", "Check No"]

    def render(rows: list[list[str]]) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue()

    good = [
        [number, owed[number], "2026-01-05", method, f"CHK{1000 + i}"]
        for i, (number, method) in enumerate(zip(numbers[:3], ["CHK", "ACH", "WIR"], strict=False))
    ]
    bad = [
        [numbers[3], owed[numbers[3]], "2026-01-06", "ACH", "CHK2001"],
        ["9999999", "10.00", "2026-01-06", "CHK", "CHK2002"],
    ]
    return render(good), render(bad)


def _show_csv(
    data: bytes, *, title: str, limit: int = 8, delimiter: str = ",", encoding: str = "utf-8-sig"
) -> None:
    rows = list(csv.reader(io.StringIO(data.decode(encoding)), delimiter=delimiter))
    if not rows:
        console.print(f"{title}: (empty)")
        return
    table = Table(title=title)
    for column in rows[0]:
        table.add_column(column)
    for row in rows[1 : limit + 1]:
        table.add_row(*_plain(*row))
    console.print(table)
    if len(rows) - 1 > limit:
        console.print(f"... and {len(rows) - 1 - limit} more rows")
