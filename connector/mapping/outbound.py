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

from connector.formats import Format, RecordLayout
from connector.mapping import nodes as ast
from connector.mapping.compiler import ExpressionCompiler, Report
from connector.mapping.documents import LINE_COUNT, RECORD, SOURCE_ID, Records, document_frames
from connector.mapping.problems import RowProblem
from connector.mapping.schema import OUTBOUND_DOCUMENTS, OutboundDocument
from connector.mapping.scopes import KEPT, LINE_ROOT, RUN_ROOT, OutboundScope
from connector.mapping.sections import (
    SectionSettings,
    section_start,
)
from connector.mapping.templates import RunContext, render_file_name, template_problem
from connector.mapping.values import Compiled, Kind, RowCheck, as_text

_OUT, _FAIL, _MESSAGE, _VALUE = "__out{}", "__fail{}", "__message{}", "__value{}"
_LINE_PREFIX = f"{LINE_ROOT}."
_RUN_PREFIX = f"{RUN_ROOT}."


class SourceRow(NamedTuple):
    """Output data row `row_number` (1-based, header not counted) came from record `source_id`."""

    source_id: str
    row_number: int


class SourceRows(Sequence[SourceRow]):
    """The output rows' sources, made on access.

    A file can have a million rows; building a million tuples up front cost more than mapping
    the file (the garbage collector scans them), so this list-like view builds them when read.
    """

    def __init__(self, source_ids: pl.Series, first: int = 1) -> None:
        self._ids = source_ids
        self._first = first

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        return SourceRow(self._ids[index], index + self._first)

    def __iter__(self) -> Iterator[SourceRow]:
        return map(SourceRow, self._ids.to_list(), range(self._first, len(self) + self._first))

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
class OutboundCheck:
    """A row check and the output column it reports (None when it reads no single column)."""

    check: RowCheck
    column: str | None


@dataclass(frozen=True)
class OutboundRecord:
    """A record of a structured layout: the detail (one per row) or one written once per file."""

    layout: RecordLayout
    once: bool
    columns: list[tuple[str, Compiled]]


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
        checks: list[OutboundCheck],
        records: list[OutboundRecord] | None = None,
    ) -> None:
        self.document = document.name
        self._records = records or []
        once = [record for record in self._records if record.once]
        self._once = [
            (record, [as_text(value).alias(name) for name, value in record.columns])
            for record in once
        ]
        self._once_inputs = list(
            dict.fromkeys(
                name
                for _, exprs in self._once
                for expr in exprs
                for name in expr.meta.root_names()
                if name != KEPT and not name.startswith(_RUN_PREFIX)
            )
        )
        detail = next((r for r in self._records if not r.once), None)
        self._lines_before = self._records.index(detail) if detail else 0
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
        self._with_lines = scope.per_line or bool(scope.aggregates)
        self._check_columns = [
            name.format(i) for i in range(len(checks)) for name in (_FAIL, _MESSAGE, _VALUE)
        ]

    @property
    def format(self) -> Format:
        """The format plugin the section writes with: the jobs ask it how to check EDI files."""
        return self._settings.format

    def reads(self, field: str) -> bool:
        """Whether the section reads this field of its document (``vis_state``, or
        ``vendor.name`` for a nested object's) anywhere: a column, the filter, a rule, a record.

        Callers decide from it what the partner can be told, such as whether a deletion can be
        sent at all; the scope noted every field the compiled section names.
        """
        return field in self._scope.used[self.document]

    def render(self, records: Records, run: RunContext) -> OutboundFile:
        """Map the records into one partner file named from the template and the run.

        `records` are the API's invoice dicts, the pages of them the client yields, or an
        API-shaped DataFrame.
        """
        name, detail, table, rejected, warnings = self._mapped(records, run)
        if self._records:
            content = self._write_records(detail, table, run)
        else:
            content = self._settings.format.write(detail, self._settings.options)
        sources = SourceRows(table[SOURCE_ID], 1 + self._lines_before)
        return OutboundFile(name, content, table.height, sources, rejected, warnings)

    def frame(self, records: Records, run: RunContext) -> pl.DataFrame:
        """The file's rows (the repeated record's) as text columns, before the format writes them.

        Made for previews: the same mapping as `render`, without the layout around it.
        """
        return self._mapped(records, run)[1]

    def _mapped(self, records: Records, run: RunContext):
        name = render_file_name(self.file_template, run)
        source = document_frames(
            records,
            self._document,
            self._scope.used,
            self._scope.money_codes,
            self._with_lines,
        )
        heads = self._with_aggregates(source, run)
        lines = source.lines if self._scope.per_line else None
        if self._where is not None and not self._where_on_lines:
            heads = heads.filter(self._where)
        heads = heads.with_columns(self._per_record)
        kept = list(dict.fromkeys([RECORD, SOURCE_ID, *self._outputs, *self._once_inputs]))
        if self._checks_on_records:
            # Records without lines give no rows, so they cannot be refused either.
            evaluated = heads.collect()
            checked = (
                evaluated.filter(pl.col(LINE_COUNT) > 0) if source.lines is not None else evaluated
            )
            rejected, warnings = self._problems(checked, name)
            rows = self._expand(_without(evaluated, rejected).lazy(), lines)
            table = rows.select(kept).collect()
        else:
            rows = self._expand(heads, lines)
            evaluated = rows.select(*kept, *self._check_columns).collect()
            rejected, warnings = self._problems(evaluated, name)
            table = _without(evaluated, rejected)
        refused = {problem.row_number for problem in rejected}
        warnings = [w for w in warnings if w.row_number not in refused]
        detail = table.select(
            pl.col(out).alias(column)
            for out, column in zip(self._outputs, self.columns, strict=True)
        )
        return name, detail, table, rejected, warnings

    def _with_aggregates(self, source, run: RunContext) -> pl.LazyFrame:
        """The records with the run's fields and each per-document aggregate over its lines."""
        heads = source.records.lazy()
        if self._scope.uses_run:
            heads = heads.with_columns(_run_columns(run))
        aggregates = self._scope.aggregates
        if not aggregates:
            return heads
        totals = (
            source.lines.lazy()
            .group_by(RECORD)
            .agg(expr.alias(column) for column, expr, _ in aggregates)
        )
        heads = heads.join(totals, on=RECORD, how="left", maintain_order="left")
        zero = [pl.col(column).fill_null(0) for column, _, counts in aggregates if counts]
        return heads.with_columns(zero) if zero else heads

    def _write_records(self, detail: pl.DataFrame, table: pl.DataFrame, run: RunContext) -> bytes:
        """Every record in declaration order; records written once read the kept rows whole."""
        # The flag first: a select of no columns would have no rows left to count.
        rows = table.with_columns(pl.lit(True).alias(KEPT)).select(KEPT, *self._once_inputs)
        standin = pl.DataFrame({KEPT: [False]})
        whole = pl.concat([rows, standin], how="diagonal_relaxed").with_columns(_run_columns(run))
        once = {record.layout.name: whole.select(exprs) for record, exprs in self._once}
        parts = [
            (record.layout, once[record.layout.name] if record.once else detail)
            for record in self._records
        ]
        return self._settings.format.write_records(parts, self._settings.options)

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


def _run_columns(run: RunContext) -> list[pl.Expr]:
    return [
        pl.lit(run.date, dtype=pl.Datetime("us")).alias(f"{_RUN_PREFIX}date"),
        pl.lit(run.seq, dtype=pl.Int64).alias(f"{_RUN_PREFIX}seq"),
        pl.lit(run.partner, dtype=pl.String).alias(f"{_RUN_PREFIX}partner"),
    ]


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
    started = section_start(section, OUTBOUND_DOCUMENTS, report)
    if started is None:
        return None
    document, settings, layouts = started
    ok = file_name_ok(section, settings, report)
    per_line = _rows(section, settings, document, layouts, report)
    if per_line is None:
        return None
    scope = OutboundScope(document, per_line=per_line)
    scope.records = {record.name: record.rows or "" for record, _ in layouts}
    compiler: ExpressionCompiler = compiler_for(scope)
    where, where_ok = compiled_where(settings, compiler, report)
    ok = ok and where_ok
    columns: list[tuple[str, Compiled]] = []
    checks: list[OutboundCheck] = []
    records: list[OutboundRecord] = []
    for statement in section.statements:
        match statement:
            case ast.Assignment(target_kind="field"):
                report(statement.pos, f'outbound columns are named in quotes: "{statement.target}"')
                ok = False
            case ast.Assignment():
                if layouts:
                    report(statement.pos, "with records, every column belongs to a record")
                    ok = False
                    continue
                ok = (
                    _column(
                        statement.target,
                        statement.expr,
                        statement.pos,
                        compiler,
                        columns,
                        checks,
                        report,
                    )
                    and ok
                )
            case ast.Rule(scope="file" | "set"):
                report(statement.pos, f"reject {statement.scope} belongs in inbound sections")
                ok = False
            case ast.Rule():
                rule = row_rule(statement, compiler, report)
                if rule is None:
                    ok = False
                else:
                    checks.append(rule)
            case ast.Require():
                report(statement.pos, "require belongs in inbound sections")
                ok = False
    for record, layout in layouts:
        once = record.rows == "once"
        scope.context = "file" if once else "row"
        own: list[tuple[str, Compiled]] = []
        for spec in record.fields:
            if spec.expr is None:
                report(spec.pos, f'{spec.name} needs a value going out: "{spec.name}" ... = value')
                ok = False
                continue
            target = own if once else columns
            ok = (
                _column(
                    spec.name, spec.expr, spec.pos, compiler, target, [] if once else checks, report
                )
                and ok
            )
        records.append(OutboundRecord(layout, once, own if once else columns))
    if not layouts and not any(isinstance(s, ast.Assignment) for s in section.statements):
        report(section.pos, 'an outbound section needs at least one column: "Name" = expression')
        ok = False
    if not ok:
        return None
    return OutboundSection(document, settings, scope, columns, where, checks, records)


def compiled_where(
    settings: SectionSettings, compiler: ExpressionCompiler, report: Report
) -> tuple[Compiled | None, bool]:
    """The section's `where` filter (None when it has none) and whether it is a usable one: a
    filter that does not compile, or is no condition, is reported."""
    setting = settings.values.get("where")
    if setting is None:
        return None, True
    where = compiler.compile(setting.value)
    if where is not None and where.kind is not Kind.BOOLEAN:
        report(setting.pos, "where needs a condition that is true or false")
        return None, False
    return where, where is not None


def file_name_ok(section: ast.Section, settings: SectionSettings, report: Report) -> bool:
    """Whether the section names its file with a template that renders (reported when not)."""
    if "file" not in settings.values:
        report(
            section.pos, 'an outbound section needs a file name: add `file "NAME_{run.seq}.csv"`'
        )
        return False
    problem = template_problem(str(settings.values["file"].value))
    if problem:
        report(settings.values["file"].pos, problem)
        return False
    return True


def _rows(section, settings, document, layouts, report: Report) -> bool | None:
    """Whether the file has a row per line (else per document); None when that is unclear."""
    setting = settings.values.get("rows")
    units = [setting.value] if setting is not None else []
    if layouts:
        repeated = [record for record, _ in layouts if record.rows != "once"]
        for record in repeated:
            if record.rows is None:
                report(
                    record.pos, f"record {record.name} needs `once`, `per line` or `per document`"
                )
                return None
        if len(repeated) != 1:
            report(
                section.pos,
                "one record must repeat (`per line` or `per document`); the "
                "others are written `once`",
            )
            return None
        units.append(repeated[0].rows)
    for unit in units:
        if unit not in ("line", "document"):
            report((setting or section).pos, f"rows per {unit}: write `per line` or `per document`")
            return None
    if len(set(units)) > 1:
        report(setting.pos, "the rows setting and the repeated record disagree: keep one")
        return None
    per_line = bool(units) and units[0] == "line"
    if per_line and not document.line_fields:
        report(section.pos, f"a {document.name} has no lines: write rows per document")
        return None
    return per_line


def _column(name, expr, pos, compiler, columns, checks, report) -> bool:
    if any(existing == name for existing, _ in columns):
        report(pos, f"column {name!r} is assigned twice")
        return False
    compiled = compiler.compile(expr)
    if compiled is None:
        return False
    columns.append((name, compiled))
    checks.extend(OutboundCheck(c, name) for c in compiled.checks)
    return True


def row_rule(
    statement: ast.Rule, compiler: ExpressionCompiler, report: Report
) -> OutboundCheck | None:
    """`reject when` / `warn when` on a record going out; None (reported) when it is no rule."""
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
    return OutboundCheck(check, condition.source_column)
