"""Clients, invoices and payments, kept thin: records come back as the raw dicts FreshBooks sends.

The mapping language consumes the API's own shape, so nothing here renames or converts fields.
Lists come page by page so callers can build one frame per page instead of one huge list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice
from typing import TYPE_CHECKING, Any

from connector.freshbooks.errors import UnexpectedResponse
from connector.freshbooks.money import money_object
from connector.freshbooks.query import Params, include_params, search_params

if TYPE_CHECKING:
    from connector.freshbooks.client import FreshBooksClient

MAX_PER_PAGE = 100


def pages(
    client: FreshBooksClient,
    path: str,
    key: str,
    params: Params,
    per_page: int = MAX_PER_PAGE,
    keep: Callable[[dict[str, Any]], bool] | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """Every non-empty page of a list, following the ``pages`` count FreshBooks reports.

    ``keep`` re-checks records because FreshBooks silently ignores a filter it does not know.
    """
    page = 1
    while True:
        result = client.get(path, [*params, ("page", str(page)), ("per_page", str(per_page))])
        records = result.get(key)
        if not isinstance(records, list):
            raise UnexpectedResponse(f"the answer to GET {path} has no '{key}' list")
        kept = [record for record in records if keep is None or keep(record)]
        if kept:
            yield kept
        if not records or page >= int(result.get("pages") or 0):
            return
        page += 1


def _single(result: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    record = result.get(key)
    if not isinstance(record, dict):
        raise UnexpectedResponse(f"the answer to {path} has no '{key}' object")
    return record


def _since(updated_min: datetime | date | None, search: dict[str, Any]) -> dict[str, Any]:
    return {**search, "updated_min": updated_min} if updated_min is not None else search


class Clients:
    """FreshBooks clients (the business's customers)."""

    def __init__(self, client: FreshBooksClient) -> None:
        self._client = client

    def _path(self, tail: str = "") -> str:
        return self._client.accounting_path(f"users/clients{tail}")

    def get(self, id: int) -> dict[str, Any]:
        path = self._path(f"/{int(id)}")
        return _single(self._client.get(path), "client", path)

    def pages(
        self,
        updated_min: datetime | date | None = None,
        per_page: int = MAX_PER_PAGE,
        **search: Any,
    ) -> Iterator[list[dict[str, Any]]]:
        params = search_params(_since(updated_min, search))
        return pages(self._client, self._path(), "clients", params, per_page)

    def iter(
        self,
        updated_min: datetime | date | None = None,
        per_page: int = MAX_PER_PAGE,
        **search: Any,
    ) -> Iterator[dict[str, Any]]:
        return chain.from_iterable(self.pages(updated_min, per_page, **search))


class Invoices:
    """Invoices, with their lines unless asked otherwise."""

    def __init__(self, client: FreshBooksClient) -> None:
        self._client = client

    def _path(self, tail: str = "") -> str:
        return self._client.accounting_path(f"invoices/invoices{tail}")

    def get(self, id: int, include_lines: bool = True) -> dict[str, Any]:
        path = self._path(f"/{int(id)}")
        params = include_params(["lines"] if include_lines else [])
        return _single(self._client.get(path, params), "invoice", path)

    def pages(
        self,
        updated_min: datetime | date | None = None,
        ids: Sequence[int] | None = None,
        numbers: Sequence[str] | None = None,
        include_lines: bool = True,
        per_page: int = MAX_PER_PAGE,
        **search: Any,
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of invoices; ``ids`` and ``numbers`` restrict to those invoices exactly."""
        if ids is not None and numbers is not None:
            raise ValueError("pass ids or numbers, not both")
        search = _since(updated_min, search)
        includes = include_params(["lines"] if include_lines else [])
        if ids is not None:
            return self._by_ids(ids, search, includes, per_page)
        if numbers is not None:
            return self._by_numbers(numbers, search, includes, per_page)
        return pages(
            self._client, self._path(), "invoices", search_params(search) + includes, per_page
        )

    def iter(self, *args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Invoices one by one; takes the same arguments as ``pages``."""
        return chain.from_iterable(self.pages(*args, **kwargs))

    def find_by_number(self, number: str, include_lines: bool = True) -> dict[str, Any] | None:
        return next(self.iter(numbers=[number], include_lines=include_lines), None)

    def _by_ids(
        self, ids: Sequence[int], search: dict[str, Any], includes: Params, per_page: int
    ) -> Iterator[list[dict[str, Any]]]:
        # In chunks, so the query string stays well under URL length limits.
        wanted = iter([int(id) for id in ids])
        while chunk := list(islice(wanted, MAX_PER_PAGE)):
            chosen = set(chunk)
            params = search_params({**search, "invoiceids": chunk}) + includes
            yield from pages(
                self._client,
                self._path(),
                "invoices",
                params,
                per_page,
                keep=lambda record, chosen=chosen: _invoice_id(record) in chosen,
            )

    def _by_numbers(
        self, numbers: Sequence[str], search: dict[str, Any], includes: Params, per_page: int
    ) -> Iterator[list[dict[str, Any]]]:
        # FreshBooks has no in-list filter for numbers: one query per number.
        for number in numbers:
            params = search_params({**search, "invoice_number": number}) + includes
            yield from pages(
                self._client,
                self._path(),
                "invoices",
                params,
                per_page,
                keep=lambda record, number=str(number): record.get("invoice_number") == number,
            )


def _invoice_id(record: dict[str, Any]) -> int | None:
    value = record.get("invoiceid", record.get("id"))
    return int(value) if value is not None else None


class Payments:
    """Payments against invoices."""

    def __init__(self, client: FreshBooksClient) -> None:
        self._client = client

    def _path(self, tail: str = "") -> str:
        return self._client.accounting_path(f"payments/payments{tail}")

    def create(
        self,
        invoiceid: int,
        amount: Decimal,
        date: date,
        type: str,
        note: str | None = None,
        currency: str | None = None,
    ) -> dict[str, Any]:
        """Record a payment. Not retried when the answer is lost: see WriteOutcomeUnknown."""
        payment: dict[str, Any] = {
            "invoiceid": int(invoiceid),
            "amount": money_object(amount, currency),
            "date": date.isoformat(),
            "type": type,
        }
        if note is not None:
            payment["note"] = note
        path = self._path()
        return _single(self._client.post(path, {"payment": payment}), "payment", path)

    def get(self, id: int) -> dict[str, Any]:
        path = self._path(f"/{int(id)}")
        return _single(self._client.get(path), "payment", path)

    def pages(self, per_page: int = MAX_PER_PAGE, **search: Any) -> Iterator[list[dict[str, Any]]]:
        return pages(self._client, self._path(), "payments", search_params(search), per_page)

    def iter(self, per_page: int = MAX_PER_PAGE, **search: Any) -> Iterator[dict[str, Any]]:
        return chain.from_iterable(self.pages(per_page, **search))
