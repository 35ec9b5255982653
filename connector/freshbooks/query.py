"""Query strings the FreshBooks accounting API understands.

Filters go as ``search[key]=v``, in-list filters as ``search[keys][]=v1&search[keys][]=v2``
(the caller names the plural key, as FreshBooks does), related data as ``include[]=name``
(freshbooks-api.md section 2). Unknown search keys are silently ignored by FreshBooks, so a
misspelt key returns everything: callers that filter by id re-check what comes back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

# Accounting timestamps are naive US/Eastern, and date filters have day granularity.
FRESHBOOKS_TIMEZONE = ZoneInfo("America/New_York")

Params = list[tuple[str, str]]


def search_params(search: Mapping[str, Any]) -> Params:
    """Encode filters; a list, tuple or set value becomes an in-list filter."""
    params: Params = []
    for key, value in search.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set | frozenset):
            params.extend((f"search[{key}][]", _text(item)) for item in value)
        else:
            params.append((f"search[{key}]", _text(value)))
    return params


def include_params(names: Iterable[str]) -> Params:
    return [("include[]", name) for name in names]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        # FreshBooks compares dates only; an aware time is first moved to FreshBooks' own zone.
        local = value.astimezone(FRESHBOOKS_TIMEZONE) if value.tzinfo else value
        return local.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        raise TypeError("search values must not be floats; pass a Decimal or a string")
    if isinstance(value, int | str | Decimal):
        return str(value)
    raise TypeError(f"cannot send a {type(value).__name__} as a FreshBooks search value")
