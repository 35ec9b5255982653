"""Outbound EDI sections: one transaction set per FreshBooks record, segments as the guide lists.

Each element is compiled like a column of a record layout and evaluated by the outbound machinery
on whole frames (one row per line when the section loops over lines); only assembling the
segments of each set, which the EDI writer takes as Python tuples, walks the rows. A segment
whose elements are all empty is left out, so optional segments (`REF[PO]` without a PO number)
need no condition.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

import polars as pl

from connector.formats import (
    ControlNumbers,
    EdiSegment,
    ElementLayout,
    SegmentFormat,
    SegmentLayout,
    SegmentOptions,
)
from connector.mapping import nodes as ast
from connector.mapping.compiler import NUMERIC, ExpressionCompiler, Report
from connector.mapping.documents import RECORD, SOURCE_ID, Records
from connector.mapping.edi import element_position, segment_checked, segment_options, tag_ok
from connector.mapping.functions.money import rounded
from connector.mapping.outbound import (
    OutboundCheck,
    OutboundFile,
    OutboundSection,
    SourceRows,
    compiled_where,
    file_name_ok,
    row_rule,
)
from connector.mapping.problems import RowProblem
from connector.mapping.schema import OUTBOUND_DOCUMENTS
from connector.mapping.scopes import LINE_ROOT, OutboundScope
from connector.mapping.sections import section_start
from connector.mapping.templates import RunContext
from connector.mapping.values import Compiled, Kind, as_decimal

_LOOP_NAMES = ("line", "lines")


@dataclass(frozen=True)
class _SegmentPlan:
    """Where a segment's values sit in a row: (value index, element) pairs, in element order."""

    tag: str
    qualifier: str | None
    values: tuple[tuple[int, ElementLayout], ...]
    per_line: bool


class EdiOutboundSection(OutboundSection):
    """An outbound section that writes one interchange: one transaction set per record."""

    def __init__(self, *args, plans: list[_SegmentPlan], options: SegmentOptions, **kw) -> None:
        super().__init__(*args, **kw)
        self._plans = plans
        self._options = options
        self._format: SegmentFormat = self.format

    def render(self, records: Records, run: RunContext) -> OutboundFile:
        """The records as one interchange, control numbers from `run.controls` (else run.seq)."""
        name, _, table, rejected, warnings = self._mapped(records, run)
        rows = table.select(RECORD, SOURCE_ID, *self._outputs).rows()
        documents: list[list[EdiSegment]] = []
        sources: list[str] = []
        for _, lines in groupby(rows, key=itemgetter(0)):
            record_rows = list(lines)
            documents.append(self._segments(record_rows))
            sources.append(record_rows[0][1])
        if not documents:
            return OutboundFile(name, b"", 0, SourceRows(pl.Series([], dtype=pl.String)), rejected)
        controls = run.controls or ControlNumbers(run.seq, run.seq)
        written = self._format.write_documents(documents, self._options, controls, run.date)
        warnings = warnings + [RowProblem(name, 0, None, None, text) for text in written.warnings]
        source_rows = SourceRows(pl.Series(sources, dtype=pl.String))
        return OutboundFile(name, written.data, len(documents), source_rows, rejected, warnings)

    def _segments(self, rows: list[tuple]) -> list[EdiSegment]:
        """One document's segments: a loop's segments once per line, in the order written."""
        segments: list[EdiSegment] = []
        index = 0
        while index < len(self._plans):
            plan = self._plans[index]
            if not plan.per_line:
                _add(segments, plan, rows[0])
                index += 1
                continue
            loop = index
            while index < len(self._plans) and self._plans[index].per_line:
                index += 1
            for row in rows:
                for looped in self._plans[loop:index]:
                    _add(segments, looped, row)
        return segments


def _add(segments: list[EdiSegment], plan: _SegmentPlan, row: tuple) -> None:
    """The segment's elements from the row (values start at row[2]); nothing when all are empty."""
    elements: dict[int, dict[int, str]] = {}
    filled = False
    if plan.qualifier is not None:
        elements[1] = {1: plan.qualifier}
    for index, element in plan.values:
        value = row[index + 2]
        if value is None or value == "":
            continue
        filled = True
        elements.setdefault(element.position, {})[element.component or 1] = value
    if not filled:
        return
    written: list[str | list[str]] = []
    for position in range(1, max(elements) + 1):
        parts = elements.get(position, {})
        components = [parts.get(c, "") for c in range(1, max(parts, default=0) + 1)]
        written.append(components[0] if len(components) == 1 else components or "")
    segments.append((plan.tag, written))


def compile_edi_outbound(
    section: ast.Section, compiler_for, report: Report
) -> EdiOutboundSection | None:
    """An outbound EDI section checked whole, every mistake reported at its place; None when
    there was any, so a mapping with one never writes a file."""
    started = section_start(section, OUTBOUND_DOCUMENTS, report)
    if started is None:
        return None
    document, settings, _ = started
    fmt: SegmentFormat = settings.format
    options = segment_options(section, fmt, report)
    if options is not None and options.envelope is None:
        report(
            section.pos,
            f"an outbound {fmt.name} section needs its envelope, like "
            'envelope { sender ZZ "SELLERCO" receiver ZZ "ACMEDIST" }',
        )
        options = None
    ok = file_name_ok(section, settings, report) and options is not None
    flat = _flattened(section, document, report)
    if flat is None:
        return None
    per_line = any(looped for _, looped in flat)
    scope = OutboundScope(document, per_line=per_line)
    compiler: ExpressionCompiler = compiler_for(scope)
    where, where_ok = compiled_where(settings, compiler, report)
    ok = ok and where_ok
    columns: list[tuple[str, Compiled]] = []
    checks: list[OutboundCheck] = []
    for statement in section.statements:
        match statement:
            case ast.Assignment() | ast.Record():
                report(
                    statement.pos,
                    f"an {section.format} section is written as segments: put the value in an "
                    "element, like segment BIG { 02 = invoice.invoice_number }",
                )
                ok = False
            case ast.Rule(scope="file" | "set") | ast.Require():
                report(statement.pos, "this belongs in inbound sections")
                ok = False
            case ast.Rule():
                rule = row_rule(statement, compiler, report)
                ok = ok and rule is not None
                if rule is not None:
                    checks.append(rule)
    plans: list[_SegmentPlan] = []
    seen: dict[str, int] = {}
    for spec, looped in flat:
        plan = _segment(spec, looped, fmt, options, compiler, columns, checks, seen, report)
        ok = ok and plan is not None
        if plan is not None:
            plans.append(plan)
    if not flat:
        report(section.pos, "an EDI section needs its segments: segment BIG { 01 = ... }")
        ok = False
    if not ok:
        return None
    return EdiOutboundSection(
        document, settings, scope, columns, where, checks, plans=plans, options=options
    )


def _flattened(section, document, report: Report) -> list[tuple[ast.SegmentSpec, bool]] | None:
    """The segments in file order, each marked whether a `for each line` loop repeats it."""
    flat: list[tuple[ast.SegmentSpec, bool]] = []
    ok = True
    for statement in section.statements:
        if isinstance(statement, ast.SegmentSpec):
            flat.append((statement, False))
        elif isinstance(statement, ast.Loop):
            if statement.over not in _LOOP_NAMES or not document.line_fields:
                have = "lines" if document.line_fields else "nothing to loop over"
                report(
                    statement.pos,
                    f"a {document.name} has no {statement.over!r} to loop over ({have}): "
                    f"write `for each line`",
                )
                ok = False
                continue
            for inner in statement.body:
                if isinstance(inner, ast.Loop):
                    report(
                        inner.pos,
                        f"the lines of a {document.name} hold no collection of their own: "
                        "write these segments in the `for each line` loop",
                    )
                    ok = False
                else:
                    flat.append((inner, True))
    return flat if ok else None


def _segment(
    spec: ast.SegmentSpec,
    looped: bool,
    fmt: SegmentFormat,
    options: SegmentOptions | None,
    compiler: ExpressionCompiler,
    columns: list[tuple[str, Compiled]],
    checks: list[OutboundCheck],
    seen: dict[str, int],
    report: Report,
) -> _SegmentPlan | None:
    """One segment's elements compiled into `columns` (their checks into `checks`) and where
    they sit; `seen` counts the segments of each name so that repeats get columns of their own."""
    if not tag_ok(spec.tag, spec.pos, report):
        return None
    name = SegmentLayout(spec.tag, spec.qualifier).name
    seen[name] = seen.get(name, 0) + 1
    label = name if seen[name] == 1 else f"{name}#{seen[name]}"
    ok = True
    places: dict[ElementLayout, ast.Pos] = {}
    values: list[tuple[int, ElementLayout]] = []
    for element in spec.elements:
        layout = element_position(element.position, element.pos, report)
        if layout is None:
            ok = False
            continue
        if element.other_options:
            report(
                element.pos,
                f"{', '.join(element.other_options)} places text in a fixed-width line; EDI "
                "elements take only `implied N`",
            )
            ok = False
            continue
        parts = _parts(element, layout, report)
        ok = ok and parts is not None
        for part, expr in parts or ():
            problem = _clash(part, places, spec.qualifier)
            if problem:
                report(element.pos, f"segment {name}: {problem}")
                ok = False
                continue
            places[part] = element.pos
            compiled = _value(element, expr, compiler, looped, report)
            column = f"{label}.{part.name}"
            if compiled is None:
                ok = False
                continue
            values.append((len(columns), part))
            columns.append((column, compiled))
            checks.extend(OutboundCheck(check, column) for check in compiled.checks)
    layout = SegmentLayout(spec.tag, spec.qualifier, tuple(places))
    if options is not None and not segment_checked(fmt, options, layout, spec.pos, places, report):
        ok = False
    if not ok:
        return None
    ordered = tuple(sorted(values, key=lambda item: (item[1].position, item[1].component or 1)))
    return _SegmentPlan(spec.tag, spec.qualifier, ordered, looped)


def _parts(
    element: ast.ElementSpec, layout: ElementLayout, report: Report
) -> list[tuple[ElementLayout, ast.Expr]] | None:
    """The element's values by place: itself, or each component of a composite written whole."""
    if element.expr is not None:
        return [(layout, element.expr)]
    if layout.component is not None:
        report(
            element.pos,
            f"{element.position} is one component; a composite is written whole on its element: "
            f"{layout.position:02d} = (a, b)",
        )
        return None
    return [
        (ElementLayout(layout.position, number), expr)
        for number, expr in enumerate(element.components, start=1)
    ]


def _clash(part: ElementLayout, places: dict[ElementLayout, ast.Pos], qualifier) -> str | None:
    if qualifier is not None and part.position == 1 and part.component in (None, 1):
        return f"element 01 holds the qualifier {qualifier} already: give it one way"
    if part in places:
        return f"element {part.name} is given twice (first at line {places[part].line})"
    whole = part.component is None
    if any(p.position == part.position and (p.component is None) != whole for p in places):
        return f"element {part.position:02d} is given whole and by component: give it one way"
    return None


def _value(
    element: ast.ElementSpec,
    expr: ast.Expr,
    compiler: ExpressionCompiler,
    looped: bool,
    report: Report,
) -> Compiled | None:
    """An element's value, with implied decimals applied; line fields only inside a loop."""
    compiled = compiler.compile(expr)
    if compiled is None:
        return None
    if not looped and any(
        name.startswith(f"{LINE_ROOT}.") for name in compiled.expr.meta.root_names()
    ):
        report(
            expr.pos,
            "line fields differ from line to line: write this segment inside `for each line`, "
            "or add them up with sum(...)",
        )
        return None
    if element.implied is None:
        return compiled
    places = element.implied
    if places != places.to_integral_value() or not 0 <= places <= 10:
        report(element.pos, f"implied takes a whole number of places from 0 to 10, got {places}")
        return None
    if compiled.kind not in NUMERIC:
        report(
            expr.pos,
            f"implied {places} writes a number without its point, got {compiled.kind}: "
            "read the text as a number with number(...) or money(...)",
        )
        return None
    shifted = rounded(as_decimal(compiled) * (10 ** int(places)), 0, "half_up")
    return compiled.with_expr(shifted, Kind.NUMBER, pl.Decimal(38, 0))
