"""List calls: ``page``, ``per_page``, ``search[...]`` and ``include[]``, read as FreshBooks does.

Each resource declares its filters as data (``Equals("customerid", ...)``); a key no filter
claims is ignored, as the real API silently ignores unknown search keys.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from starlette.datastructures import QueryParams

from connector.sandbox.behaviour import Behaviour
from connector.sandbox.clock import parse_bound
from connector.sandbox.errors import AccountingError
from connector.sandbox.money import parse_decimal

Predicate = Callable[[Any], bool]
_SEARCH_KEY = re.compile(r"^search\[(?P<key>\w+)\](?P<list>\[\])?$")
_INCLUDE_KEYS = ("include[]", "include")


@dataclass(frozen=True)
class ValueKind:
    """How one search value is read, and the FreshBooks mapping errno when it cannot be."""

    convert: Callable[[str], Any]
    errno: int
    expected: str


INTEGER = ValueKind(int, 1015, "a whole number")
NUMBER = ValueKind(parse_decimal, 1015, "a number")
TEXT = ValueKind(str, 1004, "text")
CASELESS_TEXT = ValueKind(str.casefold, 1004, "text")
DAY = ValueKind(date.fromisoformat, 1033, "a date YYYY-MM-DD")
FROM_MOMENT = ValueKind(partial(parse_bound, upper=False), 1016, "a date YYYY-MM-DD or a timestamp")
UNTIL_MOMENT = ValueKind(partial(parse_bound, upper=True), 1016, "a date YYYY-MM-DD or a timestamp")


@dataclass(frozen=True)
class ListQuery:
    page: int
    per_page: int
    search: Mapping[str, str] = field(default_factory=dict)
    search_lists: Mapping[str, Sequence[str]] = field(default_factory=dict)
    includes: frozenset[str] = frozenset()
    sort: str | None = None


def parse_includes(params: QueryParams) -> frozenset[str]:
    return frozenset(value for key in _INCLUDE_KEYS for value in params.getlist(key))


def parse_list_query(params: QueryParams, behaviour: Behaviour) -> ListQuery:
    search: dict[str, str] = {}
    search_lists: dict[str, list[str]] = {}
    for key, value in params.multi_items():
        match = _SEARCH_KEY.match(key)
        if match is None:
            continue
        if match["list"]:
            search_lists.setdefault(match["key"], []).append(value)
        else:
            search[match["key"]] = value
    page = _paging_number(params.get("page", "1"), "page", 1014, minimum=0)
    per_page = _paging_number(
        params.get("per_page", str(behaviour.default_per_page)), "per_page", 1013, minimum=1
    )
    return ListQuery(
        page=max(page, 1),
        per_page=min(per_page, behaviour.max_per_page),
        search=search,
        search_lists=search_lists,
        includes=parse_includes(params),
        sort=params.get("sort"),
    )


def _paging_number(text: str, name: str, errno: int, *, minimum: int) -> int:
    try:
        number = int(text)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise AccountingError(
            400,
            errno,
            f"Invalid {name}: {text!r}; expected a whole number of at least {minimum}.",
            field=name,
            value=text,
        )
    return number


def paginate(items: Sequence[Any], query: ListQuery) -> tuple[Sequence[Any], dict[str, int]]:
    """One page of items and the ``page/pages/per_page/total`` fields of the list envelope."""
    start = (query.page - 1) * query.per_page
    meta = {
        "page": query.page,
        "pages": math.ceil(len(items) / query.per_page),
        "per_page": query.per_page,
        "total": len(items),
    }
    return items[start : start + query.per_page], meta


def _read(kind: ValueKind, key: str, text: str) -> Any:
    try:
        return kind.convert(text)
    except ValueError:
        raise AccountingError(
            400,
            kind.errno,
            f"search[{key}] must be {kind.expected}, got {text!r}.",
            field=key,
            value=text,
        ) from None


@dataclass(frozen=True)
class Equals:
    key: str
    get: Callable[[Any], Any]
    kind: ValueKind = INTEGER

    def predicate(self, query: ListQuery) -> Predicate | None:
        if self.key not in query.search:
            return None
        wanted = _read(self.kind, self.key, query.search[self.key])
        return lambda record: self.get(record) == wanted


@dataclass(frozen=True)
class OneOf:
    """``search[<key>s][]=a&search[<key>s][]=b``: the plural key, in-list semantics."""

    key: str
    get: Callable[[Any], Any]
    kind: ValueKind = INTEGER

    def predicate(self, query: ListQuery) -> Predicate | None:
        if self.key not in query.search_lists:
            return None
        wanted = {_read(self.kind, self.key, text) for text in query.search_lists[self.key]}
        return lambda record: self.get(record) in wanted


@dataclass(frozen=True)
class Like:
    """Case-insensitive containment, the way FreshBooks' ``*_like`` keys behave."""

    key: str
    get: Callable[[Any], str | None]

    def predicate(self, query: ListQuery) -> Predicate | None:
        if self.key not in query.search:
            return None
        wanted = query.search[self.key].casefold()
        return lambda record: wanted in (self.get(record) or "").casefold()


@dataclass(frozen=True)
class AtLeast:
    key: str
    get: Callable[[Any], Any]
    kind: ValueKind

    def predicate(self, query: ListQuery) -> Predicate | None:
        if self.key not in query.search:
            return None
        bound = _read(self.kind, self.key, query.search[self.key])
        return lambda record: self.get(record) >= bound


@dataclass(frozen=True)
class AtMost:
    key: str
    get: Callable[[Any], Any]
    kind: ValueKind

    def predicate(self, query: ListQuery) -> Predicate | None:
        if self.key not in query.search:
            return None
        bound = _read(self.kind, self.key, query.search[self.key])
        return lambda record: self.get(record) <= bound


Filter = Equals | OneOf | Like | AtLeast | AtMost


def updated_range(get: Callable[[Any], Any]) -> list[Filter]:
    """``updated_min``/``updated_max``: day granularity, full timestamps accepted."""
    return [AtLeast("updated_min", get, FROM_MOMENT), AtMost("updated_max", get, UNTIL_MOMENT)]


def select(records: Iterable[Any], filters: Iterable[Filter], query: ListQuery) -> list[Any]:
    """The records every requested filter accepts; deleted ones only when asked for."""
    predicates = [p for f in filters if (p := f.predicate(query)) is not None]
    if "vis_state" not in query.search:
        predicates.append(lambda record: record.vis_state != 1)
    return [record for record in records if all(p(record) for p in predicates)]
