"""Bills, bill vendors, bill payments and expense categories, as raw FreshBooks dicts.

Like ``resources``, nothing is renamed or converted: the mapping language reads the API's own
shape (``bill.vendor.vendor_name``, ``line.categoryid``). FreshBooks honours only a few list
filters on these resources and silently ignores the rest (freshbooks-api.md section 2), so every
filter the caller asks for is re-checked on what comes back, and filters FreshBooks does not
offer at all (a bill's number, a bill payment's bill) are applied here, page by page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from itertools import chain, islice
from typing import TYPE_CHECKING, Any

from connector.errors import DataError
from connector.freshbooks.errors import FreshBooksError
from connector.freshbooks.money import money_object
from connector.freshbooks.query import Params, include_params, search_params
from connector.freshbooks.resources import MAX_PER_PAGE, _single, pages

if TYPE_CHECKING:
    from connector.freshbooks.client import FreshBooksClient

Record = dict[str, Any]


class AmbiguousBillNumber(FreshBooksError, DataError):
    """Several bills carry the number a partner quoted, so none can be chosen safely."""


class VisStateWithOtherFields(FreshBooksError, DataError):
    """An update mixes ``vis_state`` with other fields, which FreshBooks would silently drop."""


def _same_id(field: str, wanted: int) -> Callable[[Record], bool]:
    return lambda record: record.get(field) is not None and int(record[field]) == wanted


def _wire_line(line: Mapping[str, Any], currency_code: str | None) -> Record:
    """A bill line in FreshBooks' write shape; Decimal amounts become strings, never floats.

    ``unit_cost`` may be given as a Decimal (sent as money in the bill's currency) or as a
    money object; other Decimal values (``quantity``, ``tax_percent1``) go as plain strings,
    the form FreshBooks uses for every non-money decimal.
    """
    wire: Record = {}
    for name, value in line.items():
        if name == "unit_cost" and isinstance(value, Decimal | int):
            wire[name] = money_object(value, currency_code)
        elif isinstance(value, Decimal):
            wire[name] = format(value.normalize(), "f")
        else:
            wire[name] = value
    return wire


def _refuse_mixed_vis_state(kind: str, fields: Mapping[str, Any]) -> None:
    if "vis_state" in fields and len(fields) > 1:
        others = ", ".join(sorted(set(fields) - {"vis_state"}))
        raise VisStateWithOtherFields(
            f"a {kind} update sets vis_state together with {others}; FreshBooks applies only "
            "vis_state and silently drops the rest",
            hint="send the vis_state change and the other fields as two separate updates",
        )


class Bills:
    """Bills from vendors; every bill comes with its ``lines`` and its ``vendor``."""

    def __init__(self, client: FreshBooksClient) -> None:
        self._client = client

    def _path(self, tail: str = "") -> str:
        return self._client.accounting_path(f"bills/bills{tail}")

    def get(self, id: int) -> Record:
        path = self._path(f"/{int(id)}")
        return _single(self._client.get(path), "bill", path)

    def pages(
        self,
        ids: Sequence[int] | None = None,
        vendorid: int | None = None,
        per_page: int = MAX_PER_PAGE,
        **search: Any,
    ) -> Iterator[list[Record]]:
        """Pages of bills; ``ids`` restricts to those bills exactly, ``vendorid`` to one vendor.

        Other FreshBooks bill filters (``statuses``, ``currency_code``, ``vis_state``) go in
        ``search``. ``include[]=lines`` is sent although bills carry their lines anyway: the
        documents do not say lists never need it, and asking costs nothing.
        """
        keep_vendor = _same_id("vendorid", int(vendorid)) if vendorid is not None else None
        if vendorid is not None:
            search = {**search, "vendorid": int(vendorid)}
        if ids is None:
            return self._pages(search, per_page, keep_vendor)
        return self._by_ids(ids, search, per_page, keep_vendor)

    def iter(self, *args: Any, **kwargs: Any) -> Iterator[Record]:
        """Bills one by one; takes the same arguments as ``pages``."""
        return chain.from_iterable(self.pages(*args, **kwargs))

    def find_by_number(self, bill_number: str, vendorid: int | None = None) -> Record | None:
        """The one bill with this number (of this vendor, if given), or None.

        FreshBooks has no bill-number filter, so this reads every bill (of the vendor, when
        ``vendorid`` narrows it server-side) and compares numbers here: about one call per 100
        bills. Deleted bills are not searched. Bill numbers are the vendor's own invoice
        numbers, so two vendors can share one; then AmbiguousBillNumber names the bills.
        """
        wanted = str(bill_number)
        found = [
            bill
            for bill in self.iter(vendorid=vendorid)
            if str(bill.get("bill_number") or "") == wanted
        ]
        if len(found) > 1:
            ids = ", ".join(str(bill.get("id")) for bill in found)
            raise AmbiguousBillNumber(
                f"bill number {wanted!r} belongs to several FreshBooks bills ({ids})",
                hint="name the vendor too (vendorid), or correct the bill numbers in FreshBooks",
            )
        return found[0] if found else None

    def create(
        self,
        vendorid: int,
        issue_date: date,
        lines: Sequence[Mapping[str, Any]],
        currency_code: str | None = None,
        bill_number: str | None = None,
        due_offset_days: int | None = None,
    ) -> Record:
        """Record a bill. ``lines`` are in FreshBooks' write shape, each with a ``categoryid``.

        Not retried when the answer is lost: see WriteOutcomeUnknown.
        """
        bill: Record = {
            "vendorid": int(vendorid),
            "issue_date": issue_date.isoformat(),
            "lines": [_wire_line(line, currency_code) for line in lines],
        }
        if currency_code is not None:
            bill["currency_code"] = currency_code
        if bill_number is not None:
            bill["bill_number"] = bill_number
        if due_offset_days is not None:
            bill["due_offset_days"] = int(due_offset_days)
        path = self._path()
        return _single(self._client.post(path, {"bill": bill}), "bill", path)

    def _pages(
        self,
        search: Mapping[str, Any],
        per_page: int,
        keep: Callable[[Record], bool] | None,
    ) -> Iterator[list[Record]]:
        params: Params = search_params(search) + include_params(["lines"])
        return pages(self._client, self._path(), "bills", params, per_page, keep=keep)

    def _by_ids(
        self,
        ids: Sequence[int],
        search: Mapping[str, Any],
        per_page: int,
        keep_vendor: Callable[[Record], bool] | None,
    ) -> Iterator[list[Record]]:
        # In chunks, so the query string stays well under URL length limits.
        wanted = iter([int(id) for id in ids])
        while chunk := list(islice(wanted, MAX_PER_PAGE)):
            chosen = set(chunk)

            def keep(record: Record, chosen: set[int] = chosen) -> bool:
                in_chunk = record.get("id") is not None and int(record["id"]) in chosen
                return in_chunk and (keep_vendor is None or keep_vendor(record))

            yield from self._pages({**search, "ids": chunk}, per_page, keep)


class BillVendors:
    """The business's vendors (the ones bills come from)."""

    def __init__(self, client: FreshBooksClient) -> None:
        self._client = client

    def _path(self, tail: str = "") -> str:
        return self._client.accounting_path(f"bill_vendors/bill_vendors{tail}")

    def get(self, id: int) -> Record:
        path = self._path(f"/{int(id)}")
        return _single(self._client.get(path), "bill_vendor", path)

    def pages(self, per_page: int = MAX_PER_PAGE, **search: Any) -> Iterator[list[Record]]:
        """Pages of vendors. FreshBooks ignores name and email filters here: match names on
        the records instead."""
        return pages(self._client, self._path(), "bill_vendors", search_params(search), per_page)

    def iter(self, per_page: int = MAX_PER_PAGE, **search: Any) -> Iterator[Record]:
        return chain.from_iterable(self.pages(per_page, **search))

    def create(self, **fields: Any) -> Record:
        """Create a vendor from FreshBooks' vendor fields (``vendor_name`` is required).

        Not retried when the answer is lost: see WriteOutcomeUnknown.
        """
        path = self._path()
        return _single(self._client.post(path, {"bill_vendor": fields}), "bill_vendor", path)

    def update(self, id: int, **fields: Any) -> Record:
        """Change a vendor; ``vis_state=1`` deletes it and ``vis_state=2`` archives it.

        A vis_state change must come alone: FreshBooks would silently drop the other fields.
        """
        _refuse_mixed_vis_state("bill vendor", fields)
        path = self._path(f"/{int(id)}")
        return _single(self._client.put(path, {"bill_vendor": fields}), "bill_vendor", path)


class BillPayments:
    """Payments the business made against bills."""

    def __init__(self, client: FreshBooksClient) -> None:
        self._client = client

    def _path(self, tail: str = "") -> str:
        return self._client.accounting_path(f"bill_payments/bill_payments{tail}")

    def create(
        self,
        billid: int,
        amount: Decimal,
        paid_date: date,
        payment_type: str,
        note: str | None = None,
        currency: str | None = None,
    ) -> Record:
        """Record a bill payment. Not retried when the answer is lost: see WriteOutcomeUnknown."""
        payment: Record = {
            "billid": int(billid),
            "amount": money_object(amount, currency),
            "paid_date": paid_date.isoformat(),
            "payment_type": payment_type,
        }
        if note is not None:
            payment["note"] = note
        path = self._path()
        return _single(self._client.post(path, {"bill_payment": payment}), "bill_payment", path)

    def get(self, id: int) -> Record:
        path = self._path(f"/{int(id)}")
        return _single(self._client.get(path), "bill_payment", path)

    def pages(
        self, billid: int | None = None, per_page: int = MAX_PER_PAGE, **search: Any
    ) -> Iterator[list[Record]]:
        """Pages of bill payments, of one bill if ``billid`` is given.

        FreshBooks has no working bill-payment filters, so ``billid`` is applied here, on every
        page; a bill's active payments also come embedded in the bill (``Bills.get``), in one
        call.
        """
        keep = _same_id("billid", int(billid)) if billid is not None else None
        params = search_params(search)
        return pages(self._client, self._path(), "bill_payments", params, per_page, keep=keep)

    def iter(
        self, billid: int | None = None, per_page: int = MAX_PER_PAGE, **search: Any
    ) -> Iterator[Record]:
        return chain.from_iterable(self.pages(billid, per_page, **search))


class ExpenseCategories:
    """The expense categories bill lines are filed under (read only in FreshBooks)."""

    def __init__(self, client: FreshBooksClient) -> None:
        self._client = client

    def iter(self, per_page: int = MAX_PER_PAGE) -> Iterator[Record]:
        path = self._client.accounting_path("expenses/categories")
        return chain.from_iterable(pages(self._client, path, "categories", [], per_page))
