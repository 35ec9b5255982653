"""Remittances in: claim each new partner file, post one FreshBooks payment per valid row, file it.

Every payment goes through the postings ledger: its key (partner, file sha256, row) is reserved
before the API call and marked posted after it, and the key travels in the payment's note. A crash
anywhere and a rerun therefore never post a row twice: a key reserved by an earlier run is
reconciled against FreshBooks before anything is sent again.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from connector.errors import DataError
from connector.freshbooks.errors import FreshBooksError, ValidationFailed, WriteOutcomeUnknown
from connector.jobs.context import PartnerRun
from connector.mapping import InboundRecord, RowProblem
from connector.store import AuditRow
from connector.transport import ClaimedFile

KEY_MARK = "ml-connector:"


@dataclass(frozen=True)
class FileOutcome:
    """How one partner file ended."""

    name: str
    status: str  # "processed" or "error"
    posted: int = 0
    duplicates: int = 0
    rejected: int = 0
    warnings: int = 0
    moved_to: str = ""
    report: str | None = None


@dataclass
class _FileRun:
    """The rows of one file as they are settled: the audit trail and the error report."""

    claimed: ClaimedFile
    sha256: str
    transfer_id: int
    posted: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)


def receive_payments(run: PartnerRun) -> list[FileOutcome]:
    """Process each complete remittance file dropped, and any a crashed run left claimed."""
    section = run.mapping.inbound("payment")
    claimed = list(run.folders.list_claimed(older_than=run.partner.reclaim_after_seconds))
    for remote in run.folders.list_new(settle_seconds=run.partner.settle_seconds):
        if section.matches(remote.name):
            taken = run.folders.claim(remote)
            if taken is not None:
                claimed.append(taken)
    return [process_file(run, file) for file in claimed]


def process_file(run: PartnerRun, claimed: ClaimedFile) -> FileOutcome:
    """Post one claimed file's payments and move it to processed/ or error/ with a report.

    The file is copied to a local temp file and mapped in batches, so memory follows the batch,
    not the file. Its file rules (`reject file when ...`) are decided in a first pass, before
    anything is posted: a file they refuse posts nothing.
    """
    section = run.mapping.inbound("payment")
    with tempfile.TemporaryDirectory(prefix="ml-connector-") as folder:
        local = run.folders.download(claimed, Path(folder) / "claimed")
        sha256, size = _digest(local)
        transfer_id = run.store.transfers.start(
            partner=run.partner.name,
            direction="inbound",
            document_kind="payment",
            file_name=claimed.name,
            sha256=sha256,
            size=size,
        )
        state = _FileRun(claimed, sha256, transfer_id)
        invoices: dict[str, dict | None] = {}
        try:
            section.check_file_rules(local, claimed.name)
            for batch in section.iter_batches(local, claimed.name):
                state.rejected.extend(batch.rejected)
                state.warnings.extend(batch.warnings)
                _find_invoices(run, batch.records, invoices)
                for record in batch.records:
                    number = str(record.values["invoice_number"])
                    _settle_row(run, state, record, invoices[number])
        except DataError as error:
            return _finish(run, state, file_error=str(error))
    return _finish(run, state)


def _digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _find_invoices(
    run: PartnerRun, records: list[InboundRecord], known: dict[str, dict | None]
) -> None:
    """Look up each invoice number once per file, however many batches name it."""
    for number in sorted({str(record.values["invoice_number"]) for record in records}):
        if number not in known:
            known[number] = run.freshbooks.invoices.find_by_number(number)


def _settle_row(
    run: PartnerRun, state: _FileRun, record: InboundRecord, invoice: dict | None
) -> None:
    values = record.values
    file_name = state.claimed.name

    def reject(message: str, column: str = "invoice_number") -> None:
        state.rejected.append(
            RowProblem(file_name, record.row_number, column, str(values.get(column)), message)
        )

    if invoice is None:
        reject(f"no FreshBooks invoice numbered {values['invoice_number']!r}")
        return
    invoice_currency = invoice.get("currency_code")
    if values.get("currency") and invoice_currency and values["currency"] != invoice_currency:
        reject(
            f"payment in {values['currency']} for invoice {values['invoice_number']} "
            f"billed in {invoice_currency}",
            column="currency",
        )
        return

    key = f"{run.partner.name}:{state.sha256[:16]}:{record.row_number}"
    note = f"{values.get('note') or ''} [{KEY_MARK}{key}]".strip()
    request = {
        "invoiceid": int(invoice["id"]),
        "amount": str(Decimal(values["amount"]).quantize(Decimal("0.01"))),
        "date": values["date"].isoformat(),
        "type": values["type"],
        "note": note,
    }
    entry = run.store.ledger.reserve(
        key,
        partner=run.partner.name,
        kind="payment",
        transfer_id=state.transfer_id,
        request=request,
    )
    settled = {"row": record.row_number, "invoice": values["invoice_number"], "key": key}
    if entry.state == "posted":
        state.duplicates.append({**settled, "payment_id": entry.freshbooks_id})
        return
    if entry.transfer_id != state.transfer_id:
        # Reserved by an earlier run that crashed or failed: FreshBooks may have the payment.
        found = _reconcile(run, request["invoiceid"], key)
        if found is not None:
            run.store.ledger.mark_posted(key, str(found))
            state.duplicates.append({**settled, "payment_id": found})
            return
    try:
        payment = run.freshbooks.payments.create(
            invoiceid=request["invoiceid"],
            amount=Decimal(request["amount"]),
            date=values["date"],
            type=request["type"],
            note=note,
        )
    except WriteOutcomeUnknown as error:
        found = _reconcile(run, request["invoiceid"], key)
        if found is None:
            run.store.ledger.mark_failed(key, str(error))
            reject(f"FreshBooks did not confirm the payment; not posted: {error.message}", "amount")
            return
        payment = {"id": found}
    except ValidationFailed as error:
        run.store.ledger.mark_failed(key, str(error))
        reject(f"FreshBooks refused the payment: {error.message}", error.field or "amount")
        return
    except FreshBooksError as error:
        run.store.ledger.mark_failed(key, str(error))
        reject(f"FreshBooks unreachable, payment not posted: {error.message}", "amount")
        return
    run.store.ledger.mark_posted(key, str(payment["id"]))
    state.posted.append({**settled, "payment_id": payment["id"]})


def _reconcile(run: PartnerRun, invoiceid: int, key: str) -> int | None:
    """Find a payment an earlier attempt made: its note carries the idempotency key."""
    for payment in run.freshbooks.payments.iter(invoiceid=invoiceid):
        if f"{KEY_MARK}{key}]" in (payment.get("note") or ""):
            return int(payment["id"])
    return None


def _finish(run: PartnerRun, state: _FileRun, file_error: str | None = None) -> FileOutcome:
    partner, name = run.partner.name, state.claimed.name
    rows = [
        _audit(state, partner, row["row"], "posted", target_id=str(row["payment_id"]))
        for row in state.posted
    ]
    rows += [
        _audit(state, partner, row["row"], "duplicate", target_id=str(row["payment_id"]))
        for row in state.duplicates
    ]
    rows += [
        _audit(state, partner, p.row_number, "rejected", message=_say(p)) for p in state.rejected
    ]
    rows += [
        _audit(state, partner, p.row_number, "warning", message=_say(p)) for p in state.warnings
    ]
    if file_error:
        rows.append(_audit(state, partner, None, "rejected", message=file_error))
    run.store.audit.record(rows)

    failed = bool(file_error or state.rejected)
    counts = {
        "posted": len(state.posted),
        "duplicates": len(state.duplicates),
        "rejected": len(state.rejected),
        "warnings": len(state.warnings),
    }
    if not failed:
        moved_to = run.folders.move_to_processed(state.claimed)
        run.store.transfers.finish(state.transfer_id, "processed", remote_path=moved_to)
        return FileOutcome(name, "processed", moved_to=moved_to, **counts)

    report = {
        "file": name,
        "partner": partner,
        "sha256": state.sha256,
        "transfer_id": state.transfer_id,
        "error": file_error,
        "rejected": [asdict(problem) for problem in state.rejected],
        "posted": state.posted + state.duplicates,
        "warnings": [asdict(problem) for problem in state.warnings],
        "what_to_do": (
            "Rows listed under 'posted' are in FreshBooks and will not be posted again. Fix the "
            "rejected rows (or the invoice they name) and replay this file, or ask the partner "
            "for a corrected file."
        ),
    }
    body = json.dumps(report, indent=2, default=str).encode()
    moved_to = run.folders.move_to_error(state.claimed, body)
    status = "partially_posted" if state.posted else "error"
    message = file_error or f"{len(state.rejected)} row(s) rejected"
    run.store.transfers.finish(state.transfer_id, status, message=message, remote_path=moved_to)
    return FileOutcome(name, "error", moved_to=moved_to, report=moved_to + ".error.json", **counts)


def _audit(
    state: _FileRun,
    partner: str,
    row: int | None,
    status: str,
    *,
    target_id: str | None = None,
    message: str | None = None,
) -> AuditRow:
    return AuditRow(
        transfer_id=state.transfer_id,
        partner=partner,
        direction="inbound",
        document_kind="payment",
        source_id=f"{state.claimed.name}#{row}" if row is not None else state.claimed.name,
        target_id=target_id,
        file_name=state.claimed.name,
        row_number=row,
        status=status,
        message=message,
    )


def _say(problem: RowProblem) -> str:
    return f"{problem.column}={problem.value!r}: {problem.message}"
