"""File formats as plugins: each turns partner bytes into a frame of text columns and back.

A format is a class with a `name`, the `settings` it understands, `options(settings)` to validate
them once when a mapping is checked, and `read`/`write`. Formats are found through the
`ml_connector.formats` entry point group; the built-in ones are listed the same way below so that a
source checkout without installed metadata still finds them. Adding a format never edits the
mapping compiler.
"""

from __future__ import annotations

import difflib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any, ClassVar

import polars as pl

from connector.errors import ConfigurationError, DataError

ENTRY_POINT_GROUP = "ml_connector.formats"
BUILTIN_FORMATS = (
    EntryPoint(name="csv", value="connector.formats.csv:CsvFormat", group=ENTRY_POINT_GROUP),
)


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

    @abstractmethod
    def options(self, settings: Mapping[str, str]) -> Any:
        """Validate the mapping's settings for this format; raise FormatOptionError."""

    @abstractmethod
    def read(self, data: bytes, options: Any) -> pl.DataFrame:
        """Partner bytes to a frame of text columns; raise FileFormatError."""

    @abstractmethod
    def write(self, frame: pl.DataFrame, options: Any) -> bytes:
        """A frame of text columns to partner bytes; raise FileFormatError."""


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
