"""Fixed-width files: every field at a position and width, records told apart by a literal.

Reading and writing are polars string expressions over whole columns: a line is sliced into
fields, and fields are padded and joined into lines, without Python per line. Implied decimals
move the point: "000000001234" with `implied 2` reads as "12.34", and 12.34 writes as "1234".
A right-aligned field padded with "0" keeps a minus sign in front of the zeros ("-00012").
A large file is read a batch of lines at a time, its line numbers counted across batches.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import polars as pl

from connector.formats import (
    LINE,
    NEWLINES,
    RECORD_TYPE,
    FieldLayout,
    FileFormatError,
    Format,
    RecordLayout,
    empty_file,
)
from connector.formats.text import canonical_encoding, decode, encode

_TEXT = "__text"
_INT64_DIGITS = 18  # a field this wide holds no number an Int64 cannot
_DECIMAL_DIGITS = 38  # the most digits a polars Decimal holds


@dataclass(frozen=True)
class FixedWidthOptions:
    encoding: str = "utf-8"
    newline: str = "\r\n"


class FixedWidthFormat(Format):
    name = "fixed_width"
    settings = frozenset({"encoding", "newline"})
    record_layouts = True

    def options(self, settings: Mapping[str, str]) -> FixedWidthOptions:
        values = {}
        if "encoding" in settings:
            values["encoding"] = canonical_encoding(settings["encoding"])
        if "newline" in settings:
            values["newline"] = NEWLINES[settings["newline"]]
        return FixedWidthOptions(**values)

    def read(self, data: bytes, options: FixedWidthOptions) -> pl.DataFrame:
        raise _needs_records()

    def write(self, frame: pl.DataFrame, options: FixedWidthOptions) -> bytes:
        raise _needs_records()

    def layout_problems(self, record: RecordLayout) -> list[tuple[str | None, str]]:
        problems: list[tuple[str | None, str]] = []
        taken: list[FieldLayout] = []
        for spec in record.fields:
            if spec.width is None:
                problems.append((spec.name, f"{spec.name} needs a width: add `width N`"))
                continue
            if len(spec.pad) != 1:
                problems.append((spec.name, f"pad must be one character, got {spec.pad!r}"))
            clash = next((other for other in taken if _overlap(other, spec)), None)
            if clash is not None:
                problems.append(
                    (
                        spec.name,
                        f"{spec.name} (positions {spec.start}-{spec.end}) overlaps "
                        f"{clash.name} (positions {clash.start}-{clash.end})",
                    )
                )
            taken.append(spec)
        if record.tag is not None:
            holder = next(
                (f for f in record.fields if f.width and f.start <= record.tag_at <= f.end), None
            )
            if holder is not None and record.tag_at + len(record.tag) - 1 > holder.end:
                problems.append(
                    (
                        None,
                        f"record type {record.tag!r} at {record.tag_at} is wider than its field "
                        f"{holder.name} (positions {holder.start}-{holder.end})",
                    )
                )
        return problems

    def write_records(
        self, parts: Sequence[tuple[RecordLayout, pl.DataFrame]], options: FixedWidthOptions
    ) -> bytes:
        lines = [
            _lines(record, frame, start)
            for record, frame, start in _with_first_lines(parts)
            if frame.height
        ]
        if not lines:
            return b""
        text = options.newline.join(pl.concat(lines).to_list()) + options.newline
        return encode(text, options.encoding)

    def read_records(
        self, data: bytes, records: Sequence[RecordLayout], options: FixedWidthOptions
    ) -> pl.DataFrame:
        frame = _lines_frame(decode(data, options.encoding), records, first_line=1)
        if frame.height == 0:
            raise empty_file()
        return frame

    def iter_read_records(
        self,
        path: Path,
        records: Sequence[RecordLayout],
        options: FixedWidthOptions,
        batch_rows: int,
    ) -> Iterator[pl.DataFrame]:
        first_line, empty = 1, True
        with Path(path).open("rb") as handle:
            while chunk := list(islice(handle, batch_rows)):
                text = decode(b"".join(chunk), options.encoding, first_line=first_line)
                frame = _lines_frame(text, records, first_line)
                first_line += len(chunk)
                if frame.height:
                    empty = False
                    yield frame
        if empty:
            raise empty_file()


def _lines_frame(text: str, records: Sequence[RecordLayout], first_line: int) -> pl.DataFrame:
    """The non-blank lines as rows (LINE counts from `first_line`), each sliced into its fields.

    The text is split into lines by polars, not Python: a Python string per line costs more
    than reading every field of it.
    """
    line = pl.col(_TEXT).str.split("\n").explode()
    if "\r" in text:
        line = line.str.strip_suffix("\r")
    frame = (
        pl.LazyFrame({_TEXT: [text]}, schema={_TEXT: pl.String})
        .select(line)
        .with_row_index(LINE, offset=first_line)
        .filter(pl.col(_TEXT).str.contains(r"\S"))
        .with_columns(_record_type(records))
        .collect()
    )
    if frame[RECORD_TYPE].null_count():
        line, content = frame.filter(pl.col(RECORD_TYPE).is_null()).row(0)[:2]
        kinds = ", ".join(f"{r.tag!r} at {r.tag_at}" for r in records if r.tag)
        raise FileFormatError(
            f"line {line} is no known record type (expected {kinds}): {content[:40]!r}",
            line=line,
            hint="add a record for it to the mapping, or ask the partner about the line",
        )
    parts = [_record_fields(frame, record) for record in records]
    fields = pl.collect_all(part for part, _ in parts)
    columns = [frame[LINE], frame[RECORD_TYPE]]
    for (_, place), values in zip(parts, fields, strict=True):
        columns += [
            column if place is None else _placed(column, place, frame.height) for column in values
        ]
    return pl.DataFrame(columns)


def _record_fields(
    frame: pl.DataFrame, record: RecordLayout
) -> tuple[pl.LazyFrame, pl.Series | None]:
    """The plan reading the record's fields, and where its values go (None: already in place).

    The record of most lines is read in place, its fields null on the other lines; a record of
    few lines is read on its own lines only, then placed, so the details of a large file are not
    read again as headers and trailers.
    """
    own = frame[RECORD_TYPE] == record.name
    if own.sum() * 2 >= frame.height:
        lines = frame.lazy().select(pl.when(own).then(pl.col(_TEXT)).alias(_TEXT))
        return _read_fields(lines, record), None
    return _read_fields(frame.lazy().filter(own).select(_TEXT), record), own.arg_true()


def _placed(values: pl.Series, place: pl.Series, height: int) -> pl.Series:
    """The values of a few lines in a column of every line, null on the others."""
    column = pl.repeat(None, height, dtype=pl.String, eager=True).alias(values.name)
    return column.scatter(place, values)


def _needs_records() -> FileFormatError:
    return FileFormatError(
        "a fixed-width file needs record layouts",
        hint='describe its lines with record NAME { "Field" width N ... }',
    )


def _overlap(a: FieldLayout, b: FieldLayout) -> bool:
    return a.start <= b.end and b.start <= a.end


def _with_first_lines(parts):
    line = 1
    for record, frame in parts:
        yield record, frame, line
        line += frame.height


def _record_type(records: Sequence[RecordLayout]) -> pl.Expr:
    tagged = [r for r in records if r.tag is not None]
    untagged = [r for r in records if r.tag is None]
    fallback = pl.lit(untagged[0].name if untagged else None, dtype=pl.String)
    if not tagged:
        return fallback.alias(RECORD_TYPE)
    chain = None
    for record in tagged:
        line = pl.col(_TEXT) if record.tag_at == 1 else pl.col(_TEXT).str.slice(record.tag_at - 1)
        matches = line.str.starts_with(record.tag)
        chain = (pl.when(matches) if chain is None else chain.when(matches)).then(
            pl.lit(record.name)
        )
    return chain.otherwise(fallback).alias(RECORD_TYPE)


def _read_fields(lines: pl.LazyFrame, record: RecordLayout) -> pl.LazyFrame:
    """The record's fields from its lines (a _TEXT column), without padding, null when blank.

    Read in steps, each from the columns of the one before: polars computes a value used in
    several branches of a when/then once per branch, and a file has a million lines.
    """
    name = {spec: f"{record.name}.{spec.name}" for spec in record.fields}
    zeros = {spec: f"{name[spec]}.zeros" for spec in record.fields if _zero_filled(spec)}
    unpadded = lines.select(
        *[_unpadded(spec).alias(name[spec]) for spec in record.fields],
        *[_all_zeros(spec).alias(flag) for spec, flag in zeros.items()],
    )
    kept = unpadded.select(_kept(column, zeros.get(spec)) for spec, column in name.items())
    return kept.with_columns(
        _implied_point(pl.col(column), spec.implied, spec.width).alias(column)
        for spec, column in name.items()
        if spec.implied
    )


def _zero_filled(spec: FieldLayout) -> bool:
    return spec.align == "right" and spec.pad == "0"


def _raw(spec: FieldLayout) -> pl.Expr:
    return pl.col(_TEXT).str.slice(spec.start - 1, spec.width)


def _unpadded(spec: FieldLayout) -> pl.Expr:
    """The field's text, its padding and the blanks around it taken off."""
    raw = _raw(spec)
    if spec.align == "right":
        return (raw if spec.pad == " " else raw.str.strip_chars_start(spec.pad)).str.strip_chars()
    return (raw if spec.pad == " " else raw.str.strip_chars_end(spec.pad)).str.strip_chars_end()


def _all_zeros(spec: FieldLayout) -> pl.Expr:
    """Whether a zero-filled field that reads blank was zeros (it reads as "0"): only zeros and
    blanks read blank, so a field of zeros is one that ends with a zero."""
    return _raw(spec).str.ends_with("0")


def _kept(column: str, zeros: str | None) -> pl.Expr:
    value = pl.col(column)
    kept = pl.when(value != "").then(value)
    if zeros is not None:
        kept = kept.when(pl.col(zeros)).then(pl.lit("0"))
    return kept.alias(column)


def _implied_point(digits: pl.Expr, places: int, width: int) -> pl.Expr:
    if width <= _INT64_DIGITS and width + places <= _DECIMAL_DIGITS:
        return _point_in_integer(digits, places)
    return _insert_point(digits, places)


def _point_in_integer(digits: pl.Expr, places: int) -> pl.Expr:
    """`_insert_point` by exact decimal arithmetic, for fields too narrow to overflow an Int64."""
    number = digits.cast(pl.Int64, strict=False)
    scaled = pl.Decimal(_DECIMAL_DIGITS, places)
    moved = (number.cast(scaled) / 10**places).cast(scaled).cast(pl.String)
    # A number has no negative zero, but the text had one: "-000" reads as "-0.00".
    negative_zero = (number == 0) & digits.str.starts_with("-")
    return (
        pl.when(number.is_null())
        .then(digits)
        .when(negative_zero)
        .then(pl.lit("-0." + "0" * places))
        .otherwise(moved)
    )


def _insert_point(digits: pl.Expr, places: int) -> pl.Expr:
    """ "-0001234" with 2 implied places as "-12.34"; text with a point already stays."""
    sign = pl.when(digits.str.starts_with("-")).then(pl.lit("-")).otherwise(pl.lit(""))
    body = (
        digits.str.strip_chars_start("+-").str.strip_chars_start("0").str.pad_start(places + 1, "0")
    )
    moved = pl.concat_str([sign, body.str.head(-places), pl.lit("."), body.str.tail(places)])
    return pl.when(digits.str.contains(r"^[+-]?\d+$")).then(moved).otherwise(digits)


def _lines(record: RecordLayout, frame: pl.DataFrame, first_line: int) -> pl.Series:
    """The record's rows as fixed-width lines; a value that does not fit names its line."""
    pieces: list[pl.Expr] = []
    position = 1
    for spec in sorted(record.fields, key=lambda f: f.start):
        if spec.start > position:
            pieces.append(pl.lit(" " * (spec.start - position)))
        pieces.append(_fitted(spec))
        position = spec.end + 1
    checks = frame.select(
        pl.concat_str(pieces).alias(_TEXT),
        *[_too_wide(spec).alias(spec.name) for spec in record.fields],
        *[_too_precise(spec).alias(f"{spec.name}.precise") for spec in record.fields],
    )
    indexed = checks.with_row_index()
    for spec in record.fields:
        for flag, problem in (
            (spec.name, f"is wider than its {spec.width} positions"),
            (f"{spec.name}.precise", f"has more decimals than the {spec.implied} implied"),
        ):
            bad = indexed.filter(pl.col(flag))
            if bad.height:
                index = bad["index"][0]
                value = frame[spec.name][index]
                raise FileFormatError(
                    f"{record.name} line {first_line + index}: {spec.name} {value!r} {problem}",
                    line=first_line + index,
                    hint="shorten or round the value in the mapping (slice, money), or widen "
                    "the field if the partner allows",
                )
    return checks[_TEXT]


def _implied(value: pl.Expr, places: int) -> pl.Expr:
    """Decimal text with its point removed after `places` digits ("12.3", 2 -> "1230")."""
    body = value.str.strip_chars_start("+-")
    whole = body.str.split(".").list.get(0)
    fraction = body.str.split(".").list.get(1, null_on_oob=True).fill_null("")
    digits = pl.concat_str([whole, fraction.str.pad_end(places, "0").str.head(places)])
    digits = digits.str.strip_chars_start("0")
    digits = pl.when(digits == "").then(pl.lit("0")).otherwise(digits)
    negative = value.str.starts_with("-") & (digits != "0")
    return pl.when(negative).then(pl.lit("-") + digits).otherwise(digits)


def _text(spec: FieldLayout) -> pl.Expr:
    value = pl.col(spec.name).fill_null("")
    if spec.implied:
        value = pl.when(value == "").then(value).otherwise(_implied(value, spec.implied))
    return value


def _fitted(spec: FieldLayout) -> pl.Expr:
    value = _text(spec)
    if spec.align != "right":
        return value.str.pad_end(spec.width, spec.pad)
    padded = value.str.pad_start(spec.width, spec.pad)
    if spec.pad != "0":
        return padded
    signed = pl.lit("-") + value.str.strip_prefix("-").str.pad_start(spec.width - 1, "0")
    return pl.when(value.str.starts_with("-")).then(signed).otherwise(padded)


def _too_wide(spec: FieldLayout) -> pl.Expr:
    return _text(spec).str.len_chars() > spec.width


def _too_precise(spec: FieldLayout) -> pl.Expr:
    if not spec.implied:
        return pl.lit(False)
    fraction = pl.col(spec.name).str.split(".").list.get(1, null_on_oob=True)
    return fraction.str.strip_chars_end("0").str.len_chars().fill_null(0) > spec.implied
