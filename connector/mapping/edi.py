"""What EDI sections share, either way: element positions, the envelope, and the format's checks.

An EDI layout is positional: `02` is the second element of a segment, `03.1` the first component
of the third; `N1[PR]` picks the N1 whose first element is PR. Everything the analyst writes about
a segment is checked here against the format's knowledge of the transaction set, so that
`mapping check` points at the tag or position that is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from connector.formats import (
    ElementLayout,
    FormatOptionError,
    SegmentFormat,
    SegmentLayout,
    SegmentOptions,
)
from connector.mapping import nodes as ast
from connector.mapping.compiler import Report

SET_KEY = "__set"  # the rows' column naming their transaction set, where `reject set` needs it


@dataclass(frozen=True)
class SetIdentity:
    """The envelope elements that tell the transaction sets (EDIFACT messages) of a file apart:
    the control numbers of the interchange, the group and the set, as a 997 or CONTRL names it.
    The last is the set's own, shown with the rows a `reject set` refuses."""

    controls: tuple[tuple[str, ElementLayout], ...]

    @property
    def columns(self) -> list[str]:
        return [f"{tag}.{element.name}" for tag, element in self.controls]

    @property
    def own(self) -> str:
        return self.columns[-1]


SET_IDENTITIES = {
    "x12": SetIdentity(
        (("ISA", ElementLayout(13)), ("GS", ElementLayout(6)), ("ST", ElementLayout(2)))
    ),
    "edifact": SetIdentity(
        (("UNB", ElementLayout(5)), ("UNG", ElementLayout(5)), ("UNH", ElementLayout(1)))
    ),
}


@dataclass(frozen=True)
class SegmentRows:
    """How an inbound EDI file becomes rows: one per `row` segment, reading `segments`; with an
    `identity`, each row also names its set in SET_KEY."""

    segments: list[SegmentLayout]
    row: str
    options: SegmentOptions
    identity: SetIdentity | None = None


_POSITION = re.compile(r"(\d+)(?:\.(\d+))?")
_TAG = re.compile(r"[A-Z][A-Z0-9]{1,2}")


def element_position(text: str, pos: ast.Pos, report: Report) -> ElementLayout | None:
    """`02` or `03.1` as an element layout; None (reported) when it is no position."""
    match = _POSITION.fullmatch(text)
    numbers = [int(part) for part in match.groups() if part is not None] if match else []
    if not numbers or 0 in numbers:
        report(
            pos,
            f"{text} is not an element position: write its number as the guide lists it, like "
            "02, or 03.1 for the first component of element 03",
        )
        return None
    return ElementLayout(*numbers)


def tag_ok(tag: str, pos: ast.Pos, report: Report) -> bool:
    """Whether `tag` has a segment tag's form (reported when not), before it is looked up."""
    if _TAG.fullmatch(tag):
        return True
    report(pos, f"{tag} is not a segment tag: tags are 2 or 3 capital letters or digits, like N1")
    return False


def segment_options(
    section: ast.Section, fmt: SegmentFormat, report: Report
) -> SegmentOptions | None:
    """The transaction set named after the format and the envelope entries, checked by it."""
    envelopes = [s for s in section.statements if isinstance(s, ast.Envelope)]
    for extra in envelopes[1:]:
        report(extra.pos, f"a second envelope (the first is at line {envelopes[0].pos.line})")
        return None
    if envelopes and section.direction == "inbound":
        report(
            envelopes[0].pos,
            "an envelope says how we write a partner's files: it belongs in outbound sections",
        )
        return None
    entries: dict[str, ast.EnvelopeEntry] = {}
    for entry in envelopes[0].entries if envelopes else ():
        if entry.name in entries:
            first = entries[entry.name].pos.line
            report(entry.pos, f"{entry.name} is set twice in the envelope (first at line {first})")
            return None
        entries[entry.name] = entry
    try:
        return fmt.segment_options(
            section.layout, {name: entry.values for name, entry in entries.items()}
        )
    except FormatOptionError as error:
        where = entries[error.setting].pos if error.setting in entries else section.format_pos
        message = error.message if error.hint is None else f"{error.message} ({error.hint})"
        report(where, message)
        return None


def segment_checked(
    fmt: SegmentFormat,
    options: SegmentOptions,
    layout: SegmentLayout,
    pos: ast.Pos,
    element_pos: dict[ElementLayout, ast.Pos],
    report: Report,
    *,
    reading: bool = False,
) -> bool:
    """Whether the format accepts the segment for the section's transaction set (reported)."""
    problems = fmt.segment_problems(options, layout, reading=reading)
    for element, message in problems:
        report(element_pos.get(element, pos) if element is not None else pos, message)
    return not problems


def set_identity(
    fmt: SegmentFormat,
    elements: dict[str, dict[ElementLayout, ast.Pos]],
    tags: dict[str, tuple[str, str | None, ast.Pos]],
    pos: ast.Pos,
    report: Report,
) -> SetIdentity | None:
    """How `fmt` tells its sets apart, its control elements added to those the section reads;
    None (reported at `pos`, the first `reject set`) for a format that does not say."""
    identity = SET_IDENTITIES.get(fmt.name)
    if identity is None:
        report(
            pos,
            f"reject set needs to tell the {fmt.name} format's transaction sets apart, and it "
            "has no control numbers known here: use reject file when ... instead",
        )
        return None
    for tag, element in identity.controls:
        tags.setdefault(tag, (tag, None, pos))
        elements.setdefault(tag, {}).setdefault(element, pos)
    return identity


def inbound_segments(
    section: ast.Section,
    fmt: SegmentFormat,
    setting: ast.Setting | None,
    elements: dict[str, dict[ElementLayout, ast.Pos]],
    tags: dict[str, tuple[str, str | None, ast.Pos]],
    report: Report,
    identity: SetIdentity | None = None,
) -> SegmentRows | None:
    """The segments an inbound EDI section reads and the one that makes its rows (`rows per`)."""
    ok = True
    for statement in section.statements:
        if isinstance(statement, ast.SegmentSpec | ast.Loop):
            report(
                statement.pos,
                "segments are written going out; coming in, read their elements where a field is "
                "assigned, like amount = money(RMR.04)",
            )
            ok = False
    options = segment_options(section, fmt, report)
    if setting is None:
        report(
            section.pos,
            "which segment makes a record? add `rows per <tag>`, like rows per RMR (820) or "
            "rows per DOC (REMADV)",
        )
        return None
    row = str(setting.value)
    if options is None or not ok or not tag_ok(row, setting.pos, report):
        return None
    layouts = [SegmentLayout(row)] if row not in tags else []
    for selector, (tag, qualifier, pos) in tags.items():
        read = elements[selector]
        layout = SegmentLayout(tag, qualifier, tuple(read))
        ok = segment_checked(fmt, options, layout, pos, read, report, reading=True) and ok
        layouts.append(layout)
    row_layout = SegmentLayout(row)
    ok = segment_checked(fmt, options, row_layout, setting.pos, {}, report, reading=True) and ok
    return SegmentRows(layouts, row, options, identity) if ok else None
