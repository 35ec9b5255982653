"""ASC X12: reading interchanges into the shared EDI model, and writing them.

Reading takes its punctuation from each interchange's own ISA and nowhere else: the element
separator is the character after ``ISA``, ISA16 is the component separator and the character
after it the segment terminator. The ISA is split on its separator rather than read at fixed
offsets, because senders squeeze its padding. Whatever follows a terminator before the next
segment (CR/LF, the spaces of 80-column EBCDIC records, tabs of pretty-printed files) is layout,
not data. Envelope faults a reader can get past (counts, control numbers, missing trailers) are
recorded as `EnvelopeProblem`s carrying the code the 997 (AK5, AK9) or the TA1 reports them
with; only input without a readable ISA raises `EdiSyntaxError`.

``Segment.number`` counts segments from the start of the file (the first ISA is 1); a
segment's position in its transaction set, as AK3 reports it, is
``segment.number - transaction.header.number + 1``. ``Segment.line`` is the line it starts on.

Writing emits a fixed-width ISA, zero-padded ISA13 and ST02, and trailers that count what was
written. X12 has no release character, so a delimiter inside data is replaced (by a space)
and each replacement is returned as a warning for the caller to log.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import accumulate, compress, count, repeat
from typing import Literal

from connector.errors import ConfigurationError, DataError
from connector.formats.edi import (
    Delimiters,
    EdiSyntaxError,
    EnvelopeProblem,
    Group,
    Interchange,
    Segment,
    TransactionSet,
    collection_paused,
)

# Layout a sender may put between a terminator and the next segment ("\x85" is EBCDIC's NL).
_LAYOUT = " \t\r\n\x0b\x0c\x85"
# Between interchanges there may also be a DOS end-of-file mark.
_BETWEEN_INTERCHANGES = _LAYOUT + "\x1a"
_UTF8_BOM = b"\xef\xbb\xbf"
_EBCDIC_ISA = "ISA".encode("cp037")
_EBCDIC_CODECS = ("cp037", "cp500")
_ISA_ELEMENTS = 16
# A fixed-width ISA is 106 characters; no padded-out one needs more than this to be read.
_ISA_WINDOW = 400
# ISA12 from which ISA11 is the repetition separator rather than the standards id "U".
_FIRST_REPETITION_VERSION = "00402"
# What counts as a line break, in order of preference (CR-only and EBCDIC files have no LF).
_LINE_BREAKS = ("\n", "\r", "\x85", "\x15")
_ENVELOPE_TAGS = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})
# Segments that may stand between ISA and GS: the interchange acknowledgment.
_SERVICE_TAGS = frozenset({"TA1"})

# The codes acknowledgments report. AK5 (element 718): transaction set syntax errors.
SET_TRAILER_MISSING = "2"
SET_CONTROL_MISMATCH = "3"
SET_SEGMENT_COUNT = "4"
SET_ID_INVALID = "6"
SET_CONTROL_INVALID = "7"
# AK9 (element 716): functional group syntax errors.
GROUP_TRAILER_MISSING = "3"
GROUP_CONTROL_MISMATCH = "4"
GROUP_SET_COUNT = "5"
GROUP_CONTROL_INVALID = "6"
# TA1 (element I18): interchange note codes.
INTERCHANGE_CONTROL_MISMATCH = "001"
INTERCHANGE_CONTROL_INVALID = "018"
ACK_REQUESTED_INVALID = "019"
USAGE_INVALID = "020"
INTERCHANGE_GROUP_COUNT = "021"
CONTROL_STRUCTURE_INVALID = "022"
INTERCHANGE_END_MISSING = "023"
INTERCHANGE_CONTENT_INVALID = "024"


# ---------------------------------------------------------------------------------------------
# Reading


def read_interchanges(data: bytes, file: str = "") -> list[Interchange]:
    """Every interchange in ``data``, each read with the delimiters its own ISA declares."""
    with collection_paused():
        return _read(_decode(data, file), file)


def _read(text: str, file: str) -> list[Interchange]:
    lines = _LineCounter(text)
    numbers = _SegmentNumbers()
    interchanges: list[Interchange] = []
    position = _skip(text, 0, _BETWEEN_INTERCHANGES)
    if position == len(text):
        raise EdiSyntaxError(
            "the file holds no interchange (it is empty or only whitespace)",
            file=file or None,
            hint="Ask the partner to resend the file.",
        )
    while position < len(text):
        if not text.startswith("ISA", position):
            raise EdiSyntaxError(
                f"expected an ISA interchange header, found {text[position : position + 20]!r}",
                file=file or None,
                line=lines.at(position),
                hint="An X12 file holds only ISA..IEA interchanges; ask the partner for a "
                "corrected file.",
            )
        try:
            delimiters, elements, length = _read_isa(text[position : position + _ISA_WINDOW])
        except _IsaUnreadable as error:
            raise EdiSyntaxError(
                str(error),
                file=file or None,
                segment=numbers.current + 1,
                line=lines.at(position),
                hint="The ISA must have 16 elements after the tag, ISA16 followed by the "
                "segment terminator; ask the partner to correct their envelope.",
            ) from None
        header = Segment("ISA", elements, numbers.next(), lines.at(position), delimiters)
        body = position + length
        end = _interchange_end(text, body, delimiters)
        tags, segments = _tokenize(text, body, end, delimiters, lines, numbers)
        interchanges.append(_assemble(header, tags, segments, delimiters))
        position = _skip(text, end, _BETWEEN_INTERCHANGES)
    return interchanges


def _decode(data: bytes, file: str) -> str:
    """EBCDIC when the file starts with an EBCDIC "ISA"; otherwise UTF-8, or Latin-1 where the
    bytes are not UTF-8 (older extended character sets)."""
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    if data.lstrip(b"\x40\x15\x25\x0d").startswith(_EBCDIC_ISA):
        return _decode_ebcdic(data, file)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _decode_ebcdic(data: bytes, file: str) -> str:
    """cp037 (US) and cp500 (international) differ in a few punctuation marks only: take the
    one under which the ISA's delimiters are ASCII punctuation, as X12 delimiters are."""
    start = len(data) - len(data.lstrip(b"\x40\x15\x25\x0d"))
    for codec in _EBCDIC_CODECS:
        head = data[start : start + _ISA_WINDOW].decode(codec)
        try:
            delimiters, _, _ = _read_isa(head)
        except _IsaUnreadable:  # the same in both codecs: reported, with why, by the reader
            return data.decode(_EBCDIC_CODECS[0])
        declared = (delimiters.element, delimiters.component, delimiters.repetition or "")
        if all(char.isascii() for char in declared):
            return data.decode(codec)
    raise EdiSyntaxError(
        "the file starts with an EBCDIC ISA whose delimiters read as neither cp037 nor cp500",
        file=file or None,
        line=1,
        hint="Ask the partner to send the interchange in ASCII or in EBCDIC cp037.",
    )


class _IsaUnreadable(Exception):
    """Why an ISA gives no delimiters; the caller turns it into an EdiSyntaxError."""


def _read_isa(head: str) -> tuple[Delimiters, list[str], int]:
    """The delimiters, the 16 element values and the length (terminator included) of the ISA
    that ``head`` starts with."""
    separator = head[3:4]
    if not separator or separator.isalnum() or separator in _LAYOUT:
        raise _IsaUnreadable(
            f"the character after ISA is {separator!r}, which cannot be an element separator"
        )
    parts = head.split(separator, _ISA_ELEMENTS)
    last = parts[-1]
    if len(parts) <= _ISA_ELEMENTS or len(last) < 2:
        found = min(len(parts) - 1, _ISA_ELEMENTS)
        raise _IsaUnreadable(f"the ISA segment is cut short: {found} of 16 elements")
    version = parts[12]
    if not (version.isdigit() and len(version) == 5):
        raise _IsaUnreadable(
            f"ISA12 is {version!r}, not a 5-digit version: the ISA has a missing or extra element"
        )
    component, terminator = last[0], last[1]
    if terminator.isalnum() or terminator in (separator, component):
        raise _IsaUnreadable(
            f"ISA16 is followed by {terminator!r}, which cannot be a segment terminator: "
            "the ISA has a missing or extra element"
        )
    for position in range(1, _ISA_ELEMENTS):
        if terminator in parts[position]:
            raise _IsaUnreadable(
                f"ISA{position:02d} holds the segment terminator {terminator!r}: the ISA has "
                "fewer than 16 elements"
            )
    delimiters = Delimiters(
        segment=terminator,
        element=separator,
        component=component,
        repetition=_repetition_separator(parts[11]),
    )
    return delimiters, [*parts[1:_ISA_ELEMENTS], component], len(head) - len(last) + 2


def _repetition_separator(isa11: str) -> str | None:
    """ISA11 is the repetition separator from 00402 on; before, it is the standards id "U". A
    punctuation mark there in an older version means the sender uses it as a separator anyway
    (EdiWeave's 00204 samples do), so punctuation is a separator whatever the version."""
    if len(isa11) != 1 or isa11.isalnum() or isa11 in _LAYOUT:
        return None
    return isa11


@lru_cache(maxsize=64)
def _boundary(terminator: str, separator: str) -> re.Pattern[str]:
    """A segment boundary followed by IEA (this interchange's end) or ISA (the next one's
    start: this one lost its IEA)."""
    term, sep = re.escape(terminator), re.escape(separator)
    return re.compile(
        f"{term}[{re.escape(_LAYOUT)}]*(?:(IEA)(?={sep}|{term}|$)|ISA(?=[^A-Za-z0-9]))"
    )


def _interchange_end(text: str, body: int, delimiters: Delimiters) -> int:
    """Where the interchange whose segments start at ``body`` ends (after its IEA)."""
    found = _boundary(delimiters.segment, delimiters.element).search(text, body - 1)
    if found is None:
        return len(text)
    if found.group(1) is None:
        return found.start() + 1
    end = text.find(delimiters.segment, found.end())
    return len(text) if end < 0 else end + 1


def _skip(text: str, position: int, characters: str) -> int:
    while position < len(text) and text[position] in characters:
        position += 1
    return position


class _SegmentNumbers:
    """Numbers segments across the whole file."""

    def __init__(self) -> None:
        self.current = 0

    def next(self) -> int:
        self.current += 1
        return self.current


class _LineCounter:
    """Line numbers of positions asked for in increasing order, counted once each."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.newline = next((char for char in _LINE_BREAKS if char in text), "\n")
        self.position = 0
        self.line = 1

    def at(self, position: int) -> int:
        if position < self.position:
            return 1 + self.text.count(self.newline, 0, position)
        self.line += self.text.count(self.newline, self.position, position)
        self.position = position
        return self.line


def _tokenize(
    text: str,
    body: int,
    end: int,
    delimiters: Delimiters,
    lines: _LineCounter,
    numbers: _SegmentNumbers,
) -> tuple[list[str], list[Segment]]:
    """The tags and segments of ``text[body:end]``, numbered and with the line each starts on.

    Written as whole-list passes (one ``re.split``, then ``map`` over C methods) rather than one
    loop doing everything per segment: reading 300,000 segments is dominated by per-segment
    interpreter overhead and allocations, and this keeps most of it in C. The split cuts at
    each terminator (with the layout and empty segments after it) and after each tag, so tags
    and element text come out apart without taking the tag off every element list.
    """
    terminator, separator, newline = delimiters.segment, delimiters.element, lines.newline
    # From the ISA's own terminator on, so that every segment follows a terminator.
    chunk = text[body - 1 : end]
    laid_out = chunk.find(newline, 1) >= 0
    step = 4 if laid_out else 3
    # [before the first segment, (layout,) tag, separator or "", elements text, ...]
    parts = _segment_splitter(terminator, separator, laid_out).split(chunk)
    first_line = lines.at(body)
    if laid_out:
        line_numbers = _segment_lines(parts, chunk, newline, first_line, terminator == newline)
    else:
        line_numbers = repeat(first_line)
    if not parts[-1] and not parts[-3] and _ends_between_segments(chunk, terminator):
        del parts[-step:]  # the terminator (and layout) that ends the chunk
    tags = parts[step - 2 :: step]
    split = list(map(str.split, parts[step::step], repeat(separator)))
    separated = parts[step - 1 :: step]
    if "" in separated:  # a segment that is a tag alone has no elements
        for index in compress(count(), map(operator.not_, separated)):
            split[index] = []
    first_number = numbers.current + 1
    numbers.current += len(split)
    numbered = range(first_number, numbers.current + 1)
    segments = list(map(Segment, tags, split, numbered, line_numbers, repeat(delimiters)))
    return tags, segments


@lru_cache(maxsize=64)
def _segment_splitter(terminator: str, separator: str, keep_layout: bool) -> re.Pattern[str]:
    """A terminator with the layout and empty segments after it, the next tag (captured) and
    its separator (captured: a segment may be a tag alone); the layout is captured too when
    line numbers need counting."""
    term, sep = re.escape(terminator), re.escape(separator)
    layout = f"[{re.escape(_LAYOUT)}{term}]*"
    if keep_layout:
        layout = f"({layout})"
    return re.compile(f"{term}{layout}([^{sep}{term}]*)({sep}?)")


def _ends_between_segments(chunk: str, terminator: str) -> bool:
    """Whether only layout follows the chunk's last terminator (rather than a segment that the
    end of the file cut short)."""
    return not chunk[chunk.rfind(terminator) + 1 :].strip(_LAYOUT)


def _segment_lines(
    parts: list[str], chunk: str, newline: str, first_line: int, terminator_is_newline: bool
) -> list[int]:
    """The line each segment starts on: the line before it, plus the breaks inside the segment
    before it, in its terminator (when terminators are line breaks) and in the layout after that.

    ``parts`` is ``chunk`` split with layout kept: [before, layout, tag, separator, elements,
    layout, ...]; the chunk's first terminator ends the ISA, whose line is counted already.
    Breaks inside segments are rare: they are counted one by one only when the breaks between
    segments do not account for all the chunk holds.
    """
    counted = repeat(newline)
    breaks = list(map(str.count, parts[1::4], counted))
    if terminator_is_newline:
        breaks[1:] = map(operator.add, breaks[1:], repeat(1))
    if sum(breaks) + terminator_is_newline != chunk.count(newline):
        tags, contents = parts[2::4], parts[4::4]
        inner = map(operator.add, map(str.count, tags, counted), map(str.count, contents, counted))
        breaks[1:] = map(operator.add, breaks[1:], inner)
    breaks[0] += first_line
    return list(accumulate(breaks))


def _assemble(
    header: Segment, tags: list[str], segments: list[Segment], delimiters: Delimiters
) -> Interchange:
    """Nest segments into groups and transaction sets, checking each trailer on the way.

    Only envelope segments are visited one by one; the segments of a transaction set are
    taken as one slice between its ST and SE.
    """
    interchange = Interchange(standard="x12", delimiters=delimiters, header=header)
    _check_isa(interchange)
    nesting = _Nesting(interchange)
    previous = -1
    for index in compress(count(), map(_ENVELOPE_TAGS.__contains__, tags)):
        if index > previous + 1:
            nesting.content(segments[previous + 1 : index])
        previous = index
        if nesting.envelope(segments[index]):
            return interchange
    if previous + 1 < len(segments):
        nesting.content(segments[previous + 1 :])
    nesting.cut_short()
    return interchange


class _Nesting:
    """Where the reader is in ISA > GS > ST, and what each envelope segment does there."""

    def __init__(self, interchange: Interchange) -> None:
        self.interchange = interchange
        self.group: Group | None = None
        self.transaction: TransactionSet | None = None

    def content(self, segments: list[Segment]) -> None:
        """Segments between envelope segments: a set's body, a TA1, or out of place."""
        transaction = self.transaction
        if transaction is not None:
            if transaction.segments:
                transaction.segments.extend(segments)
            else:
                transaction.segments = segments
            return
        for segment in segments:
            if segment.tag == "TA1" and self.group is None:
                self.interchange.service_segments.append(segment)
            else:
                self.interchange.problems.append(
                    EnvelopeProblem(
                        CONTROL_STRUCTURE_INVALID,
                        f"{segment.tag} on line {segment.line} is outside any transaction set",
                        segment,
                    )
                )

    def envelope(self, segment: Segment) -> bool:
        """Apply one ISA/GS/ST/SE/GE/IEA segment; True once the interchange is closed."""
        tag = segment.tag
        if self.transaction is not None:
            if tag == "SE":
                _close_transaction(self.transaction, segment)
                self.transaction = None
                return False
            self.transaction.problems.append(
                EnvelopeProblem(
                    SET_TRAILER_MISSING,
                    f"transaction set {self.transaction.control_number} ends at {tag} on line "
                    f"{segment.line} without an SE trailer",
                    self.transaction.header,
                )
            )
            self.transaction = None
        if tag == "ST":
            self.transaction = _open_transaction(segment)
            self._current_group(segment).transactions.append(self.transaction)
        elif tag == "GS":
            self._close_open_group(segment)
            self.group = _open_group(segment)
            self.interchange.groups.append(self.group)
        elif tag == "GE" and self.group is not None and self.group.header is not None:
            _close_group(self.group, segment)
            self.group = None
        elif tag == "IEA":
            self._close_open_group(segment)
            _close_interchange(self.interchange, segment)
            return True
        else:
            self.interchange.problems.append(
                EnvelopeProblem(
                    CONTROL_STRUCTURE_INVALID,
                    f"{tag} on line {segment.line} closes nothing that is open",
                    segment,
                )
            )
        return False

    def cut_short(self) -> None:
        """The text ended (or the next ISA began) before this interchange's IEA."""
        if self.transaction is not None:
            self.transaction.problems.append(
                EnvelopeProblem(
                    SET_TRAILER_MISSING,
                    f"transaction set {self.transaction.control_number} has no SE trailer",
                    self.transaction.header,
                )
            )
        self._close_open_group(None)
        header = self.interchange.header
        self.interchange.problems.append(
            EnvelopeProblem(
                INTERCHANGE_END_MISSING,
                f"interchange {header.raw(13)} has no IEA trailer: the file was cut short",
                header,
            )
        )

    def _current_group(self, st: Segment) -> Group:
        if self.group is None:
            self.group = Group(header=None)
            self.interchange.groups.append(self.group)
            self.interchange.problems.append(
                EnvelopeProblem(
                    INTERCHANGE_CONTENT_INVALID,
                    f"ST on line {st.line} is outside any GS functional group",
                    st,
                )
            )
        return self.group

    def _close_open_group(self, next_segment: Segment | None) -> None:
        group = self.group
        if group is None or group.header is None:
            return
        where = f" before {next_segment.tag} on line {next_segment.line}" if next_segment else ""
        group.problems.append(
            EnvelopeProblem(
                GROUP_TRAILER_MISSING,
                f"functional group {group.header.raw(6)} has no GE trailer{where}",
                group.header,
            )
        )
        self.group = None


def _check_isa(interchange: Interchange) -> None:
    """The ISA values a TA1 has a note code for and the reader can judge alone."""
    header = interchange.header
    checks = (
        (header.raw(13).isdigit(), INTERCHANGE_CONTROL_INVALID, "ISA13 control number"),
        (header.raw(14) in ("0", "1"), ACK_REQUESTED_INVALID, "ISA14 acknowledgment requested"),
        (header.raw(15) in ("P", "T", "I"), USAGE_INVALID, "ISA15 usage indicator"),
    )
    for valid, code, what in checks:
        if not valid:
            value = header.raw(int(what[3:5]))
            interchange.problems.append(
                EnvelopeProblem(code, f"{what} {value!r} is not a valid value", header)
            )


def _open_transaction(header: Segment) -> TransactionSet:
    transaction = TransactionSet(header=header)
    if not header.raw(1):
        transaction.problems.append(
            EnvelopeProblem(SET_ID_INVALID, f"ST on line {header.line} has no ST01", header)
        )
    if not header.raw(2):
        transaction.problems.append(
            EnvelopeProblem(SET_CONTROL_INVALID, f"ST on line {header.line} has no ST02", header)
        )
    return transaction


def _close_transaction(transaction: TransactionSet, trailer: Segment) -> None:
    transaction.trailer = trailer
    control = transaction.control_number
    counted = len(transaction.segments) + 2
    if not _same_number(trailer.raw(1), counted):
        transaction.problems.append(
            EnvelopeProblem(
                SET_SEGMENT_COUNT,
                f"SE01 of transaction set {control} says {trailer.raw(1)!r} segments, "
                f"the set has {counted}",
                trailer,
            )
        )
    if trailer.raw(2) != control:
        transaction.problems.append(
            EnvelopeProblem(
                SET_CONTROL_MISMATCH,
                f"SE02 {trailer.raw(2)!r} does not match ST02 {control!r}",
                trailer,
            )
        )


def _open_group(header: Segment) -> Group:
    group = Group(header=header)
    if not header.raw(6).isdigit():
        group.problems.append(
            EnvelopeProblem(
                GROUP_CONTROL_INVALID,
                f"GS06 {header.raw(6)!r} on line {header.line} is not a control number",
                header,
            )
        )
    return group


def _close_group(group: Group, trailer: Segment) -> None:
    group.trailer = trailer
    assert group.header is not None
    counted = len(group.transactions)
    if not _same_number(trailer.raw(1), counted):
        group.problems.append(
            EnvelopeProblem(
                GROUP_SET_COUNT,
                f"GE01 of group {group.header.raw(6)} says {trailer.raw(1)!r} transaction sets, "
                f"the group has {counted}",
                trailer,
            )
        )
    if not _same_control(trailer.raw(2), group.header.raw(6)):
        group.problems.append(
            EnvelopeProblem(
                GROUP_CONTROL_MISMATCH,
                f"GE02 {trailer.raw(2)!r} does not match GS06 {group.header.raw(6)!r}",
                trailer,
            )
        )


def _close_interchange(interchange: Interchange, trailer: Segment) -> None:
    interchange.trailer = trailer
    control = interchange.header.raw(13)
    counted = sum(1 for group in interchange.groups if group.header is not None)
    if not _same_number(trailer.raw(1), counted):
        interchange.problems.append(
            EnvelopeProblem(
                INTERCHANGE_GROUP_COUNT,
                f"IEA01 of interchange {control} says {trailer.raw(1)!r} groups, "
                f"the interchange has {counted}",
                trailer,
            )
        )
    if not _same_control(trailer.raw(2), control):
        interchange.problems.append(
            EnvelopeProblem(
                INTERCHANGE_CONTROL_MISMATCH,
                f"IEA02 {trailer.raw(2)!r} does not match ISA13 {control!r}",
                trailer,
            )
        )


def _same_number(text: str, count: int) -> bool:
    return text.isdigit() and int(text) == count


def _same_control(trailer: str, header: str) -> bool:
    """Control numbers agree as numbers when both are digits (GE02 "7" matches GS06 "0007")."""
    if trailer.isdigit() and header.isdigit():
        return int(trailer) == int(header)
    return trailer == header


# ---------------------------------------------------------------------------------------------
# Writing

Element = str | Sequence[str]
OutgoingSegment = tuple[str, Sequence[Element]]
OutgoingSet = tuple[str, Sequence[OutgoingSegment]]

_MAX_CONTROL = 999_999_999
_TAG = re.compile(r"[A-Z][A-Z0-9]{1,2}")
_REPLACEMENT = " "


class X12EnvelopeError(ConfigurationError):
    """An envelope setting or control number the X12 writer cannot put in an ISA/GS/ST."""


class X12WriteError(DataError):
    """Segments the X12 writer was given that cannot become a transaction set."""


@dataclass(frozen=True, slots=True)
class X12Envelope:
    """What a partner's interchanges say about who, which version and how they are punctuated.

    ``version`` is ISA12 (00401, 00501), ``release`` GS08 (004010, 005010, 005010X218...).
    ``delimiters`` defaults to ``~ * >`` with ``^`` as repetition separator from 00402 on
    (ISA11 is then "^", before it is the standards id "U").
    """

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    functional_id: str
    application_sender: str
    application_receiver: str
    version: str = "00401"
    release: str = "004010"
    usage: Literal["P", "T"] = "P"
    ack_requested: bool = False
    delimiters: Delimiters | None = None
    line_break_after_segment: bool = False
    encoding: str = "utf-8"

    def resolved_delimiters(self) -> Delimiters:
        if self.delimiters is not None:
            return self.delimiters
        repetition = "^" if self.version >= _FIRST_REPETITION_VERSION else None
        return Delimiters(segment="~", element="*", component=">", repetition=repetition)


@dataclass(frozen=True, slots=True)
class CleanedData:
    """A delimiter found in data and replaced, so that it could not split the element."""

    set_control: str
    segment: int
    tag: str
    element: int
    component: int | None
    characters: str

    def __str__(self) -> str:
        where = f"{self.tag}{self.element:02d}"
        if self.component is not None:
            where += f"-{self.component}"
        return (
            f"transaction set {self.set_control}, segment {self.segment} ({where}): "
            f"delimiter {self.characters!r} replaced by {_REPLACEMENT!r}"
        )


@dataclass(frozen=True, slots=True)
class WrittenInterchange:
    """The bytes of one interchange, the control numbers they carry, and what was cleaned."""

    data: bytes
    interchange_control: str
    group_control: str
    set_controls: tuple[str, ...]
    warnings: tuple[CleanedData, ...] = field(default=())


def write_interchange(
    envelope: X12Envelope,
    transactions: Sequence[OutgoingSet],
    *,
    interchange_control: int,
    group_control: int,
    first_set_control: int,
    moment: datetime,
    service_segments: Sequence[tuple[str, Sequence[str]]] = (),
) -> WrittenInterchange:
    """One interchange with one functional group holding ``transactions`` (ST02 numbered from
    ``first_set_control``); all sets go in one group, as GS01 is one functional id.

    ``service_segments`` (a TA1) stand between ISA and the group; with no sets beside them the
    interchange has no group at all (IEA01 = 0), which is how a TA1 travels on its own.
    """
    with collection_paused():
        return _write(
            envelope,
            transactions,
            interchange_control,
            group_control,
            first_set_control,
            moment,
            service_segments,
        )


def _write(
    envelope: X12Envelope,
    transactions: Sequence[OutgoingSet],
    interchange_control: int,
    group_control: int,
    first_set_control: int,
    moment: datetime,
    service_segments: Sequence[tuple[str, Sequence[str]]],
) -> WrittenInterchange:
    delimiters = envelope.resolved_delimiters()
    _check_envelope(envelope, delimiters)
    last_set_control = first_set_control + max(len(transactions), 1) - 1
    for name, number in (
        ("interchange control", interchange_control),
        ("group control", group_control),
        ("first set control", first_set_control),
        ("last set control", last_set_control),
    ):
        if not 1 <= number <= _MAX_CONTROL:
            raise X12EnvelopeError(
                f"the {name} number {number} is outside 1..{_MAX_CONTROL}",
                hint="Control numbers come from the partner's counter in the state store; "
                "check it has not been set by hand.",
            )
    writer = _SegmentWriter(delimiters, envelope.line_break_after_segment)
    isa13 = f"{interchange_control:09d}"
    writer.raw(_isa(envelope, delimiters, isa13, moment))
    for tag, elements in service_segments:
        if tag not in _SERVICE_TAGS:
            raise X12WriteError(
                f"{tag!r} is not a service segment that may stand outside a group",
                hint=f"service segments are {', '.join(sorted(_SERVICE_TAGS))}",
            )
        writer.segment(tag, elements, "", 0)
    gs06 = str(group_control)
    if service_segments and not transactions:
        writer.raw(writer.join("IEA", ["0", isa13]))
        return WrittenInterchange(
            data=writer.encode(envelope.encoding),
            interchange_control=isa13,
            group_control="",
            set_controls=(),
            warnings=tuple(writer.warnings),
        )
    writer.raw(
        writer.join(
            "GS",
            [
                envelope.functional_id,
                envelope.application_sender,
                envelope.application_receiver,
                moment.strftime("%Y%m%d"),
                moment.strftime("%H%M"),
                gs06,
                "X",
                envelope.release,
            ],
        )
    )
    set_controls: list[str] = []
    for offset, (code, segments) in enumerate(transactions):
        st02 = f"{first_set_control + offset:04d}"
        set_controls.append(st02)
        _check_set_code(code)
        writer.raw(writer.join("ST", [code, st02]))
        for position, (tag, elements) in enumerate(segments, start=2):
            if tag in _ENVELOPE_TAGS or not _TAG.fullmatch(tag):
                raise X12WriteError(
                    f"transaction set {st02} ({code}), segment {position}: {tag!r} is not a "
                    "segment tag a transaction set may carry",
                    hint="Segment tags are 2-3 upper-case letters or digits; the writer adds "
                    "ST/SE/GS/GE/ISA/IEA itself.",
                )
            writer.segment(tag, elements, st02, position)
        writer.raw(writer.join("SE", [str(len(segments) + 2), st02]))
    writer.raw(writer.join("GE", [str(len(transactions)), gs06]))
    writer.raw(writer.join("IEA", ["1", isa13]))
    return WrittenInterchange(
        data=writer.encode(envelope.encoding),
        interchange_control=isa13,
        group_control=gs06,
        set_controls=tuple(set_controls),
        warnings=tuple(writer.warnings),
    )


def _check_envelope(envelope: X12Envelope, delimiters: Delimiters) -> None:
    """Refuse settings that would write an ISA no partner could read."""
    marks = [delimiters.segment, delimiters.element, delimiters.component]
    if delimiters.repetition is not None:
        marks.append(delimiters.repetition)
    if any(len(mark) != 1 or mark.isalnum() or mark == " " for mark in marks) or len(
        set(marks)
    ) != len(marks):
        raise X12EnvelopeError(
            f"the delimiters {marks!r} must be distinct single characters, neither letters, "
            "digits nor space",
            hint="Fix the partner's X12 delimiter settings.",
        )
    fields = (
        ("sender qualifier (ISA05)", envelope.sender_qualifier, 2, 2),
        ("sender id (ISA06)", envelope.sender_id, 1, 15),
        ("receiver qualifier (ISA07)", envelope.receiver_qualifier, 2, 2),
        ("receiver id (ISA08)", envelope.receiver_id, 1, 15),
        ("version (ISA12)", envelope.version, 5, 5),
        ("functional id (GS01)", envelope.functional_id, 2, 2),
        ("application sender (GS02)", envelope.application_sender, 2, 15),
        ("application receiver (GS03)", envelope.application_receiver, 2, 15),
        ("release (GS08)", envelope.release, 1, 12),
    )
    for name, value, shortest, longest in fields:
        if not shortest <= len(value) <= longest or any(mark in value for mark in marks):
            raise X12EnvelopeError(
                f"the {name} {value!r} must be {shortest}-{longest} characters without delimiters",
                hint="Fix the partner's envelope settings.",
            )
    if not envelope.version.isdigit():
        raise X12EnvelopeError(
            f"the version (ISA12) {envelope.version!r} must be 5 digits, e.g. 00401 or 00501",
            hint="Fix the partner's envelope settings.",
        )
    if envelope.usage not in ("P", "T"):
        raise X12EnvelopeError(
            f"the usage indicator {envelope.usage!r} must be P (production) or T (test)",
            hint="Fix the partner's envelope settings.",
        )


def _check_set_code(code: str) -> None:
    if not (len(code) == 3 and code.isdigit()):
        raise X12WriteError(
            f"{code!r} is not an X12 transaction set code (three digits such as 810)",
            hint="Check the layout's document kind.",
        )


def _isa(envelope: X12Envelope, delimiters: Delimiters, isa13: str, moment: datetime) -> str:
    values = [
        "00",
        " " * 10,
        "00",
        " " * 10,
        envelope.sender_qualifier,
        envelope.sender_id.ljust(15),
        envelope.receiver_qualifier,
        envelope.receiver_id.ljust(15),
        moment.strftime("%y%m%d"),
        moment.strftime("%H%M"),
        delimiters.repetition or "U",
        envelope.version,
        isa13,
        "1" if envelope.ack_requested else "0",
        envelope.usage,
        delimiters.component,
    ]
    return "ISA" + delimiters.element + delimiters.element.join(values)


class _SegmentWriter:
    """Collects segment text, cleaning delimiters out of data as it goes."""

    def __init__(self, delimiters: Delimiters, line_break: bool) -> None:
        self.delimiters = delimiters
        self.terminator = delimiters.segment + ("\n" if line_break else "")
        self.separator = delimiters.element
        marks = [delimiters.segment, delimiters.element, delimiters.component]
        if delimiters.repetition is not None:
            marks.append(delimiters.repetition)
        self.marks = marks
        self.replace = str.maketrans({mark: _REPLACEMENT for mark in marks})
        # Any delimiter but the element separator, whose count is checked instead.
        self.others = re.compile("[" + re.escape("".join(marks[:1] + marks[2:])) + "]")
        self.parts: list[str] = []
        self.warnings: list[CleanedData] = []

    def join(self, tag: str, values: list[str]) -> str:
        return tag + self.separator + self.separator.join(values)

    def raw(self, text: str) -> None:
        self.parts.append(text)

    def segment(
        self, tag: str, elements: Sequence[Element], set_control: str, position: int
    ) -> None:
        values = list(elements)
        while values and not _has_content(values[-1]):
            values.pop()
        try:
            text = self.separator.join(values)  # type: ignore[arg-type]
        except TypeError:  # a composite among the elements: cleaned one by one below
            text = None
        if (
            text is not None
            and text.count(self.separator) == len(values) - 1
            and not self.others.search(text)
        ):
            self.parts.append(f"{tag}{self.separator}{text}")
            return
        cleaned = [
            self._element(value, (set_control, position, tag, index))
            for index, value in enumerate(values, start=1)
        ]
        self.parts.append(self.separator.join([tag, *cleaned]))

    def _element(self, value: Element, where: tuple[str, int, str, int]) -> str:
        if isinstance(value, str):
            return self._clean(value, where, None)
        components = list(value)
        while components and not components[-1]:
            components.pop()
        return self.delimiters.component.join(
            self._clean(component, where, index)
            for index, component in enumerate(components, start=1)
        )

    def _clean(self, text: str, where: tuple[str, int, str, int], component: int | None) -> str:
        cleaned = text.translate(self.replace)
        if cleaned != text:
            found = "".join(mark for mark in self.marks if mark in text)
            self.warnings.append(CleanedData(*where, component, found))
        return cleaned

    def encode(self, encoding: str) -> bytes:
        text = self.terminator.join(self.parts) + self.terminator
        try:
            return text.encode(encoding)
        except UnicodeEncodeError as error:
            number = text.count(self.delimiters.segment, 0, error.start) + 1
            raise X12WriteError(
                f"segment {number} of the interchange holds {text[error.start]!r}, which "
                f"{encoding} cannot encode",
                hint="Ask the partner which character set they accept, or clean the data in "
                "FreshBooks.",
            ) from None


def _has_content(value: Element) -> bool:
    if isinstance(value, str):
        return value != ""
    return any(value)
