"""File name templates: `ACME_INV_{run.date:%Y%m%d}_{run.seq:04}.csv`, filled once per file."""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass

from connector.errors import ConfigurationError
from connector.formats import ControlNumbers

RUN_FIELDS = ("run.date", "run.seq", "run.partner")


@dataclass(frozen=True)
class RunContext:
    """What one run of a flow knows about itself: when, which file of the day, for whom.

    `controls` are the EDI control numbers the state store allocated for the file; without them
    (previews, golden examples) an EDI file is numbered from `seq`.
    """

    date: dt.datetime
    seq: int
    partner: str
    controls: ControlNumbers | None = None


class FileNameError(ConfigurationError):
    """A file name template that cannot produce a safe file name."""


_SAMPLE = RunContext(dt.datetime(2024, 5, 31, 14, 30, 5), 7, "sample")


def template_problem(template: str) -> str | None:
    """Why a template cannot work, or None; placeholders are run.date, run.seq, run.partner."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as error:
        return f"file name template is not valid: {error} (write {{{{ for a brace)"
    for name in fields:
        if name not in RUN_FIELDS:
            return f"unknown placeholder {{{name}}} in the file name; use {', '.join(RUN_FIELDS)}"
    try:
        sample = render_file_name(template, _SAMPLE)
    except (ValueError, FileNameError) as error:
        return f"file name template does not render: {error}"
    if "/" in sample or "\\" in sample:
        return "the file name must not contain a folder separator"
    return None


def render_file_name(template: str, run: RunContext) -> str:
    name = template.format(run=run)
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        raise FileNameError(
            f"file name template {template!r} gives {name!r}, which is not a plain file name",
            hint="keep folder separators out of the template and the partner name",
        )
    return name
