"""The acknowledgments partners send us: 997, 999 and TA1 (X12), CONTRL (EDIFACT).

Each becomes an ``Acknowledgment``: which of our control numbers it answers (the group for a
997/999, the interchange for a TA1 or CONTRL), its verdict, the verdicts of the sets (messages)
it names and every reason in words. What cannot be understood in an acknowledgment (a status
letter the standard does not have, an AK2 outside any AK1) is kept as a ``problem`` beside what
could be read, so a sloppy acknowledgment is reported instead of failing the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from connector.edi import codes
from connector.errors import DataError
from connector.formats import edifact, x12
from connector.formats.edi import Interchange, Segment, TransactionSet
from connector.store.interchanges import AckStatus

X12_STATUS = {
    "A": AckStatus.ACCEPTED,
    "E": AckStatus.ACCEPTED_WITH_ERRORS,
    "P": AckStatus.PARTIALLY_ACCEPTED,
    "R": AckStatus.REJECTED,
    # Rejected for security reasons (authentication, assurance, decryption).
    "M": AckStatus.REJECTED,
    "W": AckStatus.REJECTED,
    "X": AckStatus.REJECTED,
}
CONTRL_STATUS = {"7": AckStatus.ACCEPTED, "4": AckStatus.REJECTED, "8": AckStatus.RECEIVED}
FUNCTIONAL_ACKS = frozenset({"997", "999"})
# The segments of a 997/999 that speak of one set, so belong after its AK2.
_SET_DETAIL = frozenset({"AK3", "IK3", "AK4", "IK4", "AK5", "IK5"})


class NotAnAcknowledgment(DataError):
    """A file in the acknowledgment folder holds no 997, 999, TA1 or CONTRL."""


@dataclass
class SetAck:
    """What an acknowledgment says about one of our sets (AK2..AK5, IK5, UCM)."""

    control: str
    code: str
    status: AckStatus | None = None
    reasons: list[str] = field(default_factory=list)


@dataclass
class Acknowledgment:
    """One 997/999 (one group answered), one TA1 or one CONTRL (one interchange answered)."""

    kind: str
    standard: str
    answers: str
    """"group" (997/999: ``control`` is our GS06) or "interchange" (TA1, CONTRL)."""
    control: str
    status: AckStatus | None = None
    reasons: list[str] = field(default_factory=list)
    sets: list[SetAck] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    where: str = ""


def read_acknowledgments(data: bytes, file: str = "") -> list[Acknowledgment]:
    """Every acknowledgment in a file of either standard; NotAnAcknowledgment when none."""
    is_x12 = data.lstrip(b"\xef\xbb\xbf \r\n\t")[:3] == b"ISA"
    reader = x12.read_interchanges if is_x12 else edifact.read_interchanges
    interchanges = reader(data, file)
    found: list[Acknowledgment] = []
    for interchange in interchanges:
        found += _from_interchange(interchange, file)
    if not found:
        kinds = sorted({t.code for i in interchanges for t in i.transactions}) or ["nothing"]
        raise NotAnAcknowledgment(
            f"{file or 'the file'} holds {', '.join(kinds)}, not a 997, 999, TA1 or CONTRL",
            hint="only acknowledgment files belong under the acknowledgment file pattern; move "
            "the file to where the inbound flow takes it",
        )
    return found


def _from_interchange(interchange: Interchange, file: str) -> list[Acknowledgment]:
    if interchange.standard == "x12":
        found = [_ta1(segment, file) for segment in interchange.service_segments]
        for transaction in interchange.transactions:
            if transaction.code in FUNCTIONAL_ACKS:
                found.append(_functional(transaction, file))
        return found
    return [_contrl(t, file) for t in interchange.transactions if t.code == "CONTRL"]


def _where(file: str, segment: Segment) -> str:
    return f"{file or 'acknowledgment'} line {segment.line}"


def _ta1(segment: Segment, file: str) -> Acknowledgment:
    ack = Acknowledgment("TA1", "x12", "interchange", segment.value(1), where=_where(file, segment))
    ack.status = _status(ack, X12_STATUS, segment, 4)
    note = segment.value(5)
    if note and note != "000":
        ack.reasons.append(f"TA1 note {codes.words(codes.INTERCHANGE_NOTES, note)}")
    return ack


def _functional(transaction: TransactionSet, file: str) -> Acknowledgment:
    """A 997 or 999: AK1, then per set AK2 with AK3/IK3 + AK4/IK4 and AK5/IK5, then AK9."""
    ack = Acknowledgment(
        transaction.code, "x12", "group", "", where=_where(file, transaction.header)
    )
    current: SetAck | None = None
    segment_label = ""
    closed = False
    for segment in transaction.segments:
        tag = segment.tag
        if tag == "AK1":
            ack.control = segment.value(2)
        elif tag == "AK2":
            current = SetAck(segment.value(2), segment.value(1))
            ack.sets.append(current)
        elif tag in _SET_DETAIL and current is None:
            ack.problems.append(f"{tag} on line {segment.line} is outside any AK2")
        elif tag in ("AK3", "IK3") and current is not None:
            segment_label = f"segment {segment.value(1)} at position {segment.value(2)}"
            reason = segment.value(4)
            if reason and reason != "8":
                current.reasons.append(
                    f"{segment_label}: {codes.words(codes.SEGMENT_ERRORS, reason)}"
                )
        elif tag in ("AK4", "IK4") and current is not None:
            position = segment.value(1, 1)
            component = segment.value(1, 2)
            label = f"element {position}" + (f"-{component}" if component else "")
            bad = segment.value(4)
            value = f" (value {bad!r})" if bad else ""
            current.reasons.append(
                f"{segment_label}, {label}: "
                f"{codes.words(codes.ELEMENT_ERRORS, segment.value(3))}{value}"
            )
        elif tag in ("AK5", "IK5") and current is not None:
            current.status = _status(ack, X12_STATUS, segment, 1)
            current.reasons += _coded(segment, range(2, 7), codes.SET_ERRORS)
            current = None
        elif tag == "AK9":
            closed = True
            ack.status = _status(ack, X12_STATUS, segment, 1)
            ack.reasons += _coded(segment, range(5, 10), codes.GROUP_ERRORS)
    if not ack.control:
        ack.problems.append(f"{transaction.code} {transaction.control_number} has no AK1")
    if not closed:
        ack.problems.append(f"{transaction.code} {transaction.control_number} has no AK9")
    return ack


def _contrl(transaction: TransactionSet, file: str) -> Acknowledgment:
    """UCI answers the interchange; UCM a message, with UCS (segment) and UCD (element)."""
    ack = Acknowledgment(
        "CONTRL", "edifact", "interchange", "", where=_where(file, transaction.header)
    )
    current: SetAck | None = None
    segment_label = ""
    for segment in transaction.segments:
        tag = segment.tag
        if tag == "UCI":
            ack.control = segment.value(1)
            ack.status = _status(ack, CONTRL_STATUS, segment, 4)
            ack.reasons += _coded(segment, (5,), codes.EDIFACT_ERRORS, "interchange")
        elif tag == "UCM":
            current = SetAck(segment.value(1), segment.value(2, 1))
            current.status = _status(ack, CONTRL_STATUS, segment, 3)
            current.reasons += _coded(segment, (4,), codes.EDIFACT_ERRORS, "message")
            ack.sets.append(current)
        elif tag in ("UCS", "UCD") and current is None:
            ack.problems.append(f"{tag} on line {segment.line} is outside any UCM")
        elif tag == "UCS" and current is not None:
            segment_label = f"segment at position {segment.value(1)}"
            current.reasons += _coded(segment, (2,), codes.EDIFACT_ERRORS, segment_label)
        elif tag == "UCD" and current is not None:
            component = segment.value(2, 2)
            label = f"{segment_label}, element {segment.value(2, 1)}" + (
                f"-{component}" if component else ""
            )
            current.reasons += _coded(segment, (1,), codes.EDIFACT_ERRORS, label)
    if not ack.control:
        ack.problems.append(f"CONTRL {transaction.control_number} has no UCI")
    return ack


def _status(
    ack: Acknowledgment, table: dict[str, AckStatus], segment: Segment, position: int
) -> AckStatus | None:
    code = segment.value(position)
    status = table.get(code)
    if status is None:
        ack.problems.append(
            f"{segment.tag}{position:02d} on line {segment.line} is {code!r}, not a status the "
            f"standard has ({', '.join(table)})"
        )
    return status


def _coded(
    segment: Segment, positions: Iterable[int], table: dict[str, str], label: str = ""
) -> list[str]:
    prefix = f"{label}: " if label else ""
    return [
        f"{prefix}{codes.words(table, segment.value(position))}"
        for position in positions
        if segment.value(position)
    ]
