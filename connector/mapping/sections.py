"""What every section shares: its settings, checked once, and its format, loaded once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connector.errors import ConfigurationError
from connector.formats import Format, FormatOptionError, load_format
from connector.mapping import nodes as ast
from connector.mapping.compiler import Report, did_you_mean

SECTION_SETTINGS = {
    "outbound": frozenset({"file", "rows", "where"}),
    "inbound": frozenset({"files"}),
}


@dataclass(frozen=True)
class SectionSettings:
    format: Format
    options: Any
    values: dict[str, ast.Setting]


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
        if name in values:
            report(statement.pos, f"{name} is set twice in this section")
            ok = False
        elif name not in own and name not in fmt.settings:
            other = "inbound" if section.direction == "outbound" else "outbound"
            where = (
                f"a setting of {other} sections"
                if name in SECTION_SETTINGS[other]
                else f"not a setting of the {fmt.name} format"
            )
            report(statement.pos, f"{name} is {where}")
            ok = False
        values[name] = statement
    format_values = {
        name: str(setting.value) for name, setting in values.items() if name in fmt.settings
    }
    try:
        options = fmt.options(format_values)
    except FormatOptionError as error:
        pos = values[error.setting].pos if error.setting in values else section.format_pos
        report(pos, error.message)
        return None
    return SectionSettings(fmt, options, values) if ok else None


def unknown_document(section: ast.Section, known, planned, report: Report) -> None:
    if section.document in planned:
        report(
            section.pos,
            f"{section.direction} {section.document} is part of the language but not supported "
            f"yet; this version maps {', '.join(known)}",
        )
    else:
        candidates = [*known, *planned]
        report(
            section.pos,
            f"unknown {section.direction} document {section.document!r}"
            f"{did_you_mean(section.document, candidates)}",
        )
