"""Mapping files in, compiled sections out: check_mapping lists problems, load_mapping raises."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from connector.errors import ConfigurationError
from connector.formats import load_format
from connector.mapping import nodes as ast
from connector.mapping.compiler import ExpressionCompiler
from connector.mapping.edi_outbound import compile_edi_outbound
from connector.mapping.functions import FunctionRegistry, default_registry
from connector.mapping.inbound import InboundSection, compile_inbound
from connector.mapping.lookups import build_lookups
from connector.mapping.outbound import OutboundSection, compile_outbound
from connector.mapping.parser import parse
from connector.mapping.problems import MappingError, Problem, SectionNotFoundError

_PREPOSITIONS = {"outbound": "to", "inbound": "from"}


@dataclass(frozen=True)
class Mapping:
    """One partner's mapping: its name and its compiled sections by document."""

    name: str
    path: Path
    outbound_sections: dict[str, OutboundSection]
    inbound_sections: dict[str, InboundSection]

    def outbound(self, document: str) -> OutboundSection:
        return self._section(self.outbound_sections, "outbound", document)

    def inbound(self, document: str) -> InboundSection:
        return self._section(self.inbound_sections, "inbound", document)

    def _section(self, sections: dict, direction: str, document: str):
        if document not in sections:
            have = ", ".join(f"{direction} {name}" for name in sections) or "none"
            raise SectionNotFoundError(
                f"{self.path} has no `{direction} {document}` section (it has: {have})",
                hint=f"add `{direction} {document} {_PREPOSITIONS[direction]} <format> {{...}}`",
            )
        return sections[document]


def check_mapping(path: Path, functions: FunctionRegistry | None = None) -> list[Problem]:
    """Every problem in the mapping file, in file order; [] when it is ready to use."""
    return _compile(Path(path), functions or default_registry())[1]


def load_mapping(path: Path, functions: FunctionRegistry | None = None) -> Mapping:
    mapping, problems = _compile(Path(path), functions or default_registry())
    if problems or mapping is None:
        raise MappingError(path, problems)
    return mapping


def _compile(path: Path, functions: FunctionRegistry) -> tuple[Mapping | None, list[Problem]]:
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(file, 1, 1, f"cannot read the mapping: {error}")]
    parsed = parse(text, file)
    if isinstance(parsed, list):
        return None, parsed
    lines = text.splitlines()
    problems: list[Problem] = []

    def report(pos: ast.Pos, message: str) -> None:
        source = lines[pos.line - 1] if 0 < pos.line <= len(lines) else ""
        problems.append(Problem(file, pos.line, pos.column, message, source))

    if parsed.name is None:
        report(ast.Pos(1, 1), 'a mapping starts with its name: mapping "Partner Name"')
    lookups = build_lookups(parsed.lookups, path.parent, report)

    def compiler_for(scope) -> ExpressionCompiler:
        return ExpressionCompiler(scope, lookups, functions, report)

    outbound: dict[str, OutboundSection] = {}
    inbound: dict[str, InboundSection] = {}
    first: dict[tuple[str, str], ast.Pos] = {}
    for section in parsed.sections:
        expected = _PREPOSITIONS[section.direction]
        if section.preposition != expected:
            report(
                section.pos,
                f"{section.direction} sections say `{expected}`: write "
                f"`{section.direction} {section.document} {expected} {section.format}`",
            )
            continue
        target = outbound if section.direction == "outbound" else inbound
        key = (section.direction, section.document)
        if key in first:
            report(
                section.pos,
                f"a second `{section.direction} {section.document}` section (the first is at "
                f"line {first[key].line}): merge them or remove one",
            )
            continue
        first[key] = section.pos
        build = compile_outbound if section.direction == "outbound" else compile_inbound
        if section.direction == "outbound" and _writes_segments(section, report):
            build = compile_edi_outbound
        compiled = build(section, compiler_for, report)
        if compiled is not None:
            target[section.document] = compiled
    problems.sort(key=lambda problem: (problem.line, problem.column))
    if problems:
        return None, problems
    return Mapping(parsed.name or path.stem, path, outbound, inbound), []


def _writes_segments(section: ast.Section, report) -> bool:
    """Whether an outbound section is an EDI layout; segments in other formats are reported."""
    try:
        segmented = load_format(section.format).segment_layouts
    except ConfigurationError:
        return False  # reported with the section's other settings
    if not segmented:
        edi = next(
            (s for s in section.statements if isinstance(s, ast.SegmentSpec | ast.Loop)), None
        )
        if edi is not None:
            report(
                edi.pos,
                f"the {section.format} format has no segments: they belong to x12 "
                "or edifact sections",
            )
    return segmented
