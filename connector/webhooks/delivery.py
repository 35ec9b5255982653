"""Reading a webhook delivery's form body into the ordered fields its signature covers.

The signature is computed over the fields in the order FreshBooks sent them, so the body is
parsed by hand rather than by a framework's form parser, which may reorder or merge fields.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from connector.errors import DataError

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


class MalformedDeliveryError(DataError):
    """A delivery's body is not the form FreshBooks sends; it is refused with a 400."""


def is_form(content_type: str | None) -> bool:
    """Accept the form type with or without parameters such as ``charset``."""
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() == FORM_CONTENT_TYPE


def parse_fields(body: bytes) -> list[tuple[str, str]]:
    """Every field in received order; blank values kept, since FreshBooks signs them too."""
    try:
        fields = parse_qsl(
            body.decode("ascii"),
            keep_blank_values=True,
            strict_parsing=True,
            encoding="utf-8",
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError):
        raise MalformedDeliveryError(
            "The delivery body is not URL-encoded form data.",
            hint="FreshBooks sends name=...&object_id=...; check what is posting to this URI",
        ) from None
    if not fields:
        raise MalformedDeliveryError(
            "The delivery body is empty.", hint="FreshBooks always sends at least the event name"
        )
    names = [name for name, _ in fields]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise MalformedDeliveryError(
            f"The delivery repeats the fields {', '.join(repeated)}.",
            hint="FreshBooks sends each field once, so its signature cannot be rebuilt",
        )
    return fields


def required(fields: list[tuple[str, str]], *names: str) -> dict[str, str]:
    """The named fields, each present and non-blank, or a MalformedDeliveryError naming them."""
    present = dict(fields)
    missing = [name for name in names if not present.get(name, "").strip()]
    if missing:
        raise MalformedDeliveryError(
            f"The delivery lacks the fields {', '.join(missing)}.",
            hint="FreshBooks sends name, object_id and account_id with every event",
        )
    return {name: present[name] for name in names}
