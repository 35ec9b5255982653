"""The acknowledgments we send: a 997 per inbound X12 group, TA1, CONTRL per EDIFACT interchange.

Judging comes first and once (``judge``): every transaction set (message) is accepted (A),
accepted with errors noted (E) or rejected (R), from the envelope problems the reader recorded
and the segment-order and element problems of ``check``; a group is then accepted, accepted with
errors, partially accepted (P: some sets rejected) or rejected; an interchange with envelope
problems of its own is rejected whole. The acknowledgments and ``Judgment.accepted_sets`` both
read that one judgment, so what we post and what we tell the partner can never disagree: a
rejected set posts nothing.

Acknowledgments are produced as segments the writers take, ``(tag, elements)`` with an element a
string or a sequence of components; the envelope around them is the inbound one with sender and
receiver swapped (``x12_reply_envelope``, ``contrl_reply_envelope``).

Decisions, documented: a functional acknowledgment is never acknowledged (X12 groups of FA, i.e.
997/999, get no 997); a set with problems is rejected unless ``tolerated`` accepts every one of
them, which makes it "accepted with errors"; an interchange the TA1 rejects gets no 997 and posts
nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Literal

from connector.formats.edi import Group, Interchange, Segment, TransactionSet
from connector.formats.edi_check import SpecProblem
from connector.formats.edifact import EdifactEnvelope
from connector.formats.x12 import X12Envelope

Element = str | Sequence[str]
OutgoingSegment = tuple[str, list[Element]]
OutgoingSet = tuple[str, list[OutgoingSegment]]
"""What the writers take: a set's (or message's) code and its body segments."""

SetStatus = Literal["A", "E", "R"]
GroupStatus = Literal["A", "E", "P", "R"]

# AK5 (element 718) "One or More Segments in Error": a set the spec checks found faults in.
SEGMENTS_IN_ERROR = "5"
# AK3 (element 720) "Segment Has Data Element Errors": a segment only its elements failed.
SEGMENT_HAS_ELEMENT_ERRORS = "8"
# TA1 note code (I18) "No error".
NO_ERROR = "000"
FUNCTIONAL_ACK_GROUP = "FA"
# AK5, AK9 and UCS/UCD hold at most five codes each (AK502..AK506, AK905..AK909).
MAX_CODES = 5
# CONTRL action codes (0083) and the syntax error code for a message's content (0085).
ACKNOWLEDGED = "7"
REJECTED = "4"
CONTRL_MESSAGE_SYNTAX_3 = ("CONTRL", "D", "3", "UN")
CONTRL_MESSAGE_SYNTAX_4 = ("CONTRL", "4", "1", "UN")
# UNB 0031, the acknowledgment request, is UNB's ninth element; ISA14 asks for a TA1.
UNB_ACK_REQUEST = 9
ISA_ACK_REQUESTED = 14


Check = Callable[[TransactionSet], Sequence[SpecProblem]]
Tolerated = Callable[[SpecProblem], bool]


def _strict(_problem: SpecProblem) -> bool:
    return False


def _no_spec(_transaction: TransactionSet) -> Sequence[SpecProblem]:
    return ()


@dataclass(frozen=True)
class SetJudgment:
    """One set's verdict: A, E (accepted, its problems noted) or R."""

    transaction: TransactionSet
    status: SetStatus
    codes: tuple[str, ...]
    """AK5 codes (X12) or the ISO 9735 code of the message's envelope problems (EDIFACT)."""
    problems: tuple[SpecProblem, ...] = ()


@dataclass(frozen=True)
class GroupJudgment:
    """A group's verdict, from its own envelope problems and its sets' verdicts."""

    group: Group
    status: GroupStatus
    codes: tuple[str, ...]
    sets: tuple[SetJudgment, ...]

    @property
    def accepted(self) -> int:
        """How many sets post (AK904)."""
        return sum(1 for judged in self.sets if judged.status != "R")


@dataclass(frozen=True)
class Judgment:
    """What we make of one inbound interchange; everything we send and post follows from it."""

    interchange: Interchange
    rejected: bool
    note: str
    """The TA1 note code (X12) or ISO 9735 syntax error code (EDIFACT) of the interchange."""
    groups: tuple[GroupJudgment, ...] = field(default=())

    def accepted_sets(self) -> list[TransactionSet]:
        """The sets to post: accepted, or accepted with errors noted, in a group and an
        interchange that were not rejected."""
        if self.rejected:
            return []
        return [
            judged.transaction
            for group in self.groups
            if group.status != "R"
            for judged in group.sets
            if judged.status != "R"
        ]


def judge(
    interchange: Interchange, check: Check = _no_spec, tolerated: Tolerated = _strict
) -> Judgment:
    """Judge every set of ``interchange``: ``check`` gives a set's spec problems, ``tolerated``
    says which of them still let it be accepted (with errors noted)."""
    standard = interchange.standard
    groups = tuple(_judge_group(group, standard, check, tolerated) for group in interchange.groups)
    problems = interchange.problems
    note = problems[0].code if problems else (NO_ERROR if interchange.standard == "x12" else "")
    return Judgment(interchange, bool(problems), note, groups)


def _judge_group(group: Group, standard: str, check: Check, tolerated: Tolerated) -> GroupJudgment:
    sets = tuple(
        _judge_set(transaction, standard, check, tolerated) for transaction in group.transactions
    )
    codes = tuple(problem.code for problem in group.problems)[:MAX_CODES]
    accepted = [judged for judged in sets if judged.status != "R"]
    status: GroupStatus
    if codes or not accepted:
        status = "R"
    elif len(accepted) < len(sets):
        status = "P"
    elif any(judged.status == "E" for judged in sets):
        status = "E"
    else:
        status = "A"
    return GroupJudgment(group, status, codes, sets)


def _judge_set(
    transaction: TransactionSet, standard: str, check: Check, tolerated: Tolerated
) -> SetJudgment:
    envelope = tuple(dict.fromkeys(problem.code for problem in transaction.problems))
    problems = tuple(sorted(check(transaction), key=lambda problem: problem.segment_number))
    if envelope:
        return SetJudgment(transaction, "R", envelope[:MAX_CODES], problems)
    if not problems:
        return SetJudgment(transaction, "A", ())
    # EDIFACT names no code for the message itself: its UCS/UCD say what was wrong.
    codes = (SEGMENTS_IN_ERROR,) if standard == "x12" else ()
    verdict = "E" if all(tolerated(problem) for problem in problems) else "R"
    return SetJudgment(transaction, verdict, codes, problems)


# X12: 997 and TA1


def functional_acks(judgment: Judgment) -> list[OutgoingSet]:
    """One 997 per X12 group, functional acknowledgments excepted; none when the interchange
    was rejected (its TA1 says so)."""
    if judgment.rejected:
        return []
    return [
        ("997", _functional_ack(group))
        for group in judgment.groups
        if group.group.header is not None and group.group.header.raw(1) != FUNCTIONAL_ACK_GROUP
    ]


def _functional_ack(judged: GroupJudgment) -> list[OutgoingSegment]:
    header = judged.group.header
    assert header is not None
    version = header.raw(8)
    ak1: list[Element] = [header.raw(1), header.raw(6)]
    if _is_5010_or_later(version):
        ak1.append(version)
    segments: list[OutgoingSegment] = [("AK1", ak1)]
    for judged_set in judged.sets:
        segments += _set_response(judged_set, version)
    trailer = judged.group.trailer
    included = trailer.raw(1) if trailer is not None and trailer.raw(1).isdigit() else ""
    segments.append(
        (
            "AK9",
            [
                judged.status,
                str(int(included)) if included else str(len(judged.sets)),
                str(len(judged.sets)),
                str(judged.accepted),
                *judged.codes,
            ],
        )
    )
    return segments


def _set_response(judged: SetJudgment, version: str) -> list[OutgoingSegment]:
    header = judged.transaction.header
    ak2: list[Element] = [header.raw(1), header.raw(2)]
    if _is_5010_or_later(version) and header.raw(3):
        ak2.append(header.raw(3))
    segments: list[OutgoingSegment] = [("AK2", ak2)]
    for position, faults in groupby(judged.problems, key=lambda problem: problem.segment_number):
        found = list(faults)
        segment_code = next(
            (p.code for p in found if p.is_segment_level), SEGMENT_HAS_ELEMENT_ERRORS
        )
        segments.append(("AK3", [found[0].tag, str(position), found[0].loop or "", segment_code]))
        segments += [
            ("AK4", [_element_position(p), "", p.code, p.value or ""])
            for p in found
            if not p.is_segment_level
        ]
    segments.append(("AK5", [judged.status, *judged.codes]))
    return segments


def _element_position(problem: SpecProblem) -> Element:
    if problem.component is None:
        return str(problem.element)
    return [str(problem.element), str(problem.component)]


def _is_5010_or_later(version: str) -> bool:
    return version[:6].isdigit() and version[:6] >= "005010"


def ta1_wanted(judgment: Judgment) -> bool:
    """A TA1 goes back when ISA14 asks for one, and whenever the interchange was rejected."""
    header = judgment.interchange.header
    return judgment.rejected or header.raw(ISA_ACK_REQUESTED) == "1"


def ta1(judgment: Judgment) -> OutgoingSegment:
    """TA1: the interchange's control number, date and time, A or R, and the note code."""
    header = judgment.interchange.header
    status = "R" if judgment.rejected else "A"
    return ("TA1", [header.raw(13), header.raw(9), header.raw(10), status, judgment.note])


# EDIFACT: CONTRL


def contrl_wanted(judgment: Judgment, partner_wants_contrl: bool = False) -> bool:
    """A CONTRL goes back when UNB 0031 asks for one, or the partner's settings always want it."""
    return partner_wants_contrl or judgment.interchange.header.raw(UNB_ACK_REQUEST) == "1"


def contrl(judgment: Judgment) -> OutgoingSet:
    """The CONTRL for an EDIFACT interchange: UCI, then per group a UCF where the interchange
    had UNG groups, and a UCM for every message with UCS/UCD for what was wrong in it."""
    uci = _envelope_response(judgment.interchange.header, judgment.rejected)
    if judgment.rejected:
        uci.append(judgment.note)
    segments: list[OutgoingSegment] = [("UCI", uci)]
    if not judgment.rejected:
        for group in judgment.groups:
            if group.group.header is not None:
                segments.append(("UCF", _group_response(group)))
            for judged in group.sets:
                segments += _message_response(judged)
    return ("CONTRL", segments)


def _group_response(judged: GroupJudgment) -> list[Element]:
    header = judged.group.header
    assert header is not None
    rejected = judged.status == "R"
    response = _envelope_response(header, rejected)
    if rejected and judged.codes:
        response.append(judged.codes[0])
    return response


def _envelope_response(header: Segment, rejected: bool) -> list[Element]:
    """UCI for a UNB, UCF for a UNG: both headers hold the reference at 5 and the sender and
    recipient at 2 and 3, which the response repeats before its action code."""
    return [
        header.raw(5),
        header.components(2),
        header.components(3),
        REJECTED if rejected else ACKNOWLEDGED,
    ]


def _message_response(judged: SetJudgment) -> list[OutgoingSegment]:
    header = judged.transaction.header
    rejected = judged.status == "R"
    ucm: list[Element] = [
        header.raw(1),
        header.components(2),
        REJECTED if rejected else ACKNOWLEDGED,
    ]
    if judged.codes:
        ucm.append(judged.codes[0])
    segments: list[OutgoingSegment] = [("UCM", ucm)]
    if not rejected:
        return segments
    for position, faults in groupby(judged.problems, key=lambda problem: problem.segment_number):
        found = list(faults)
        segment_fault = next((p for p in found if p.is_segment_level), None)
        ucs: list[Element] = [str(position)]
        if segment_fault is not None:
            ucs.append(segment_fault.code)
        segments.append(("UCS", ucs))
        segments += [
            ("UCD", [p.code, _element_position(p)]) for p in found if not p.is_segment_level
        ]
    return segments


# Envelopes of our replies: the inbound ones with sender and receiver swapped


def x12_reply_envelope(interchange: Interchange) -> X12Envelope:
    """ISA and GS of the 997s: the inbound parties swapped, its version, release and usage."""
    header = interchange.header
    group = next((g.header for g in interchange.groups if g.header is not None), None)
    return X12Envelope(
        sender_qualifier=header.raw(7).strip(),
        sender_id=header.raw(8).strip(),
        receiver_qualifier=header.raw(5).strip(),
        receiver_id=header.raw(6).strip(),
        functional_id=FUNCTIONAL_ACK_GROUP,
        application_sender=group.raw(3).strip() if group else header.raw(8).strip(),
        application_receiver=group.raw(2).strip() if group else header.raw(6).strip(),
        version=header.raw(12),
        release=group.raw(8) if group else "004010",
        usage="T" if header.raw(15) == "T" else "P",
    )


def contrl_reply_envelope(interchange: Interchange) -> EdifactEnvelope:
    """UNB of the CONTRL: the inbound parties swapped, its syntax; UNH names CONTRL's own
    version, which follows the syntax version (D:3 for syntax 3, 4:1 for syntax 4)."""
    header = interchange.header
    syntax_version = header.value(1, 2) or "3"
    _, version, release, agency = (
        CONTRL_MESSAGE_SYNTAX_4 if syntax_version == "4" else CONTRL_MESSAGE_SYNTAX_3
    )
    return EdifactEnvelope(
        sender_id=header.value(3, 1),
        sender_qualifier=header.value(3, 2),
        receiver_id=header.value(2, 1),
        receiver_qualifier=header.value(2, 2),
        syntax_identifier=header.value(1, 1),
        syntax_version=syntax_version,
        test=header.value(11) == "1",
        message_version=version,
        message_release=release,
        controlling_agency=agency,
    )
