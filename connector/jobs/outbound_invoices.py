"""Invoices out: FreshBooks changes since the partner's cursor, mapped, archived, uploaded, audited.

The cursor moves only after the upload succeeded, so the next run repeats a failed one. Invoices the
mapping refused (a customer without a partner number, say) are remembered and fetched again by id
on every later run until they go out, so fixing the lookup is enough to send them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from connector.jobs.archive import Archive
from connector.jobs.context import PartnerRun
from connector.mapping import OutboundFile, RunContext
from connector.store import AuditRow

CURSOR = "invoices.updated"
RETRY = "invoices.refused"
SEQUENCE = "outbound.sequence"


@dataclass(frozen=True)
class OutboundResult:
    """What one run sent, for the flow's summary and the demo."""

    file_name: str | None
    rows: int
    invoices: int
    rejected: int
    transfer_id: int | None
    archive_url: str | None


def send_invoices(
    run: PartnerRun, archive: Archive, *, now: datetime | None = None
) -> OutboundResult:
    """Send one file with every invoice changed since the last successful run; nothing when none."""
    now = now or datetime.now(UTC)
    partner, store = run.partner.name, run.store
    cursor = store.cursors.get(partner, CURSOR)
    refused_before = json.loads(store.cursors.get(partner, RETRY) or "[]")
    invoices = _changed_invoices(run, cursor, refused_before)
    if not invoices:
        return OutboundResult(None, 0, 0, 0, None, None)

    # The sequence is spent before the file exists: a failed run leaves a gap, never a reused name.
    sequence = int(store.cursors.get(partner, SEQUENCE) or 0) + 1
    store.cursors.set(partner, SEQUENCE, str(sequence))
    out = run.mapping.outbound("invoice").render(
        invoices, RunContext(date=now, seq=sequence, partner=partner)
    )
    transfer_id = store.transfers.start(
        partner=partner,
        direction="outbound",
        document_kind="invoice",
        file_name=out.name,
        sha256=hashlib.sha256(out.content).hexdigest(),
        size=len(out.content),
    )
    archive_url = None
    if out.rows:
        archive_url = archive.keep(partner, out.name, out.content, now)
        remote_path = run.folders.upload(out.name, out.content)
        store.transfers.finish(
            transfer_id, "uploaded", remote_path=remote_path, archive_url=archive_url
        )
    else:
        message = f"nothing sent: the mapping refused all {len(out.rejected)} invoice(s)"
        store.transfers.finish(transfer_id, "error", message=message)
    store.audit.record(_audit_rows(partner, transfer_id, out))
    refused = sorted({int(problem.source_id) for problem in out.rejected if problem.source_id})
    store.cursors.set(partner, RETRY, json.dumps(refused))
    store.cursors.set(partner, CURSOR, max(str(invoice["updated"]) for invoice in invoices))
    return OutboundResult(
        out.name if out.rows else None,
        out.rows,
        len(invoices),
        len(out.rejected),
        transfer_id,
        archive_url,
    )


def _changed_invoices(run: PartnerRun, cursor: str | None, refused: list[int]) -> list[dict]:
    """Invoices updated after the cursor, and those refused last time.

    FreshBooks filters `updated_min` by whole days, so the API is asked from the cursor's day and
    the exact comparison on the `updated` timestamp is made here.
    """
    since: date | None = None
    if cursor:
        since = date.fromisoformat(cursor[:10])
    elif run.partner.start_date:
        since = run.partner.start_date
    invoices = run.freshbooks.invoices.iter(updated_min=since, include_lines=True)
    changed = {
        invoice["id"]: invoice
        for invoice in invoices
        if not cursor or str(invoice["updated"]) > cursor
    }
    missing = [invoice_id for invoice_id in refused if invoice_id not in changed]
    if missing:
        changed.update(
            (invoice["id"], invoice)
            for invoice in run.freshbooks.invoices.iter(ids=missing, include_lines=True)
        )
    return list(changed.values())


def _audit_rows(partner: str, transfer_id: int, out: OutboundFile) -> list[AuditRow]:
    sent = [
        AuditRow(
            transfer_id=transfer_id,
            partner=partner,
            direction="outbound",
            document_kind="invoice",
            source_id=str(source.source_id),
            file_name=out.name,
            row_number=source.row_number,
            status="sent",
        )
        for source in out.sources
    ]
    refused = [
        AuditRow(
            transfer_id=transfer_id,
            partner=partner,
            direction="outbound",
            document_kind="invoice",
            source_id=problem.source_id,
            file_name=None,
            row_number=None,
            status="rejected",
            message=problem.message,
        )
        for problem in out.rejected
    ]
    return sent + refused
