"""File formats as plugins: each turns partner bytes into a frame of text columns and back.

A format is a class with a `name`, the `settings` it understands, `options(settings)` to validate
them once when a mapping is checked, and `read`/`write` for files of one kind of row. Formats that
carry several kinds of record in one file (a header, details, a trailer) also take structured
layouts: `RecordLayout`s of typed `FieldLayout`s, checked by `layout_problems` and used by
`read_records`/`write_records`. Files too large to hold whole are read in frames of a bounded
number of rows through `iter_read`/`iter_read_records`; a format that cannot stream inherits the
default, which reads the file whole and hands it over in slices. Formats are found through the
`ml_connector.formats` entry point group; the built-in ones are listed the same way below so that a
source checkout without installed metadata still finds them. Adding a format never edits the
mapping compiler.

EDI formats (X12, EDIFACT) are `SegmentFormat`s: a file is interchanges of transaction sets, one per
document, each a list of segments. Going out they take the segments a mapping built per document;
coming in `read_segments` gives one row per segment of the kind that makes records (an 820's RMR),
with the elements the mapping reads from that segment's loop, or from the set's heading, or from
its summary.
"""

from __future__ import annotations

import datetime as dt
import difflib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any, ClassVar

import polars as pl

from connector.errors import ConfigurationError, DataError
from connector.formats.edi import EdiSyntaxError, Interchange, Segment
from connector.formats.edi_specs import SpecError, load_spec

ENTRY_POINT_GROUP = "ml_connector.formats"
BUILTIN_FORMATS = (
    EntryPoint(name="csv", value="connector.formats.csv:CsvFormat", group=ENTRY_POINT_GROUP),
    EntryPoint(
        name="fixed_width",
        value="connector.formats.fixed_width:FixedWidthFormat",
        group=ENTRY_POINT_GROUP,
    ),
    EntryPoint(name="xml", value="connector.formats.xml:XmlFormat", group=ENTRY_POINT_GROUP),
    EntryPoint(name="x12", value="connector.formats.x12_format:X12Format", group=ENTRY_POINT_GROUP),
    EntryPoint(
        name="edifact",
        value="connector.formats.edifact_format:EdifactFormat",
        group=ENTRY_POINT_GROUP,
    ),
)
# Columns of the frame `read_records` returns besides the `record.field` ones.
LINE = "__line"
RECORD_TYPE = "__type"
# The `newline` setting of the text formats.
NEWLINES = {"crlf": "\r\n", "lf": "\n"}


@dataclass(frozen=True)
class FieldLayout:
    """One field of a record. `start` (1-based) and `width` place it in a fixed-width line;
    `align`/`pad` fill it; `implied` decimal places are written without the point."""

    name: str
    width: int | None = None
    start: int | None = None
    align: str = "left"
    pad: str = " "
    implied: int = 0

    @property
    def end(self) -> int:
        return (self.start or 1) + (self.width or 0) - 1


@dataclass(frozen=True)
class RecordLayout:
    """A kind of record; `tag` is the literal at `tag_at` (a position, or a field number in
    delimited files) that tells this kind from the others in an inbound file."""

    name: str
    fields: tuple[FieldLayout, ...]
    tag: str | None = None
    tag_at: int = 1


class FormatOptionError(ConfigurationError):
    """A format setting in a mapping has a value the format cannot use."""

    def __init__(self, setting: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.setting = setting


class UnknownFormatError(ConfigurationError):
    """A mapping names a format that no installed plugin provides."""


class FileFormatError(DataError):
    """Partner bytes that do not read as the declared format; `line` is set when it is known."""

    def __init__(self, message: str, *, line: int | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.line = line


def empty_file() -> FileFormatError:
    """A partner file with nothing in it: no format can read one, so they all say it alike."""
    return FileFormatError("the file is empty", hint="ask the partner to resend it")


class Format(ABC):
    """The contract every file format plugin fulfils."""

    name: ClassVar[str]
    settings: ClassVar[frozenset[str]]
    # Whether the format reads and writes structured layouts (record_layouts) and whether a
    # column can be absent from a file without the file being wrong (XML elements are optional).
    record_layouts: ClassVar[bool] = False
    optional_columns: ClassVar[bool] = False
    # Whether the format is EDI, written and read as segments (a SegmentFormat).
    segment_layouts: ClassVar[bool] = False

    @abstractmethod
    def options(self, settings: Mapping[str, str]) -> Any:
        """Validate the mapping's settings for this format; raise FormatOptionError."""

    @abstractmethod
    def read(self, data: bytes, options: Any) -> pl.DataFrame:
        """Partner bytes to a frame of text columns; raise FileFormatError."""

    @abstractmethod
    def write(self, frame: pl.DataFrame, options: Any) -> bytes:
        """A frame of text columns to partner bytes; raise FileFormatError."""

    def layout_problems(self, record: RecordLayout) -> list[tuple[str | None, str]]:
        """What is wrong with a record layout for this format, as (field or None, message)."""
        return []

    def write_records(
        self, parts: Sequence[tuple[RecordLayout, pl.DataFrame]], options: Any
    ) -> bytes:
        """Records in file order, each part a frame of its fields as text."""
        raise FileFormatError(f"the {self.name} format has no record layouts")

    def read_records(
        self, data: bytes, records: Sequence[RecordLayout], options: Any
    ) -> pl.DataFrame:
        """Every line as a row: LINE (1-based), RECORD_TYPE, and `record.field` text columns."""
        raise FileFormatError(f"the {self.name} format has no record layouts")

    def iter_read(self, path: Path, options: Any, batch_rows: int) -> Iterator[pl.DataFrame]:
        """The rows of a local file as `read` gives them, in frames of at most `batch_rows`.

        Streaming formats override this so that memory follows the batch, not the file.
        """
        yield from self.read(Path(path).read_bytes(), options).iter_slices(batch_rows)

    def iter_read_records(
        self, path: Path, records: Sequence[RecordLayout], options: Any, batch_rows: int
    ) -> Iterator[pl.DataFrame]:
        """The lines of a local file as `read_records` gives them, LINE counted across frames."""
        lines = self.read_records(Path(path).read_bytes(), records, options)
        yield from lines.iter_slices(batch_rows)


@dataclass(frozen=True)
class ElementLayout:
    """An element a mapping reads or writes: `position` (1-based) and, inside a composite,
    `component` (None: the element whole, or its first component when it is a composite)."""

    position: int
    component: int | None = None

    @property
    def name(self) -> str:
        """As a mapping writes it: `02`, `01.2`."""
        own = f"{self.position:02d}"
        return own if self.component is None else f"{own}.{self.component}"


@dataclass(frozen=True)
class SegmentLayout:
    """A segment by tag and, when given, the qualifier its first element holds (`N1[BT]`)."""

    tag: str
    qualifier: str | None = None
    elements: tuple[ElementLayout, ...] = ()

    @property
    def name(self) -> str:
        """As a mapping writes it, and names its columns: `N1[BT]`, `BIG`."""
        return f"{self.tag}[{self.qualifier}]" if self.qualifier is not None else self.tag


@dataclass(frozen=True)
class ControlNumbers:
    """The numbers one EDI file carries: interchange (ISA13, UNB 0020), group (GS06) and the
    first transaction set's (ST02, UNH 0062; the others follow it). Allocated from the state
    store per partner by the outbound job; previews and golden tests use the run's sequence."""

    interchange: int
    group: int
    first_set: int = 1


# A segment to write: its tag and its elements, each a text or a composite's components.
EdiSegment = tuple[str, Sequence[str | Sequence[str]]]


@dataclass(frozen=True)
class SegmentOptions:
    """What every EDI section settles at check time: the transaction set or message it carries
    (`810`, `INVOIC`) and the partner's envelope settings, in the format's own form."""

    transaction: str
    envelope: Any = None


@dataclass(frozen=True)
class WrittenDocuments:
    """An interchange as bytes, with what the writer had to change in the data to write it
    (an X12 delimiter in a value is replaced), for the run's warnings."""

    data: bytes
    warnings: list[str] = field(default_factory=list)


class SegmentFormat(Format):
    """An EDI standard: documents are transaction sets of segments inside an envelope."""

    segment_layouts = True
    settings: ClassVar[frozenset[str]] = frozenset()
    # The segment that ends a set's detail (EDIFACT's UNS); segments after it are its summary.
    summary_tag: ClassVar[str | None] = None
    # The envelope's headers, which a mapping may read, with their number of elements, and its
    # trailers: the writer writes them all.
    envelope_sizes: ClassVar[dict[str, int]] = {}
    envelope_tags: ClassVar[frozenset[str]] = frozenset()

    def options(self, settings: Mapping[str, str]) -> None:
        """EDI sections have no plain settings: `segment_options` settles the envelope."""
        return None

    @abstractmethod
    def segment_options(
        self, arguments: Sequence[str], envelope: Mapping[str, Sequence[str]]
    ) -> SegmentOptions:
        """The section's arguments (`810`) and envelope entries, checked; raise FormatOptionError
        naming the entry (`sender`...) or "transaction" for the arguments."""

    @abstractmethod
    def spec_version(self, options: SegmentOptions) -> str:
        """The version folder of `edi_specs` the section's transaction set is checked against."""

    def segment_problems(
        self, options: SegmentOptions, segment: SegmentLayout, *, reading: bool = False
    ) -> list[tuple[ElementLayout | None, str]]:
        """What is wrong with a segment for the section's transaction set, where a spec of it
        is shipped: a tag the set does not have, an element beyond the segment's last. Reading
        may also name the envelope's headers (`ST.02`, `UNB.02.1`)."""
        if reading and segment.tag in self.envelope_sizes:
            size: int | None = self.envelope_sizes[segment.tag]
        else:
            if segment.tag in self.envelope_sizes or segment.tag in self.envelope_tags:
                return [(None, f"{segment.tag} is written by the envelope, not by the mapping")]
            version = self.spec_version(options)
            try:
                spec = load_spec(self.name, version, options.transaction)
            except SpecError:
                return []  # no table for this set: nothing to check against
            tags = dict.fromkeys(position.tag for position in spec.positions)
            if segment.tag not in tags:
                return [
                    (
                        None,
                        f"{segment.tag} is not a segment of the {self.name} {options.transaction} "
                        f"({spec.name}) in {version}: it has {', '.join(tags)}",
                    )
                ]
            rule = spec.segments.get(segment.tag)
            size = rule.size if rule is not None else None
        return [
            (element, f"{segment.tag} has {size} elements: there is no {segment.tag}{element.name}")
            for element in segment.elements
            if size is not None and element.position > size
        ]

    @abstractmethod
    def write_documents(
        self,
        documents: Sequence[Sequence[EdiSegment]],
        options: SegmentOptions,
        controls: ControlNumbers,
        moment: dt.datetime,
    ) -> WrittenDocuments:
        """One interchange carrying one transaction set per document."""

    @abstractmethod
    def interchanges(self, data: bytes, file: str) -> list[Interchange]:
        """The interchanges in partner bytes; raise EdiSyntaxError."""

    def read(self, data: bytes, options: Any) -> pl.DataFrame:
        raise _needs_segments(self.name)

    def write(self, frame: pl.DataFrame, options: Any) -> bytes:
        raise _needs_segments(self.name)

    def read_segments(
        self,
        data: bytes,
        file: str,
        segments: Sequence[SegmentLayout],
        row: str,
        options: SegmentOptions,
    ) -> pl.DataFrame:
        """One row per `row` segment of the sets of the section's kind: LINE (its segment number
        in the file), RECORD_TYPE (`row`), and a `SEGMENT.element` text column per element read.

        An element comes from the row segment's loop (from it up to the next row segment), else
        from the set's heading (envelope headers and the segments before the first row segment),
        else from its summary; the first segment that matches in each part counts.
        """
        try:
            interchanges = self.interchanges(data, file)
        except EdiSyntaxError as error:
            raise FileFormatError(error.message, line=error.line, hint=error.hint) from error
        by_tag: dict[str, list[SegmentLayout]] = {}
        for layout in segments:
            by_tag.setdefault(layout.tag, []).append(layout)
        rows: list[tuple[Segment, list[dict[str, Segment]]]] = []
        for interchange in interchanges:
            for group in interchange.groups:
                for transaction in group.transactions:
                    if transaction.code == options.transaction:
                        envelope = [interchange.header, group.header, transaction.header]
                        rows += self._set_rows(envelope, transaction.segments, by_tag, row)
        columns: dict[str, list[str | None]] = {
            f"{layout.name}.{element.name}": []
            for layout in segments
            for element in layout.elements
        }
        for _, parts in rows:
            for layout in segments:
                found = next((part[layout.name] for part in parts if layout.name in part), None)
                for element in layout.elements:
                    value = found.value(element.position, element.component or 1) if found else ""
                    columns[f"{layout.name}.{element.name}"].append(value or None)
        return pl.DataFrame(
            {
                LINE: pl.Series([segment.number for segment, _ in rows], dtype=pl.UInt32),
                RECORD_TYPE: pl.Series([row] * len(rows), dtype=pl.String),
                **{name: pl.Series(values, dtype=pl.String) for name, values in columns.items()},
            }
        )

    def _set_rows(
        self,
        envelope: list[Segment | None],
        segments: list[Segment],
        by_tag: dict[str, list[SegmentLayout]],
        row: str,
    ) -> list[tuple[Segment, list[dict[str, Segment]]]]:
        """Each row segment of one set with where its elements are looked for, in order: its
        loop's matches, the heading's, the summary's."""
        heading: dict[str, Segment] = {}
        summary: dict[str, Segment] = {}
        rows: list[tuple[Segment, list[dict[str, Segment]]]] = []
        part = heading
        for segment in [*(s for s in envelope if s is not None), *segments]:
            if segment.tag == self.summary_tag:
                part = summary
                continue
            if segment.tag == row and part is not summary:
                part = {}
                rows.append((segment, [part, heading, summary]))
            for layout in by_tag.get(segment.tag, ()):
                if layout.qualifier is None or segment.value(1) == layout.qualifier:
                    part.setdefault(layout.name, segment)
        return rows


def _needs_segments(name: str) -> FileFormatError:
    return FileFormatError(
        f"the {name} format is written and read as segments",
        hint="describe the transaction set with segment TAG { 01 = ... } in the mapping",
    )


def available_formats() -> dict[str, EntryPoint]:
    """Every format by name; installed plugins override a built-in of the same name."""
    found = {entry.name: entry for entry in BUILTIN_FORMATS}
    found.update({entry.name: entry for entry in entry_points(group=ENTRY_POINT_GROUP)})
    return found


@cache
def load_format(name: str) -> Format:
    """The format plugin called `name`, loaded once per process; a misspelt name gets the
    closest installed one as a suggestion."""
    formats = available_formats()
    if name not in formats:
        guess = difflib.get_close_matches(name, formats, n=1)
        did_you_mean = f"; did you mean {guess[0]!r}?" if guess else ""
        raise UnknownFormatError(
            f"unknown file format {name!r}{did_you_mean}",
            hint=f"installed formats: {', '.join(sorted(formats))}",
        )
    return formats[name].load()()
