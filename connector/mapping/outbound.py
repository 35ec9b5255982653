"""Outbound sections: FreshBooks records in, one partner file out.

The section is compiled once (columns, filter, rules, lookups as polars expressions) and each
render evaluates it on whole frames, with one collect per stage and no Python per row. Records
refused by a rule or a lookup leave the file whole (all their lines) and come back as RowProblems,
so the flow can record why.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import polars as pl

from connector.mapping import nodes as ast
from connector.mapping.compiler import ExpressionCompiler, Report
from connector.mapping.documents import LINE_COUNT, RECORD, SOURCE_ID, Records, document_frames
from connector.mapping.problems import RowProblem
from connector.mapping.schema import OUTBOUND_DOCUMENTS, PLANNED_OUTBOUND, OutboundDocument
from connector.mapping.scopes import LINE_ROOT, OutboundScope
from connector.mapping.sections import SectionSettings, section_settings, unknown_document
from connector.mapping.templates import RunContext, render_file_name, template_problem
from connector.mapping.values import Compiled, Kind, RowCheck, as_text

_OUT, _FAIL, _MESSAGE, _VALUE = "__out{}", "__fail{}", "__message{}", "__value{}"
_LINE_PREFIX = f"{LINE_ROOT}."


class SourceRow(NamedTuple):
    """Output data row `row_number` (1-based, header not counted) came from record `source_id`."""

    source_id: str
    row_number: int


class SourceRows(Sequence[SourceRow]):
    """The output rows' sources, made on access.

    A file can have a million rows; building a million tuples up front cost more than mapping
    the file (the garbage collector scans them), so this list-like view builds them when read.
    """

    def __init__(self, source_ids: pl.Series) -> None:
        self._ids = source_ids

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        return SourceRow(self._ids[index], index + 1)

    def __iter__(self) -> Iterator[SourceRow]:
        return map(SourceRow, self._ids.to_list(), range(1, len(self) + 1))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return f"SourceRows({len(self)} rows)"


@dataclass(frozen=True)
class OutboundFile:
    name: str
    content: bytes
    rows: int
    sources: SourceRows
    rejected: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)


@dataclass(frozen=True)
class _Check:
    check: RowCheck
    column: str | None


class OutboundSection:
    """A compiled outbound section; `render` maps records to one partner file.

    Each expression is evaluated where its inputs live: one that reads no line field once per
    record, before the records meet their lines; the rest once per line. When the filter and every
    check read the records alone, refusals are settled per record before the join, so refused
    records' lines are never mapped.
    """

    def __init__(
        self,
        document: OutboundDocument,
        settings: SectionSettings,
        scope: OutboundScope,
        columns: list[tuple[str, Compiled]],
        where: Compiled | None,
        checks: list[_Check],
    ) -> None:
        self.document = document.name
        self._document = document
        self._settings = settings
        self._scope = scope
        self._columns = columns
        self._checks = checks
        self.file_template = str(settings.values["file"].value)
        self.columns = [name for name, _ in columns]
        self._where = where.expr.fill_null(False) if where is not None else None
        self._where_on_lines = self._where is not None and _reads_lines(self._where)
        derived = [as_text(value).alias(_OUT.format(i)) for i, (_, value) in enumerate(columns)]
        checked = []
        for i, entry in enumerate(checks):
            value = entry.check.value if entry.check.value is not None else pl.lit(None)
            checked += [
                entry.check.failed.fill_null(False).alias(_FAIL.format(i)),
                entry.check.message.alias(_MESSAGE.format(i)),
                value.cast(pl.String).alias(_VALUE.format(i)),
            ]
        self._per_record = [e for e in (*derived, *checked) if not _reads_lines(e)]
        self._per_line = [e for e in (*derived, *checked) if _reads_lines(e)]
        self._checks_on_records = not self._where_on_lines and not any(map(_reads_lines, checked))
        self._outputs = [_OUT.format(i) for i in range(len(columns))]
        self._check_columns = [
            name.format(i) for i in range(len(checks)) for name in (_FAIL, _MESSAGE, _VALUE)
        ]

    def render(self, records: Records, run: RunContext) -> OutboundFile:
        """Map the records into one partner file named from the template and the run.

        `records` are the API's invoice dicts, the pages of them the client yields, or an
        API-shaped DataFrame.
        """
        name = render_file_name(self.file_template, run)
        source = document_frames(
            records,
            self._document,
            self._scope.used,
            self._scope.money_codes,
            self._scope.per_line,
        )
        heads = source.records.lazy()
        if self._where is not None and not self._where_on_lines:
            heads = heads.filter(self._where)
        heads = heads.with_columns(self._per_record)
        kept = [RECORD, SOURCE_ID, *self._outputs]
        if self._checks_on_records:
            # Records without lines give no rows, so they cannot be refused either.
            evaluated = heads.collect()
            checked = (
                evaluated.filter(pl.col(LINE_COUNT) > 0) if source.lines is not None else evaluated
            )
            rejected, warnings = self._problems(checked, name)
            rows = self._expand(_without(evaluated, rejected).lazy(), source.lines)
            table = rows.select(kept).collect()
        else:
            rows = self._expand(heads, source.lines)
            evaluated = rows.select(*kept, *self._check_columns).collect()
            rejected, warnings = self._problems(evaluated, name)
            table = _without(evaluated, rejected)
        refused = {problem.row_number for problem in rejected}
        warnings = [w for w in warnings if w.row_number not in refused]
        content = self._settings.format.write(
            table.select(
                pl.col(out).alias(column)
                for out, column in zip(self._outputs, self.columns, strict=True)
            ),
            self._settings.options,
        )
        return OutboundFile(
            name, content, table.height, SourceRows(table[SOURCE_ID]), rejected, warnings
        )

    def _expand(self, heads: pl.LazyFrame, lines: pl.DataFrame | None) -> pl.LazyFrame:
        """One row per line, carrying its record's values, with the per-line values added."""
        if lines is None:
            return heads
        rows = lines.lazy().join(heads, on=RECORD, how="inner", maintain_order="left")
        rows = rows.with_columns(self._per_line)
        if self._where_on_lines:
            rows = rows.filter(self._where)
        return rows

    def _problems(self, evaluated: pl.DataFrame, name: str):
        if not self._checks:
            return [], []
        flags = [pl.col(_FAIL.format(i)) for i in range(len(self._checks))]
        bad = evaluated.filter(pl.any_horizontal(flags))
        if bad.height == 0:
            return [], []
        rejected: dict[tuple, RowProblem] = {}
        warnings: dict[tuple, RowProblem] = {}
        for i, entry in enumerate(self._checks):
            # One problem per record and check: its lines would only repeat it.
            failing = bad.filter(flags[i]).unique(
                subset=[RECORD], keep="first", maintain_order=True
            )
            rows = failing.select(RECORD, SOURCE_ID, _MESSAGE.format(i), _VALUE.format(i))
            target = rejected if entry.check.severity == "reject" else warnings
            for record, source_id, message, raw in rows.iter_rows():
                problem = RowProblem(name, record + 1, entry.column, raw, message, source_id)
                target.setdefault((record, entry.column, message), problem)
        return list(rejected.values()), list(warnings.values())


def _reads_lines(expr: pl.Expr) -> bool:
    """Whether an expression reads a line field, so it must be evaluated once per line."""
    return any(column.startswith(_LINE_PREFIX) for column in expr.meta.root_names())


def _without(frame: pl.DataFrame, rejected: list[RowProblem]) -> pl.DataFrame:
    """The frame without the rows of refused records (a refusal takes the whole record)."""
    if not rejected:
        return frame
    refused = sorted({problem.row_number - 1 for problem in rejected})
    return frame.filter(~pl.col(RECORD).is_in(refused))


def compile_outbound(section: ast.Section, compiler_for, report: Report) -> OutboundSection | None:
    document = OUTBOUND_DOCUMENTS.get(section.document)
    if document is None:
        unknown_document(section, list(OUTBOUND_DOCUMENTS), PLANNED_OUTBOUND, report)
        return None
    settings = section_settings(section, report)
    if settings is None:
        return None
    ok = True
    if "file" not in settings.values:
        report(
            section.pos, 'an outbound section needs a file name: add `file "NAME_{run.seq}.csv"`'
        )
        ok = False
    else:
        problem = template_problem(str(settings.values["file"].value))
        if problem:
            report(settings.values["file"].pos, problem)
            ok = False
    rows = settings.values.get("rows")
    scope = OutboundScope(document, per_line=rows is not None and rows.value == "line")
    compiler: ExpressionCompiler = compiler_for(scope)
    where = None
    if "where" in settings.values:
        where = compiler.compile(settings.values["where"].value)
        if where is not None and where.kind is not Kind.BOOLEAN:
            report(settings.values["where"].pos, "where needs a condition that is true or false")
            ok = False
    columns: list[tuple[str, Compiled]] = []
    checks: list[_Check] = []
    for statement in section.statements:
        match statement:
            case ast.Assignment(target_kind="field"):
                report(statement.pos, f'outbound columns are named in quotes: "{statement.target}"')
                ok = False
            case ast.Assignment():
                if any(name == statement.target for name, _ in columns):
                    report(statement.pos, f"column {statement.target!r} is assigned twice")
                    ok = False
                compiled = compiler.compile(statement.expr)
                if compiled is None:
                    ok = False
                    continue
                columns.append((statement.target, compiled))
                checks.extend(_Check(c, statement.target) for c in compiled.checks)
            case ast.Rule():
                rule = _rule(statement, compiler, report)
                if rule is None:
                    ok = False
                else:
                    checks.append(rule)
            case ast.Require():
                report(statement.pos, "require belongs in inbound sections")
                ok = False
    if not any(isinstance(s, ast.Assignment) for s in section.statements):
        report(section.pos, 'an outbound section needs at least one column: "Name" = expression')
        ok = False
    if not ok:
        return None
    return OutboundSection(document, settings, scope, columns, where, checks)


def _rule(statement: ast.Rule, compiler: ExpressionCompiler, report: Report) -> _Check | None:
    condition = compiler.compile(statement.condition)
    message = compiler.template(statement.message)
    if condition is None or message is None:
        return None
    if condition.kind is not Kind.BOOLEAN:
        report(statement.condition.pos, f"{statement.kind} when needs a condition (true or false)")
        return None
    check = RowCheck(
        failed=condition.expr,
        message=message,
        column=condition.source_column,
        severity=statement.kind,
    )
    return _Check(check, condition.source_column)
