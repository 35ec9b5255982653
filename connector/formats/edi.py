"""What X12 and EDIFACT share once tokenized: delimiters, segments, and the envelopes around them.

Both standards are a stream of segments (a tag and positional elements, elements made of
components, some repeated) wrapped in nested envelopes: interchange (ISA/IEA, UNB/UNZ), group
(GS/GE, UNG/UNE: optional in EDIFACT) and transaction set or message (ST/SE, UNH/UNT). The
tokenizers in `x12` and `edifact` produce this model; the writers, the segment-order checks in
`edi_specs`, the acknowledgments and the mapping layouts consume it, so none of them care which
standard a file came in.

Segments keep their elements as the raw text between element separators: splitting components,
repetitions and removing EDIFACT release characters happens only for the elements someone reads,
which is what keeps reading 300,000 segments cheap.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

from connector.errors import DataError

Standard = Literal["x12", "edifact"]

_pause_lock = threading.Lock()
_pauses = 0
_collector_was_enabled = False


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The separators one interchange declares (ISA positions, or UNA / the syntax defaults)."""

    segment: str
    element: str
    component: str
    repetition: str | None = None
    release: str | None = None
    decimal: str = "."


class EdiSyntaxError(DataError):
    """A file is not well-formed EDI; says where (file, segment number, line, element)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        segment: int | None = None,
        line: int | None = None,
        element: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                file,
                f"segment {segment}" if segment is not None else None,
                f"line {line}" if line is not None else None,
                f"element {element:02d}" if element is not None else None,
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.file = file
        self.segment = segment
        self.line = line
        self.element = element


@dataclass(slots=True)
class Segment:
    """One segment: ``elements[0]`` is element 01 (ISA01, BIG01, UNB's first data element)."""

    tag: str
    elements: list[str]
    number: int
    line: int
    delimiters: Delimiters

    def raw(self, position: int) -> str:
        """Element ``position`` (1-based) as written, "" when absent."""
        index = position - 1
        return self.elements[index] if 0 <= index < len(self.elements) else ""

    def components(self, position: int, repeat: int = 1) -> list[str]:
        """The components of one occurrence of an element, release characters removed."""
        text = self.raw(position)
        if self.delimiters.repetition and self.delimiters.repetition in text:
            occurrences = split_escaped(text, self.delimiters.repetition, self.delimiters.release)
            text = occurrences[repeat - 1] if repeat <= len(occurrences) else ""
        elif repeat != 1:
            return []
        parts = split_escaped(text, self.delimiters.component, self.delimiters.release)
        return [unescape(part, self.delimiters.release) for part in parts]

    def value(self, position: int, component: int = 1, repeat: int = 1) -> str:
        """One component of one element (1-based), "" when absent: what a mapping reads."""
        text = self.raw(position)
        delimiters = self.delimiters
        if (
            component == 1
            and repeat == 1
            and delimiters.component not in text
            and (delimiters.release is None or delimiters.release not in text)
            and (delimiters.repetition is None or delimiters.repetition not in text)
        ):
            return text
        parts = self.components(position, repeat)
        return parts[component - 1] if component <= len(parts) else ""


@dataclass(frozen=True, slots=True)
class EnvelopeProblem:
    """Something wrong with an envelope that still let the reader go on (a count or control
    number that does not match, a missing trailer): what acknowledgments report.

    ``code`` is the standard's own: for X12 the AK5/AK9 (or TA1 note) code, for EDIFACT the
    ISO 9735 syntax error code CONTRL reports.
    """

    code: str
    message: str
    segment: Segment | None = None


@dataclass(slots=True)
class TransactionSet:
    """ST..SE or UNH..UNT with the segments between them."""

    header: Segment
    segments: list[Segment] = field(default_factory=list)
    trailer: Segment | None = None
    problems: list[EnvelopeProblem] = field(default_factory=list)

    @property
    def code(self) -> str:
        """``810``, ``997``, ``INVOIC``: ST01, or UNH's message type (0065)."""
        return self.header.value(1) if self.header.tag == "ST" else self.header.value(2, 1)

    @property
    def control_number(self) -> str:
        """ST02, or UNH's message reference (0062)."""
        return self.header.value(2) if self.header.tag == "ST" else self.header.value(1)


@dataclass(slots=True)
class Group:
    """GS..GE or UNG..UNE; EDIFACT messages outside any UNG sit in a group with no header."""

    header: Segment | None
    transactions: list[TransactionSet] = field(default_factory=list)
    trailer: Segment | None = None
    problems: list[EnvelopeProblem] = field(default_factory=list)


@dataclass(slots=True)
class Interchange:
    """ISA..IEA or UNB..UNZ, with the delimiters it declared."""

    standard: Standard
    delimiters: Delimiters
    header: Segment
    groups: list[Group] = field(default_factory=list)
    trailer: Segment | None = None
    problems: list[EnvelopeProblem] = field(default_factory=list)
    # Segments that belong to the interchange itself, outside any group: X12's TA1.
    service_segments: list[Segment] = field(default_factory=list)

    @property
    def transactions(self) -> list[TransactionSet]:
        return [t for group in self.groups for t in group.transactions]


def split_escaped(text: str, separator: str, release: str | None) -> list[str]:
    """Split on ``separator`` except where the release character escapes it."""
    if release is None or release not in text:
        return text.split(separator)
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            current.append(release)
            current.append(char)
            escaped = False
        elif char == release:
            escaped = True
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        current.append(release)
    parts.append("".join(current))
    return parts


def unescape(text: str, release: str | None) -> str:
    """Drop the release character before what it escapes: ``?'`` -> ``'``, ``??`` -> ``?``."""
    if release is None or release not in text:
        return text
    out: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            out.append(char)
            escaped = False
        elif char == release:
            escaped = True
        else:
            out.append(char)
    return "".join(out)


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a file is tokenized.

    Reading allocates hundreds of thousands of small objects that all live on, and the collector
    would rescan them again and again (more than half of the reading time on a 10,000-message
    file); none of them form cycles. The switch is process-wide, so pauses are counted: reads in
    several threads at once leave the collector as they found it when the last one ends.

    Switching it back on alone would only postpone the cost: the first allocation after it would
    scan every object the read made (a third of the reading time), find them all alive, and scan
    them once more on their way to the oldest generation. So they are moved there directly, see
    `_promote_young_objects`.
    """
    global _pauses, _collector_was_enabled
    with _pause_lock:
        if _pauses == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _collector_was_enabled:
                _promote_young_objects()
                gc.enable()


def _promote_young_objects() -> None:
    """Move every object the collector tracks into its oldest generation without scanning it.

    `gc.freeze` moves them all (and resets the count that triggers the next young collection);
    `gc.unfreeze` hands them back as the oldest generation, which full collections still scan,
    so nothing escapes collection: garbage cycles other threads made meanwhile wait for the next
    full collection instead of the next young one. Skipped when someone else froze objects (a
    server freezing its heap before forking), as unfreezing would undo that.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
