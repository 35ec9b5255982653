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
"""

from __future__ import annotations

import difflib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any, ClassVar

import polars as pl

from connector.errors import ConfigurationError, DataError

ENTRY_POINT_GROUP = "ml_connector.formats"
BUILTIN_FORMATS = (
    EntryPoint(name="csv", value="connector.formats.csv:CsvFormat", group=ENTRY_POINT_GROUP),
    EntryPoint(
        name="fixed_width",
        value="connector.formats.fixed_width:FixedWidthFormat",
        group=ENTRY_POINT_GROUP,
    ),
    EntryPoint(name="xml", value="connector.formats.xml:XmlFormat", group=ENTRY_POINT_GROUP),
)
# Columns of the frame `read_records` returns besides the `record.field` ones.
LINE = "__line"
RECORD_TYPE = "__type"


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


class Format(ABC):
    """The contract every file format plugin fulfils."""

    name: ClassVar[str]
    settings: ClassVar[frozenset[str]]
    # Whether the format reads and writes structured layouts (record_layouts) and whether a
    # column can be absent from a file without the file being wrong (XML elements are optional).
    record_layouts: ClassVar[bool] = False
    optional_columns: ClassVar[bool] = False

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


def available_formats() -> dict[str, EntryPoint]:
    """Every format by name; installed plugins override a built-in of the same name."""
    found = {entry.name: entry for entry in BUILTIN_FORMATS}
    found.update({entry.name: entry for entry in entry_points(group=ENTRY_POINT_GROUP)})
    return found


@cache
def load_format(name: str) -> Format:
    formats = available_formats()
    if name not in formats:
        guess = difflib.get_close_matches(name, formats, n=1)
        did_you_mean = f"; did you mean {guess[0]!r}?" if guess else ""
        raise UnknownFormatError(
            f"unknown file format {name!r}{did_you_mean}",
            hint=f"installed formats: {', '.join(sorted(formats))}",
        )
    return formats[name].load()()
