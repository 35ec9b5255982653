"""Checks on values handed to the store, so a caller's mistake is refused with its name attached."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, TypeVar

from connector.store.errors import InvalidRecordError

E = TypeVar("E", bound=StrEnum)

_SHA256 = re.compile(r"[0-9a-f]{64}")


def choice(enum_type: type[E], value: Any, field_name: str) -> E:
    """Coerce a string to an enumeration member, naming the allowed values if it is none."""
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_type)
        raise InvalidRecordError(
            f"{field_name} {value!r} is not one of the store's values: {allowed}",
            hint=f"use one of {allowed}",
        ) from None


def required_text(value: Any, field_name: str) -> str:
    """Refuse blank identifiers: a row without a partner or key cannot be found again."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidRecordError(
            f"{field_name} must be a non-empty string, got {value!r}",
            hint=f"pass the {field_name.replace('_', ' ')} the row belongs to",
        )
    return value


def sha256_digest(value: Any) -> str | None:
    """Digests are compared as text, so one spelling (lower case) is kept."""
    if value is None:
        return None
    if not isinstance(value, str) or not _SHA256.fullmatch(value.lower()):
        raise InvalidRecordError(
            f"sha256 {value!r} is not a SHA-256 digest.",
            hint="pass hashlib.sha256(content).hexdigest(): 64 hexadecimal characters",
        )
    return value.lower()


def byte_count(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidRecordError(
            f"size {value!r} is not a byte count.",
            hint="pass the file's length in bytes as a non-negative int",
        )
    return value


def positive_limit(limit: Any) -> int:
    """A listing limit below one is a caller's mistake, not a request for an empty answer."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidRecordError(
            f"limit {limit!r} must be a positive int.", hint="pass a count above 0, such as 50"
        )
    return limit


def integer(value: Any, field_name: str, *, optional: bool = False) -> int | None:
    """Ids and row numbers are compared as integers; a "7" would never match 7."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRecordError(
            f"{field_name} must be an int, got {value!r}",
            hint=f"pass the {field_name.replace('_', ' ')} as an int",
        )
    return value
