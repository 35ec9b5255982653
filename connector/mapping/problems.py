"""What goes wrong with a mapping, said so that an analyst can find it and fix it.

Check-time problems point at a place in the mapping file; row problems point at a record in a
partner file or a FreshBooks record, so that nothing is refused without saying which and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from connector.errors import ConfigurationError, ConnectorError


@dataclass(frozen=True)
class Problem:
    """A mistake in a mapping file, found before any file moves."""

    file: str
    line: int
    column: int
    message: str
    source_line: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"

    def render(self) -> str:
        """The message with the offending line and a caret under the column, as compilers print."""
        if not self.source_line:
            return str(self)
        caret = " " * (max(self.column, 1) - 1) + "^"
        return f"{self}\n    {self.source_line}\n    {caret}"


@dataclass(frozen=True)
class RowProblem:
    """One record refused or questioned by a rule, a lookup or a value that does not parse."""

    file: str
    row_number: int
    column: str | None
    value: str | None
    message: str
    source_id: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}: row {self.row_number}"
        if self.column is not None:
            where += f", column {self.column!r}"
        if self.value is not None:
            where += f", value {self.value!r}"
        return f"{where}: {self.message}"


class MappingError(ConnectorError):
    """A mapping file cannot be used: it lists every problem found, each with its position."""

    def __init__(self, path: Path | str, problems: list[Problem]) -> None:
        self.path = str(path)
        self.problems = problems
        listing = "\n".join(problem.render() for problem in problems)
        super().__init__(
            f"{self.path} has {len(problems)} problem(s):\n{listing}",
            hint=f"run `ml-connector mapping check {self.path}` after each fix",
        )


class SectionNotFoundError(ConfigurationError):
    """A flow asked a mapping for a document and direction it does not describe."""
