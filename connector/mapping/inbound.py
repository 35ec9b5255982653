"""Inbound sections: a partner file in, FreshBooks records (with every refusal explained) out.

Row numbers are the lines of the partner file as a spreadsheet or editor shows them (the header is
line 1), so an analyst can go straight to the row that was refused.

A file read by records (header, detail, trailer) becomes one frame of every line; each row record
carries the values of the header before it and of the trailer after it, so a detail row reads
`header.Batch` like its own fields (see `inbound_stream`, which also carries them across batches).
File rules (`reject file when ...`) see every line at once. In an EDI file, set rules (`reject set
when ...`) see one transaction set (EDIFACT message) at a time: their aggregates are the set's, and
a set they hold for loses all its rows, each saying why, while the file's other sets go on.

A batch keeps its records as a frame (`InboundBatch.frame`, one row per record); the Python
`records` are built only when asked for, since building them costs more than the whole mapping.
A file too large to hold is mapped in batches by `InboundSection.iter_batches`: see there for
what a caller that posts records must do about file rules, which can only be decided at the end.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl

from connector.errors import DataError
from connector.formats import LINE, RECORD_TYPE, FileFormatError, Format
from connector.mapping import nodes as ast
from connector.mapping.compiler import ExpressionCompiler, Report, did_you_mean
from connector.mapping.edi import (
    SET_KEY,
    SegmentRows,
    SetIdentity,
    inbound_segments,
    set_identity,
)
from connector.mapping.inbound_stream import ROW, Carry, RowLayout, RuleLines, carried
from connector.mapping.problems import RowProblem
from connector.mapping.schema import INBOUND_DOCUMENTS, InboundDocument
from connector.mapping.scopes import InboundScope, field_column
from connector.mapping.sections import (
    SectionSettings,
    section_start,
)
from connector.mapping.values import DECIMAL, Compiled, Kind, RowCheck, as_decimal, as_text

ROW_NUMBER = "row_number"  # the first column of InboundBatch.frame
BATCH_ROWS = 250_000  # rows per batch when a file is mapped in batches


@dataclass(frozen=True)
class InboundRecord:
    row_number: int
    values: dict[str, Any]


@dataclass(frozen=True, eq=False)
class InboundBatch:
    """The records of a file (or of one batch of it) and the rows refused or questioned.

    `frame` holds one row per record: ROW_NUMBER, then the document's fields in order (a journal
    entry's lines as a list of structs under `details`).
    """

    frame: pl.DataFrame
    rejected: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)

    @cached_property
    def records(self) -> list[InboundRecord]:
        names = self.frame.columns[1:]
        return [
            InboundRecord(row[0], dict(zip(names, row[1:], strict=True)))
            for row in self.frame.iter_rows()
        ]


class InboundFileError(DataError):
    """A partner file that cannot be read at all; nothing in it was used."""


@dataclass(frozen=True)
class FileRule:
    """`reject file when ...`: the condition over every line, and the analyst's message."""

    condition: pl.Expr
    message: pl.Expr


class InboundSection:
    def __init__(
        self,
        document: InboundDocument,
        settings: SectionSettings,
        fields: list[tuple[str, Compiled]],
        checks: list[RowCheck],
        columns: list[str],
        file_rules: list[FileRule],
        layout: RowLayout | None,
        segments: SegmentRows | None = None,
    ) -> None:
        self.document = document.name
        self._document = document
        self._settings = settings
        self._fields = fields
        self._checks = checks
        self._columns = columns
        self._file_rules = file_rules
        self._layout = layout
        self._segments = segments
        files = settings.values.get("files")
        self.pattern = str(files.value) if files else "*"
        self._regex = (
            re.compile(self.pattern)
            if files is not None and files.qualifier == "regex"
            else re.compile(fnmatch.translate(self.pattern))
        )

    def matches(self, file_name: str) -> bool:
        return self._regex.fullmatch(file_name) is not None

    @property
    def format(self) -> Format:
        """The format plugin the section reads with: the jobs ask it how to judge EDI files."""
        return self._settings.format

    def parse(self, data: bytes, file_name: str) -> InboundBatch:
        """A whole file: nothing is returned when a file rule refuses it."""
        lines, rows = self._read(data, file_name)
        self._check_file(lines, file_name)
        return self._mapped(rows, file_name)

    def _mapped(self, rows: pl.LazyFrame, file_name: str) -> InboundBatch:
        """Rows of the partner file (ROW numbered) to records, refusals and warnings."""
        flags = [
            check.failed.fill_null(False).alias(f"__fail{i}")
            for i, check in enumerate(self._checks)
        ]
        # One lazy plan: only the columns of the file that fields and checks read are taken.
        rows = (
            rows.with_columns(
                compiled.expr.alias(field_column(name)) for name, compiled in self._fields
            )
            .with_columns(flags)
            .collect()
        )
        rejected, warnings = self._problems(rows, file_name)
        key = self._document.entry_key
        if key is not None:
            rejected += _siblings(rows, rejected, field_column(key), file_name)
            rejected.sort(key=lambda problem: problem.row_number)
        refused = {problem.row_number for problem in rejected}
        # Only the fields go on: filtering the file's columns and the check flags too would copy
        # every one of them.
        good = rows.lazy().select(ROW, *[field_column(name) for name, _ in self._fields])
        if refused:
            good = good.filter(~pl.col(ROW).is_in(sorted(refused)))
        good = good.collect()
        if key is not None:
            return InboundBatch(self._entries(good), rejected, warnings)
        assigned = {name for name, _ in self._fields}
        values = [
            (pl.col(field_column(name)) if name in assigned else pl.lit(None)).alias(name)
            for name in self._document.fields
        ]
        return InboundBatch(good.select(pl.col(ROW).alias(ROW_NUMBER), *values), rejected, warnings)

    def _entries(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Rows grouped into entries by the key, in file order, details in row order."""
        assigned = dict(self._fields)
        spec = self._document.fields
        heads = [n for n in spec if not spec[n].detail]
        details = [n for n in spec if spec[n].detail]
        value = {
            name: pl.col(field_column(name)) if name in assigned else pl.lit(None) for name in spec
        }
        grouped = rows.group_by(field_column(self._document.entry_key), maintain_order=True).agg(
            pl.col(ROW).first().alias(ROW_NUMBER),
            *[value[name].first().alias(name) for name in heads],
            pl.struct(value[name].alias(name.removeprefix("detail_")) for name in details).alias(
                "details"
            ),
        )
        return grouped.select(ROW_NUMBER, *heads, "details")

    def _read(self, data: bytes, file_name: str) -> tuple[pl.LazyFrame, pl.LazyFrame]:
        """Every line of the file (for file rules) and the rows that become records, left lazy
        so that only the columns the mapping reads are taken from the lines."""
        fmt, options = self._settings.format, self._settings.options
        try:
            if self._segments is not None:
                rows = self._segment_rows(data, file_name).lazy()
                return rows, rows
            if self._layout is not None:
                lines = fmt.read_records(data, self._layout.records, options)
            else:
                frame = fmt.read(data, options)
        except FileFormatError as error:
            raise InboundFileError(f"{file_name}: {error.message}", hint=error.hint) from error
        if self._layout is not None:
            lines = carried(lines, self._layout).rename({LINE: ROW})
            return lines, lines.filter(pl.col(RECORD_TYPE) == self._layout.row_record)
        frame = self._columns_checked(frame, file_name).with_row_index(ROW, offset=self._first)
        return frame.lazy(), frame.lazy()

    def _segment_rows(self, data: bytes, file_name: str) -> pl.DataFrame:
        """An EDI file's rows, numbered by the segment that makes each (ISA or UNB is 1)."""
        segments = self._segments
        assert segments is not None
        rows = self._settings.format.read_segments(
            data, file_name, segments.segments, segments.row, segments.options
        )
        if segments.identity is not None:
            controls = [pl.col(name).fill_null("") for name in segments.identity.columns]
            rows = rows.with_columns(pl.concat_str(controls, separator="/").alias(SET_KEY))
        return rows.rename({LINE: ROW})

    @property
    def _first(self) -> int:
        """The file line of the first row: the header is line 1."""
        return 2 if getattr(self._settings.options, "header", False) else 1

    def _columns_checked(self, frame: pl.DataFrame, file_name: str) -> pl.DataFrame:
        """The frame with every column the mapping reads, or the error naming the one missing."""
        missing = [name for name in self._columns if name not in frame.columns]
        if missing and self._settings.format.optional_columns:
            return frame.with_columns(pl.lit(None, dtype=pl.String).alias(n) for n in missing)
        if missing:
            found = ", ".join(repr(name) for name in frame.columns)
            raise InboundFileError(
                f"{file_name}: column {missing[0]!r} is missing; the header has: {found}",
                hint="check the header row and the delimiter, or the col(...) names in the mapping",
            )
        return frame

    def iter_batches(
        self, path: Path, file_name: str | None = None, *, batch_rows: int = BATCH_ROWS
    ) -> Iterator[InboundBatch]:
        """A local file mapped about `batch_rows` lines at a time: memory follows the batch.

        The batches hold the records, refusals and warnings (with the file's row numbers) that
        `parse` gives for the whole file. File rules (`reject file when ...`) can only be decided
        on the whole file: the columns they read, and only those, are kept from every batch and
        the rules are decided after the last one, raising InboundFileError then, after every batch
        was yielded. A caller that posts records must therefore post nothing before the iteration
        ends without that error: either run `check_file_rules` first (a pass that maps nothing),
        or collect the records and post them at the end. A row rule or field that aggregates over
        rows sees its batch only. A journal entry spans rows, so such documents come as one batch.
        """
        name = file_name or Path(path).name
        if self._document.entry_key is not None:
            yield self.parse(Path(path).read_bytes(), name)
            return
        kept = RuleLines(_rule_reads(self._file_rules))
        for rows, lines in self._batches(Path(path), name, batch_rows):
            kept.add(lines)
            if rows.height:
                yield self._mapped(rows.lazy(), name)
        self._check_file(kept.whole(self._layout), name)

    def check_file_rules(
        self, path: Path, file_name: str | None = None, *, batch_rows: int = BATCH_ROWS
    ) -> None:
        """Raise InboundFileError when a file rule refuses the file; reads it in batches."""
        name = file_name or Path(path).name
        kept = RuleLines(_rule_reads(self._file_rules))
        for _, lines in self._batches(Path(path), name, batch_rows):
            kept.add(lines)
        self._check_file(kept.whole(self._layout), name)

    def _batches(
        self, path: Path, file_name: str, batch_rows: int
    ) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
        """(rows that become records, the lines they came from, as read) per batch."""
        fmt, options = self._settings.format, self._settings.options
        try:
            if self._segments is not None:
                # An interchange is read whole: its envelope closes only at its end.
                rows = self._segment_rows(path.read_bytes(), file_name)
                yield rows, rows
                return
            if self._layout is None:
                first = self._first
                for frame in fmt.iter_read(path, options, batch_rows):
                    frame = self._columns_checked(frame, file_name)
                    frame = frame.with_row_index(ROW, offset=first)
                    first += frame.height
                    yield frame, frame
                return
            carry = Carry(self._layout, self._row_reads())
            for lines in fmt.iter_read_records(path, self._layout.records, options, batch_rows):
                yield carry.rows(carry.push(lines)), lines
            yield carry.rows(carry.rest()), carry.empty
        except FileFormatError as error:
            raise InboundFileError(f"{file_name}: {error.message}", hint=error.hint) from error

    def _row_reads(self) -> set[str]:
        """The columns the fields and row checks read."""
        exprs = [compiled.expr for _, compiled in self._fields]
        for check in self._checks:
            exprs += [check.failed, check.message]
            if check.value is not None:
                exprs.append(check.value)
        return {name for expr in exprs for name in expr.meta.root_names()}

    def _check_file(self, lines: pl.LazyFrame, file_name: str) -> None:
        """The first file rule that holds refuses the whole file, with the analyst's message.

        A file of no lines is one line of nulls to the rules, so that a rule on a total (which is
        0 then) still decides it.
        """
        if not self._file_rules:
            return
        if lines.select(pl.len()).collect().item() == 0:
            lines = lines.collect().clear(1).lazy()
        failed = lines.select(
            rule.condition.fill_null(False).any().alias(str(i))
            for i, rule in enumerate(self._file_rules)
        )
        for rule, hit in zip(self._file_rules, failed.collect().row(0), strict=True):
            if hit:
                # The message of the first line the rule holds for: messages may read that line.
                first = (
                    lines.select(rule.message.alias("message"), rule.condition.alias("failed"))
                    .filter(pl.col("failed").fill_null(False))
                    .select(pl.first("message"))
                )
                raise InboundFileError(
                    f"{file_name}: {first.collect().item()}",
                    hint="nothing in the file was used; ask the partner for a corrected file",
                )

    def _problems(
        self, frame: pl.DataFrame, file_name: str
    ) -> tuple[list[RowProblem], list[RowProblem]]:
        """The rows each check refuses or warns about, in row order (checks in order within one).

        The failing checks' rows are gathered in one lazy query, so that polars evaluates them
        side by side; messages may read a whole entry (`.over(...)`), so they see every row first.
        """
        rejected: list[RowProblem] = []
        warnings: list[RowProblem] = []
        if not self._checks:
            return rejected, warnings
        failing = frame.select(pl.col(f"__fail{i}").any() for i in range(len(self._checks)))
        parts = []
        for i, check in enumerate(self._checks):
            if not failing.item(0, i):
                continue
            value = check.value if check.value is not None else pl.lit(None, dtype=pl.String)
            parts.append(
                frame.lazy()
                .select(
                    ROW,
                    pl.col(f"__fail{i}"),
                    pl.lit(i, dtype=pl.UInt32).alias("check"),
                    check.message.cast(pl.String).alias("message"),
                    value.cast(pl.String).alias("value"),
                )
                .filter(pl.col(f"__fail{i}"))
                .drop(f"__fail{i}")
            )
        if not parts:
            return rejected, warnings
        found = pl.concat(parts).sort(ROW, "check", maintain_order=True).collect()
        for row, i, message, raw in found.iter_rows():
            check = self._checks[i]
            target = rejected if check.severity == "reject" else warnings
            target.append(RowProblem(file_name, row, check.column, raw, message))
        return rejected, warnings


def _rule_reads(rules: list[FileRule]) -> set[str]:
    """The columns file rules read: all that is kept of a file read in batches for them."""
    return {
        name
        for rule in rules
        for expr in (rule.condition, rule.message)
        for name in expr.meta.root_names()
    }


def _siblings(rows: pl.DataFrame, rejected: list[RowProblem], key: str, file_name: str):
    """The other rows of an entry with a refused row: an entry is posted whole or not at all."""
    refused = {problem.row_number for problem in rejected}
    if not refused:
        return []
    entries = rows.filter(pl.col(ROW).is_in(sorted(refused)))[key].unique()
    others = rows.filter(pl.col(key).is_in(entries.implode()) & ~pl.col(ROW).is_in(sorted(refused)))
    return [
        RowProblem(
            file_name, row, None, entry, f"entry {entry} is refused with another of its rows"
        )
        for row, entry in others.select(ROW, key).iter_rows()
    ]


def compile_inbound(section: ast.Section, compiler_for, report: Report) -> InboundSection | None:
    started = section_start(section, INBOUND_DOCUMENTS, report)
    if started is None:
        return None
    document, settings, layouts = started
    segmented = settings.format.segment_layouts
    layout = None if segmented else _inbound_layout(section, settings, layouts, report)
    if layouts and layout is None:
        return None
    records = {layout.name: [f.name for f in layout.fields] for _, layout in layouts}
    scope = InboundScope(document.fields, records)
    if segmented and "rows" in settings.values:
        scope.records = {str(settings.values["rows"].value): []}
    scope.reads_segments = segmented
    if layout is not None:
        scope.row_filter = pl.col(RECORD_TYPE) == layout.row_record
    compiler: ExpressionCompiler = compiler_for(scope)
    ok = True
    fields: list[tuple[str, Compiled]] = []
    checks: list[RowCheck] = []
    file_rules: list[FileRule] = []
    identity: SetIdentity | None = None
    required = set(document.required)
    for statement in section.statements:
        match statement:
            case ast.Rule(scope="set"):
                if not segmented:
                    report(
                        statement.pos,
                        f"reject set is decided per transaction set of an EDI file; a "
                        f"{section.format} file has none: write reject file when ... for the "
                        "whole file, or reject when ... per row",
                    )
                    ok = False
                    continue
                identity = identity or set_identity(
                    settings.format, scope.elements, scope.segment_tags, statement.pos, report
                )
                check = _set_rule(statement, compiler, identity, report) if identity else None
                ok = ok and check is not None
                if check is not None:
                    checks.append(check)
            case ast.Assignment(target_kind="column"):
                report(
                    statement.pos, "inbound sections assign FreshBooks fields: name = expression"
                )
                ok = False
            case ast.Assignment():
                compiled = _field(statement, document, scope, compiler, report)
                if compiled is None:
                    ok = False
                    continue
                fields.append((statement.target, compiled))
                checks.extend(compiled.checks)
            case ast.Rule():
                rule = _rule(statement, compiler, report)
                if rule is None:
                    ok = False
                elif isinstance(rule, FileRule):
                    file_rules.append(rule)
                else:
                    checks.append(rule)
            case ast.Require():
                for name, pos in statement.fields:
                    if name not in document.fields:
                        report(
                            pos,
                            f"{document.name} has no field {name!r}"
                            f"{did_you_mean(name, document.fields)}",
                        )
                        ok = False
                    required.add(name)
            case ast.Record(fields=specs):
                for spec in specs:
                    if spec.expr is not None:
                        report(spec.expr.pos, "inbound record fields are read, not assigned")
                        ok = False
    for name in sorted(required):
        if name not in scope.assigned:
            report(section.pos, f"{document.name} needs {name}: assign it in this section")
            ok = False
            continue
        checks.append(_required(name, scope.assigned[name]))
    checks.extend(_document_checks(document, section, fields, scope, report))
    segments = None
    if segmented:
        segments = inbound_segments(
            section,
            settings.format,
            settings.values.get("rows"),
            scope.elements,
            scope.segment_tags,
            report,
            identity,
        )
        ok = ok and segments is not None
    if not ok:
        return None
    return InboundSection(
        document, settings, fields, checks, list(scope.columns), file_rules, layout, segments
    )


def _inbound_layout(section, settings, layouts, report: Report) -> RowLayout | None:
    """Which record makes the rows: `rows per NAME`, else `detail`, else the only record."""
    if not layouts:
        if "rows" in settings.values:
            report(settings.values["rows"].pos, "rows per ... names a record; declare records")
        return None
    names = [layout.name for _, layout in layouts]
    untagged = [record for record, layout in layouts if layout.tag is None]
    if len(layouts) > 1 and untagged:
        report(
            untagged[0].pos,
            f'record {untagged[0].name} needs `when "TYPE" at N` to be told from the others',
        )
        return None
    setting = settings.values.get("rows")
    row = str(setting.value) if setting else ("detail" if "detail" in names else None)
    if row is None and len(names) == 1:
        row = names[0]
    if row not in names:
        pos = setting.pos if setting else section.pos
        report(pos, f"which record makes the rows? add `rows per <record>` ({', '.join(names)})")
        return None
    return RowLayout([layout for _, layout in layouts], row)


def _condition_and_message(
    statement: ast.Rule, compiler, report: Report, scope: str
) -> tuple[Compiled, pl.Expr] | None:
    """The rule's condition and message compiled; None (reported) when it has no true/false."""
    condition = compiler.compile(statement.condition)
    message = compiler.template(statement.message)
    if condition is None or message is None:
        return None
    if condition.kind is not Kind.BOOLEAN:
        report(statement.condition.pos, f"{statement.kind} {scope}when needs a condition")
        return None
    return condition, message


def _rule(statement: ast.Rule, compiler, report: Report) -> RowCheck | FileRule | None:
    compiled = _condition_and_message(statement, compiler, report, "")
    if compiled is None:
        return None
    condition, message = compiled
    if statement.scope == "file":
        if statement.kind == "warn":
            report(statement.pos, "warn file is not a rule: use reject file, or warn per row")
            return None
        # File rules are decided on the file's lines as read (also when it is streamed), before
        # any record is made, so they may read the partner's data but not the fields assigned.
        read = {*condition.expr.meta.root_names(), *message.meta.root_names()}
        assigned = sorted(name.removeprefix("field.") for name in read if name.startswith("field."))
        if assigned:
            report(
                statement.condition.pos,
                f"reject file reads the partner's file as it is, before fields are assigned, so it "
                f"cannot use {', '.join(assigned)}: write the value from the file instead, e.g. "
                f'sum(money(col("..."))) or sum(money(detail.Amount))',
            )
            return None
        return FileRule(condition.expr, message)
    column = condition.source_column
    value = pl.col(column) if column else None
    return RowCheck(condition.expr, message, column, value, statement.kind)


def _set_rule(
    statement: ast.Rule, compiler, identity: SetIdentity, report: Report
) -> RowCheck | None:
    """`reject set when ...` as a check on every row of each set it holds for: the condition and
    the message are evaluated within the set, the message as at the set's first row it holds for.
    Unlike a file rule it is decided on the mapped rows, so it may also read assigned fields."""
    compiled = _condition_and_message(statement, compiler, report, "set ")
    if compiled is None:
        return None
    condition, message = compiled
    if statement.kind == "warn":
        report(statement.pos, "warn set is not a rule: use reject set, or warn per row")
        return None
    hit = condition.expr.fill_null(False)
    within = pl.col(SET_KEY)
    return RowCheck(
        hit.any().over(within),
        message.filter(hit).first().over(within),
        identity.own,
        pl.col(identity.own),
    )


def _required(name: str, known: Compiled) -> RowCheck:
    value = pl.col(field_column(name))
    empty = value.is_null()
    if known.kind is Kind.TEXT:
        empty = empty | (value.str.strip_chars() == "")
    raw = pl.col(known.source_column) if known.source_column else None
    if raw is not None:
        # A value that is there but does not parse is reported by its parser, not here.
        empty = empty & (raw.is_null() | (raw.str.strip_chars() == ""))
    return RowCheck(empty, pl.lit(f"{name} is required but empty"), known.source_column, raw)


def _document_checks(document, section, fields, scope, report: Report) -> list[RowCheck]:
    """Allowed values, `one of` fields, and balanced journal entries."""
    checks = []
    for name, compiled in fields:
        allowed = document.fields[name].allowed
        if allowed:
            value = pl.col(field_column(name))
            checks.append(
                RowCheck(
                    value.is_not_null() & ~value.is_in(allowed),
                    pl.concat_str(
                        [
                            pl.lit(f"{name} "),
                            value,
                            pl.lit(f" is not one FreshBooks accepts ({', '.join(allowed)})"),
                        ]
                    ),
                    compiled.source_column,
                    value,
                )
            )
    if document.one_of:
        present = [name for name in document.one_of if name in scope.assigned]
        if not present:
            report(section.pos, f"a {document.name} needs one of {', '.join(document.one_of)}")
        else:
            empty = [
                pl.col(field_column(name)).str.strip_chars().fill_null("") == "" for name in present
            ]
            checks.append(
                RowCheck(
                    pl.all_horizontal(empty),
                    pl.lit(f"a {document.name} needs one of {', '.join(present)}; all are empty"),
                )
            )
    if document.entry_key is not None:
        checks.extend(_balance(scope))
    return checks


def _balance(scope: InboundScope) -> list[RowCheck]:
    """Each detail has a debit or a credit, and each entry's debits equal its credits."""
    entry = pl.col(field_column("entry"))
    amounts = [
        pl.col(field_column(name)) if name in scope.assigned else pl.lit(None, dtype=DECIMAL)
        for name in ("debit", "credit")
    ]
    debit, credit = (amount.fill_null(0) for amount in amounts)
    neither = amounts[0].is_null() & amounts[1].is_null()
    debits, credits = debit.sum().over(entry), credit.sum().over(entry)
    first = pl.col(ROW) == pl.col(ROW).min().over(entry)
    shown = [as_text(Compiled(total, Kind.NUMBER, DECIMAL)) for total in (debits, credits)]
    return [
        RowCheck(neither, pl.lit("a journal line needs a debit or a credit")),
        RowCheck(
            (debits != credits) & first,
            pl.concat_str(
                [
                    pl.lit("entry "),
                    entry,
                    pl.lit(": debits "),
                    shown[0],
                    pl.lit(" do not equal credits "),
                    shown[1],
                ]
            ),
            None,
            entry,
        ),
    ]


def _field(statement, document, scope, compiler, report) -> Compiled | None:
    target = document.fields.get(statement.target)
    if target is None:
        report(
            statement.pos,
            f"{document.name} has no field {statement.target!r}"
            f"{did_you_mean(statement.target, document.fields)}",
        )
        return None
    if statement.target in scope.assigned:
        report(statement.pos, f"{statement.target} is assigned twice")
        return None
    compiled = compiler.compile(statement.expr)
    if compiled is None:
        return None
    converted = _convert(compiled, target.kind)
    if converted is None:
        hint = {
            Kind.NUMBER: "money(...) or number(...)",
            Kind.DATE: "parse_date(...)",
            Kind.BOOLEAN: 'a comparison such as col("1099") == "Y"',
        }
        report(
            statement.expr.pos,
            f"{statement.target} must be {target.kind}, got "
            f"{compiled.kind}" + (f": use {hint[target.kind]}" if target.kind in hint else ""),
        )
        return None
    scope.assigned[statement.target] = converted
    return converted


def _convert(value: Compiled, kind: Kind) -> Compiled | None:
    """The value in the form the FreshBooks field takes, or None when it cannot be."""
    if value.kind is Kind.NULL:
        dtype = {Kind.NUMBER: DECIMAL, Kind.DATE: pl.Date, Kind.BOOLEAN: pl.Boolean}.get(
            kind, pl.String
        )
        return value.with_expr(pl.lit(None, dtype=dtype), kind, dtype)
    if kind is Kind.TEXT:
        return value.with_expr(as_text(value), Kind.TEXT, pl.String)
    if kind is Kind.NUMBER and value.kind in (Kind.NUMBER, Kind.MONEY):
        if isinstance(value.dtype, pl.Decimal):
            return value
        return value.with_expr(as_decimal(value), Kind.NUMBER, DECIMAL)
    if kind is value.kind and kind in (Kind.DATE, Kind.BOOLEAN):
        return value
    if kind is Kind.DATE and value.kind is Kind.DATETIME:
        return value.with_expr(value.expr.dt.date(), Kind.DATE, pl.Date)
    return None
