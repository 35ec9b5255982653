"""Documents out (invoices, bills): FreshBooks changes mapped, archived, uploaded and audited.

What changed comes from ``changes``: the webhook buffer, the records the mapping refused last
time (fetched again by id every run until they go out, so fixing a lookup is enough to send
them), and now and then a catch-up scan. Everything is marked done only after the upload: a
failed run leaves its events pending and its records unsettled, and the next run sends them.

A deleted record goes to the partner only when the mapping reads ``<document>.vis_state`` (in
a column, its filter or a rule): then the mapping decides what the partner sees. Otherwise the
partner is not told, and the audit trail says so.

An EDI file carries control numbers from the partner's counters in the state store, is read back
and checked against its version's spec before it goes out (see ``_render_edi``), and once
uploaded is recorded under those numbers, so the acks flow can match the partner's 997 or
CONTRL to it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from connector.formats import ControlNumbers, SegmentFormat
from connector.jobs.archive import Archive
from connector.jobs.changes import (
    DEFAULT_MAX_EVENTS,
    CatchUp,
    ChangeSet,
    find_changes,
    settle,
    source_for,
)
from connector.jobs.context import PartnerRun
from connector.jobs.edi_acks import (
    OwnFileUnreadable,
    OwnInterchange,
    check_written,
    segment_format,
)
from connector.mapping import OutboundFile, OutboundSection, RowProblem, RunContext
from connector.mapping.templates import render_file_name
from connector.store import AuditRow

SEQUENCE = "outbound.sequence"
DELETION_FIELD = "vis_state"


@dataclass(frozen=True)
class OutboundResult:
    """What one run sent, for the flow's summary and the demo."""

    kind: str
    file_name: str | None
    rows: int
    records: int
    rejected: int
    not_sent_deleted: int
    events: int
    transfer_id: int | None
    archive_url: str | None
    foreign_events: int
    """Events drained that belong to another FreshBooks account: passed over."""


def send_documents(
    run: PartnerRun,
    archive: Archive,
    kind: str,
    *,
    now: datetime | None = None,
    catch_up: CatchUp | None = None,
    max_events: int = DEFAULT_MAX_EVENTS,
) -> OutboundResult:
    """Send one file with every ``kind`` record changed since it was last sent; none if none."""
    now = now or datetime.now(UTC)
    source = source_for(kind)
    section = run.mapping.outbound(kind)
    partner, store = run.partner.name, run.store
    retry_cursor = f"{source.plural}.refused"
    changes = find_changes(
        run.freshbooks,
        store,
        partner,
        source,
        retry_ids=json.loads(store.cursors.get(partner, retry_cursor) or "[]"),
        start_date=run.partner.start_date,
        catch_up=catch_up,
        now=now,
        max_events=max_events,
    )
    if changes.empty:
        settle(store, partner, changes, {}, None)
        return OutboundResult(
            kind, None, 0, 0, 0, 0, len(changes.events), None, None, len(changes.foreign)
        )

    tells_deletions = section.reads(DELETION_FIELD)
    to_map = changes.changed + (changes.deleted if tells_deletions else [])
    untold = [] if tells_deletions else changes.deleted

    # The sequence is spent before the file exists: a failed run leaves a gap, never a reused name.
    sequence = int(store.cursors.get(partner, SEQUENCE) or 0) + 1
    store.cursors.set(partner, SEQUENCE, str(sequence))
    context = RunContext(date=now, seq=sequence, partner=partner)
    edi = segment_format(section)
    own: OwnInterchange | None = None
    if edi is not None and to_map:
        try:
            out, own = _render_edi(run, section, edi, to_map, context)
        except OwnFileUnreadable as error:
            _refuse_file(run, kind, render_file_name(section.file_template, context), error)
            raise
    else:
        out = section.render(to_map, context) if to_map else None
    name = out.name if out else render_file_name(section.file_template, context)
    content = out.content if out else b""
    transfer_id = store.transfers.start(
        partner=partner,
        direction="outbound",
        document_kind=kind,
        file_name=name,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )
    archive_url = _deliver(run, archive, transfer_id, out, changes, len(untold), now)
    if own is not None:
        # Uploaded (a failed upload raised): kept under its numbers for the partner's 997.
        store.sent_interchanges.record(
            partner,
            own.standard,
            interchange_control=own.interchange_control,
            group_control=own.group_control,
            functional_code=own.functional_code,
            sets=own.sets,
            transfer_id=transfer_id,
        )

    refused = sorted({int(problem.source_id) for problem in _rejected(out) if problem.source_id})
    audit = _Audit(partner, kind, transfer_id, name)
    store.audit.record(
        [
            *audit.sent(out),
            *audit.rejected(out),
            *audit.warned(out),
            *audit.untold(untold),
            *audit.vanished(changes.vanished),
        ]
    )
    versions = {
        str(record["id"]): source.version(record)
        for record in [*to_map, *untold]
        if int(record["id"]) not in refused
    }
    store.cursors.set(partner, retry_cursor, json.dumps(refused))
    settle(store, partner, changes, versions, transfer_id)
    return OutboundResult(
        kind,
        name if out and out.rows else None,
        out.rows if out else 0,
        len(to_map),
        len(refused),
        len(untold),
        len(changes.events),
        transfer_id,
        archive_url,
        len(changes.foreign),
    )


def _render_edi(
    run: PartnerRun,
    section: OutboundSection,
    fmt: SegmentFormat,
    records: list[dict[str, Any]],
    context: RunContext,
) -> tuple[OutboundFile, OwnInterchange | None]:
    """Render an EDI file under control numbers from the partner's counters, read it back and
    check it against the spec of its version.

    The block is allocated for as many sets as there are records (a record makes at most one
    set), so the numbers never repeat; those the file leaves unused are a gap, which partners
    accept. A record whose set breaks the spec is refused like one the mapping refuses (and
    retried every run until it goes out), and the others are rendered again under the same
    numbers, which no file has carried yet. A fault of the envelope itself refuses the file.
    """
    partner = run.partner.name
    block = run.store.control_numbers.allocate_block(
        partner, fmt.name, len(records), group=fmt.name == "x12"
    )
    # EDIFACT without UNG has no group number: its writer takes none.
    controls = ControlNumbers(block.interchange, block.group or 0, block.first_set)
    numbered = replace(context, controls=controls)
    refused: list[RowProblem] = []
    while True:
        out = section.render(records, numbered)
        if not out.rows:
            return replace(out, rejected=[*out.rejected, *refused]), None
        own = check_written(fmt, out.content, out.name, run.partner.guide_paths())
        if not own.faults:
            return replace(out, rejected=[*out.rejected, *refused]), own
        faulty: set[str] = set()
        for position, why in own.faults.items():
            source_id = out.sources[position].source_id
            faulty.add(source_id)
            control, code = own.sets[position]
            refused.append(
                RowProblem(
                    out.name,
                    position + 1,
                    None,
                    None,
                    f"not sent: the {fmt.name} {code} written for it breaks the spec "
                    f"(set {control}): {why}",
                    source_id,
                )
            )
        records = [record for record in records if str(record["id"]) not in faulty]


def _refuse_file(run: PartnerRun, kind: str, name: str, error: OwnFileUnreadable) -> None:
    """Keep a file our own checks refused in the transfers and the audit trail; nothing is
    settled, so its records go out with the next run once the fault is fixed."""
    store, partner = run.store, run.partner.name
    transfer_id = store.transfers.start(partner, "outbound", kind, name)
    store.transfers.finish(transfer_id, "error", message=f"not sent: {error.message}")
    store.audit.record(_Audit(partner, kind, transfer_id, name).refused(str(error)))


def _deliver(
    run: PartnerRun,
    archive: Archive,
    transfer_id: int,
    out: OutboundFile | None,
    changes: ChangeSet,
    untold: int,
    now: datetime,
) -> str | None:
    """Archive and upload the file, or close the transfer saying why nothing went out.

    A failed upload closes the transfer as an error and propagates: nothing is settled, so
    the events stay pending and the next run sends the records again.
    """
    store, partner = run.store, run.partner.name
    if out is None or not out.rows:
        rejected = len(out.rejected) if out else 0
        if rejected:
            message = f"nothing sent: the mapping refused all {rejected} record(s)"
        else:
            message = (
                f"nothing sent: {len(changes.changed)} changed record(s) left out by the "
                f"mapping, {untold} deleted one(s) the mapping cannot report, "
                f"{len(changes.vanished)} no longer in FreshBooks"
            )
        store.transfers.finish(transfer_id, "error" if rejected else "processed", message=message)
        return None
    try:
        archive_url = archive.keep(partner, out.name, out.content, now)
        remote_path = run.folders.upload(out.name, out.content)
    except Exception as error:
        store.transfers.finish(transfer_id, "error", message=f"upload failed: {error}")
        raise
    store.transfers.finish(
        transfer_id, "uploaded", remote_path=remote_path, archive_url=archive_url
    )
    return archive_url


def _rejected(out: OutboundFile | None) -> list[RowProblem]:
    return out.rejected if out else []


@dataclass(frozen=True)
class _Audit:
    """The audit rows of one outbound transfer."""

    partner: str
    kind: str
    transfer_id: int
    file_name: str

    def _row(self, source_id: str | None, status: str, **fields: Any) -> AuditRow:
        return AuditRow(
            transfer_id=self.transfer_id,
            partner=self.partner,
            direction="outbound",
            document_kind=self.kind,
            source_id=source_id,
            status=status,
            **fields,
        )

    def sent(self, out: OutboundFile | None) -> list[AuditRow]:
        if out is None or not out.rows:
            return []
        return [
            self._row(
                str(source.source_id),
                "sent",
                file_name=out.name,
                row_number=source.row_number,
            )
            for source in out.sources
        ]

    def rejected(self, out: OutboundFile | None) -> list[AuditRow]:
        return [
            self._row(problem.source_id, "rejected", message=problem.message)
            for problem in _rejected(out)
        ]

    def warned(self, out: OutboundFile | None) -> list[AuditRow]:
        """Sent, with something to know: a `warn` rule, or X12 data cleaned of a delimiter."""
        if out is None or not out.rows:
            return []
        return [
            self._row(problem.source_id, "warning", file_name=out.name, message=str(problem))
            for problem in out.warnings
        ]

    def refused(self, message: str) -> list[AuditRow]:
        """The whole file refused, for a reason no one record is to blame for."""
        return [self._row(None, "rejected", message=message)]

    def untold(self, records: list[dict[str, Any]]) -> list[AuditRow]:
        message = (
            f"deleted in FreshBooks; not sent, because the mapping does not read "
            f"{self.kind}.{DELETION_FIELD} and so cannot tell the partner"
        )
        return [self._row(str(record["id"]), "skipped", message=message) for record in records]

    def vanished(self, ids: list[str]) -> list[AuditRow]:
        message = f"FreshBooks no longer has this {self.kind}, not even as deleted; not sent"
        return [self._row(record_id, "skipped", message=message) for record_id in ids]
