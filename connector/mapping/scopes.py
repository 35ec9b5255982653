"""What names mean inside a section: FreshBooks fields going out, partner columns coming in."""

from __future__ import annotations

import polars as pl

from connector.mapping import nodes as ast
from connector.mapping.compiler import Report, did_you_mean
from connector.mapping.schema import MONEY_PARTS, FieldSpec, OutboundDocument
from connector.mapping.values import Compiled, Kind

LINE_ROOT = "line"


def frame_dtype(spec: FieldSpec) -> pl.DataType:
    """The dtype a field has in the document frame (dates are parsed when the frame is built)."""
    return {Kind.DATE: pl.Date, Kind.DATETIME: pl.Datetime("us")}.get(spec.kind, spec.raw)


class OutboundScope:
    """`invoice.<field>` and, with `rows per line`, `line.<field>`; notes the fields used.

    A money value reads as its amount, so the frame builder fetches a currency code only for the
    money columns listed in `money_codes` (those named with `.code`).
    """

    def __init__(self, document: OutboundDocument, per_line: bool) -> None:
        self.document = document
        self.per_line = per_line
        self.used: dict[str, set[str]] = {document.name: set(), LINE_ROOT: set()}
        self.money_codes: set[str] = set()

    def field(self, node: ast.FieldPath, report: Report) -> Compiled | None:
        root, *rest = node.parts
        roots = {self.document.name: self.document.fields, LINE_ROOT: self.document.line_fields}
        if root not in roots:
            report(node.pos, f"unknown name {root!r}{did_you_mean(root, roots)}")
            return None
        if root == LINE_ROOT and not self.per_line:
            report(node.pos, "line fields need one row per line: add `rows per line`")
            return None
        if not rest:
            report(node.pos, f"{root} is a record: name one of its fields, like {root}.name")
            return None
        fields = roots[root]
        name = rest[0]
        spec = fields.get(name)
        if spec is None:
            report(node.pos, f"{root} has no field {name!r}{did_you_mean(name, fields)}")
            return None
        self.used[root].add(name)
        column = pl.col(f"{root}.{name}")
        if len(rest) == 1:
            return Compiled(column, spec.kind, frame_dtype(spec))
        part = rest[1]
        if spec.kind is not Kind.MONEY or len(rest) > 2 or part not in MONEY_PARTS:
            parts = (
                f" (a money value has {', '.join(MONEY_PARTS)})" if spec.kind is Kind.MONEY else ""
            )
            report(node.pos, f"{root}.{name} has no part {'.'.join(rest[1:])!r}{parts}")
            return None
        if part == "code":
            self.money_codes.add(f"{root}.{name}")
        return Compiled(column.struct.field(part), MONEY_PARTS[part], pl.String)

    def column(self, node: ast.ColumnRef, report: Report) -> Compiled | None:
        report(node.pos, "col(...) reads a partner file: it belongs in inbound sections")
        return None


class InboundScope:
    """`col("Header")` reads the partner file; a bare name reads a field assigned above it."""

    def __init__(self, document_fields) -> None:
        self.document_fields = document_fields
        self.assigned: dict[str, Compiled] = {}
        self.columns: dict[str, ast.Pos] = {}

    def field(self, node: ast.FieldPath, report: Report) -> Compiled | None:
        name = node.parts[0]
        if len(node.parts) > 1:
            report(node.pos, f"inbound fields have no parts: write {name}, not {node.dotted}")
            return None
        if name in self.assigned:
            known = self.assigned[name]
            return Compiled(
                pl.col(field_column(name)), known.kind, known.dtype, (), known.source_column
            )
        if name in self.document_fields:
            report(node.pos, f"{name} is used before it is assigned: assign it above this line")
        else:
            candidates = [*self.assigned, *self.document_fields]
            report(node.pos, f"unknown field {name!r}{did_you_mean(name, candidates)}")
        return None

    def column(self, node: ast.ColumnRef, report: Report) -> Compiled | None:
        name = str(node.column)
        self.columns.setdefault(name, node.pos)
        return Compiled(pl.col(name), Kind.TEXT, pl.String, (), name)


def field_column(name: str) -> str:
    """Where an assigned inbound field lives in the frame, apart from the partner's headers."""
    return f"field.{name}"
