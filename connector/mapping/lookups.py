"""Lookup tables: inline ones from the mapping, file ones from a CSV beside the mapping file.

A table may declare what a key it lacks gives: `if missing reject "no code for {key}"` refuses the
row, `if missing use "X"` gives X, `if missing empty` gives nothing (an empty field).
"""

from __future__ import annotations

from pathlib import Path

from connector.formats import FileFormatError
from connector.formats.csv import CsvFormat, CsvOptions
from connector.mapping import nodes as ast
from connector.mapping.compiler import LookupTable, Report, did_you_mean


def build_lookups(
    definitions: tuple[ast.Lookup, ...], base: Path, report: Report
) -> dict[str, LookupTable | None]:
    """Every table by name; a table that could not be built (reported) maps to None, so its uses
    are not reported again as unknown lookups."""
    tables: dict[str, LookupTable | None] = {}
    first: dict[str, ast.Pos] = {}
    for definition in definitions:
        if definition.name in first:
            report(
                definition.pos,
                f"lookup {definition.name!r} is defined twice (first at line "
                f"{first[definition.name].line}): rename or remove one",
            )
            continue
        first[definition.name] = definition.pos
        if isinstance(definition, ast.InlineLookup):
            tables[definition.name] = _inline(definition, report)
        else:
            tables[definition.name] = _from_file(definition, base, report)
    return tables


def _inline(definition: ast.InlineLookup, report: Report) -> LookupTable | None:
    seen: dict[str, str] = {}
    for key, value, pos in definition.entries:
        if key in seen:
            report(pos, f"lookup {definition.name}: key {key!r} appears twice: keep one entry")
            return None
        seen[key] = value
    if definition.default is not None and definition.missing is not None:
        report(
            definition.pos,
            f"lookup {definition.name} has both `else ->` and `if missing`: keep one",
        )
        return None
    return _table(definition, tuple(seen), tuple(seen.values()), definition.default)


def _table(definition: ast.Lookup, keys, values, default: str | None) -> LookupTable:
    """The table with its declared behaviour for a key it lacks."""
    missing = definition.missing
    if missing is None:
        return LookupTable(definition.name, keys, values, default)
    if missing.action == "use":
        return LookupTable(definition.name, keys, values, missing.text, "use")
    return LookupTable(definition.name, keys, values, None, missing.action, missing.text)


def _from_file(definition: ast.FileLookup, base: Path, report: Report) -> LookupTable | None:
    path = base / definition.path
    where = f"lookup {definition.name}"
    try:
        frame = CsvFormat().read(path.read_bytes(), CsvOptions())
    except OSError as error:
        report(
            definition.pos,
            f"{where}: cannot read {definition.path!r}: {error.strerror or error} (a lookup file "
            f"is read from the mapping's folder, {base}: put it there or fix the name)",
        )
        return None
    except FileFormatError as error:
        report(definition.pos, f"{where}: {path.name}: {error.message}")
        return None
    for column in (definition.key, definition.value):
        if column not in frame.columns:
            report(
                definition.pos,
                f"{where}: {path.name} has no column {column!r}"
                f"{did_you_mean(column, frame.columns)} (columns: {', '.join(frame.columns)})",
            )
            return None
    pairs = frame.select(definition.key, definition.value).drop_nulls(definition.key)
    duplicated = pairs.filter(pairs[definition.key].is_duplicated())
    if duplicated.height:
        key = duplicated[definition.key][0]
        report(definition.pos, f"{where}: key {key!r} appears more than once in {path.name}")
        return None
    keys = tuple(pairs[definition.key].str.strip_chars().to_list())
    values = tuple(pairs[definition.value].to_list())
    return _table(definition, keys, values, None)
