"""The parsed form of a mapping file: plain data that the compiler walks.

A section's body is a flat list of statements so that later layouts (fixed-width records, X12 and
EDIFACT segments, loops over lines) add statement kinds without changing what a section is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal as TypingLiteral


@dataclass(frozen=True)
class Pos:
    """A 1-based line and column in the mapping file."""

    line: int
    column: int


@dataclass(frozen=True)
class Node:
    pos: Pos


# Expressions


@dataclass(frozen=True)
class Literal(Node):
    """A constant written in the mapping: text, a decimal number, a date or true/false.

    `written` keeps a number as the mapping spells it, where leading zeros matter (`DTM[097]`).
    """

    value: str | Decimal | date | bool
    written: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class BadLiteral(Node):
    """A constant that reads like one but cannot be (2024-02-30); the compiler reports `reason`."""

    reason: str


@dataclass(frozen=True)
class FieldPath(Node):
    """`invoice.amount`, `header.Batch`, `header."Paid On"`: parts unquoted, as the names read."""

    parts: tuple[str, ...]

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)

    @property
    def written(self) -> str:
        """The path as the mapping spells it, names that are not plain words in quotes."""
        return ".".join(written_name(part) for part in self.parts)


_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def written_name(name: str) -> str:
    """A field name as a mapping writes it after a dot: bare when it is a plain word."""
    if _PLAIN_NAME.fullmatch(name):
        return name
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


@dataclass(frozen=True)
class ColumnRef(Node):
    """`col("Header")` or `col(3)`: a column of the partner file, by header name or position."""

    column: str | int


@dataclass(frozen=True)
class ElementRef(Node):
    """`BPR.02`, `N1[PR].02`, `MOA[9].01.2`: an element of an EDI segment, picked by its tag, the
    qualifier in its first element, and its position (`.1` for a component of a composite)."""

    tag: str
    qualifier: str | None
    position: str

    @property
    def selector(self) -> str:
        return f"{self.tag}[{self.qualifier}]" if self.qualifier is not None else self.tag

    @property
    def written(self) -> str:
        return f"{self.selector}.{self.position}"


@dataclass(frozen=True)
class Call(Node):
    name: str
    args: tuple[Expr, ...]
    named: tuple[tuple[str, Expr, Pos], ...]


@dataclass(frozen=True)
class LookupIndex(Node):
    lookup: str
    key: Expr


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Not(Node):
    operand: Expr


@dataclass(frozen=True)
class Negate(Node):
    operand: Expr


@dataclass(frozen=True)
class IfElse(Node):
    condition: Expr
    then: Expr
    otherwise: Expr


@dataclass(frozen=True)
class Case(Node):
    """`case x { a -> b ... else -> c }` (subject given) or `case { when cond -> b ... }`."""

    subject: Expr | None
    arms: tuple[tuple[Expr, Expr], ...]
    default: Expr | None


@dataclass(frozen=True)
class Template(Node):
    """A message or file name with `{...}` placeholders, kept as written until compiled."""

    text: str


@dataclass(frozen=True)
class OrReject(Node):
    value: Expr
    message: Template


Expr = (
    Literal
    | BadLiteral
    | FieldPath
    | ElementRef
    | ColumnRef
    | Call
    | LookupIndex
    | Binary
    | Not
    | Negate
    | IfElse
    | Case
    | OrReject
)


# Statements


@dataclass(frozen=True)
class Setting(Node):
    """`delimiter ","`, `rows per line`, `where <expr>`: text, or an expression for where."""

    name: str
    value: str | Expr
    qualifier: str | None = None


@dataclass(frozen=True)
class Assignment(Node):
    """`"Col" = expr` (target_kind column) or `field = expr` (target_kind field)."""

    target: str
    target_kind: TypingLiteral["column", "field"]
    expr: Expr


@dataclass(frozen=True)
class Rule(Node):
    """`reject when ...` (scope row), `reject file when ...` (scope file) or, in EDI sections,
    `reject set when ...` (scope set: decided for each transaction set apart)."""

    kind: TypingLiteral["reject", "warn"]
    condition: Expr
    message: Template
    scope: TypingLiteral["row", "file", "set"] = "row"


@dataclass(frozen=True)
class Require(Node):
    fields: tuple[tuple[str, Pos], ...]


@dataclass(frozen=True)
class FieldSpec(Node):
    """One field of a record: its name, its place in the line, and (going out) its value."""

    name: str
    width: Decimal | None = None
    at: Decimal | None = None
    align: str | None = None
    pad: str | None = None
    implied: Decimal | None = None
    expr: Expr | None = None


@dataclass(frozen=True)
class Record(Node):
    """`record NAME once|per line|per document [when "TAG" at N] { fields }`."""

    name: str
    rows: str | None
    tag: tuple[str, Decimal, Pos] | None
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class EnvelopeEntry(Node):
    """`sender ZZ "SELLERCO"`: a partner setting of the EDI envelope and the words after it."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Envelope(Node):
    entries: tuple[EnvelopeEntry, ...]


@dataclass(frozen=True)
class ElementSpec(Node):
    """`02 = value`, `03.1 = value`, `01 implied 2 = value`, or a composite written whole:
    `01 = ("137", value, "102")` (then `components` holds its parts and `expr` is None)."""

    position: str
    expr: Expr | None
    components: tuple[Expr, ...] = ()
    implied: Decimal | None = None
    other_options: tuple[str, ...] = ()


@dataclass(frozen=True)
class SegmentSpec(Node):
    """`segment N1[BT] { ... }`: a segment written once per document or per loop item."""

    tag: str
    qualifier: str | None
    elements: tuple[ElementSpec, ...]


@dataclass(frozen=True)
class Loop(Node):
    """`for each line { segments }`: the segments repeated for each item of a collection."""

    over: str
    body: tuple[SegmentSpec | Loop, ...]


Statement = Setting | Assignment | Rule | Require | Record | Envelope | SegmentSpec | Loop


@dataclass(frozen=True)
class Section(Node):
    direction: TypingLiteral["outbound", "inbound"]
    preposition: str
    document: str
    format: str
    layout: tuple[str, ...]
    statements: tuple[Statement, ...]
    format_pos: Pos


@dataclass(frozen=True)
class Missing(Node):
    """What a lookup gives for a key it lacks: reject the row, use a default, or leave it empty."""

    action: TypingLiteral["reject", "use", "empty"]
    text: str | None = None


@dataclass(frozen=True)
class FileLookup(Node):
    name: str
    path: str
    key: str
    value: str
    missing: Missing | None = None


@dataclass(frozen=True)
class InlineLookup(Node):
    name: str
    entries: tuple[tuple[str, str, Pos], ...]
    default: str | None
    missing: Missing | None = None


Lookup = FileLookup | InlineLookup


@dataclass(frozen=True)
class MappingFile:
    name: str | None
    lookups: tuple[Lookup, ...] = field(default=())
    sections: tuple[Section, ...] = field(default=())
