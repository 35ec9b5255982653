"""What every section shares: its settings, checked once, and its format, loaded once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from connector.errors import ConfigurationError
from connector.formats import FieldLayout, Format, FormatOptionError, RecordLayout, load_format
from connector.mapping import nodes as ast
from connector.mapping.compiler import Report, did_you_mean

SECTION_SETTINGS = {
    "outbound": frozenset({"file", "rows", "where"}),
    "inbound": frozenset({"files", "rows"}),
}


@dataclass(frozen=True)
class SectionSettings:
    format: Format
    options: Any
    values: dict[str, ast.Setting]


Document = TypeVar("Document")


def section_settings(section: ast.Section, report: Report) -> SectionSettings | None:
    try:
        fmt = load_format(section.format)
    except ConfigurationError as error:
        report(section.format_pos, error.message)
        return None
    own = SECTION_SETTINGS[section.direction]
    values: dict[str, ast.Setting] = {}
    ok = True
    for statement in section.statements:
        if not isinstance(statement, ast.Setting):
            continue
        name = statement.name
        kind = name.split()[0]  # `namespace gx` is one of several namespace settings
        if name in values:
            report(
                statement.pos,
                f"{name} is set twice in this section (first at line {values[name].pos.line}): "
                "keep one",
            )
            ok = False
        elif kind not in own and kind not in fmt.settings:
            report(statement.pos, _misplaced_setting(section, kind, fmt))
            ok = False
        values[name] = statement
    format_values = {
        name: str(setting.value)
        for name, setting in values.items()
        if name.split()[0] in fmt.settings
    }
    try:
        options = fmt.options(format_values)
    except FormatOptionError as error:
        pos = values[error.setting].pos if error.setting in values else section.format_pos
        report(pos, error.message)
        return None
    return SectionSettings(fmt, options, values) if ok else None


def _misplaced_setting(section: ast.Section, name: str, fmt: Format) -> str:
    other = "inbound" if section.direction == "outbound" else "outbound"
    if name in SECTION_SETTINGS[other]:
        return f"{name} is a setting of {other} sections, not of {section.direction} ones"
    usable = sorted(SECTION_SETTINGS[section.direction] | fmt.settings)
    return (
        f"{name} is not a setting of {section.direction} {fmt.name} sections"
        f"{did_you_mean(name, usable)} (settings here: {', '.join(usable)})"
    )


def section_start(
    section: ast.Section, documents: Mapping[str, Document], report: Report
) -> tuple[Document, SectionSettings, list[tuple[ast.Record, RecordLayout]]] | None:
    """What every section, either way, checks first: its document, settings and records."""
    document = documents.get(section.document)
    if document is None:
        report(
            section.pos,
            f"unknown {section.direction} document {section.document!r}"
            f"{did_you_mean(section.document, documents)} ({section.direction} documents: "
            f"{', '.join(documents)})",
        )
        return None
    settings = section_settings(section, report)
    if settings is None:
        return None
    layouts = record_layouts(section, settings.format, report)
    if layouts is None:
        return None
    return document, settings, layouts


def record_layouts(
    section: ast.Section, fmt: Format, report: Report
) -> list[tuple[ast.Record, RecordLayout]] | None:
    """The section's records as layouts the format checks; None (reported) when one is wrong."""
    records = [s for s in section.statements if isinstance(s, ast.Record)]
    if records and not fmt.record_layouts:
        report(records[0].pos, f"the {fmt.name} format has no records: assign columns instead")
        return None
    layouts: list[tuple[ast.Record, RecordLayout]] = []
    ok = True
    names: set[str] = set()
    for record in records:
        if record.name in names:
            report(record.pos, f"record {record.name!r} is declared twice")
            ok = False
        names.add(record.name)
        layout = _layout(record, report)
        if layout is None:
            ok = False
            continue
        positions = {spec.name: spec.pos for spec in record.fields}
        for field_name, message in fmt.layout_problems(layout):
            report(positions.get(field_name, record.pos), f"record {record.name}: {message}")
            ok = False
        layouts.append((record, layout))
    return layouts if ok else None


def _whole(value: Decimal | None, what: str, pos: ast.Pos, report: Report, least: int) -> int:
    if value is None:
        return 0
    if value != value.to_integral_value() or value < least:
        report(pos, f"{what} must be a whole number of at least {least}, got {value}")
        return -1
    return int(value)


def _layout(record: ast.Record, report: Report) -> RecordLayout | None:
    fields: list[FieldLayout] = []
    position = 1
    ok = True
    seen: set[str] = set()
    for spec in record.fields:
        if spec.name in seen:
            report(spec.pos, f"record {record.name}: field {spec.name!r} appears twice")
            ok = False
        seen.add(spec.name)
        width = _whole(spec.width, "width", spec.pos, report, 1) if spec.width else None
        start = _whole(spec.at, "at", spec.pos, report, 1) if spec.at else position
        implied = _whole(spec.implied, "implied", spec.pos, report, 0)
        if -1 in (width, start, implied):
            ok = False
            continue
        literal = spec.expr.value if isinstance(spec.expr, ast.Literal) else None
        if width is not None and isinstance(literal, str) and len(literal) > width:
            report(
                spec.expr.pos,
                f"{literal!r} is {len(literal)} characters; the field {spec.name} is {width} "
                "wide: shorten the text or widen the field",
            )
            ok = False
        fields.append(
            FieldLayout(spec.name, width, start, spec.align or "left", spec.pad or " ", implied)
        )
        position = start + (width or 0)
    tag = None
    if record.tag is not None:
        text, at, pos = record.tag
        tag = (text, _whole(at, "the record type position", pos, report, 1))
        ok = ok and tag[1] != -1
    if not ok:
        return None
    if tag is None:
        return RecordLayout(record.name, tuple(fields))
    return RecordLayout(record.name, tuple(fields), tag[0], tag[1])
