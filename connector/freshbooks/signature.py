"""The `X-FreshBooks-Hmac-SHA256` signature of a webhook delivery.

FreshBooks does not sign the raw body: it signs the form fields, in the order received, serialised
the way Python's ``json.dumps`` does with its defaults (``", "`` and ``": "`` separators, keys
unsorted, non-ASCII escaped). Any other serialisation, such as compact JSON, gives a different
digest, so the canonical form is rebuilt here exactly and nowhere else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence

from connector.errors import DataError

HEADER = "X-FreshBooks-Hmac-SHA256"


class AmbiguousFieldsError(DataError):
    """A delivery repeats a field name, so the mapping FreshBooks signed cannot be rebuilt."""


def signature(fields: Sequence[tuple[str, str]], verifier: str) -> str:
    """The header value FreshBooks sends for these fields under this callback's verifier."""
    digest = hmac.new(
        verifier.encode("utf-8"), _canonical_json(fields).encode("utf-8"), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(fields: Sequence[tuple[str, str]], verifier: str, header: str | None) -> bool:
    """True only for the exact signature; compared in constant time so timing reveals nothing."""
    if not header:
        return False
    expected = signature(fields, verifier).encode("ascii")
    return hmac.compare_digest(expected, header.strip().encode("utf-8", "replace"))


def _canonical_json(fields: Sequence[tuple[str, str]]) -> str:
    mapping: dict[str, str] = {}
    for name, value in fields:
        if name in mapping:
            raise AmbiguousFieldsError(
                f"The webhook delivery repeats the field {name!r}.",
                hint="FreshBooks sends each field once; refuse the delivery as malformed",
            )
        mapping[name] = value
    return json.dumps(mapping)
