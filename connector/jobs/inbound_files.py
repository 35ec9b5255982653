"""Partner files in, FreshBooks postings out: the pipeline every inbound document kind shares.

A kind (payments, bill payments, journal entries) supplies a ``Poster``: how to look its targets
up once per file, how to turn a record into a request and what makes it the same posting, how to
send it and how to find it again. This module does the rest: claim, download, file rules, batches,
the postings ledger, the audit trail, and processed/ or error/ with a report.

Nothing is posted twice. Each posting's key is reserved in the ledger before the call and travels
in the record FreshBooks keeps (``[ml-connector:KEY]`` in a note or name). The key is the partner,
the kind and a digest of what the row says (see ``Poster.plan``), numbered when a file repeats the
same row, and not the file's digest: a corrected file that repeats rows already posted finds them
in the ledger and marks them duplicate. A write whose answer was lost (WriteOutcomeUnknown) and a
key an earlier run left pending are both reconciled (looked up by key) before anything is sent.

Rows of a batch are sent concurrently under an AdaptiveLimiter; everything else (the ledger, the
audit trail) happens on the calling thread in row order, so concurrency changes no outcome. The
limiter hears of every 429 the client's transport waits through, so throttling shrinks the window
at once, not only when a call runs out of retries.

An EDI file is judged first (``edi_acks.judge_file``): rows of a set, group or interchange the
judgment rejects are refused with its reasons and nothing of them is posted, and the file's
acknowledgments (997, TA1, CONTRL) are uploaded before it moves to processed/ or error/.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

from connector.errors import ConfigurationError, ConnectorError, DataError
from connector.freshbooks.concurrency import AdaptiveLimiter
from connector.freshbooks.errors import FreshBooksError, ValidationFailed, WriteOutcomeUnknown
from connector.freshbooks.money import CENT
from connector.jobs.context import PartnerRun
from connector.jobs.edi_acks import JudgedFile, acknowledge, judge_file, segment_format
from connector.mapping import InboundRecord, InboundSection, RowProblem
from connector.store import AuditRow
from connector.transport import ClaimedFile, PartnerFolders

KEY_MARK = "ml-connector:"
SENDS_PER_POSTING = 2
"""A posting whose answer was lost and that reconciliation did not find is sent once more."""

T = TypeVar("T")
U = TypeVar("U")


def tagged(text: str | None, key: str) -> str:
    """``text`` with the key appended, as it is stored in FreshBooks."""
    return f"{text or ''} [{KEY_MARK}{key}]".strip()


def carries(text: str | None, key: str) -> bool:
    return f"[{KEY_MARK}{key}]" in (text or "")


def money(value: Any) -> Decimal:
    """An amount to the cent, as every kind compares, keys and sends it."""
    return Decimal(value).quantize(CENT)


@dataclass(frozen=True)
class Posting:
    """One record ready to send: its key, the request the ledger keeps, what the audit says."""

    row_number: int
    label: str
    """What the row names (an invoice or bill number, an entry): for the report and the audit."""
    key: str
    request: dict[str, Any]
    remark: str | None = None


@dataclass(frozen=True)
class Sent:
    """A posting FreshBooks has: the id it gave, and anything the audit should add."""

    freshbooks_id: str
    remark: str | None = None


class Calls:
    """The thread pool and limiter a run shares: posters use ``map`` for their look-ups."""

    def __init__(self, limiter: AdaptiveLimiter) -> None:
        self.limiter = limiter
        self._pool = ThreadPoolExecutor(limiter.maximum, thread_name_prefix="freshbooks")

    def submit(self, call: Callable[[], T]) -> Future[T]:
        return self._pool.submit(self.limiter.run, call)

    def map(self, call: Callable[[T], U], items: Iterable[T]) -> list[U]:
        """``call`` on every item concurrently; the answers in the items' order."""
        futures = [self.submit(lambda item=item: call(item)) for item in items]
        return [future.result() for future in futures]

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class Poster(Protocol):
    """One document kind's part of the pipeline; one instance per file, so it may cache."""

    whole_file: bool
    """True when one bad record refuses the file and nothing in it is posted."""

    def look_up(self, records: Sequence[InboundRecord], calls: Calls) -> None:
        """Fetch what the records name (invoices, bills, accounts), each once per file."""

    def plan(self, record: InboundRecord, key_for: Callable[..., str]) -> Posting | RowProblem:
        """The posting for a record, or why it cannot be posted. ``key_for(*identity)`` gives
        the key of a posting identified by those values: what the row says, not where it is."""

    def admit(self, posting: Posting) -> Posting | RowProblem:
        """Last checks of a posting that is not a duplicate (in row order): balances, remarks."""

    def send(self, posting: Posting) -> Sent:
        """Create the record in FreshBooks; raises the client's errors."""

    def find(self, posting: Posting) -> str | None:
        """The id of the record FreshBooks has under the posting's key, if any."""


class FilePoster:
    """What every kind's poster shares: its run and file, how it words a row's problem, and the
    receiver that runs this pipeline with it. A kind names itself in ``kind`` and adds the rest
    of ``Poster``."""

    kind: ClassVar[str]
    whole_file = False

    def __init__(self, run: PartnerRun, file_name: str) -> None:
        self._run = run
        self._file_name = file_name

    @classmethod
    def receive(cls, run: PartnerRun, limiter: AdaptiveLimiter | None = None) -> list[FileOutcome]:
        """Process each complete file of this kind dropped, and any a crashed run left claimed."""
        return receive_files(run, cls.kind, cls, limiter)

    def admit(self, posting: Posting) -> Posting | RowProblem:
        """No last check: a kind that keeps running balances overrides this."""
        return posting

    def problem(self, row: int, column: str, value: Any, message: str) -> RowProblem:
        return RowProblem(self._file_name, row, column, str(value), message)


@dataclass(frozen=True)
class FileOutcome:
    """How one partner file ended."""

    name: str
    kind: str
    status: str  # "processed" or "error"
    posted: int = 0
    duplicates: int = 0
    rejected: int = 0
    warnings: int = 0
    moved_to: str = ""
    report: str | None = None
    acknowledgments: list[str] = field(default_factory=list)
    """Where the 997s, TA1s or CONTRLs answering an EDI file were uploaded."""


@dataclass
class _FileRun:
    """The rows of one file as they are settled: the audit trail and the error report."""

    kind: str
    claimed: ClaimedFile
    sha256: str
    transfer_id: int
    posted: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    seen: Counter[str] = field(default_factory=Counter)

    def reject(self, posting: Posting, column: str, message: str) -> None:
        self.rejected.append(
            RowProblem(self.claimed.name, posting.row_number, column, posting.label, message)
        )


PosterFactory = Callable[[PartnerRun, str], Poster]
"""Makes the poster of one file, given the run and the file's name."""


def receive_files(
    run: PartnerRun,
    kind: str,
    new_poster: PosterFactory,
    limiter: AdaptiveLimiter | None = None,
) -> list[FileOutcome]:
    """Process each complete file of ``kind`` dropped, and any a crashed run left claimed."""
    claimed = claim_files(
        run.folders,
        _file_filter(run, run.mapping.inbound(kind)),
        settle_seconds=run.partner.settle_seconds,
        reclaim_after_seconds=run.partner.reclaim_after_seconds,
    )
    calls = Calls(limiter or AdaptiveLimiter())
    try:
        with run.freshbooks.throttling.observed_by(calls.limiter.throttled):
            return [
                process_file(run, kind, file, new_poster(run, file.name), calls) for file in claimed
            ]
    finally:
        calls.close()


def claim_files(
    folders: PartnerFolders,
    wanted: Callable[[str], bool],
    *,
    settle_seconds: float,
    reclaim_after_seconds: float,
) -> list[ClaimedFile]:
    """Claim the wanted files dropped, after those a crashed run left claimed long enough ago."""
    claimed = [
        file for file in folders.list_claimed(older_than=reclaim_after_seconds) if wanted(file.name)
    ]
    for remote in folders.list_new(settle_seconds=settle_seconds):
        if wanted(remote.name):
            taken = folders.claim(remote)
            if taken is not None:
                claimed.append(taken)
    return claimed


def _file_filter(run: PartnerRun, section: InboundSection) -> Callable[[str], bool]:
    """The section's files; for an EDI section, never the partner's acknowledgments, which the
    acks flow takes even where a broad pattern (``*.x12``) would match them too."""
    if segment_format(section) is None:
        return section.matches
    return lambda name: section.matches(name) and not run.partner.is_acknowledgment_file(name)


def process_file(
    run: PartnerRun, kind: str, claimed: ClaimedFile, poster: Poster, calls: Calls
) -> FileOutcome:
    """Post one claimed file and move it to processed/ or error/ with a report.

    The file is mapped in batches, so memory follows the batch. File rules are decided in a first
    pass, so a file they refuse posts nothing; a ``whole_file`` poster also sees every record
    planned before any is sent.
    """
    section = run.mapping.inbound(kind)
    edi = segment_format(section)
    judged: JudgedFile | None = None
    with tempfile.TemporaryDirectory(prefix="ml-connector-") as folder:
        local = run.folders.download(claimed, Path(folder) / "claimed")
        sha256, size = _digest(local)
        transfer_id = run.store.transfers.start(
            partner=run.partner.name,
            direction="inbound",
            document_kind=kind,
            file_name=claimed.name,
            sha256=sha256,
            size=size,
        )
        state = _FileRun(kind, claimed, sha256, transfer_id)
        held: list[Posting] = []
        try:
            if edi is not None:
                judged = judge_file(
                    edi,
                    local.read_bytes(),
                    claimed.name,
                    run.partner.guide_paths(),
                    run.partner.ack_tolerated,
                )
                state.warnings.extend(judged.warnings)
            section.check_file_rules(local, claimed.name)
            for batch in section.iter_batches(local, claimed.name):
                state.rejected.extend(batch.rejected)
                state.warnings.extend(batch.warnings)
                records = batch.records
                if judged is not None:
                    records = judged.admitted(records, state.rejected)
                poster.look_up(records, calls)
                ready = _planned(run, state, poster, records)
                if poster.whole_file:
                    held.extend(ready)
                else:
                    _send_all(run, state, poster, calls, ready)
            if held and not state.rejected:
                _send_all(run, state, poster, calls, held)
        except DataError as error:
            return _finish(run, state, judged, file_error=str(error))
    if held and state.rejected:
        return _finish(run, state, judged, file_error=_nothing_posted(state, len(held)))
    return _finish(run, state, judged)


def _nothing_posted(state: _FileRun, count: int) -> str:
    rows = ", ".join(str(row) for row in sorted({p.row_number for p in state.rejected}))
    return (
        f"{state.claimed.name}: nothing was posted: {len(state.rejected)} problem(s) at "
        f"row(s) {rows} refuse the whole file ({count} good record(s) held back)"
    )


def _digest(path: Path) -> tuple[str, int]:
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
    return digest.hexdigest(), path.stat().st_size


def _planned(
    run: PartnerRun, state: _FileRun, poster: Poster, records: Sequence[InboundRecord]
) -> list[Posting]:
    """Plan each record in row order, settle those the ledger already knows, admit the rest."""

    def key_for(*identity: Any) -> str:
        text = json.dumps([str(value) for value in identity], ensure_ascii=False)
        state.seen[text] += 1
        digest = hashlib.sha256(f"{text}#{state.seen[text]}".encode()).hexdigest()[:20]
        return f"{run.partner.name}:{state.kind}:{digest}"

    ready = []
    for record in records:
        planned = poster.plan(record, key_for)
        if isinstance(planned, RowProblem):
            state.rejected.append(planned)
            continue
        known = run.store.ledger.get(planned.key)
        found = _known_id(run, poster, planned, known)
        if found is not None:
            state.duplicates.append(_settled(planned, found))
            continue
        admitted = poster.admit(planned)
        if isinstance(admitted, RowProblem):
            state.rejected.append(admitted)
            continue
        ready.append(admitted)
    return ready


def _known_id(run: PartnerRun, poster: Poster, posting: Posting, known: Any) -> str | None:
    """The FreshBooks id of a posting an earlier run made, reconciling a key it left unsettled."""
    if known is None:
        return None
    if known.state == "posted":
        return known.freshbooks_id
    found = poster.find(posting)
    if found is not None:
        run.store.ledger.mark_posted(posting.key, found)
    return found


def _send_all(
    run: PartnerRun, state: _FileRun, poster: Poster, calls: Calls, postings: list[Posting]
) -> None:
    """Reserve every key, send concurrently, then settle the ledger and audit in row order."""
    for posting in postings:
        run.store.ledger.reserve(
            posting.key,
            partner=run.partner.name,
            kind=state.kind,
            transfer_id=state.transfer_id,
            request=posting.request,
        )
    futures = [calls.submit(lambda p=posting: _attempt(poster, p)) for posting in postings]
    for posting, future in zip(postings, futures, strict=True):
        try:
            sent = future.result()
        except ConfigurationError:
            # ReauthorizationRequired and the like stop the run; the pending keys are
            # reconciled by the next one.
            raise
        except WriteOutcomeUnknown as error:
            _failed(
                run, state, posting, "amount", f"FreshBooks did not confirm it: {error.message}"
            )
        except ValidationFailed as error:
            _failed(
                run,
                state,
                posting,
                error.field or "amount",
                f"FreshBooks refused it: {error.reason}",
            )
        except FreshBooksError as error:
            _failed(run, state, posting, "amount", f"FreshBooks unreachable: {error.message}")
        else:
            run.store.ledger.mark_posted(posting.key, sent.freshbooks_id)
            remark = "; ".join(text for text in (posting.remark, sent.remark) if text) or None
            state.posted.append({**_settled(posting, sent.freshbooks_id), "remark": remark})


def _attempt(poster: Poster, posting: Posting) -> Sent:
    """Send; when the answer is lost, look for the record by key before sending it again."""
    sends = 0
    while True:
        sends += 1
        try:
            return poster.send(posting)
        except WriteOutcomeUnknown:
            found = poster.find(posting)
            if found is not None:
                return Sent(found, "FreshBooks' answer was lost; found by its key")
            if sends >= SENDS_PER_POSTING:
                raise


def _failed(run: PartnerRun, state: _FileRun, posting: Posting, column: str, why: str) -> None:
    run.store.ledger.mark_failed(posting.key, why)
    state.reject(posting, column, f"not posted: {why}")


def _settled(posting: Posting, freshbooks_id: str) -> dict[str, Any]:
    return {
        "row": posting.row_number,
        "document": posting.label,
        "key": posting.key,
        "freshbooks_id": freshbooks_id,
    }


def _finish(
    run: PartnerRun,
    state: _FileRun,
    judged: JudgedFile | None = None,
    file_error: str | None = None,
) -> FileOutcome:
    """Audit the file's rows, acknowledge an EDI file, then move the file on with a report.

    The acknowledgments go out before the file moves: when their upload fails the file goes
    back to the incoming folder and the error propagates, so the next run answers it (and finds
    what this one posted in the ledger, posting nothing twice).
    """
    partner, name = run.partner.name, state.claimed.name
    rows = [
        _audit(state, partner, row["row"], "posted", row["freshbooks_id"], row["remark"])
        for row in state.posted
    ]
    rows += [
        _audit(state, partner, row["row"], "duplicate", row["freshbooks_id"])
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
    acknowledged = _acknowledged(run, state, judged)

    counts = {
        "posted": len(state.posted),
        "duplicates": len(state.duplicates),
        "rejected": len(state.rejected),
        "warnings": len(state.warnings),
        "acknowledgments": acknowledged,
    }
    if not (file_error or state.rejected):
        moved_to = run.folders.move_to_processed(state.claimed)
        run.store.transfers.finish(state.transfer_id, "processed", remote_path=moved_to)
        return FileOutcome(name, state.kind, "processed", moved_to=moved_to, **counts)

    report = {
        "file": name,
        "kind": state.kind,
        "partner": partner,
        "sha256": state.sha256,
        "transfer_id": state.transfer_id,
        "error": file_error,
        "rejected": [asdict(problem) for problem in state.rejected],
        "posted": state.posted + state.duplicates,
        "warnings": [asdict(problem) for problem in state.warnings],
        "what_to_do": (
            "Rows listed under 'posted' are in FreshBooks and will not be posted again, from this "
            "file or from a corrected one that repeats them. Fix the rejected rows (or what they "
            "name in FreshBooks) and replay this file, or ask the partner for a corrected file."
        ),
    }
    body = json.dumps(report, indent=2, default=str).encode()
    moved_to = run.folders.move_to_error(state.claimed, body)
    status = "partially_posted" if state.posted else "error"
    message = file_error or f"{len(state.rejected)} row(s) rejected"
    run.store.transfers.finish(state.transfer_id, status, message=message, remote_path=moved_to)
    return FileOutcome(
        name, state.kind, "error", moved_to=moved_to, report=moved_to + ".error.json", **counts
    )


def _acknowledged(run: PartnerRun, state: _FileRun, judged: JudgedFile | None) -> list[str]:
    """Upload the file's acknowledgments; on failure put the file back, close its transfer
    saying so, and raise."""
    if judged is None:
        return []
    try:
        return acknowledge(run, judged)
    except ConnectorError as error:
        returned_to = run.folders.release(state.claimed)
        run.store.transfers.finish(
            state.transfer_id,
            "error",
            message=f"the acknowledgment could not be sent ({error.message}); the file is back "
            "in the incoming folder for the next run, which posts nothing twice",
            remote_path=returned_to,
        )
        raise


def _audit(
    state: _FileRun,
    partner: str,
    row: int | None,
    status: str,
    target_id: str | None = None,
    message: str | None = None,
) -> AuditRow:
    return AuditRow(
        transfer_id=state.transfer_id,
        partner=partner,
        direction="inbound",
        document_kind=state.kind,
        source_id=f"{state.claimed.name}#{row}" if row is not None else state.claimed.name,
        target_id=target_id,
        file_name=state.claimed.name,
        row_number=row,
        status=status,
        message=message,
    )


def _say(problem: RowProblem) -> str:
    return f"{problem.column}={problem.value!r}: {problem.message}"
