"""A trading partner's settings: what the Prefect UI shows as the form of each deployment.

Secrets never live here. Credentials are named by Prefect block so that the settings can be shown,
logged and versioned in `prefect.yaml` without revealing anything.
"""

from __future__ import annotations

import fnmatch
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from connector.errors import ConfigurationError

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"

ToleratedFinding = Annotated[str, StringConstraints(pattern=r"^(segment|element):\w+$")]
"""A spec finding a partner's sets may carry and still be posted: ``element:5``, ``segment:2``."""


class PartnerSettings(BaseModel):
    """One partner, one remote server, one mapping file."""

    name: str = Field(
        description="Short identifier used in the state store, archive paths and file names.",
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
    )
    mapping: str = Field(
        description="Mapping file: a path, or a file name under the project's mappings/ folder."
    )
    remote_url: str = Field(
        description="The partner's server and base folder: sftp://host:port/path, file:///path, memory://path."
    )
    sftp_credentials: str | None = Field(
        default=None, description="Name of the SFTP credentials block (username, password or key)."
    )
    known_hosts: str | None = Field(
        default=None,
        description="The server's known_hosts line(s); the connection is refused on any other key.",
    )
    development: bool = Field(
        default=False,
        description="Development partner: connect without a known host key. Never in production.",
    )
    freshbooks_credentials: str = Field(
        default="freshbooks", description="Name of the FreshBooks credentials block."
    )
    outgoing_folder: str = Field(
        default="inbound", description="The partner's folder we upload to (their inbound)."
    )
    incoming_folder: str = Field(
        default="outbound", description="The partner's folder we collect from (their outbound)."
    )
    settle_seconds: float = Field(
        default=30.0,
        ge=0,
        description="A dropped file is taken only when its size and time are unchanged this long.",
    )
    done_suffix: str | None = Field(
        default=None,
        description="Take a file only when NAME plus this suffix exists (e.g. '.done').",
    )
    reclaim_after_seconds: float = Field(
        default=900.0,
        ge=0,
        description="A file claimed this long ago by a run that never finished is taken up again.",
    )
    archive_url: str | None = Field(
        default=None,
        description="Where sent files are kept for resending (any fsspec URL); default under home.",
    )
    start_date: date | None = Field(
        default=None, description="On the first run, send invoices updated on or after this day."
    )
    ack_deadline_hours: float = Field(
        default=24.0,
        ge=0,
        description="EDI files we sent that the partner has not acknowledged (997/999/CONTRL) "
        "this many hours later are reported as overdue.",
    )
    ack_file_patterns: list[str] = Field(
        default=["*997*", "*999*", "*TA1*", "*ta1*", "*CONTRL*", "*contrl*"],
        description="Names of the partner's acknowledgment files in its outgoing folder.",
    )
    send_contrl: bool = Field(
        default=False,
        description="Answer every EDIFACT interchange with a CONTRL, even when UNB does not ask.",
    )
    ack_tolerated: list[ToleratedFinding] = Field(
        default_factory=list,
        description="Spec findings that still let an inbound set be posted, acknowledged as "
        "accepted with errors (997 E): 'segment:CODE' or 'element:CODE' with the AK3/AK4 "
        "(X12) or UCS/UCD (EDIFACT) code, e.g. 'element:5' for a value too long.",
    )
    edi_guides: dict[str, str] = Field(
        default_factory=dict,
        description="The partner's implementation guides by transaction set or message "
        "(810, 820, INVOIC, ...): spec files, a path or a name under mappings/, that tighten or "
        "relax the standard's minimum for what this partner sends and receives.",
    )

    def mapping_path(self) -> Path:
        """Resolve the mapping file, telling the operator where it was looked for when absent."""
        return self._project_file(self.mapping, "mapping file", "an existing .map file")

    def is_acknowledgment_file(self, name: str) -> bool:
        """Whether ``name`` is one of the partner's acknowledgment files (``ack_file_patterns``):
        those belong to the acks flow, never to an inbound EDI section."""
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.ack_file_patterns)

    def guide_paths(self) -> dict[str, Path]:
        """The implementation guides by transaction code, each resolved like the mapping."""
        return {
            code: self._project_file(name, f"{code} guide", "an existing guide .toml file")
            for code, name in self.edi_guides.items()
        }

    def _project_file(self, name: str, what: str, wanted: str) -> Path:
        candidates = [Path(name).expanduser(), MAPPINGS_DIR / name]
        for candidate in candidates:
            if candidate.is_file():
                return candidate
        tried = ", ".join(str(c) for c in candidates)
        raise ConfigurationError(
            f"{what} {name!r} of partner {self.name!r} not found (tried {tried})",
            hint=f"set it to {wanted}",
        )
