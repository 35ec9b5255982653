"""Header and trailer values carried to the rows of a file read by records, whole or in batches.

A line of a file read by records (header, detail, trailer) carries the values of the records
around it: a record first seen before the first row is a header, its values carry down to the
lines after it; one first seen after it is a trailer, its values carry up. `carried` does it for a
whole file; `Carry` for a file read in batches, where a row that reads a trailer waits for it; and
`RuleLines` keeps, from every batch, the columns that file rules read, to decide them at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from connector.formats import LINE, RECORD_TYPE, RecordLayout

ROW = "__row"


@dataclass(frozen=True)
class RowLayout:
    """The records of a section's file, and the one whose lines become rows."""

    records: list[RecordLayout]
    row_record: str


def carried(lines: pl.DataFrame, layout: RowLayout) -> pl.LazyFrame:
    """Each line with the values of the other records around it: a record first seen before the
    first row is a header (its values carry down), one first seen after it a trailer (up).

    Lazy, so that only the values a query reads are carried."""
    first = _first_lines(lines, [record.name for record in layout.records])
    first_row = first[layout.row_record]
    fills = []
    for record in layout.records:
        if record.name == layout.row_record:
            continue
        seen = first[record.name]
        header = seen is not None and (first_row is None or seen < first_row)
        for spec in record.fields:
            if f"{record.name}.{spec.name}" not in lines.columns:
                continue  # a column no file rule reads, left out of the lines kept for them
            column = pl.col(f"{record.name}.{spec.name}")
            fills.append(column.forward_fill() if header else column.backward_fill())
    return lines.lazy().with_columns(fills)


class RuleLines:
    """The columns file rules read, kept from every batch so the rules can see the whole file."""

    def __init__(self, names: set[str]) -> None:
        self._names = names
        self._parts: list[pl.DataFrame] = []
        self._active = bool(names)

    def add(self, lines: pl.DataFrame) -> None:
        if self._active:
            keep = dict.fromkeys([LINE, ROW, RECORD_TYPE, *sorted(self._names)])
            self._parts.append(lines.select(name for name in keep if name in lines.columns))

    def whole(self, layout: RowLayout | None) -> pl.LazyFrame:
        if not self._parts:
            # No batch came (a file of only a header): the rules see their columns, with no lines.
            return pl.LazyFrame(schema=dict.fromkeys(sorted(self._names), pl.String))
        lines = pl.concat(self._parts, how="diagonal_relaxed")
        return carried(lines, layout) if layout is not None else lines.lazy()


class Carry:
    """Header and trailer values carried to the rows of a file read in batches, as `carried`
    does for a whole file: header values carry down across batches; a row that reads a trailer
    waits (with the lines after it) until a line of that trailer has been read."""

    def __init__(self, layout: RowLayout, row_reads: set[str]) -> None:
        self._layout = layout
        self._others = [record for record in layout.records if record.name != layout.row_record]
        self._waits_for = {
            record.name
            for record in self._others
            for spec in record.fields
            if f"{record.name}.{spec.name}" in row_reads
        }
        self._first_row: int | None = None
        self._headers: dict[str, bool] = {}  # record -> first seen before the first row
        self._last: dict[str, Any] = {}  # header columns -> the value carried into the next batch
        self._pending: pl.DataFrame | None = None
        self.empty = pl.DataFrame()

    def rows(self, lines: pl.DataFrame) -> pl.DataFrame:
        return lines.rename({LINE: ROW}).filter(pl.col(RECORD_TYPE) == self._layout.row_record)

    def push(self, lines: pl.DataFrame) -> pl.DataFrame:
        """The lines that can be mapped now, with carried values; the others wait."""
        if self._first_row is None:
            self._first_row = _first_line(lines, self._layout.row_record)
        for record in self._others:
            seen = _first_line(lines, record.name)
            if record.name not in self._headers and seen is not None:
                self._headers[record.name] = self._first_row is None or seen < self._first_row
        if self.empty.width == 0:
            self.empty = lines.clear()
        frame = lines if self._pending is None else pl.concat([self._pending, lines])
        cut = self._cut(frame)
        ready, self._pending = frame.filter(pl.col(LINE) <= cut), frame.filter(pl.col(LINE) > cut)
        return self._filled(ready)

    def rest(self) -> pl.DataFrame:
        """The lines still waiting when the file ends: a trailer never came, its values are null."""
        frame = self._pending if self._pending is not None else self.empty
        self._pending = None
        return self._filled(frame)

    def _cut(self, frame: pl.DataFrame) -> int:
        """The last line whose trailers have been read: every line when no row reads a trailer."""
        last = frame[LINE].max() or 0
        if self._first_row is None:
            return last
        for name in self._waits_for:
            if not self._headers.get(name, False):
                found = frame.filter(pl.col(RECORD_TYPE) == name)[LINE].max()
                last = min(last, found or 0)
        return last

    def _filled(self, frame: pl.DataFrame) -> pl.DataFrame:
        if frame.height == 0:
            return frame
        fills = []
        for record in self._others:
            for spec in record.fields:
                name = f"{record.name}.{spec.name}"
                column = pl.col(name)
                if self._headers.get(record.name, False):
                    carried = self._last.get(name)
                    column = column.forward_fill()
                    fills.append(column if carried is None else column.fill_null(carried))
                else:
                    fills.append(column.backward_fill())
        filled = frame.with_columns(fills)
        for record in self._others:
            if self._headers.get(record.name, False):
                for spec in record.fields:
                    name = f"{record.name}.{spec.name}"
                    self._last[name] = filled[name][-1]
        return filled


def _first_line(lines: pl.DataFrame, record: str) -> int | None:
    return _first_lines(lines, [record])[record]


def _first_lines(lines: pl.DataFrame, records: list[str]) -> dict[str, int | None]:
    """The first line of each record, read from the line numbers alone (not every column)."""
    first = lines.select(
        pl.col(LINE).filter(pl.col(RECORD_TYPE) == name).min().alias(name) for name in records
    )
    return first.row(0, named=True)
