"""Golden examples: a mapping's sample inputs beside the exact outputs they must give.

For `mappings/NAME.map` the examples live in `mappings/NAME.tests/`, listed in `cases.toml`;
each case names a document, a direction, an input and the expected output (outbound: the partner
file's bytes; inbound: JSON lines of the records that would be posted, then one line per refused
row, or the one line `{"file_rejected": message}` when the whole file is refused). Running them
after every edit shows, as a diff, exactly what a change to the mapping changes.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from connector.errors import ConfigurationError, ConnectorError
from connector.mapping.inbound import InboundBatch, InboundFileError
from connector.mapping.loader import Mapping, load_mapping
from connector.mapping.templates import RunContext

MANIFEST = "cases.toml"
DIRECTIONS = ("outbound", "inbound")
_CASE_KEYS = {"name", "document", "direction", "input", "expected", "run"}
_RUN_KEYS = {"date", "seq", "partner"}
_EXAMPLE = """[[case]]
name = "invoices to csv"
document = "invoice"
direction = "outbound"
input = "invoices.json"
expected = "FILE.expected.csv"
run = { date = "2024-05-31T00:00:00+00:00", seq = 1, partner = "acme" }"""


class GoldenManifestError(ConfigurationError):
    """The golden examples folder or its cases.toml is missing or cannot be understood."""


@dataclass(frozen=True)
class GoldenCase:
    name: str
    document: str
    direction: str
    input: Path
    expected: Path
    run: RunContext | None


@dataclass(frozen=True)
class CaseResult:
    case: GoldenCase
    passed: bool
    diff: str = ""
    error: str | None = None


def examples_folder(mapping_path: Path) -> Path:
    """`mappings/NAME.map` keeps its examples in `mappings/NAME.tests/`."""
    return mapping_path.with_suffix(".tests")


def load_cases(mapping_path: Path) -> list[GoldenCase]:
    folder = examples_folder(Path(mapping_path))
    manifest = folder / MANIFEST
    if not manifest.is_file():
        missing = "folder" if not folder.is_dir() else "manifest"
        raise GoldenManifestError(
            f"no golden examples for {mapping_path}: the {missing} {manifest} does not exist",
            hint=f"create {manifest} with one [[case]] per example, like:\n{_EXAMPLE}",
        )
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise GoldenManifestError(
            f"{manifest} is not valid TOML: {error}", hint="fix the line the message names"
        ) from error
    entries = data.get("case")
    if not isinstance(entries, list) or not entries:
        raise GoldenManifestError(
            f"{manifest} lists no cases", hint=f"add one [[case]] table per example:\n{_EXAMPLE}"
        )
    return [_case(entry, number, folder, manifest) for number, entry in enumerate(entries, 1)]


def _case(entry: dict[str, Any], number: int, folder: Path, manifest: Path) -> GoldenCase:
    where = f"{manifest}, case {number}"
    if "name" in entry:
        where += f" ({entry['name']!r})"

    def wrong(message: str, hint: str) -> GoldenManifestError:
        return GoldenManifestError(f"{where}: {message}", hint=hint)

    unknown = sorted(set(entry) - _CASE_KEYS)
    if unknown:
        raise wrong(f"unknown key {unknown[0]!r}", f"a case has {', '.join(sorted(_CASE_KEYS))}")
    for key in ("name", "document", "direction", "input", "expected"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise wrong(f"{key} is missing or not text", f'write {key} = "..." in the case')
    direction = entry["direction"]
    if direction not in DIRECTIONS:
        raise wrong(f"direction must be outbound or inbound, got {direction!r}", "fix direction")
    paths = {}
    for key in ("input", "expected"):
        path = folder / entry[key]
        if not path.is_file():
            raise wrong(f"{key} file {path} does not exist", f"put the file in {folder}")
        paths[key] = path
    run = None
    if direction == "outbound":
        run = _run(entry.get("run"), wrong)
    elif "run" in entry:
        raise wrong("run is only used by outbound cases", "remove run from this inbound case")
    return GoldenCase(
        entry["name"], entry["document"], direction, paths["input"], paths["expected"], run
    )


def _run(value: object, wrong) -> RunContext:
    hint = 'write run = { date = "2024-05-31T00:00:00+00:00", seq = 1, partner = "acme" }'
    if not isinstance(value, dict):
        raise wrong("an outbound case needs run (date, seq, partner) for the file name", hint)
    if set(value) != _RUN_KEYS:
        raise wrong(f"run needs exactly date, seq and partner, got {', '.join(value)}", hint)
    date, seq, partner = value["date"], value["seq"], value["partner"]
    if isinstance(date, str):
        try:
            date = dt.datetime.fromisoformat(date)
        except ValueError as error:
            raise wrong(f"run.date {date!r} is not an ISO date and time", hint) from error
    if isinstance(date, dt.date) and not isinstance(date, dt.datetime):
        date = dt.datetime.combine(date, dt.time())
    if (
        not isinstance(date, dt.datetime)
        or not isinstance(seq, int)
        or not isinstance(partner, str)
    ):
        raise wrong("run.date must be a date and time, seq a whole number, partner text", hint)
    return RunContext(date, seq, partner)


def actual_output(mapping: Mapping, case: GoldenCase) -> bytes:
    """What the mapping makes of the case's input, in the form of the expected file."""
    if case.direction == "outbound":
        try:
            records = json.loads(case.input.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise GoldenManifestError(
                f"{case.input} is not readable JSON: {error}",
                hint="the input of an outbound case is a JSON list of FreshBooks records",
            ) from error
        if not isinstance(records, list):
            raise GoldenManifestError(
                f"{case.input} is not a JSON list",
                hint=f"write the {case.document} records as the API returns them, in a list",
            )
        assert case.run is not None
        return mapping.outbound(case.document).render(records, case.run).content
    try:
        batch = mapping.inbound(case.document).parse(case.input.read_bytes(), case.input.name)
    except InboundFileError as error:
        # A file refused whole (a trailer that disagrees, a "reject file" rule) is an outcome too.
        return _json_line({"file_rejected": error.message}).encode("utf-8")
    return inbound_lines(batch).encode("utf-8")


def inbound_lines(batch: InboundBatch) -> str:
    """The records as JSON lines (money as exact digits, dates ISO), then the refused rows."""
    lines = [_json_line({"row": record.row_number, **record.values}) for record in batch.records]
    lines += [
        _json_line(
            {
                "row": problem.row_number,
                "rejected": problem.message,
                "column": problem.column,
                "value": problem.value,
            }
        )
        for problem in batch.rejected
    ]
    return "".join(lines)


def _json_line(values: dict[str, Any]) -> str:
    """One JSON object per line, non-ASCII text kept readable (a diff shows café, not \\u00e9)."""
    return json.dumps(values, default=_json_value, ensure_ascii=False) + "\n"


def _json_value(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def run_cases(mapping_path: Path) -> list[CaseResult]:
    """Every case of the mapping's examples, each passed or failed with a diff or an error."""
    cases = load_cases(mapping_path)
    mapping = load_mapping(mapping_path)
    results = []
    for case in cases:
        try:
            actual = actual_output(mapping, case)
        except ConnectorError as error:
            results.append(CaseResult(case, False, error=error.message))
            continue
        expected = case.expected.read_bytes()
        if actual == expected:
            results.append(CaseResult(case, True))
        else:
            results.append(CaseResult(case, False, diff=unified_diff(expected, actual, case)))
    return results


def unified_diff(expected: bytes, actual: bytes, case: GoldenCase) -> str:
    """A readable diff; carriage returns are shown as \\r so line-ending changes are visible."""

    def lines(data: bytes) -> list[str]:
        text = data.decode("utf-8", errors="backslashreplace")
        return [line.replace("\r", "\\r") + "\n" for line in text.split("\n")]

    diff = difflib.unified_diff(
        lines(expected),
        lines(actual),
        fromfile=f"expected {case.expected.name}",
        tofile="actual",
    )
    return "".join(diff)
