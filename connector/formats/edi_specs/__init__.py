"""Transaction-set specifications kept as data: segment order, loops and mandatory elements.

The tables live beside this module as TOML, one file per standard, version and transaction set
(``x12/004010/810.toml``) plus one segment directory per version (``segments.toml``); see
README.md for the format and the sources. A partner's implementation guide is a partial file in
the same format that tightens or relaxes the standard (a segment made mandatory, a max use
raised, a code list added), so a partner's rules never need code.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from connector.errors import ConfigurationError

SPEC_ROOT = Path(__file__).parent
Standard = Literal["x12", "edifact"]

X12_TYPES = frozenset({"ID", "AN", "R", "DT", "TM", "B"} | {f"N{digit}" for digit in range(10)})
EDIFACT_TYPES = frozenset({"an", "a", "n"})

_POSITION_KEYS = frozenset({"seg", "req", "max", "loop", "repeat", "in"})
_ELEMENT_KEYS = frozenset({"pos", "req", "type", "min", "max", "codes", "components"})
_SEGMENT_KEYS = frozenset({"size", "elements"})


class SpecError(ConfigurationError):
    """A spec or implementation-guide file is missing or does not follow the format."""


@dataclass(frozen=True, slots=True)
class ElementRule:
    """One data element (or one component of a composite) the standard constrains."""

    position: int
    required: bool = False
    type: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    codes: frozenset[str] | None = None
    components: tuple[ElementRule, ...] = ()


@dataclass(frozen=True, slots=True)
class SegmentRule:
    """The constrained elements of one segment; ``size`` is how many elements it may have."""

    tag: str
    elements: tuple[ElementRule, ...] = ()
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Position:
    """One place in the transaction set's table. A position that opens a loop (``loop`` set)
    is that loop's trigger segment: ``required`` and ``repeat`` then describe the loop."""

    tag: str
    required: bool = False
    max_use: int | None = 1
    loop: str | None = None
    repeat: int | None = None
    parent: str | None = None


@dataclass(frozen=True, eq=False)
class Spec:
    """What a transaction set of one standard and version must look like.

    Compared by identity, so a checker can cache the state table it derives from a spec.
    """

    standard: Standard
    version: str
    code: str
    name: str
    positions: tuple[Position, ...]
    segments: Mapping[str, SegmentRule]
    guide: str | None = None


def load_spec(standard: str, version: str, code: str, guide: Path | None = None) -> Spec:
    """The standard's spec for one transaction set, with a partner's guide applied on top."""
    spec = _standard_spec(standard, version, code)
    if guide is None:
        return spec
    return apply_guide(spec, guide)


def available_specs() -> list[tuple[str, str, str]]:
    """Every (standard, version, code) shipped, for messages and for callers choosing one."""
    found = []
    for path in sorted(SPEC_ROOT.glob("*/*/*.toml")):
        if path.name != "segments.toml":
            found.append((path.parent.parent.name, path.parent.name, path.stem))
    return found


@functools.lru_cache(maxsize=64)
def _standard_spec(standard: str, version: str, code: str) -> Spec:
    path = SPEC_ROOT / standard / version / f"{code}.toml"
    if not path.is_file():
        shipped = ", ".join("/".join(key) for key in available_specs())
        raise SpecError(
            f"no spec for {standard} {version} {code}",
            hint=f"shipped specs: {shipped}; a partner on another version needs a guide or a "
            "new table in connector/formats/edi_specs",
        )
    data = _read_toml(path)
    where = str(path.relative_to(SPEC_ROOT))
    for key, expected in (("standard", standard), ("version", version), ("code", code)):
        if data.get(key) != expected:
            raise SpecError(f"{where}: {key} is {data.get(key)!r}, expected {expected!r}")
    positions = _parse_structure(data.get("structure"), where)
    segments = _read_directory(SPEC_ROOT / standard / version / "segments.toml", standard)
    return Spec(
        standard=standard,  # type: ignore[arg-type]
        version=version,
        code=code,
        name=str(data.get("name", code)),
        positions=positions,
        segments=MappingProxyType(segments),
    )


def apply_guide(spec: Spec, guide: Path) -> Spec:
    """A partner's implementation guide over ``spec``: positions and elements it names change,
    everything else stays as the standard has it."""
    data = _read_toml(guide)
    where = guide.name
    for key in ("standard", "version", "code"):
        if key in data and data[key] != getattr(spec, key):
            raise SpecError(
                f"{where}: guide is for {key} {data[key]!r}, but the spec is "
                f"{getattr(spec, key)!r}",
                hint="point the partner at the guide for this transaction set",
            )
    positions = list(spec.positions)
    for index, entry in enumerate(data.get("structure", [])):
        entry_where = f"{where}: structure entry {index + 1}"
        _check_keys(entry, _POSITION_KEYS, entry_where)
        target = _find_position(positions, entry, entry_where)
        positions[target] = _override_position(positions[target], entry, entry_where)
    segments = dict(spec.segments)
    types = X12_TYPES if spec.standard == "x12" else EDIFACT_TYPES
    for tag, rule in _parse_segments(data, spec.standard, where).items():
        base = segments.get(tag)
        if base is not None:
            current = {element.position: element for element in base.elements}
            raw = data["segments"][tag].get("elements", [])
            rule = replace(
                rule,
                elements=tuple(
                    _override_element(current[element.position], entry, types, where)
                    if element.position in current
                    else element
                    for element, entry in zip(rule.elements, raw, strict=True)
                ),
            )
        segments[tag] = _merge_segment(base, rule)
    return replace(
        spec,
        positions=tuple(positions),
        segments=MappingProxyType(segments),
        guide=str(data.get("name", where)),
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise SpecError(f"spec file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML: {exc}") from None


def _check_keys(entry: Any, allowed: frozenset[str], where: str) -> None:
    if not isinstance(entry, dict):
        raise SpecError(f"{where}: expected a table, got {entry!r}")
    unknown = set(entry) - allowed
    if unknown:
        raise SpecError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}",
            hint=f"allowed keys: {', '.join(sorted(allowed))}",
        )


def _requirement(value: Any, where: str) -> bool:
    if value not in ("M", "O"):
        raise SpecError(f'{where}: req must be "M" or "O", got {value!r}')
    return value == "M"


def _count(value: Any, where: str, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise SpecError(f"{where}: {key} must be a whole number of at least 1, got {value!r}")
    return value


def _parse_structure(entries: Any, where: str) -> tuple[Position, ...]:
    if not isinstance(entries, list) or not entries:
        raise SpecError(f"{where}: needs a non-empty structure = [...] list")
    positions: list[Position] = []
    open_loops: list[str] = []
    seen_loops: set[str] = set()
    for index, entry in enumerate(entries):
        entry_where = f"{where}: structure entry {index + 1}"
        _check_keys(entry, _POSITION_KEYS, entry_where)
        tag = entry.get("seg")
        if not isinstance(tag, str) or not tag:
            raise SpecError(f"{entry_where}: seg (the segment tag) is missing")
        parent = entry.get("in")
        if parent is not None and parent not in open_loops:
            raise SpecError(
                f"{entry_where}: {tag} is in loop {parent!r}, which is not open here",
                hint="a loop's members must follow its trigger segment, before anything outside",
            )
        del open_loops[open_loops.index(parent) + 1 if parent else 0 :]
        loop = entry.get("loop")
        if loop is not None:
            if loop in seen_loops:
                raise SpecError(f"{entry_where}: loop {loop!r} is defined twice")
            if "max" in entry:
                raise SpecError(f"{entry_where}: a loop trigger is used once per loop; use repeat")
            seen_loops.add(loop)
            open_loops.append(loop)
        elif "repeat" in entry:
            raise SpecError(f"{entry_where}: repeat only applies to a segment that opens a loop")
        positions.append(
            Position(
                tag=tag,
                required=_requirement(entry.get("req", "O"), entry_where),
                max_use=_count(entry["max"], entry_where, "max") if "max" in entry else None,
                loop=loop,
                repeat=_count(entry["repeat"], entry_where, "repeat")
                if "repeat" in entry
                else None,
                parent=parent,
            )
        )
    return tuple(positions)


def _find_position(positions: list[Position], entry: dict[str, Any], where: str) -> int:
    loop = entry.get("loop")
    for index, position in enumerate(positions):
        if loop is not None:
            if position.loop == loop:
                return index
        elif (
            position.loop is None
            and position.tag == entry.get("seg")
            and position.parent == entry.get("in")
        ):
            return index
    named = f"loop {loop}" if loop else f"{entry.get('seg')} in {entry.get('in') or 'the body'}"
    raise SpecError(
        f"{where}: the standard has no position {named}",
        hint="a guide can only tighten or relax positions the standard defines",
    )


def _override_position(position: Position, entry: dict[str, Any], where: str) -> Position:
    changes: dict[str, Any] = {}
    if "req" in entry:
        changes["required"] = _requirement(entry["req"], where)
    if "max" in entry:
        if position.loop is not None:
            raise SpecError(f"{where}: a loop trigger is used once per loop; use repeat")
        changes["max_use"] = _count(entry["max"], where, "max")
    if "repeat" in entry:
        if position.loop is None:
            raise SpecError(f"{where}: repeat only applies to a segment that opens a loop")
        changes["repeat"] = _count(entry["repeat"], where, "repeat")
    return replace(position, **changes)


@functools.lru_cache(maxsize=16)
def _read_directory(path: Path, standard: str) -> dict[str, SegmentRule]:
    data = _read_toml(path)
    where = str(path.relative_to(SPEC_ROOT)) if path.is_relative_to(SPEC_ROOT) else path.name
    segments: dict[str, SegmentRule] = {}
    if "base" in data:
        segments.update(_read_directory((path.parent / data["base"]).resolve(), standard))
    for tag, rule in _parse_segments(data, standard, where).items():
        segments[tag] = _merge_segment(segments.get(tag), rule)
    return segments


def _parse_segments(data: dict[str, Any], standard: str, where: str) -> dict[str, SegmentRule]:
    table = data.get("segments", {})
    if not isinstance(table, dict):
        raise SpecError(f"{where}: segments must be a table of [segments.TAG] entries")
    types = X12_TYPES if standard == "x12" else EDIFACT_TYPES
    rules = {}
    for tag, body in table.items():
        segment_where = f"{where}: segments.{tag}"
        _check_keys(body, _SEGMENT_KEYS, segment_where)
        elements = tuple(
            _parse_element(element, types, f"{segment_where} element {index + 1}")
            for index, element in enumerate(body.get("elements", []))
        )
        size = _count(body["size"], segment_where, "size") if "size" in body else None
        rules[tag] = SegmentRule(tag=tag, elements=elements, size=size)
    return rules


def _parse_element(entry: Any, types: frozenset[str], where: str) -> ElementRule:
    _check_keys(entry, _ELEMENT_KEYS, where)
    position = _count(entry.get("pos"), where, "pos")
    element_type = entry.get("type")
    if element_type is not None and element_type not in types:
        raise SpecError(f"{where}: type {element_type!r} is not one of {', '.join(sorted(types))}")
    codes = entry.get("codes")
    if codes is not None and not (
        isinstance(codes, list) and all(isinstance(code, str) for code in codes)
    ):
        raise SpecError(f"{where}: codes must be a list of strings")
    components = tuple(
        _parse_element(component, types, f"{where} component {index + 1}")
        for index, component in enumerate(entry.get("components", []))
    )
    return ElementRule(
        position=position,
        required=_requirement(entry.get("req", "O"), where),
        type=element_type,
        min_length=_count(entry["min"], where, "min") if "min" in entry else None,
        max_length=_count(entry["max"], where, "max") if "max" in entry else None,
        codes=frozenset(codes) if codes is not None else None,
        components=components,
    )


def _override_element(
    base: ElementRule, entry: dict[str, Any], types: frozenset[str], where: str
) -> ElementRule:
    """A guide's element entry changes only the keys it gives; type and length stay."""
    given = _parse_element({"pos": base.position, **entry}, types, where)
    changes: dict[str, Any] = {}
    for key, field_name in (
        ("req", "required"),
        ("type", "type"),
        ("min", "min_length"),
        ("max", "max_length"),
        ("codes", "codes"),
        ("components", "components"),
    ):
        if key in entry:
            changes[field_name] = getattr(given, field_name)
    return replace(base, **changes)


def _merge_segment(base: SegmentRule | None, change: SegmentRule) -> SegmentRule:
    """A later directory or guide entry replaces the elements it names, keeps the others."""
    if base is None:
        return change
    by_position = {rule.position: rule for rule in base.elements}
    for rule in change.elements:
        by_position[rule.position] = rule
    return SegmentRule(
        tag=base.tag,
        elements=tuple(by_position[key] for key in sorted(by_position)),
        size=change.size if change.size is not None else base.size,
    )
