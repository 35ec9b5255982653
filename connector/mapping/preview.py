"""Previews: what a section makes of a sample, as tables an analyst can read in a terminal.

Outbound shows the partner file's rows as named columns (the section's `frame`: the written file
read back by its own format), inbound the records that would be posted; refusals and warnings are
listed below either, so one look tells whether the mapping does what was meant.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from connector.errors import DataError
from connector.mapping.inbound import InboundSection
from connector.mapping.outbound import OutboundSection
from connector.mapping.problems import RowProblem
from connector.mapping.templates import RunContext


class PreviewInputError(DataError):
    """The sample file given to preview cannot be read."""


def preview_outbound(
    section: OutboundSection, records: list[Any], run: RunContext, limit: int | None
) -> list[RenderableType]:
    result = section.render(records, run)
    frame = section.frame(records, run)
    title = f"{result.name}: {result.rows} row(s)"
    return [
        _frame_table(frame, title, limit),
        *_problems("refused", result.rejected),
        *_problems("warning", result.warnings),
    ]


def preview_inbound(
    section: InboundSection, source: Path, limit: int | None
) -> list[RenderableType]:
    try:
        data = source.read_bytes()
    except OSError as error:
        raise PreviewInputError(
            f"the sample {source} cannot be read: {error.strerror}",
            hint="give --input the path of a partner file",
        ) from error
    batch = section.parse(data, source.name)
    records = [{"row": record.row_number, **record.values} for record in batch.records]
    used = [
        name
        for name in (records[0] if records else {})
        if any(record[name] is not None for record in records)
    ]
    frame = pl.DataFrame(
        [[_shown(record[name]) for name in used] for record in records],
        schema=used,
        orient="row",
    )
    title = f"{source.name}: {len(records)} {section.document} record(s) to post"
    return [
        _frame_table(frame, title, limit),
        *_problems("rejected", batch.rejected),
        *_problems("warning", batch.warnings),
    ]


def _shown(value: object) -> str | None:
    return None if value is None else str(value)


def _frame_table(frame: pl.DataFrame, title: str, limit: int | None) -> Table:
    shown = frame if limit is None else frame.head(limit)
    if shown.height < frame.height:
        title += f", showing the first {shown.height} (--all shows every row)"
    table = Table(title=escape(title), title_justify="left")
    for column in frame.columns:
        table.add_column(escape(column))
    for row in shown.iter_rows():
        table.add_row(*(Text("") if value is None else Text(str(value)) for value in row))
    return table


def _problems(label: str, problems: Sequence[RowProblem]) -> list[RenderableType]:
    if not problems:
        return []
    lines = [Text(f"{len(problems)} {label}:", style="bold")]
    lines += [Text(f"  {label}: {problem}") for problem in problems]
    return lines
