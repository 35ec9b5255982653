"""File names in partner folders: claim names, free-name suffixes, and what a caller may ask for."""

from __future__ import annotations

import posixpath
import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime

from connector.transport.errors import UnsafeRemoteName

PART_SUFFIX = ".part"
ERROR_REPORT_SUFFIX = ".error.json"
CLAIM_SEPARATOR = "__"
_STAMP = "%Y%m%dT%H%M%SZ"
_CLAIM = re.compile(
    r"(?P<stamp>\d{8}T\d{6}Z)-[0-9a-f]{12}" + CLAIM_SEPARATOR + r"(?P<name>.+)", re.DOTALL
)


def check_name(name: str, folder: str) -> str:
    """Refuse names that would escape the folder or collide with our own temporary files."""
    if not name or "/" in name or "\\" in name or name in (".", "..") or "\0" in name:
        raise UnsafeRemoteName(
            f"{name!r} is not a plain file name for {folder}",
            hint="give a name without slashes, not '.' or '..'",
        )
    if name.endswith(PART_SUFFIX):
        raise UnsafeRemoteName(
            f"{name!r} ends in {PART_SUFFIX}, which partners and we reserve for unfinished uploads",
            hint="choose a name with another extension",
        )
    return name


def claim_name(name: str, claimed_at: datetime) -> str:
    """A name no other claim can produce, from which ``parse_claim_name`` recovers ``name``.

    The UTC time in front tells an operator, and a recovering run, how long a file has sat in
    processing/.
    """
    stamp = claimed_at.astimezone(UTC).strftime(_STAMP)
    return f"{stamp}-{secrets.token_hex(6)}{CLAIM_SEPARATOR}{name}"


def parse_claim_name(claimed: str) -> tuple[str, datetime] | None:
    """The partner's name and the claim time; None for a file that is not one of our claims."""
    match = _CLAIM.fullmatch(claimed)
    if match is None:
        return None
    try:
        claimed_at = datetime.strptime(match.group("stamp"), _STAMP).replace(tzinfo=UTC)
    except ValueError:  # digits in the right places, but no real date
        return None
    return match.group("name"), claimed_at


def candidates(name: str) -> Iterator[str]:
    """``name``, then ``stem.1.ext``, ``stem.2.ext``, ... for when the name is taken."""
    stem, extension = posixpath.splitext(name)
    yield name
    counter = 1
    while True:
        yield f"{stem}.{counter}{extension}"
        counter += 1
