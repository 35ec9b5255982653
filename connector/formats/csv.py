"""CSV as partners send it: any delimiter, a header or none, BOMs, CRLF, legacy encodings.

Reading keeps every column as text (the mapping decides what a value means). Empty text and
missing values are both written as an empty field, as spreadsheets do. Writing protects
spreadsheet users: a cell that starts like a formula (= + - @ tab CR) gets a leading apostrophe,
unless it is a plain number such as -12.50 (OWASP's CSV injection advice).
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from connector.formats import FileFormatError, Format, FormatOptionError

_FORMULA_START = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
_UTF8 = {"utf-8", "utf-8-sig"}


@dataclass(frozen=True)
class CsvOptions:
    delimiter: str = ","
    quote: str = '"'
    quoting: str = "necessary"
    header: bool = True
    encoding: str = "utf-8"
    newline: str = "\r\n"


class CsvFormat(Format):
    name = "csv"
    settings = frozenset({"delimiter", "quote", "quoting", "header", "encoding", "newline"})

    def options(self, settings: Mapping[str, str]) -> CsvOptions:
        values = {}
        for name in ("delimiter", "quote"):
            if name in settings:
                if len(settings[name]) != 1:
                    raise FormatOptionError(
                        name, f"{name} must be exactly one character, got {settings[name]!r}"
                    )
                values[name] = settings[name]
        if "quoting" in settings:
            values["quoting"] = settings["quoting"]
        if "header" in settings:
            values["header"] = settings["header"] == "yes"
        if "newline" in settings:
            values["newline"] = {"crlf": "\r\n", "lf": "\n"}[settings["newline"]]
        if "encoding" in settings:
            values["encoding"] = _encoding(settings["encoding"])
        options = CsvOptions(**values)
        if options.delimiter == options.quote:
            raise FormatOptionError("quote", "the quote character must differ from the delimiter")
        return options

    def read(self, data: bytes, options: CsvOptions) -> pl.DataFrame:
        text = _decode(data, options.encoding).lstrip("\ufeff")
        if not text.strip():
            raise FileFormatError("the file is empty", hint="ask the partner to resend it")
        try:
            frame = pl.read_csv(
                text.encode("utf-8"),
                has_header=options.header,
                separator=options.delimiter,
                quote_char=options.quote,
                infer_schema=False,
            )
        except pl.exceptions.PolarsError as error:
            first = str(error).splitlines()[0]
            raise FileFormatError(
                f"not readable as CSV with delimiter {options.delimiter!r}: {first}",
                hint="check the delimiter and quote settings against the file",
            ) from error
        if options.header:
            return frame.rename({name: name.strip() for name in frame.columns})
        return frame.rename({name: str(i) for i, name in enumerate(frame.columns, start=1)})

    def write(self, frame: pl.DataFrame, options: CsvOptions) -> bytes:
        protected = frame.with_columns(
            _protected(pl.col(name)).alias(name) for name in _suspect_columns(frame)
        )
        sink = io.BytesIO()
        protected.write_csv(
            sink,
            separator=options.delimiter,
            quote_char=options.quote,
            quote_style=options.quoting,
            include_header=options.header,
            line_terminator=options.newline,
        )
        data = sink.getvalue()  # polars writes UTF-8
        if options.encoding == "utf-8":
            return data
        text = data.decode("utf-8")
        try:
            return text.encode(options.encoding)
        except UnicodeEncodeError as error:
            line = text.count("\n", 0, error.start) + 1
            raise FileFormatError(
                f"{error.object[error.start]!r} on line {line} cannot be written in "
                f"{options.encoding}",
                line=line,
                hint='use encoding "utf-8" if the partner accepts it, or clean the value in '
                "FreshBooks",
            ) from error


def _suspect_columns(frame: pl.DataFrame) -> list[str]:
    """The columns with a cell that may be empty or formula-like, found by a cheap first pass.

    Text below "0" or from "=" to "@" covers every empty cell and every formula start (and some
    harmless ones); checking whole columns with plain comparisons first cost a fifth of running the
    exact regular expressions on every cell, and most columns (dates, amounts, codes) pass.
    """
    if frame.is_empty():
        return []
    suspect = frame.select(
        ((pl.col(name) < "0") | ((pl.col(name) >= "=") & (pl.col(name) < "A"))).any()
        for name in frame.columns
    )
    return [name for name, found in zip(frame.columns, suspect.row(0), strict=True) if found]


def _protected(cell: pl.Expr) -> pl.Expr:
    """Formula-looking cells get a leading apostrophe; empty text is written as an empty field."""
    return (
        pl.when(cell == "")
        .then(pl.lit(None, dtype=pl.String))
        .when(~cell.str.contains(_FORMULA_START))
        .then(cell)
        .when(cell.str.contains(_PLAIN_NUMBER))
        .then(cell)
        .otherwise(pl.lit("'") + cell)
    )


def _encoding(name: str) -> str:
    try:
        canonical = codecs.lookup(name).name
    except LookupError as error:
        raise FormatOptionError(
            "encoding",
            f"unknown encoding {name!r}",
            hint="use utf-8, utf-8-sig (with a BOM), cp1252 or latin-1",
        ) from error
    return canonical


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode("utf-8-sig" if encoding in _UTF8 else encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start : error.start + 1].hex()
        raise FileFormatError(
            f"byte 0x{byte} on line {line} is not valid {encoding}",
            line=line,
            hint='files from Windows are often cp1252: add `encoding "cp1252"` to the mapping',
        ) from error
