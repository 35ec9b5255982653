"""What names mean inside a section: FreshBooks fields going out, partner columns coming in.

A scope also compiles the aggregates (sum, count, min, max), because what they add up depends on
where they stand: in a row they cover the document's lines (a group expression per document), in a
record written once per file they cover every row of the file (a plain aggregate over the rows).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

import polars as pl

from connector.formats import ElementLayout
from connector.mapping import nodes as ast
from connector.mapping.compiler import NUMERIC, Report, did_you_mean
from connector.mapping.edi import element_position, tag_ok
from connector.mapping.inbound_stream import ROW
from connector.mapping.schema import MONEY_PARTS, FieldSpec, OutboundDocument
from connector.mapping.values import DECIMAL, Compiled, Kind, as_decimal

LINE_ROOT = "line"
RUN_ROOT = "run"
AGGREGATES = ("sum", "count", "min", "max")
KEPT = "__kept"  # true on the rows of the file, false on the stand-in row of an empty file
RUN_FIELDS = {
    "date": Compiled(pl.col("run.date"), Kind.DATETIME, pl.Datetime("us")),
    "seq": Compiled(pl.col("run.seq"), Kind.NUMBER, pl.Int64),
    "partner": Compiled(pl.col("run.partner"), Kind.TEXT, pl.String),
}
_ORDERED = NUMERIC | {Kind.DATE, Kind.DATETIME, Kind.TEXT}

CompileArg = Callable[[ast.Expr], Compiled | None]


def frame_dtype(spec: FieldSpec) -> pl.DataType:
    """The dtype a field has in the document frame (dates are parsed when the frame is built)."""
    return {Kind.DATE: pl.Date, Kind.DATETIME: pl.Datetime("us")}.get(spec.kind, spec.raw)


def _aggregated(function: str, value: pl.Expr) -> pl.Expr:
    return {
        "sum": value.sum(),
        "count": value.count().cast(pl.Int64),
        "min": value.min(),
        "max": value.max(),
    }[function]


def _aggregate_value(function: str, value: Compiled, pos: ast.Pos, report: Report):
    """The value an aggregate reads, or None (reported) when its kind cannot be aggregated."""
    if function == "sum":
        if value.kind not in NUMERIC:
            report(pos, f"sum adds numbers or money, got {value.kind}: read text with number(...)")
            return None
        return as_decimal(value), Kind.NUMBER, DECIMAL
    if function == "count":
        return value.expr, Kind.NUMBER, pl.Int64
    if value.kind not in _ORDERED:
        report(pos, f"{function} needs numbers, money, dates or text, got {value.kind}")
        return None
    if value.kind in NUMERIC:
        return as_decimal(value), Kind.NUMBER, DECIMAL
    return value.expr, value.kind, value.dtype


def _single_argument(node: ast.Call, report: Report) -> ast.Expr | None:
    if len(node.args) != 1 or node.named:
        report(node.pos, f"{node.name} takes one value, like {node.name}(line.amount)")
        return None
    return node.args[0]


class OutboundScope:
    """`invoice.<field>`, nested objects (`bill.vendor.<field>`), `line.<field>` and `run.<field>`.

    It notes the fields used, so the frame builder reads only those (a money field's currency code
    only where the mapping names `.code`). `context` is "row" for the rows of the file and "file"
    for records written once per file; `records` names the file's records for `count(detail)`.
    """

    def __init__(self, document: OutboundDocument, per_line: bool) -> None:
        self.document = document
        self.per_line = per_line
        self.used: dict[str, set[str]] = {document.name: set(), LINE_ROOT: set()}
        self.money_codes: set[str] = set()
        self.uses_run = False
        self.context = "row"
        self.records: dict[str, str] = {}  # record name -> "once", "line" or "document"
        # Per-document aggregates over lines: (column, expression over the lines frame, whether
        # a document without lines counts as 0 rather than nothing).
        self.aggregates: list[tuple[str, pl.Expr, bool]] = []
        self._in_aggregate = False

    def field(self, node: ast.FieldPath, report: Report) -> Compiled | None:
        root, *rest = node.parts
        if root == RUN_ROOT:
            return self._run(node, rest, report)
        roots = {self.document.name: self.document.fields, LINE_ROOT: self.document.line_fields}
        if root not in roots or (root == LINE_ROOT and not self.document.line_fields):
            known = [name for name, fields in roots.items() if fields] + [RUN_ROOT]
            report(node.pos, f"unknown name {root!r}{did_you_mean(root, known)}")
            return None
        if root == LINE_ROOT and not self.per_line and not self._in_aggregate:
            report(
                node.pos,
                "line fields need one row per line: add `rows per line`, or add them up with "
                "sum(...)",
            )
            return None
        if self.context == "file" and not self._in_aggregate:
            report(
                node.pos,
                f"{node.dotted} differs from row to row, and this record is written once per "
                f"file: use an aggregate such as sum(...), count(...), min(...) or max(...)",
            )
            return None
        if not rest:
            report(node.pos, f"{root} is a record: name one of its fields, like {root}.name")
            return None
        fields = roots[root]
        name = rest[0]
        objects = self.document.objects if root != LINE_ROOT else {}
        if name in objects:
            return self._object_field(node, root, name, rest[1:], report)
        spec = fields.get(name)
        if spec is None:
            candidates = [*fields, *objects]
            report(node.pos, f"{root} has no field {name!r}{did_you_mean(name, candidates)}")
            return None
        return self._value(node, root, name, spec, rest[1:], report)

    def wants_money_parts(self, node: ast.FieldPath, parts: frozenset[str]) -> None:
        """Codes are read only where used: a function such as currency(x) uses them too."""
        if "code" in parts:
            self.money_codes.add(node.dotted)

    def _object_field(self, node, root, name, rest, report) -> Compiled | None:
        fields = self.document.objects[name]
        if not rest:
            report(node.pos, f"{root}.{name} is an object: name one of its fields")
            return None
        spec = fields.get(rest[0])
        if spec is None:
            report(
                node.pos,
                f"{root}.{name} has no field {rest[0]!r}{did_you_mean(rest[0], fields)}",
            )
            return None
        return self._value(node, root, f"{name}.{rest[0]}", spec, rest[1:], report)

    def _value(self, node, root, name, spec, parts, report) -> Compiled | None:
        self.used[root].add(name)
        column = pl.col(f"{root}.{name}")
        if not parts:
            return Compiled(column, spec.kind, frame_dtype(spec))
        part = parts[0]
        if spec.kind is not Kind.MONEY or len(parts) > 1 or part not in MONEY_PARTS:
            money = (
                f" (a money value has {', '.join(MONEY_PARTS)})" if spec.kind is Kind.MONEY else ""
            )
            report(node.pos, f"{root}.{name} has no part {'.'.join(parts)!r}{money}")
            return None
        if part == "code":
            self.money_codes.add(f"{root}.{name}")
        return Compiled(column.struct.field(part), MONEY_PARTS[part], pl.String)

    def _run(self, node: ast.FieldPath, rest: list[str], report: Report) -> Compiled | None:
        if len(rest) != 1 or rest[0] not in RUN_FIELDS:
            name = ".".join(rest)
            report(
                node.pos,
                f"run has no field {name!r}{did_you_mean(name, RUN_FIELDS)} "
                f"(it has {', '.join(RUN_FIELDS)})",
            )
            return None
        self.uses_run = True
        value = RUN_FIELDS[rest[0]]
        if self.context == "file":
            return value.with_expr(value.expr.first(), value.kind, value.dtype)
        return value

    def column(self, node: ast.ColumnRef, report: Report) -> Compiled | None:
        report(node.pos, "col(...) reads a partner file: it belongs in inbound sections")
        return None

    def element(self, node: ast.ElementRef, report: Report) -> Compiled | None:
        report(
            node.pos,
            f"{node.written} reads a partner's EDI file: it belongs in inbound x12 or edifact "
            "sections",
        )
        return None

    def aggregate(self, node: ast.Call, compile_arg: CompileArg, report: Report):
        argument = _single_argument(node, report)
        if argument is None:
            return None
        counted = _counted_name(node, argument)
        if counted is not None:
            return self._count_rows(node, counted, report)
        self._in_aggregate = True
        try:
            value = compile_arg(argument)
        finally:
            self._in_aggregate = False
        if value is None:
            return None
        reads = {name.partition(".")[0] for name in value.expr.meta.root_names()}
        if self.context == "row" and reads != {LINE_ROOT}:
            report(
                node.pos,
                f"{node.name} goes over the lines of each {self.document.name}: give it line "
                f"fields only, like {node.name}(line.amount)",
            )
            return None
        read = _aggregate_value(node.name, value, argument.pos, report)
        if read is None:
            return None
        expr, kind, dtype = read
        if self.context == "file" and (self.per_line or LINE_ROOT not in reads):
            return Compiled(_aggregated(node.name, expr.filter(pl.col(KEPT))), kind, dtype)
        column = self._per_document(_aggregated(node.name, expr), node.name)
        if self.context == "file":
            again = "sum" if node.name == "count" else node.name
            return Compiled(_aggregated(again, pl.col(column).filter(pl.col(KEPT))), kind, dtype)
        return Compiled(pl.col(column), kind, dtype)

    def _per_document(self, expr: pl.Expr, function: str) -> str:
        column = f"__aggregate{len(self.aggregates)}"
        self.aggregates.append((column, expr, function in ("sum", "count")))
        return column

    def _count_rows(self, node: ast.Call, name: str, report: Report) -> Compiled | None:
        lines = name in ("line", "lines")
        if lines and self.context == "row":
            column = self._per_document(pl.len().cast(pl.Int64), "count")
            return Compiled(pl.col(column), Kind.NUMBER, pl.Int64)
        if self.context == "row":
            report(
                node.pos,
                f"count({name}) counts the rows of the file: use it in a record written once, "
                "or count(lines) for the lines of this document",
            )
            return None
        rows = self.records.get(name)
        if lines and not self.per_line:
            column = self._per_document(pl.len().cast(pl.Int64), "count")
            return Compiled(pl.col(column).filter(pl.col(KEPT)).sum(), Kind.NUMBER, pl.Int64)
        if lines or rows in ("line", "document") or name == "rows":
            return Compiled(pl.col(KEPT).sum().cast(pl.Int64), Kind.NUMBER, pl.Int64)
        if rows == "once":
            return Compiled(pl.lit(1, dtype=pl.Int64), Kind.NUMBER, pl.Int64)
        report(
            node.pos,
            f"count({name}): no record {name!r}{did_you_mean(name, self.records)} "
            f"(records: {', '.join(self.records) or 'none'})",
        )
        return None


def _counted_name(node: ast.Call, argument: ast.Expr) -> str | None:
    """`count(detail)`, `count(lines)`: a count of rows rather than of a field's values."""
    if node.name == "count" and isinstance(argument, ast.FieldPath) and len(argument.parts) == 1:
        return argument.parts[0]
    return None


class InboundScope:
    """`col("Header")` or `record.Field` reads the partner file; a bare name an assigned field.

    Aggregates cover every row of the file (`count(detail)`, `sum(number(detail.Amount))`);
    `row_filter` keeps them to the row records when the frame holds every line of the file.
    """

    def __init__(self, document_fields, records: dict[str, list[str]] | None = None) -> None:
        self.document_fields = document_fields
        self.records = records or {}
        self.assigned: dict[str, Compiled] = {}
        self.columns: dict[str, ast.Pos] = {}
        self.row_filter: pl.Expr | None = None
        # EDI sections: the elements read, by segment (`N1[PR]`) and position, where first named.
        self.reads_segments = False
        self.elements: dict[str, dict[ElementLayout, ast.Pos]] = {}
        self.segment_tags: dict[str, tuple[str, str | None, ast.Pos]] = {}

    def wants_money_parts(self, node: ast.FieldPath, parts: frozenset[str]) -> None:
        """Inbound money is parsed from the partner's text: there is nothing more to fetch."""

    def field(self, node: ast.FieldPath, report: Report) -> Compiled | None:
        name = node.parts[0]
        if name in self.records:
            return self._record_field(node, report)
        if len(node.parts) > 1:
            report(node.pos, f"inbound fields have no parts: write {name}, not {node.written}")
            return None
        if name in self.assigned:
            known = self.assigned[name]
            return Compiled(
                pl.col(field_column(name)), known.kind, known.dtype, (), known.source_column
            )
        if name in self.document_fields:
            report(node.pos, f"{name} is used before it is assigned: assign it above this line")
        else:
            candidates = [*self.assigned, *self.document_fields, *self.records]
            report(node.pos, f"unknown field {name!r}{did_you_mean(name, candidates)}")
        return None

    def _record_field(self, node: ast.FieldPath, report: Report) -> Compiled | None:
        record, *rest = node.parts
        fields = self.records[record]
        if len(rest) != 1 or rest[0] not in fields:
            name = ".".join(rest)
            written = {f"{record}.{ast.written_name(field)}": field for field in fields}
            guess = difflib.get_close_matches(name, list(written.values()), n=1)
            hint = next((f"; did you mean {w}?" for w, f in written.items() if [f] == guess), "")
            listed = ", ".join(ast.written_name(field) for field in fields)
            report(node.pos, f"record {record} has no field {name!r}{hint} (fields: {listed})")
            return None
        column = f"{record}.{rest[0]}"
        return Compiled(pl.col(column), Kind.TEXT, pl.String, (), column)

    def element(self, node: ast.ElementRef, report: Report) -> Compiled | None:
        if not self.reads_segments:
            report(
                node.pos,
                f"{node.written} reads an EDI segment; this file is not EDI: use col(...) or a "
                "record's fields",
            )
            return None
        if node.qualifier == "":
            report(node.pos, f"{node.tag}[...] takes a qualifier code, like {node.tag}[PR]")
            return None
        if not tag_ok(node.tag, node.pos, report):
            return None
        layout = element_position(node.position, node.pos, report)
        if layout is None:
            return None
        self.segment_tags.setdefault(node.selector, (node.tag, node.qualifier, node.pos))
        self.elements.setdefault(node.selector, {}).setdefault(layout, node.pos)
        column = f"{node.selector}.{layout.name}"
        return Compiled(pl.col(column), Kind.TEXT, pl.String, (), column)

    def column(self, node: ast.ColumnRef, report: Report) -> Compiled | None:
        if self.reads_segments:
            report(node.pos, "this file is EDI: read its elements, like BPR.02 or N1[PR].02")
            return None
        if self.records:
            first = next(iter(self.records))
            report(node.pos, f"this file is read by records: write {first}.<field>, not col(...)")
            return None
        name = str(node.column)
        self.columns.setdefault(name, node.pos)
        return Compiled(pl.col(name), Kind.TEXT, pl.String, (), name)

    def aggregate(self, node: ast.Call, compile_arg: CompileArg, report: Report):
        argument = _single_argument(node, report)
        if argument is None:
            return None
        rows = pl.lit(True) if self.row_filter is None else self.row_filter
        counted = _counted_name(node, argument)
        if counted is not None and counted not in self.assigned:
            if counted != "rows" and counted not in self.records:
                report(
                    node.pos,
                    f"count({counted}): no record {counted!r}"
                    f"{did_you_mean(counted, [*self.records, 'rows'])}",
                )
                return None
            # The row numbers counted, not a literal's sum (a literal is one value, whatever the
            # frame's height), nor pl.len(): file rules see an empty file as one line of nulls.
            total = pl.col(ROW).count() if self.row_filter is None else self.row_filter.sum()
            return Compiled(total.cast(pl.Int64), Kind.NUMBER, pl.Int64)
        value = compile_arg(argument)
        if value is None:
            return None
        read = _aggregate_value(node.name, value, argument.pos, report)
        if read is None:
            return None
        expr, kind, dtype = read
        return Compiled(_aggregated(node.name, expr.filter(rows)), kind, dtype)


def field_column(name: str) -> str:
    """Where an assigned inbound field lives in the frame, apart from the partner's headers."""
    return f"field.{name}"
