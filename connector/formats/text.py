"""Bytes to text and back for every text-based format, with errors that name the line."""

from __future__ import annotations

import codecs

from connector.formats import FileFormatError, FormatOptionError

_UTF8 = {"utf-8", "utf-8-sig"}


def canonical_encoding(name: str) -> str:
    """The codec's canonical name, so cp1252 and windows-1252 are one setting."""
    try:
        return codecs.lookup(name).name
    except LookupError as error:
        raise FormatOptionError(
            "encoding",
            f"unknown encoding {name!r}",
            hint="use utf-8, utf-8-sig (with a BOM), cp1252 or latin-1",
        ) from error


def decode(data: bytes, encoding: str, *, first_line: int = 1) -> str:
    """The file's text without a BOM; a byte the encoding cannot read names its line (counted
    from `first_line`, for a part of a file read in batches)."""
    try:
        return data.decode("utf-8-sig" if encoding in _UTF8 else encoding).lstrip("\ufeff")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + first_line
        byte = data[error.start : error.start + 1].hex()
        raise FileFormatError(
            f"byte 0x{byte} on line {line} is not valid {encoding}",
            line=line,
            hint='files from Windows are often cp1252: add `encoding "cp1252"` to the mapping',
        ) from error


def encode(text: str, encoding: str) -> bytes:
    """The text in the partner's encoding; a character it cannot hold names its line."""
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as error:
        line = text.count("\n", 0, error.start) + 1
        raise FileFormatError(
            f"{error.object[error.start]!r} on line {line} cannot be written in {encoding}",
            line=line,
            hint='use encoding "utf-8" if the partner accepts it, or clean the value in FreshBooks',
        ) from error
