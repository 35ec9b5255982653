"""CSV as partners send it: any delimiter, a header or none, BOMs, CRLF, legacy encodings.

Reading keeps every column as text (the mapping decides what a value means). Polars reads and
writes the common dialect (quotes doubled inside quotes); a partner that escapes quotes with another
character (`escape "\\"`) goes through Python's csv module, which knows that dialect. Files with
several kinds of record (a header line, details, a trailer line) are read and written through
record layouts: each record's fields in order, its type told by the literal in field `tag_at`.
Large UTF-8 files stream through polars' batched scan; other encodings and escaped quotes stream
through Python's csv module a batch of rows at a time.
Empty text and missing values are both written as an empty field, as spreadsheets do. Writing
protects spreadsheet users: a cell that starts like a formula (= + - @ tab CR) gets a leading
apostrophe, unless it is a plain number such as -12.50 (OWASP's CSV injection advice).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import polars as pl

from connector.formats import (
    LINE,
    NEWLINES,
    RECORD_TYPE,
    FileFormatError,
    Format,
    FormatOptionError,
    RecordLayout,
    empty_file,
)
from connector.formats.text import canonical_encoding, decode, encode

_UTF8 = {"utf-8", "utf-8-sig"}

_FORMULA_START = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"


@dataclass(frozen=True)
class CsvOptions:
    delimiter: str = ","
    quote: str = '"'
    quoting: str = "necessary"
    header: bool = True
    encoding: str = "utf-8"
    newline: str = "\r\n"
    escape: str | None = None


class CsvFormat(Format):
    name = "csv"
    settings = frozenset(
        {"delimiter", "quote", "quoting", "header", "encoding", "newline", "escape"}
    )
    record_layouts = True

    def options(self, settings: Mapping[str, str]) -> CsvOptions:
        values = {}
        for name in ("delimiter", "quote", "escape"):
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
            values["newline"] = NEWLINES[settings["newline"]]
        if "encoding" in settings:
            values["encoding"] = canonical_encoding(settings["encoding"])
        options = CsvOptions(**values)
        if options.delimiter == options.quote:
            raise FormatOptionError("quote", "the quote character must differ from the delimiter")
        if options.escape in (options.delimiter, options.quote):
            raise FormatOptionError(
                "escape", "the escape character must differ from the delimiter and the quote"
            )
        return options

    def read(self, data: bytes, options: CsvOptions) -> pl.DataFrame:
        text = decode(data, options.encoding)
        if not text.strip():
            raise empty_file()
        read = _read_escaped if options.escape is not None else _read
        return _named(read(text, options), options.header)

    def iter_read(self, path: Path, options: CsvOptions, batch_rows: int) -> Iterator[pl.DataFrame]:
        if _is_blank(Path(path)):
            raise empty_file()
        if options.escape is None and options.encoding in _UTF8:
            frames = _scan(Path(path), options, batch_rows)
        else:
            frames = _read_python_batches(Path(path), options, batch_rows)
        for frame in frames:
            yield _named(frame, options.header)

    def write(self, frame: pl.DataFrame, options: CsvOptions) -> bytes:
        return _encoded(_written(frame, options, header=options.header), options)

    def layout_problems(self, record: RecordLayout) -> list[tuple[str | None, str]]:
        problems: list[tuple[str | None, str]] = [
            (spec.name, f"{spec.name}: width, at, align, pad are for fixed-width files")
            for spec in record.fields
            if spec.width is not None or spec.align != "left" or spec.pad != " "
        ]
        if record.tag is not None and not 1 <= record.tag_at <= len(record.fields):
            problems.append(
                (None, f"record {record.name} has no field {record.tag_at} to hold its type")
            )
        return problems

    def write_records(
        self, parts: Sequence[tuple[RecordLayout, pl.DataFrame]], options: CsvOptions
    ) -> bytes:
        data = b"".join(
            _written(frame, options, header=False) for _, frame in parts if frame.height
        )
        return _encoded(data, options)

    def read_records(
        self, data: bytes, records: Sequence[RecordLayout], options: CsvOptions
    ) -> pl.DataFrame:
        text = decode(data, options.encoding)
        if not text.strip():
            raise empty_file()
        width = max(len(record.fields) for record in records)
        names = [f"__{i}" for i in range(1, width + 1)]
        flat = CsvOptions(options.delimiter, options.quote, header=False, escape=options.escape)
        frame = _read_escaped(text, flat) if flat.escape else _read(text, flat, width)
        frame = frame.rename(dict(zip(frame.columns, names, strict=False)))
        frame = frame.with_row_index(LINE, offset=1).with_columns(_record_type(records))
        unknown = frame.filter(pl.col(RECORD_TYPE).is_null())
        if unknown.height:
            line = unknown[LINE][0]
            kinds = ", ".join(f"{r.tag!r} in field {r.tag_at}" for r in records if r.tag)
            raise FileFormatError(
                f"line {line} is no known record type (expected {kinds})",
                line=line,
                hint="add a record for it to the mapping, or ask the partner about the line",
            )
        fields = [
            pl.when(pl.col(RECORD_TYPE) == record.name)
            .then(pl.col(names[i]) if i < len(frame.columns) - 2 else pl.lit(None, pl.String))
            .alias(f"{record.name}.{spec.name}")
            for record in records
            for i, spec in enumerate(record.fields)
        ]
        return frame.select(LINE, RECORD_TYPE, *fields)


def _named(frame: pl.DataFrame, header: bool) -> pl.DataFrame:
    """Header names without the blanks partners pad them with; without a header, 1, 2, 3..."""
    if header:
        return frame.rename({name: name.strip() for name in frame.columns})
    return frame.rename({name: str(i) for i, name in enumerate(frame.columns, start=1)})


def _written(frame: pl.DataFrame, options: CsvOptions, *, header: bool) -> bytes:
    """The frame as UTF-8 CSV, formula-looking cells protected."""
    protected = frame.with_columns(
        _protected(pl.col(name)).alias(name) for name in _suspect_columns(frame)
    )
    write = _write_escaped if options.escape is not None else _write
    return write(protected, options, header=header)


def _encoded(data: bytes, options: CsvOptions) -> bytes:
    return data if options.encoding == "utf-8" else encode(data.decode(), options.encoding)


def _record_type(records: Sequence[RecordLayout]) -> pl.Expr:
    untagged = [r for r in records if r.tag is None]
    chain = None
    for record in (r for r in records if r.tag is not None):
        matches = pl.col(f"__{record.tag_at}").str.strip_chars() == record.tag
        chain = (pl.when(matches) if chain is None else chain.when(matches)).then(
            pl.lit(record.name)
        )
    fallback = pl.lit(untagged[0].name if untagged else None, dtype=pl.String)
    return (fallback if chain is None else chain.otherwise(fallback)).alias(RECORD_TYPE)


def _read(text: str, options: CsvOptions, width: int | None = None) -> pl.DataFrame:
    ragged = {}
    if width is not None:
        # Records of different lengths: every line gets `width` fields, missing ones null.
        ragged = {
            "new_columns": [f"__{i}" for i in range(1, width + 1)],
            "truncate_ragged_lines": True,
            "missing_columns": "insert",
        }
    try:
        return pl.read_csv(
            text.encode("utf-8"),
            has_header=options.header,
            separator=options.delimiter,
            quote_char=options.quote,
            infer_schema=False,
            **ragged,
        )
    except pl.exceptions.PolarsError as error:
        first = str(error).splitlines()[0]
        raise FileFormatError(
            f"not readable as CSV with delimiter {options.delimiter!r}: {first}",
            hint="check the delimiter and quote settings against the file",
        ) from error


def _is_blank(path: Path) -> bool:
    """Whether the file holds nothing but whitespace (and a BOM), read only as far as needed."""
    with path.open("rb") as handle:
        while block := handle.read(1 << 16):
            if block.replace(b"\xef\xbb\xbf", b"").strip():
                return False
    return True


def _scan(path: Path, options: CsvOptions, batch_rows: int) -> Iterator[pl.DataFrame]:
    scan = pl.scan_csv(
        path,
        has_header=options.header,
        separator=options.delimiter,
        quote_char=options.quote,
        infer_schema=False,
        encoding="utf8",
    )
    try:
        yield from scan.collect_batches(chunk_size=batch_rows)
    except pl.exceptions.PolarsError as error:
        first = str(error).splitlines()[0]
        raise FileFormatError(
            f"not readable as {options.encoding} CSV with delimiter {options.delimiter!r}: {first}",
            hint="check the delimiter, quote and encoding settings against the file",
        ) from error


def _read_python_batches(
    path: Path, options: CsvOptions, batch_rows: int
) -> Iterator[pl.DataFrame]:
    """Escaped quotes or a legacy encoding: Python's csv module, `batch_rows` rows at a time."""
    encoding = "utf-8-sig" if options.encoding in _UTF8 else options.encoding
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(
            handle,
            delimiter=options.delimiter,
            quotechar=options.quote,
            escapechar=options.escape,
            doublequote=options.escape is None,
        )
        try:
            rows = filter(None, reader)
            names = next(rows) if options.header else None
            number = 2 if options.header else 1
            while chunk := list(islice(rows, batch_rows)):
                names = names or [f"column_{i}" for i in range(1, len(chunk[0]) + 1)]
                yield _frame(chunk, names, number)
                number += len(chunk)
        except csv.Error as error:
            raise FileFormatError(
                f"not readable as CSV on line {reader.line_num}: {error}", line=reader.line_num
            ) from error
        except UnicodeDecodeError as error:
            raise FileFormatError(
                f"not valid {options.encoding} near line {reader.line_num + 1}: {error.reason}",
                line=reader.line_num + 1,
                hint='files from Windows are often cp1252: add `encoding "cp1252"` to the mapping',
            ) from error


def _frame(rows: list[list[str]], names: list[str], first_number: int) -> pl.DataFrame:
    """Rows of text as a frame of nullable text columns; an overlong row names its line."""
    for number, row in enumerate(rows, start=first_number):
        if len(row) > len(names):
            raise FileFormatError(
                f"line {number} has {len(row)} fields, the header has {len(names)}", line=number
            )
    columns = {
        name: [row[i] if i < len(row) and row[i] != "" else None for row in rows]
        for i, name in enumerate(names)
    }
    return pl.DataFrame(columns, schema=dict.fromkeys(names, pl.String))


def _read_escaped(text: str, options: CsvOptions) -> pl.DataFrame:
    reader = csv.reader(
        io.StringIO(text),
        delimiter=options.delimiter,
        quotechar=options.quote,
        escapechar=options.escape,
        doublequote=False,
    )
    try:
        rows = [row for row in reader if row]
    except csv.Error as error:
        raise FileFormatError(
            f"not readable as CSV on line {reader.line_num}: {error}", line=reader.line_num
        ) from error
    names = rows.pop(0) if options.header else []
    width = max((len(row) for row in rows), default=len(names))
    names = names or [f"column_{i}" for i in range(1, width + 1)]
    return _frame(rows, names, 2 if options.header else 1)


def _write(frame: pl.DataFrame, options: CsvOptions, *, header: bool) -> bytes:
    sink = io.BytesIO()
    frame.write_csv(
        sink,
        separator=options.delimiter,
        quote_char=options.quote,
        quote_style=options.quoting,
        include_header=header,
        line_terminator=options.newline,
    )
    return sink.getvalue()  # polars writes UTF-8


def _write_escaped(frame: pl.DataFrame, options: CsvOptions, *, header: bool) -> bytes:
    sink = io.StringIO()
    writer = csv.writer(
        sink,
        delimiter=options.delimiter,
        quotechar=options.quote,
        escapechar=options.escape,
        doublequote=False,
        quoting=csv.QUOTE_ALL if options.quoting == "always" else csv.QUOTE_MINIMAL,
        lineterminator=options.newline,
    )
    if header:
        writer.writerow(frame.columns)
    writer.writerows(frame.iter_rows())
    return sink.getvalue().encode("utf-8")


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
