"""Inbound sections: a partner file in, FreshBooks records (with every refusal explained) out.

Row numbers are the lines of the partner file as a spreadsheet or editor shows them (the header is
line 1), so an analyst can go straight to the row that was refused.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from connector.errors import DataError
from connector.formats import FileFormatError
from connector.mapping import nodes as ast
from connector.mapping.compiler import ExpressionCompiler, Report
from connector.mapping.problems import RowProblem
from connector.mapping.schema import INBOUND_DOCUMENTS, PLANNED_INBOUND, InboundDocument
from connector.mapping.scopes import InboundScope, field_column
from connector.mapping.sections import SectionSettings, section_settings, unknown_document
from connector.mapping.values import DECIMAL, Compiled, Kind, RowCheck, as_decimal, as_text

ROW = "__row"


@dataclass(frozen=True)
class InboundRecord:
    row_number: int
    values: dict[str, Any]


@dataclass(frozen=True)
class InboundBatch:
    records: list[InboundRecord]
    rejected: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)


class InboundFileError(DataError):
    """A partner file that cannot be read at all; nothing in it was used."""


class InboundSection:
    def __init__(
        self,
        document: InboundDocument,
        settings: SectionSettings,
        fields: list[tuple[str, Compiled]],
        checks: list[RowCheck],
        columns: list[str],
    ) -> None:
        self.document = document.name
        self._document = document
        self._settings = settings
        self._fields = fields
        self._checks = checks
        self._columns = columns
        files = settings.values.get("files")
        self.pattern = str(files.value) if files else "*"
        self._regex = (
            re.compile(self.pattern)
            if files is not None and files.qualifier == "regex"
            else re.compile(fnmatch.translate(self.pattern))
        )

    def matches(self, file_name: str) -> bool:
        return self._regex.fullmatch(file_name) is not None

    def parse(self, data: bytes, file_name: str) -> InboundBatch:
        frame = self._read(data, file_name)
        first = 2 if getattr(self._settings.options, "header", True) else 1
        frame = frame.with_row_index(ROW, offset=first)
        for name, compiled in self._fields:
            frame = frame.with_columns(compiled.expr.alias(field_column(name)))
        flags = [
            check.failed.fill_null(False).alias(f"__fail{i}")
            for i, check in enumerate(self._checks)
        ]
        frame = frame.with_columns(flags)
        rejected, warnings = self._problems(frame, file_name)
        refused = {problem.row_number for problem in rejected}
        good = frame.filter(~pl.col(ROW).is_in(sorted(refused))) if refused else frame
        names = [name for name, _ in self._fields]
        rows = good.select(ROW, *[field_column(name) for name in names]).iter_rows()
        records = [
            InboundRecord(
                row[0],
                {**dict.fromkeys(self._document.fields), **dict(zip(names, row[1:], strict=True))},
            )
            for row in rows
        ]
        return InboundBatch(records, rejected, warnings)

    def _read(self, data: bytes, file_name: str) -> pl.DataFrame:
        try:
            frame = self._settings.format.read(data, self._settings.options)
        except FileFormatError as error:
            raise InboundFileError(f"{file_name}: {error.message}", hint=error.hint) from error
        missing = [name for name in self._columns if name not in frame.columns]
        if missing:
            found = ", ".join(repr(name) for name in frame.columns)
            raise InboundFileError(
                f"{file_name}: column {missing[0]!r} is missing; the header has: {found}",
                hint="check the header row and the delimiter, or the col(...) names in the mapping",
            )
        return frame

    def _problems(self, frame: pl.DataFrame, file_name: str):
        rejected: list[RowProblem] = []
        warnings: list[RowProblem] = []
        if not self._checks:
            return rejected, warnings
        bad = frame.filter(
            pl.any_horizontal(pl.col(f"__fail{i}") for i in range(len(self._checks)))
        )
        for i, check in enumerate(self._checks):
            value = check.value if check.value is not None else pl.lit(None, dtype=pl.String)
            rows = bad.filter(pl.col(f"__fail{i}")).select(
                ROW, check.message.alias("message"), value.cast(pl.String).alias("value")
            )
            target = rejected if check.severity == "reject" else warnings
            target.extend(
                RowProblem(file_name, row, check.column, raw, message)
                for row, message, raw in rows.iter_rows()
            )
        rejected.sort(key=lambda problem: problem.row_number)
        warnings.sort(key=lambda problem: problem.row_number)
        return rejected, warnings


def compile_inbound(section: ast.Section, compiler_for, report: Report) -> InboundSection | None:
    document = INBOUND_DOCUMENTS.get(section.document)
    if document is None:
        unknown_document(section, list(INBOUND_DOCUMENTS), PLANNED_INBOUND, report)
        return None
    settings = section_settings(section, report)
    if settings is None:
        return None
    scope = InboundScope(document.fields)
    compiler: ExpressionCompiler = compiler_for(scope)
    ok = True
    fields: list[tuple[str, Compiled]] = []
    checks: list[RowCheck] = []
    required = set(document.required)
    for statement in section.statements:
        match statement:
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
                condition = compiler.compile(statement.condition)
                message = compiler.template(statement.message)
                if condition is None or message is None:
                    ok = False
                elif condition.kind is not Kind.BOOLEAN:
                    report(statement.condition.pos, f"{statement.kind} when needs a condition")
                    ok = False
                else:
                    column = condition.source_column
                    value = pl.col(column) if column else None
                    checks.append(RowCheck(condition.expr, message, column, value, statement.kind))
            case ast.Require():
                for name, pos in statement.fields:
                    if name not in document.fields:
                        report(pos, f"{document.name} has no field {name!r}")
                        ok = False
                    required.add(name)
    for name in sorted(required):
        if name not in scope.assigned:
            report(section.pos, f"{document.name} needs {name}: assign it in this section")
            ok = False
            continue
        known = scope.assigned[name]
        value = pl.col(field_column(name))
        empty = value.is_null()
        if known.kind is Kind.TEXT:
            empty = empty | (value.str.strip_chars() == "")
        raw = pl.col(known.source_column) if known.source_column else None
        if raw is not None:
            # A value that is there but does not parse is reported by its parser, not here.
            empty = empty & (raw.is_null() | (raw.str.strip_chars() == ""))
        checks.append(
            RowCheck(empty, pl.lit(f"{name} is required but empty"), known.source_column, raw)
        )
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
    if not ok:
        return None
    return InboundSection(document, settings, fields, checks, list(scope.columns))


def _field(statement, document, scope, compiler, report) -> Compiled | None:
    target = document.fields.get(statement.target)
    if target is None:
        from connector.mapping.compiler import did_you_mean

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
        hint = {Kind.NUMBER: "money(...) or number(...)", Kind.DATE: "parse_date(...)"}
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
        dtype = {Kind.NUMBER: DECIMAL, Kind.DATE: pl.Date}.get(kind, pl.String)
        return value.with_expr(pl.lit(None, dtype=dtype), kind, dtype)
    if kind is Kind.TEXT:
        return value.with_expr(as_text(value), Kind.TEXT, pl.String)
    if kind is Kind.NUMBER and value.kind in (Kind.NUMBER, Kind.MONEY):
        if isinstance(value.dtype, pl.Decimal):
            return value
        return value.with_expr(as_decimal(value), Kind.NUMBER, DECIMAL)
    if kind is Kind.DATE and value.kind is Kind.DATE:
        return value
    if kind is Kind.DATE and value.kind is Kind.DATETIME:
        return value.with_expr(value.expr.dt.date(), Kind.DATE, pl.Date)
    return None
