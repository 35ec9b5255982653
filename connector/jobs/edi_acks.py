"""EDI in the jobs: judging each interchange a partner sends, and acknowledging it.

An inbound EDI file is judged once, before anything is posted (``judge_file``): envelope problems
the reader recorded and the segment-order and element checks of each set's own version. The
judgment decides both what may be posted (rows of a rejected set, group or interchange are
refused, each saying why) and what the partner is told: a 997 for every X12 group, with a TA1
before it where ISA14 asks for one (a rejected interchange gets the TA1 alone), and a CONTRL
for every EDIFACT interchange that asks for one or whose partner always wants one
(``acknowledge``). So what we post and what we acknowledge can never disagree.

A 997 or CONTRL says whether a set is well-formed, not whether its content could be posted: a
set whose invoice is unknown is still acknowledged as accepted, and its row goes to the error
report. Acknowledgments carry control numbers from the partner's counters in the state store,
the same counters our invoices and orders use, so no ISA13 or UNB 0020 is ever sent twice.

The same checks read back what we write ourselves before it goes out (``check_written``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from connector.edi import codes
from connector.edi.acknowledgments import (
    GroupJudgment,
    Judgment,
    SetJudgment,
    contrl,
    contrl_reply_envelope,
    contrl_wanted,
    functional_acks,
    judge,
    ta1,
    ta1_wanted,
    x12_reply_envelope,
)
from connector.errors import ConnectorError, DataError
from connector.formats import SegmentFormat, edifact, x12
from connector.formats.edi import (
    EdiSyntaxError,
    EnvelopeProblem,
    Interchange,
    Segment,
    TransactionSet,
)
from connector.formats.edi_check import SpecProblem, check_transaction
from connector.formats.edi_specs import Spec, SpecError, apply_guide, load_spec
from connector.jobs.context import PartnerRun
from connector.mapping import InboundRecord, InboundSection, OutboundSection, RowProblem
from connector.store import AuditRow

ACK_KIND = "acknowledgment"
_VERDICTS = {
    "A": "accepted",
    "E": "accepted with errors noted",
    "P": "partially accepted",
    "R": "rejected",
}


def segment_format(section: InboundSection | OutboundSection) -> SegmentFormat | None:
    """The EDI format an inbound or outbound section reads or writes; None for CSV and the like."""
    fmt = section.format
    return fmt if isinstance(fmt, SegmentFormat) else None


class SpecChecks:
    """The spec check ``judge`` runs on each set of one interchange, against the set's own
    version (X12 GS08, EDIFACT UNH 0052/0054). A set no table is shipped for is not checked:
    it is noted in ``unchecked``, so the file's warnings say so, instead of being refused."""

    def __init__(self, interchange: Interchange, guides: Mapping[str, Path] | None = None) -> None:
        self._standard = interchange.standard
        self._guides = guides or {}
        self._versions = {
            id(transaction): _version(interchange.standard, group.header, transaction)
            for group in interchange.groups
            for transaction in group.transactions
        }
        self.unchecked: list[tuple[TransactionSet, str]] = []
        self._specs: dict[tuple[str, str], Spec | str] = {}

    def __call__(self, transaction: TransactionSet) -> Sequence[SpecProblem]:
        key = (self._versions[id(transaction)], transaction.code)
        if key not in self._specs:
            self._specs[key] = self._spec(*key)
        spec = self._specs[key]
        if isinstance(spec, str):
            self.unchecked.append((transaction, spec))
            return ()
        return check_transaction(transaction, spec)

    def _spec(self, version: str, code: str) -> Spec | str:
        """The standard's table narrowed by the partner's guide, or why there is no table."""
        try:
            spec = load_spec(self._standard, version, code)
        except SpecError as error:
            return error.message
        guide = self._guides.get(code)
        # A guide that does not load is the operator's to fix: raised, never a silent skip.
        return apply_guide(spec, guide) if guide else spec


def _version(standard: str, group_header: Segment | None, transaction: TransactionSet) -> str:
    if standard == "x12":
        return group_header.raw(8)[:6] if group_header is not None else ""
    header = transaction.header
    return header.value(2, 2) + header.value(2, 3)


def judge_interchange(
    interchange: Interchange,
    guides: Mapping[str, Path] | None = None,
    tolerated: Collection[str] = (),
) -> tuple[Judgment, list[tuple[TransactionSet, str]]]:
    """One interchange judged against the shipped specs, narrowed by the partner's
    implementation guides (by transaction code), with the sets left unchecked.

    ``tolerated`` names findings that still let a set be accepted with errors noted (997 ``E``):
    ``segment:CODE`` or ``element:CODE`` with the standard's AK3/AK4 or UCS/UCD code; any other
    finding rejects the set.
    """
    checks = SpecChecks(interchange, guides)
    wanted = frozenset(tolerated)

    def tolerates(problem: SpecProblem) -> bool:
        level = "segment" if problem.is_segment_level else "element"
        return f"{level}:{problem.code}" in wanted

    return judge(interchange, check=checks, tolerated=tolerates), checks.unchecked


@dataclass(frozen=True)
class Refusal:
    """The segments of one rejected set, and why, as the refused rows say it."""

    first: int
    last: int
    where: str
    control: str
    reason: str


@dataclass(frozen=True)
class JudgedFile:
    """An inbound EDI file judged: which rows may be posted, and what to answer."""

    file_name: str
    standard: str
    judgments: tuple[Judgment, ...]
    refusals: tuple[Refusal, ...]
    warnings: tuple[RowProblem, ...] = field(default=())

    def admitted(
        self, records: Sequence[InboundRecord], rejected: list[RowProblem]
    ) -> list[InboundRecord]:
        """The records outside every rejected set; each one inside is added to ``rejected``."""
        kept = []
        for record in records:
            refusal = next(
                (r for r in self.refusals if r.first <= record.row_number <= r.last), None
            )
            if refusal is None:
                kept.append(record)
            else:
                rejected.append(
                    RowProblem(
                        self.file_name,
                        record.row_number,
                        refusal.where,
                        refusal.control,
                        refusal.reason,
                    )
                )
        return kept


def judge_file(
    fmt: SegmentFormat,
    data: bytes,
    file_name: str,
    guides: Mapping[str, Path] | None = None,
    tolerated: Collection[str] = (),
) -> JudgedFile:
    """Read and judge every interchange of a partner file; raises EdiSyntaxError (a DataError)
    when the file is not EDI the reader can follow at all: then there is nothing to answer."""
    judgments: list[Judgment] = []
    refusals: list[Refusal] = []
    warnings: list[RowProblem] = []
    for interchange in fmt.interchanges(data, file_name):
        judgment, unchecked = judge_interchange(interchange, guides, tolerated)
        judgments.append(judgment)
        refusals += _refusals(judgment)
        warnings += [_unchecked(file_name, transaction, why) for transaction, why in unchecked]
    return JudgedFile(file_name, fmt.name, tuple(judgments), tuple(refusals), tuple(warnings))


def _refusals(judgment: Judgment) -> list[Refusal]:
    interchange = judgment.interchange
    standard = interchange.standard
    if judgment.rejected:
        reason = "the interchange was rejected: " + _envelope_words(
            standard, codes.INTERCHANGE_NOTES, interchange.problems
        )
        return [
            _refusal(judged.transaction, reason)
            for group in judgment.groups
            for judged in group.sets
        ]
    found = []
    for group in judgment.groups:
        for judged in group.sets:
            if judged.status == "R":
                found.append(_refusal(judged.transaction, _set_reason(standard, judged)))
            elif group.status == "R":
                found.append(_refusal(judged.transaction, _group_reason(standard, group)))
    return found


def _refusal(transaction: TransactionSet, reason: str) -> Refusal:
    header = transaction.header
    numbers = [header.number, *(s.number for s in transaction.segments)]
    if transaction.trailer is not None:
        numbers.append(transaction.trailer.number)
    where = "ST.02" if header.tag == "ST" else "UNH.01"
    what = f"{'transaction set' if header.tag == 'ST' else 'message'} {transaction.code} "
    return Refusal(
        min(numbers),
        max(numbers),
        where,
        transaction.control_number,
        f"{what}{transaction.control_number} was rejected, so nothing in it is posted: {reason}",
    )


def _set_reason(standard: str, judged: SetJudgment) -> str:
    envelope = _envelope_words(standard, codes.SET_ERRORS, judged.transaction.problems)
    return "; ".join(
        text for text in (envelope, *(problem.message for problem in judged.problems)) if text
    )


def _group_reason(standard: str, group: GroupJudgment) -> str:
    return "its functional group was rejected: " + _envelope_words(
        standard, codes.GROUP_ERRORS, group.group.problems
    )


def _envelope_words(
    standard: str, x12_codes: Mapping[str, str], problems: Sequence[EnvelopeProblem]
) -> str:
    """The reader's messages with the code the acknowledgment carries, in words."""
    table = codes.EDIFACT_ERRORS if standard == "edifact" else x12_codes
    return "; ".join(f"{p.message} (code {codes.words(table, p.code)})" for p in problems)


def _unchecked(file_name: str, transaction: TransactionSet, why: str) -> RowProblem:
    header = transaction.header
    return RowProblem(
        file_name,
        header.number,
        "ST.01" if header.tag == "ST" else "UNH.02",
        transaction.code,
        f"{transaction.code} {transaction.control_number} was not checked against a spec "
        f"({why}): only its envelope was judged",
    )


# What we write ourselves


class OwnFileUnreadable(DataError):
    """A file our own writer produced does not read back as one sound interchange: a writer or
    envelope-setting fault that no record can be blamed for, so nothing of it may go out."""


@dataclass(frozen=True)
class OwnInterchange:
    """Our own file read back by our reader: the numbers to record it under, and the sets the
    spec checks refused, by position in the file (0 is the first set), with why."""

    standard: str
    interchange_control: int
    group_control: int | None
    functional_code: str | None
    sets: tuple[tuple[int, str], ...]
    faults: dict[int, str]


def check_written(
    fmt: SegmentFormat, data: bytes, file_name: str, guides: Mapping[str, Path] | None = None
) -> OwnInterchange:
    """Read back what we wrote and judge it as a partner's reader would (strictly, against the
    specs of its version); raises OwnFileUnreadable when its envelope is wrong."""
    try:
        interchanges = fmt.interchanges(data, file_name)
    except EdiSyntaxError as error:
        raise OwnFileUnreadable(
            f"{file_name} as we wrote it does not read back: {error.message}",
            hint="this is a fault of the writer or the envelope settings, not of the records",
        ) from error
    if len(interchanges) != 1:
        raise OwnFileUnreadable(
            f"{file_name} as we wrote it holds {len(interchanges)} interchanges, not one",
            hint="this is a fault of the writer, not of the records",
        )
    [interchange] = interchanges
    judgment, _ = judge_interchange(interchange, guides)
    envelope = [*interchange.problems, *(p for g in interchange.groups for p in g.problems)]
    if envelope:
        raise OwnFileUnreadable(
            f"{file_name} as we wrote it has envelope faults: "
            + "; ".join(f"{problem.message} (code {problem.code})" for problem in envelope),
            hint="this is a fault of the writer or the envelope settings, not of the records",
        )
    sets = [judged for group in judgment.groups for judged in group.sets]
    group = interchange.groups[0].header if interchange.groups else None
    return OwnInterchange(
        standard=fmt.name,
        interchange_control=int(_interchange_control(interchange)),
        group_control=int(group.raw(6)) if group is not None and group.tag == "GS" else None,
        functional_code=group.raw(1) if group is not None and group.tag == "GS" else None,
        sets=tuple((int(j.transaction.control_number), j.transaction.code) for j in sets),
        faults={
            position: _set_reason(fmt.name, judged)
            for position, judged in enumerate(sets)
            if judged.status == "R"
        },
    )


# Answering


@dataclass(frozen=True)
class Reply:
    """One acknowledgment interchange, written and ready to upload."""

    name: str
    data: bytes
    kind: str
    control: str
    notes: tuple[tuple[str, str], ...]
    """(inbound set or interchange, what we told the partner about it), for the audit trail."""


def replies(run: PartnerRun, judged_file: JudgedFile, now: datetime) -> list[Reply]:
    """The acknowledgments owed for one judged file, numbered from the partner's counters."""
    made: list[Reply] = []
    for judgment in judged_file.judgments:
        if judged_file.standard == "x12":
            made += _x12_replies(run, judgment, now)
        elif contrl_wanted(judgment, run.partner.send_contrl):
            made.append(_contrl_reply(run, judgment, now))
    return made


def _x12_replies(run: PartnerRun, judgment: Judgment, now: datetime) -> list[Reply]:
    """The 997s of the interchange's groups in one reply interchange, with a TA1 before them
    when one is owed; a rejected interchange gets the TA1 alone."""
    sets = functional_acks(judgment)
    service = [ta1(judgment)] if ta1_wanted(judgment) else []
    if not sets and not service:
        return []
    numbers = run.store.control_numbers
    if sets:
        block = numbers.allocate_block(run.partner.name, "x12", len(sets))
        interchange, group, first_set = block.interchange, block.group or 0, block.first_set
    else:
        # A TA1 alone carries no group and no set: the writer checks but never writes them.
        interchange, group, first_set = (
            numbers.allocate(run.partner.name, "x12", "interchange")[0],
            1,
            1,
        )
    written = x12.write_interchange(
        x12_reply_envelope(judgment.interchange),
        sets,
        interchange_control=interchange,
        group_control=group,
        first_set_control=first_set,
        moment=now,
        service_segments=service,
    )
    notes = []
    if service:
        _, elements = service[0]
        notes.append(
            (
                _inbound_interchange(judgment.interchange),
                f"TA1 {elements[3]}: note {codes.words(codes.INTERCHANGE_NOTES, elements[4])}",
            )
        )
    if sets:
        notes += [
            (_inbound_set(judged.transaction), f"997 AK5*{judged.status}: {_words(judged)}")
            for group_judgment in judgment.groups
            for judged in group_judgment.sets
        ]
        notes += [
            (_inbound_group(g), f"997 AK9*{g.status}: {_VERDICTS[g.status]}")
            for g in judgment.groups
        ]
    kind = "997" if sets else "TA1"
    control = written.interchange_control
    return [Reply(f"{kind}_{control}.x12", written.data, kind, control, tuple(notes))]


def _contrl_reply(run: PartnerRun, judgment: Judgment, now: datetime) -> Reply:
    block = run.store.control_numbers.allocate_block(run.partner.name, "edifact", 1, group=False)
    code, segments = contrl(judgment)
    written = edifact.write_interchange(
        contrl_reply_envelope(judgment.interchange),
        [edifact.OutgoingMessage(code, segments)],
        interchange_control=block.interchange,
        first_message_ref=block.first_set,
        moment=now,
    )
    interchange = judgment.interchange
    verdict = "rejected" if judgment.rejected else "acknowledged"
    notes = [(_inbound_interchange(interchange), f"CONTRL UCI: interchange {verdict}")]
    if not judgment.rejected:
        notes += [
            (_inbound_set(judged.transaction), f"CONTRL UCM: {_words(judged)}")
            for group in judgment.groups
            for judged in group.sets
        ]
    control = written.interchange_control
    return Reply(f"CONTRL_{control}.edi", written.data, "CONTRL", control, tuple(notes))


def _words(judged: SetJudgment) -> str:
    said = _VERDICTS[judged.status]
    reasons = [problem.message for problem in judged.transaction.problems]
    reasons += [problem.message for problem in judged.problems]
    return f"{said} ({'; '.join(reasons)})" if reasons else said


def _inbound_set(transaction: TransactionSet) -> str:
    return f"{transaction.code} {transaction.control_number}"


def _inbound_group(group: GroupJudgment) -> str:
    header = group.group.header
    return f"group {header.raw(6)}" if header is not None else "messages"


def _inbound_interchange(interchange: Interchange) -> str:
    return f"interchange {_interchange_control(interchange)}"


def _interchange_control(interchange: Interchange) -> str:
    """ISA13, or UNB's interchange control reference (0020)."""
    header = interchange.header
    return header.raw(13) if header.tag == "ISA" else header.raw(5)


def acknowledge(run: PartnerRun, judged_file: JudgedFile, now: datetime | None = None) -> list[str]:
    """Write and upload every acknowledgment owed for one inbound file, each recorded as an
    outbound transfer with an audit row per set answered; returns their remote paths.

    Called before the inbound file moves on: a failed upload raises, and the caller puts the
    file back so that the next run answers it (posting nothing twice).
    """
    moment = now or datetime.now(UTC)
    return [
        _upload(run, judged_file.file_name, reply) for reply in replies(run, judged_file, moment)
    ]


def _upload(run: PartnerRun, inbound_name: str, reply: Reply) -> str:
    store, partner = run.store, run.partner.name
    transfer_id = store.transfers.start(
        partner=partner,
        direction="outbound",
        document_kind=ACK_KIND,
        file_name=reply.name,
        sha256=hashlib.sha256(reply.data).hexdigest(),
        size=len(reply.data),
    )
    try:
        remote_path = run.folders.upload(reply.name, reply.data)
    except ConnectorError as error:
        store.transfers.finish(transfer_id, "error", message=f"upload failed: {error}")
        raise
    store.transfers.finish(
        transfer_id,
        "uploaded",
        message=f"{reply.kind} {reply.control} for {inbound_name}",
        remote_path=remote_path,
    )
    store.audit.record(_audit(run, transfer_id, inbound_name, reply))
    return remote_path


def _audit(
    run: PartnerRun, transfer_id: int, inbound_name: str, reply: Reply
) -> Iterable[AuditRow]:
    stem = PurePosixPath(inbound_name).name
    return [
        AuditRow(
            transfer_id=transfer_id,
            partner=run.partner.name,
            direction="outbound",
            document_kind=ACK_KIND,
            source_id=f"{stem}#{answered}",
            file_name=reply.name,
            status="sent",
            message=said,
        )
        for answered, said in reply.notes
    ]
