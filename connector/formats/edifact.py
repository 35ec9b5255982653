"""UN/EDIFACT interchanges: bytes to the shared segment model, and messages to bytes.

Reading follows what partners actually send rather than the clean case: a UTF-8 BOM; the UNA
service string advice or the syntax defaults (``:+.? '``); the release character in front of any
delimiter or of itself; line breaks after segments, and files wrapped at a fixed width so that a
segment runs over several lines (when the terminator is not a line break, CR and LF are not data
and are dropped wherever they are); several interchanges in one file, each with its own UNA; UNG
groups beside messages that sit in no group. An interchange is cut out of the file before it is
decoded, on a one-byte-per-character view of the bytes (every delimiter is ASCII, and no byte of
a UTF-8 or ISO 8859 character is), then decoded as its UNB syntax identifier says.

What still lets the reader go on (a count or a reference in a trailer that does not match, a
missing trailer, a character outside the declared repertoire) becomes an ``EnvelopeProblem``
carrying the ISO 9735 syntax error code a CONTRL reports (data element 0085). Only input that
cannot be split into segments at all raises ``EdiSyntaxError``.

Writing escapes every delimiter in data with the release character: EDIFACT data is never
cleaned, so what FreshBooks holds is what the partner reads. A character the declared character
set cannot carry is refused rather than transliterated, naming the segment and element, because a
silently changed name or reference is worse than a file that is not sent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

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

# ISO 9735 syntax error codes (data element 0085), as CONTRL reports them.
SYNTAX_NOT_SUPPORTED = "2"  # syntax identifier or version not supported
MISSING = "13"  # a mandatory segment or data element is missing
INVALID_CHARACTERS = "21"  # a character outside the declared repertoire
REFERENCES_DO_NOT_MATCH = "28"  # a trailer's reference differs from its header's
CONTROL_COUNT_MISMATCH = "29"  # a trailer's count differs from what was received
GROUPS_AND_MESSAGES_MIXED = "30"  # messages outside UNG beside UNG groups
OUTSIDE_MESSAGE = "33"  # a segment that belongs in a message, group or interchange is outside it

DEFAULT_DELIMITERS = Delimiters(segment="'", element="+", component=":", release="?")
"""The ISO 9735 defaults a file without UNA uses (syntax 4 adds ``*`` for repetition)."""


def default_delimiters(syntax_version: str) -> Delimiters:
    """What a file without UNA means: syntax 4 adds the repetition separator ``*``."""
    if syntax_version.isdigit() and int(syntax_version) >= 4:
        return replace(DEFAULT_DELIMITERS, repetition="*")
    return DEFAULT_DELIMITERS


_BOM = "\xef\xbb\xbf"  # the UTF-8 byte order mark, seen through the one-byte-per-character view
_LINE_BREAKS = "\r\n"
_BLANK = "\r\n\t "
_UNA_LENGTH = 9
_TAG = re.compile(r"[A-Z][A-Z0-9]{2}")

# Level A: upper case, digits, space and the punctuation ISO 9735 lists for it.
_LEVEL_A = "A-Z0-9 .,\\-()/='+:?!\"%&*;<>"


@dataclass(frozen=True, slots=True)
class _Charset:
    """What a UNB syntax identifier names: the codec and the characters it permits."""

    identifier: str
    codec: str
    description: str
    forbidden: str  # a regex character class body of what the repertoire lacks

    def pattern(self, delimiters: Delimiters, *, reading: bool = True) -> re.Pattern[str]:
        """Characters outside the repertoire. The declared delimiters are allowed; so are line
        breaks when reading, which never reach data because the reader drops them, but not in
        data being written, which would lose them."""
        breaks = "\r\n"
        if self.forbidden.startswith("^"):
            allowed = re.escape("".join(_declared(delimiters))) + (breaks if reading else "")
            return re.compile(f"[{self.forbidden}{allowed}]")
        return re.compile(f"[{self.forbidden}{'' if reading else breaks}]")


_CONTROLS = "\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f"
CHARSETS: dict[str, _Charset] = {
    charset.identifier: charset
    for charset in (
        _Charset(
            "UNOA",
            "ascii",
            "level A: upper case, digits, space, . , - ( ) / = and ' + : ? ! \" % & * ; < >",
            "^" + _LEVEL_A,
        ),
        _Charset("UNOB", "ascii", "level B: printable ASCII", "^\x20-\x7e"),
        _Charset("UNOC", "iso-8859-1", "ISO 8859-1", _CONTROLS),
        _Charset("UNOD", "iso-8859-2", "ISO 8859-2", _CONTROLS),
        _Charset("UNOE", "iso-8859-5", "ISO 8859-5", _CONTROLS),
        _Charset("UNOF", "iso-8859-7", "ISO 8859-7", _CONTROLS),
        _Charset("UNOG", "iso-8859-3", "ISO 8859-3", _CONTROLS),
        _Charset("UNOH", "iso-8859-4", "ISO 8859-4", _CONTROLS),
        _Charset("UNOI", "iso-8859-6", "ISO 8859-6", _CONTROLS),
        _Charset("UNOJ", "iso-8859-8", "ISO 8859-8", _CONTROLS),
        _Charset("UNOK", "iso-8859-9", "ISO 8859-9", _CONTROLS),
        _Charset("UNOW", "utf-8", "UTF-8", _CONTROLS),
        _Charset("UNOY", "utf-8", "ISO 10646 (read as UTF-8)", _CONTROLS),
    )
}
# An identifier we do not know is read byte for byte, which loses nothing.
_UNKNOWN_CHARSET = _Charset("", "iso-8859-1", "unknown", "")


def _declared(delimiters: Delimiters) -> list[str]:
    """The characters a delimiter set takes out of data: each needs the release character."""
    return [
        char
        for char in (
            delimiters.segment,
            delimiters.element,
            delimiters.component,
            delimiters.release,
            delimiters.repetition,
        )
        if char
    ]


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def read_interchanges(data: bytes, file: str = "") -> list[Interchange]:
    """Every interchange in an EDIFACT file, in order, with its groups and messages."""
    view = data.decode("iso-8859-1")
    position = len(_BOM) if view.startswith(_BOM) else 0
    with collection_paused():
        return _Reader(view, file).read(position)


class _Reader:
    """One pass over the file: cut it into interchanges, split each into segments and build the
    envelopes as the segments go by."""

    def __init__(self, view: str, file: str) -> None:
        self.view = view
        self.file = file or None
        self.interchanges: list[Interchange] = []
        self.number = 0  # segments so far in the file: what errors call "segment N"

    def read(self, position: int) -> list[Interchange]:
        view = self.view
        position = _skip_blank(view, position)
        if position >= len(view):
            raise EdiSyntaxError(
                "the file holds no EDIFACT interchange (it is empty)",
                file=self.file,
                hint="check that the partner's upload finished; an EDIFACT file starts with UNA "
                "or UNB",
            )
        while position < len(view):
            line = view.count("\n", 0, position) + 1
            advised = view.startswith("UNA", position)
            if advised:
                delimiters = self._service_string_advice(position, line)
                position = _skip_blank(view, position + _UNA_LENGTH)
                line = view.count("\n", 0, position) + 1
            else:
                delimiters = DEFAULT_DELIMITERS
            if not view.startswith("UNB", position):
                found = view[position : position + 20]
                raise EdiSyntaxError(
                    f"expected an interchange header (UNB) but found {found!r}",
                    file=self.file,
                    line=line,
                    segment=self.number + 1,
                    hint="an EDIFACT interchange starts with UNB, optionally after UNA; is this "
                    "an X12 or a text file?",
                )
            end = self._interchange_end(position, delimiters)
            self._read_chunk(view[position:end], delimiters, advised, line)
            position = _skip_blank(view, end)
        return self.interchanges

    def _service_string_advice(self, position: int, line: int) -> Delimiters:
        """UNA's six characters: component, element, decimal mark, release, repetition (syntax
        4; a space before), terminator. A space for release or repetition means "none"."""
        advice = self.view[position + 3 : position + _UNA_LENGTH]
        if len(advice) < 6:
            raise EdiSyntaxError(
                f"the UNA service string advice is cut short ({advice!r})",
                file=self.file,
                line=line,
                segment=self.number + 1,
                hint="UNA must be followed by exactly six characters: component, element, "
                "decimal mark, release, repetition (or space), segment terminator",
            )
        component, element, decimal, release, repetition, segment = advice
        used = [component, element, segment] + [c for c in (release, repetition) if c != " "]
        if len(set(used)) != len(used) or any(char.isalnum() for char in used):
            raise EdiSyntaxError(
                f"the UNA service string advice {('UNA' + advice)!r} declares the same "
                "character twice, or a letter or digit, as a delimiter",
                file=self.file,
                line=line,
                segment=self.number + 1,
                hint="ask the partner for a UNA with six distinct punctuation characters",
            )
        return Delimiters(
            segment=segment,
            element=element,
            component=component,
            repetition=None if repetition == " " else repetition,
            release=None if release == " " else release,
            decimal=decimal,
        )

    def _interchange_end(self, position: int, delimiters: Delimiters) -> int:
        """Where this interchange's text ends: after the terminator that is followed by the next
        UNA or UNB, or at the end of the file."""
        view = self.view
        terminator, release = delimiters.segment, delimiters.release
        boundary = re.compile(re.escape(terminator) + r"[\r\n\t ]*UN[AB]")
        start = position
        while (found := boundary.search(view, start)) is not None:
            if not _released(view, found.start(), release, _LINE_BREAKS):
                return found.start() + 1
            start = found.start() + 1
        return len(view)

    def _read_chunk(self, text: str, advised: Delimiters, has_una: bool, line: int) -> None:
        """One interchange (or, when a wrap split the next UNB, more than one) with fixed
        delimiters: split into segments and walk the envelopes."""
        terminator, element, release = advised.segment, advised.element, advised.release
        if terminator not in text:
            raise EdiSyntaxError(
                f"no segment terminator {terminator!r} in the interchange",
                file=self.file,
                line=line,
                segment=self.number + 1,
                hint="the segments seem to end at line breaks; ask the partner to end each "
                f"segment with {terminator!r}, or to declare the terminator in a UNA service "
                "string advice",
            )
        pieces = text.split(terminator)
        if release is not None and release in text:
            pieces = _rejoin(pieces, terminator, release, skip=_LINE_BREAKS)
        rest = pieces.pop()
        drop_breaks = terminator not in _LINE_BREAKS
        breaks_per_terminator = 1 if terminator == "\n" else 0
        builder = _EnvelopeBuilder(self, text, has_una, advised)
        number = self.number
        tags: set[str] = set()
        for piece in pieces:
            raw = piece
            segment_line = line
            if "\n" in raw or "\r" in raw:
                stripped = raw.lstrip(_BLANK)
                segment_line = line + raw.count("\n", 0, len(raw) - len(stripped))
                inner = stripped.count("\n")
                line = segment_line + inner
                raw = stripped
                if drop_breaks and (inner or "\r" in raw):
                    raw = raw.replace("\r", "").replace("\n", "")
                elif not drop_breaks:
                    raw = raw.strip(_LINE_BREAKS)
            line += breaks_per_terminator
            if not raw:
                continue
            number += 1
            parts = raw.split(element)
            if release is not None and release in raw:
                parts = _rejoin(parts, element, release)
            tag = parts[0]
            if tag not in tags:
                if not _TAG.fullmatch(tag):
                    raise EdiSyntaxError(
                        f"{tag[:20]!r} is not a segment tag (three upper-case letters or digits)",
                        file=self.file,
                        segment=number,
                        line=segment_line,
                        hint="the file may use other delimiters than its UNA declares, or a "
                        "release character is missing in front of a delimiter in data",
                    )
                tags.add(tag)
            message = builder.message
            if message is not None and not builder.checking and tag not in _SERVICE_TAGS:
                # The hot path, inlined: a data segment inside an open message.
                message.segments.append(
                    Segment(tag, parts[1:], number, segment_line, builder.delimiters)
                )
            else:
                builder.add(tag, parts, number, segment_line)
        if rest.strip(_BLANK):
            raise EdiSyntaxError(
                f"the file ends inside a segment ({rest.strip(_BLANK)[:40]!r} has no "
                f"terminator {terminator!r})",
                file=self.file,
                segment=number + 1,
                line=line + rest[: len(rest) - len(rest.lstrip(_BLANK))].count("\n"),
                hint="the transfer was probably cut short: ask the partner to send the file again",
            )
        builder.finish()
        self.number = number


def _skip_blank(view: str, position: int) -> int:
    length = len(view)
    while position < length and view[position] in _BLANK:
        position += 1
    return position


def _released(text: str, index: int, release: str | None, skip: str = "") -> bool:
    """Whether the character at ``index`` is escaped: an odd run of release characters (line
    breaks in ``skip`` aside, for wrapped files) stands right before it."""
    if release is None:
        return False
    run = 0
    index -= 1
    while index >= 0:
        char = text[index]
        if char == release:
            run += 1
        elif char not in skip:
            break
        index -= 1
    return run % 2 == 1


def _rejoin(parts: list[str], separator: str, release: str, skip: str = "") -> list[str]:
    """Glue back the pieces of a ``str.split`` where the separator was released."""
    joined: list[str] = []
    glue = False
    for part in parts:
        if glue:
            joined[-1] = joined[-1] + separator + part
        else:
            joined.append(part)
        last = joined[-1][-1:]
        glue = (
            bool(last)
            and (last == release or last in skip)
            and _released(joined[-1], len(joined[-1]), release, skip)
        )
    return joined


class _EnvelopeBuilder:
    """Turns segments into interchanges, groups and messages, recording what does not add up."""

    def __init__(self, reader: _Reader, text: str, has_una: bool, advised: Delimiters) -> None:
        self.reader = reader
        self.text = text
        self.has_una = has_una
        self.advised = advised
        self.delimiters = advised
        self.interchange: Interchange | None = None
        self.group: Group | None = None  # an open UNG group
        self.message: TransactionSet | None = None
        self.charset = _UNKNOWN_CHARSET
        self.forbidden: re.Pattern[str] | None = None
        self.checking = False  # whether segments need the per-segment character check

    def add(self, tag: str, parts: list[str], number: int, line: int) -> None:
        if tag == "UNB":
            self._open_interchange(parts, number, line)
            return
        interchange = self.interchange
        if interchange is None:
            raise EdiSyntaxError(
                f"{tag} segment after the interchange trailer UNZ, outside any interchange",
                file=self.reader.file,
                segment=number,
                line=line,
                hint="every segment must sit between UNB and UNZ; the file may hold text "
                "after its last interchange",
            )
        finding = None
        if self.checking:
            parts, finding = self._characters(tag, parts, number, line)
        segment = Segment(tag, parts[1:], number, line, self.delimiters)
        if finding is not None and tag not in _HEADERS:
            self._problem(INVALID_CHARACTERS, finding, segment)
        message = self.message
        if message is not None and tag not in _SERVICE_TAGS:
            message.segments.append(segment)
        elif tag == "UNH":
            self._open_message(segment)
        elif tag == "UNT":
            self._close_message(segment)
        elif tag == "UNG":
            self._open_group(segment)
        elif tag == "UNE":
            self._close_group(segment)
        elif tag == "UNZ":
            self._end_interchange(segment)
        else:
            where = "a group" if self.group is not None else "the interchange"
            self._problem(
                OUTSIDE_MESSAGE,
                f"{tag} segment {number} (line {line}) sits in {where} outside any message",
                segment,
            )
        if finding is not None and tag in _HEADERS:
            self._problem(INVALID_CHARACTERS, finding, segment)

    def finish(self) -> None:
        if self.interchange is not None:
            self._end_interchange(None)

    # -- interchange

    def _open_interchange(self, parts: list[str], number: int, line: int) -> None:
        if self.interchange is not None:
            self._end_interchange(None)
        advised = self.advised
        syntax = parts[1] if len(parts) > 1 else ""
        identifier, _, version = syntax.partition(advised.component)
        version = version.partition(advised.component)[0]
        delimiters = advised if self.has_una else default_delimiters(version)
        self.has_una = False  # a second UNB in this text has no UNA of its own
        self.delimiters = delimiters
        self.charset = CHARSETS.get(identifier, _UNKNOWN_CHARSET)
        self.forbidden = self.charset.pattern(delimiters) if self.charset.forbidden else None
        # The check the loop would make per segment, made once over the whole text: a clean
        # interchange, the usual case, costs one scan.
        self.checking = self.charset is not _UNKNOWN_CHARSET and not (
            self.text.isascii() and (self.forbidden is None or not self.forbidden.search(self.text))
        )
        finding = None
        if self.checking:
            parts, finding = self._characters("UNB", parts, number, line)
        header = Segment("UNB", parts[1:], number, line, delimiters)
        interchange = Interchange(standard="edifact", delimiters=delimiters, header=header)
        self.interchange = interchange
        self.reader.interchanges.append(interchange)
        self.group = None
        self.message = None
        problems = interchange.problems
        if self.charset is _UNKNOWN_CHARSET:
            problems.append(
                EnvelopeProblem(
                    SYNTAX_NOT_SUPPORTED,
                    f"UNB at line {line} names the syntax identifier {identifier!r}, which is "
                    f"not one of {', '.join(CHARSETS)}; read byte for byte as ISO 8859-1",
                    header,
                )
            )
        if not version:
            problems.append(
                EnvelopeProblem(
                    MISSING,
                    f"UNB at line {line}: S001 {identifier} lacks the syntax version number (0002)",
                    header,
                )
            )
        elif version not in ("1", "2", "3", "4"):
            problems.append(
                EnvelopeProblem(
                    SYNTAX_NOT_SUPPORTED,
                    f"UNB at line {line} names syntax version {version!r} (1 to 4 exist)",
                    header,
                )
            )
        if not header.value(5):
            problems.append(
                EnvelopeProblem(
                    MISSING,
                    f"UNB at line {line} lacks the interchange control reference (0020)",
                    header,
                )
            )
        if finding is not None:
            problems.append(EnvelopeProblem(INVALID_CHARACTERS, finding, header))

    def _end_interchange(self, trailer: Segment | None) -> None:
        interchange = self.interchange
        assert interchange is not None
        if self.message is not None:
            self._end_message(None)
        if self.group is not None:
            self._end_group(None)
        interchange.trailer = trailer
        header = interchange.header
        if trailer is None:
            interchange.problems.append(
                EnvelopeProblem(
                    MISSING,
                    f"interchange {header.value(5)!r} (UNB at line {header.line}) has no UNZ "
                    "trailer: the file was cut short or the trailer was lost",
                    header,
                )
            )
        else:
            explicit = [group for group in interchange.groups if group.header is not None]
            counted, what = (
                (len(explicit), "groups")
                if explicit
                else (len(interchange.transactions), "messages")
            )
            _check_count(trailer, counted, what, interchange.problems)
            _check_reference(trailer, header, "interchange", 5, interchange.problems)
        self.interchange = None
        self.group = None

    # -- group

    def _open_group(self, header: Segment) -> None:
        if self.group is not None:
            self._end_group(None)
        interchange = self.interchange
        assert interchange is not None
        if any(group.header is None for group in interchange.groups):
            interchange.problems.append(
                EnvelopeProblem(
                    GROUPS_AND_MESSAGES_MIXED,
                    f"UNG at line {header.line} follows messages that sit in no group",
                    header,
                )
            )
        group = Group(header=header)
        interchange.groups.append(group)
        self.group = group

    def _close_group(self, trailer: Segment) -> None:
        if self.group is None:
            self._problem(
                OUTSIDE_MESSAGE,
                f"UNE at line {trailer.line} closes no group (there is no UNG before it)",
                trailer,
            )
            return
        self._end_group(trailer)

    def _end_group(self, trailer: Segment | None) -> None:
        group = self.group
        assert group is not None and group.header is not None
        if self.message is not None:
            self._end_message(None)
        group.trailer = trailer
        if trailer is None:
            group.problems.append(
                EnvelopeProblem(
                    MISSING,
                    f"group {group.header.value(5)!r} (UNG at line {group.header.line}) has no "
                    "UNE trailer",
                    group.header,
                )
            )
        else:
            _check_count(trailer, len(group.transactions), "messages", group.problems)
            _check_reference(trailer, group.header, "group", 5, group.problems)
        self.group = None

    # -- message

    def _open_message(self, header: Segment) -> None:
        interchange = self.interchange
        assert interchange is not None
        group = self.group
        if group is None:
            if any(existing.header is not None for existing in interchange.groups):
                interchange.problems.append(
                    EnvelopeProblem(
                        GROUPS_AND_MESSAGES_MIXED,
                        f"UNH at line {header.line} sits outside any group, beside UNG groups",
                        header,
                    )
                )
            if interchange.groups and interchange.groups[-1].header is None:
                group = interchange.groups[-1]
            else:
                group = Group(header=None)
                interchange.groups.append(group)
        message = TransactionSet(header=header)
        group.transactions.append(message)
        self.message = message

    def _close_message(self, trailer: Segment) -> None:
        if self.message is None:
            self._problem(
                OUTSIDE_MESSAGE,
                f"UNT at line {trailer.line} closes no message (there is no UNH before it)",
                trailer,
            )
            return
        self._end_message(trailer)

    def _end_message(self, trailer: Segment | None) -> None:
        message = self.message
        assert message is not None
        message.trailer = trailer
        if trailer is None:
            message.problems.append(
                EnvelopeProblem(
                    MISSING,
                    f"message {message.header.value(1)!r} (UNH at line {message.header.line}) "
                    "has no UNT trailer",
                    message.header,
                )
            )
        else:
            _check_count(trailer, len(message.segments) + 2, "segments", message.problems)
            _check_reference(trailer, message.header, "message", 1, message.problems)
        self.message = None

    # -- characters

    def _characters(
        self, tag: str, parts: list[str], number: int, line: int
    ) -> tuple[list[str], str | None]:
        """A segment decoded as its charset says (the one-byte view is only right for ISO
        8859-1), and what is wrong with its characters, if anything (code 21)."""
        charset = self.charset
        bad: str | None = None
        position = 0
        if not all(part.isascii() for part in parts):
            decoded = [
                (part, None) if part.isascii() else _decode(part, charset.codec) for part in parts
            ]
            parts = [text for text, _ in decoded]
            for index, (_, undecodable) in enumerate(decoded):
                if undecodable is not None:
                    bad, position = undecodable, index
                    break
        if bad is None and self.forbidden is not None:
            for index, part in enumerate(parts):
                found = self.forbidden.search(part)
                if found is not None:
                    bad, position = found.group(), index
                    break
        if bad is None:
            return parts, None
        where = f"{tag} element {position:02d}" if position else f"segment tag {tag!r}"
        return parts, (
            f"{where} (segment {number}, line {line}): {bad!r} (U+{ord(bad):04X}) is not in "
            f"{charset.identifier}, {charset.description}; the partner must declare a "
            "character set that holds it (UNOC for Western European text, UNOW for UTF-8)"
        )

    def _problem(self, code: str, message: str, segment: Segment) -> None:
        """Record a problem where an acknowledgment reports it: in the open message, else the
        open group, else the interchange."""
        target = self.message or self.group or self.interchange
        assert target is not None
        target.problems.append(EnvelopeProblem(code, message, segment))


_SERVICE_TAGS = frozenset({"UNB", "UNZ", "UNG", "UNE", "UNH", "UNT"})
_HEADERS = frozenset({"UNH", "UNG"})


def _decode(part: str, codec: str) -> tuple[str, str | None]:
    """Decode one element of the one-byte view; the first character that does not belong
    comes back too. ASCII-declared data that is not ASCII is most often UTF-8, else Latin-1."""
    raw = part.encode("iso-8859-1")
    if codec == "ascii":
        for fallback in ("utf-8", "iso-8859-1"):
            try:
                text = raw.decode(fallback)
            except UnicodeDecodeError:
                continue
            return text, next(char for char in text if not char.isascii())
    try:
        return raw.decode(codec), None
    except UnicodeDecodeError as error:
        text = raw.decode(codec, errors="replace")
        return text, text[error.start] if error.start < len(text) else "\ufffd"


def _check_count(
    trailer: Segment, counted: int, what: str, problems: list[EnvelopeProblem]
) -> None:
    declared = trailer.value(1)
    if not declared.isdigit() or int(declared) != counted:
        problems.append(
            EnvelopeProblem(
                CONTROL_COUNT_MISMATCH,
                f"{trailer.tag} at line {trailer.line} counts {declared or '(nothing)'} {what}, "
                f"but {counted} were received",
                trailer,
            )
        )


def _check_reference(
    trailer: Segment, header: Segment, what: str, position: int, problems: list[EnvelopeProblem]
) -> None:
    given, reference = trailer.value(2), header.value(position)
    if given != reference:
        problems.append(
            EnvelopeProblem(
                REFERENCES_DO_NOT_MATCH,
                f"{trailer.tag} at line {trailer.line} names {what} reference "
                f"{given or '(nothing)'!r}, but its {header.tag} at line {header.line} says "
                f"{reference!r}",
                trailer,
            )
        )


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------

Component = str | Decimal
"""One value: text is written as given (escaped); a Decimal in plain notation with the
declared decimal mark."""
Element = Component | Sequence[Component]
"""A simple data element, or a composite as its components."""


class OutgoingSegment(NamedTuple):
    tag: str
    elements: Sequence[Element]


class OutgoingMessage(NamedTuple):
    """A message to write: its type (``INVOIC``) and its segments between UNH and UNT."""

    message_type: str
    segments: Sequence[OutgoingSegment | tuple[str, Sequence[Element]]]


class EdifactEnvelopeError(ConfigurationError):
    """A partner's EDIFACT envelope settings cannot produce a valid interchange."""


class EdifactWriteError(DataError):
    """A value cannot be written into the interchange as the partner's settings stand."""


@dataclass(frozen=True, slots=True)
class EdifactEnvelope:
    """What one partner's interchanges carry around the messages: UNB, UNH's message
    identifier, and the delimiters (announced in UNA when ``write_una``)."""

    sender_id: str
    receiver_id: str
    sender_qualifier: str = ""  # 0007, e.g. 14 for a GLN, ZZZ mutually defined
    receiver_qualifier: str = ""
    syntax_identifier: str = "UNOC"  # 0001: the character set
    syntax_version: str = "3"  # 0002
    test: bool = False  # 0035 = 1
    acknowledgment_requested: bool = False  # 0031 = 1: the partner answers with CONTRL
    application_reference: str = ""  # 0026, e.g. INVOIC
    message_version: str = "D"  # 0052
    message_release: str = "96A"  # 0054
    controlling_agency: str = "UN"  # 0051
    association_code: str = ""  # 0057, e.g. EAN008 for EANCOM
    delimiters: Delimiters = DEFAULT_DELIMITERS
    write_una: bool = True
    line_break: str = ""  # after each segment: "", "\n" or "\r\n"

    def __post_init__(self) -> None:
        charset = CHARSETS.get(self.syntax_identifier)
        if charset is None:
            raise EdifactEnvelopeError(
                f"syntax identifier {self.syntax_identifier!r} is not one this writer knows",
                hint=f"use one of {', '.join(CHARSETS)} (UNOC is ISO 8859-1, UNOW UTF-8)",
            )
        if self.syntax_version not in ("1", "2", "3", "4"):
            raise EdifactEnvelopeError(
                f"syntax version {self.syntax_version!r} does not exist",
                hint="use 3 (the most widely traded) or 4",
            )
        delimiters = self.delimiters
        if delimiters.repetition is None and self.syntax_version == "4":
            delimiters = replace(delimiters, repetition="*")
            object.__setattr__(self, "delimiters", delimiters)
        declared = _declared(delimiters)
        if (
            delimiters.release is None
            or len(set(declared)) != len(declared)
            or any(len(char) != 1 or char.isalnum() or char.isspace() for char in declared)
        ):
            raise EdifactEnvelopeError(
                f"the delimiters {delimiters} cannot be written: each must be one punctuation "
                "character, all different, and a release character is required",
                hint="leave the delimiters at the defaults (:+.? ') unless the partner's guide "
                "says otherwise",
            )
        if delimiters.decimal not in (".", ","):
            raise EdifactEnvelopeError(
                f"decimal mark {delimiters.decimal!r} is neither '.' nor ','",
                hint="ISO 9735 allows only a point or a comma",
            )
        if not self.write_una and delimiters != default_delimiters(self.syntax_version):
            raise EdifactEnvelopeError(
                "the delimiters differ from the ISO 9735 defaults, so the interchange needs a "
                "UNA service string advice to announce them",
                hint="set write_una, or use the default delimiters",
            )
        if self.line_break not in ("", "\n", "\r\n"):
            raise EdifactEnvelopeError(
                f"line break {self.line_break!r} is not one of '', LF or CRLF",
                hint="most partners take segments without line breaks, some want LF",
            )


@dataclass(frozen=True, slots=True)
class EdifactGroup:
    """A UNG/UNE functional group around the messages, for partners whose guide asks for one."""

    reference: int  # 0048
    application_sender_id: str = ""
    application_sender_qualifier: str = ""
    application_recipient_id: str = ""
    application_recipient_qualifier: str = ""


@dataclass(frozen=True, slots=True)
class WrittenInterchange:
    """The bytes of one interchange and the references they carry, to record with the file."""

    data: bytes
    interchange_control: str
    message_references: tuple[str, ...]
    group_reference: str | None = None
    segment_count: int = 0  # every segment, service segments included


_MAX_REFERENCE = 10**14 - 1  # 0020, 0048 and 0062 are an..14


def write_interchange(
    envelope: EdifactEnvelope,
    messages: Sequence[OutgoingMessage],
    *,
    interchange_control: int,
    first_message_ref: int,
    moment: datetime,
    group: EdifactGroup | None = None,
) -> WrittenInterchange:
    """One interchange (UNA, UNB, optionally UNG, the messages between UNH and UNT, UNE, UNZ)
    with its counts and references filled in; message references count up from
    ``first_message_ref``."""
    if not messages:
        raise EdifactWriteError(
            "an interchange needs at least one message",
            hint="skip writing the file when there is nothing to send",
        )
    last_reference = first_message_ref + len(messages) - 1
    for name, value in (
        ("interchange control reference", interchange_control),
        ("first message reference", first_message_ref),
        ("last message reference", last_reference),
        ("group reference", group.reference if group else 1),
    ):
        if not 0 < value <= _MAX_REFERENCE:
            raise EdifactWriteError(
                f"{name} {value} is outside 1..{_MAX_REFERENCE} (EDIFACT references are up to "
                "14 characters)",
                hint="control numbers come from the state store; check the partner's sequence",
            )
    delimiters = envelope.delimiters
    writer = _SegmentWriter(delimiters, envelope.line_break)
    long_date = envelope.syntax_version == "4"
    date = moment.strftime("%Y%m%d" if long_date else "%y%m%d")
    time = moment.strftime("%H%M")
    control = str(interchange_control)
    writer.add(
        "UNB",
        [
            [envelope.syntax_identifier, envelope.syntax_version],
            [envelope.sender_id, envelope.sender_qualifier],
            [envelope.receiver_id, envelope.receiver_qualifier],
            [date, time],
            control,
            "",
            envelope.application_reference,
            "",
            "1" if envelope.acknowledgment_requested else "",
            "",
            "1" if envelope.test else "",
        ],
    )
    group_reference = None
    if group is not None:
        types = {message.message_type for message in messages}
        if len(types) != 1:
            raise EdifactWriteError(
                f"a UNG group holds one message type, and these messages are {sorted(types)}",
                hint="write one interchange (or one group) per message type",
            )
        group_reference = str(group.reference)
        writer.add(
            "UNG",
            [
                types.pop(),
                [group.application_sender_id, group.application_sender_qualifier],
                [group.application_recipient_id, group.application_recipient_qualifier],
                [moment.strftime("%y%m%d"), time],
                group_reference,
                envelope.controlling_agency,
                [envelope.message_version, envelope.message_release, envelope.association_code],
            ],
        )
    references = []
    for offset, message in enumerate(messages):
        reference = str(first_message_ref + offset)
        references.append(reference)
        first = writer.count
        writer.add(
            "UNH",
            [
                reference,
                [
                    message.message_type,
                    envelope.message_version,
                    envelope.message_release,
                    envelope.controlling_agency,
                    envelope.association_code,
                ],
            ],
        )
        for tag, elements in message.segments:
            writer.add(tag, elements)
        writer.add("UNT", [str(writer.count - first + 1), reference])
    if group is not None:
        writer.add("UNE", [str(len(messages)), group_reference])
    writer.add("UNZ", ["1" if group is not None else str(len(messages)), control])
    una = ""
    if envelope.write_una:
        una = (
            "UNA"
            + "".join(
                (
                    delimiters.component,
                    delimiters.element,
                    delimiters.decimal,
                    delimiters.release or " ",
                    delimiters.repetition or " ",
                    delimiters.segment,
                )
            )
            + envelope.line_break
        )
    text = una + writer.text()
    return WrittenInterchange(
        data=_encode(text, CHARSETS[envelope.syntax_identifier], writer),
        interchange_control=control,
        message_references=tuple(references),
        group_reference=group_reference,
        segment_count=writer.count,
    )


class _SegmentWriter:
    """Segments to text: escaping, decimal marks and trailing empties handled once, here."""

    def __init__(self, delimiters: Delimiters, line_break: str) -> None:
        release = delimiters.release
        assert release is not None
        self.escapes = str.maketrans({char: release + char for char in _declared(delimiters)})
        self.delimiters = delimiters
        self.element = delimiters.element
        self.component = delimiters.component
        self.decimal = delimiters.decimal
        self.end = delimiters.segment + line_break
        self.segments: list[str] = []
        self.count = 0

    def add(self, tag: str, elements: Sequence[Element]) -> None:
        if not _TAG.fullmatch(tag):
            raise EdifactWriteError(
                f"{tag!r} is not a segment tag (three upper-case letters or digits)",
                hint="check the tag in the mapping's layout",
            )
        written = [self._element(element) for element in elements]
        while written and not written[-1]:
            written.pop()
        self.segments.append(self.element.join((tag, *written)) if written else tag)
        self.count += 1

    def _element(self, element: Element) -> str:
        if isinstance(element, str | Decimal):
            return self._component(element)
        components = [self._component(component) for component in element]
        while components and not components[-1]:
            components.pop()
        return self.component.join(components)

    def _component(self, value: Component) -> str:
        if isinstance(value, Decimal):
            text = format(value, "f")
            return text.replace(".", self.decimal) if self.decimal != "." else text
        return value.translate(self.escapes)

    def text(self) -> str:
        return self.end.join(self.segments) + self.end


def _encode(text: str, charset: _Charset, writer: _SegmentWriter) -> bytes:
    """The interchange's bytes; a character its charset cannot carry is refused, naming the
    segment and element (looked up only when there is one)."""
    found = charset.pattern(writer.delimiters, reading=False).search("".join(writer.segments))
    bad = found.group() if found else None
    if bad is None:
        try:
            return text.encode(charset.codec)
        except UnicodeEncodeError as error:
            bad = text[error.start]
    for number, segment in enumerate(writer.segments, start=1):
        if bad in segment:
            tag, *elements = segment.split(writer.delimiters.element)
            position = next(index for index, value in enumerate(elements, 1) if bad in value)
            raise EdifactWriteError(
                f"{tag} (segment {number}) element {position:02d}: {bad!r} (U+{ord(bad):04X}) "
                f"cannot be written in {charset.identifier}, {charset.description}",
                hint="choose a syntax identifier that holds it for this partner (UNOC for "
                "Western European text, UNOW for UTF-8), or change the value in FreshBooks",
            )
    raise EdifactWriteError(
        f"{bad!r} (U+{ord(bad):04X}) cannot be written in {charset.identifier}",
        hint="choose a syntax identifier that holds it (UNOW for UTF-8)",
    )
