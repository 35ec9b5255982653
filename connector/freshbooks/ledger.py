"""The general ledger: posting journal entries and reading the chart of accounts.

FreshBooks takes journal entries through the legacy ``journal_entries`` endpoint, create only
(freshbooks-api.md section 2). An entry that does not balance is refused here, before any
request, so a file with one bad entry never leaves a half-posted ledger behind because of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import chain
from typing import TYPE_CHECKING, Any

from connector.errors import DataError
from connector.freshbooks.errors import FreshBooksError, InvalidMoney
from connector.freshbooks.money import money_text
from connector.freshbooks.query import search_params
from connector.freshbooks.resources import MAX_PER_PAGE, _single, pages

if TYPE_CHECKING:
    from connector.freshbooks.client import FreshBooksClient


class InvalidJournalEntry(FreshBooksError, DataError):
    """A journal entry that FreshBooks would refuse, caught before it is sent."""


class UnbalancedJournalEntry(InvalidJournalEntry):
    """Debits and credits of an entry differ: posting it would unbalance the books."""


@dataclass(frozen=True)
class JournalLine:
    """One line of a journal entry: exactly one of ``debit`` and ``credit``, in Decimal."""

    sub_accountid: int
    debit: Decimal | None = None
    credit: Decimal | None = None
    description: str | None = None


class JournalEntries:
    """Journal entries: create, and list their details (the ledger lines) for reconciliation."""

    def __init__(self, client: FreshBooksClient) -> None:
        self._client = client

    def create(
        self,
        name: str,
        date: date,
        details: Sequence[JournalLine],
        description: str | None = None,
        currency_code: str | None = None,
    ) -> dict[str, Any]:
        """Post one entry. Not retried when the answer is lost: see WriteOutcomeUnknown.

        Raises UnbalancedJournalEntry (or InvalidJournalEntry for a malformed line) without
        sending anything.
        """
        entry: dict[str, Any] = {
            "name": name,
            "user_entered_date": date.isoformat(),
            "details": _wire_details(name, details),
        }
        if description is not None:
            entry["description"] = description
        if currency_code is not None:
            entry["currency_code"] = currency_code
        path = self._client.accounting_path("journal_entries/journal_entries")
        return _single(self._client.post(path, {"journal_entry": entry}), "journal_entry", path)

    def details(
        self,
        sub_accountid: int | None = None,
        start_date: date | None = None,
        end_date: date | None = None,
        per_page: int = MAX_PER_PAGE,
    ) -> Iterator[dict[str, Any]]:
        """Ledger lines, oldest first; filters are re-checked on what comes back, because
        FreshBooks answers a filter it does not know with everything."""
        search = {"sub_accountid": sub_accountid, "start_date": start_date, "end_date": end_date}
        path = self._client.accounting_path("journal_entries/journal_entry_details")

        def wanted(detail: dict[str, Any]) -> bool:
            return _detail_matches(detail, sub_accountid, start_date, end_date)

        found = pages(
            self._client, path, "journal_entry_details", search_params(search), per_page, wanted
        )
        return chain.from_iterable(found)


class Accounts:
    """The chart of accounts (``journal_entry_accounts``), read only."""

    def __init__(self, client: FreshBooksClient) -> None:
        self._client = client

    def iter(self, per_page: int = MAX_PER_PAGE) -> Iterator[dict[str, Any]]:
        """Every account with its ``sub_accounts``."""
        path = self._client.accounting_path("journal_entry_accounts/journal_entry_accounts")
        return chain.from_iterable(
            pages(self._client, path, "journal_entry_accounts", [], per_page)
        )

    def sub_accounts_by_number(self) -> dict[str, int]:
        """Account numbers as a partner or a mapping names them -> the ``sub_accountid`` to post to.

        Journal lines post to sub-accounts, so every ``account_sub_number`` is a key. An
        account with a single sub-account is also reachable by its own ``account_number``
        (that sub-account stands for the whole account, as "1200 Accounts Receivable" does);
        an account with several needs the sub-account's number. A number that would lead to
        two different sub-accounts is left out, so a line naming it is refused as unknown
        instead of being posted to a guess.
        """
        return numbers_to_sub_accounts(self.iter())


def numbers_to_sub_accounts(accounts: Iterable[dict[str, Any]]) -> dict[str, int]:
    """The lookup ``Accounts.sub_accounts_by_number`` describes, from chart records."""
    candidates: dict[str, set[int]] = {}
    for account in accounts:
        subs = [sub for sub in account.get("sub_accounts") or [] if isinstance(sub, dict)]
        for sub in subs:
            _note(candidates, sub.get("account_sub_number"), sub.get("sub_accountid"))
        if len(subs) == 1:
            _note(candidates, account.get("account_number"), subs[0].get("sub_accountid"))
    return {number: ids.pop() for number, ids in candidates.items() if len(ids) == 1}


def _note(candidates: dict[str, set[int]], number: Any, sub_accountid: Any) -> None:
    if number in (None, "") or sub_accountid is None:
        return
    candidates.setdefault(str(number), set()).add(int(sub_accountid))


def _wire_details(name: str, details: Sequence[JournalLine]) -> list[dict[str, Any]]:
    """The lines as FreshBooks takes them, after checking the entry could ever be accepted."""
    if not details:
        raise InvalidJournalEntry(
            f"journal entry {name!r} has no lines", hint="give the entry its debit and credit lines"
        )
    wire = []
    debits = credits = Decimal(0)
    for number, line in enumerate(details, start=1):
        sides = [(side, amount) for side, amount in _sides(line) if amount is not None]
        if len(sides) != 1:
            raise InvalidJournalEntry(
                f"line {number} of journal entry {name!r} has "
                f"{'both a debit and a credit' if sides else 'neither a debit nor a credit'}",
                hint="give each line exactly one of debit and credit",
            )
        side, amount = sides[0]
        try:
            text = money_text(amount)
        except InvalidMoney as error:
            raise InvalidJournalEntry(
                f"line {number} of journal entry {name!r}: {error.message}", hint=error.hint
            ) from None
        if amount <= 0:
            raise InvalidJournalEntry(
                f"line {number} of journal entry {name!r} has a {side} of {text}",
                hint="amounts are positive; a negative debit is a credit, and the other way round",
            )
        if side == "debit":
            debits += amount
        else:
            credits += amount
        detail: dict[str, Any] = {"sub_accountid": int(line.sub_accountid), side: text}
        if line.description is not None:
            detail["description"] = line.description
        wire.append(detail)
    if debits != credits:
        raise UnbalancedJournalEntry(
            f"journal entry {name!r} does not balance: debits {money_text(debits)}, "
            f"credits {money_text(credits)} (difference {money_text(debits - credits)})",
            hint="correct the entry's lines so debits equal credits to the cent; "
            "nothing of it was posted",
        )
    return wire


def _sides(line: JournalLine) -> tuple[tuple[str, Decimal | None], ...]:
    return (("debit", line.debit), ("credit", line.credit))


def _detail_matches(
    detail: dict[str, Any],
    sub_accountid: int | None,
    start_date: date | None,
    end_date: date | None,
) -> bool:
    if sub_accountid is not None:
        sub = detail.get("sub_account")
        found = sub.get("sub_accountid") if isinstance(sub, dict) else None
        if found is None or int(found) != sub_accountid:
            return False
    if start_date is None and end_date is None:
        return True
    try:
        day = date.fromisoformat(str(detail.get("user_entered_date")))
    except ValueError:
        return False
    return (start_date is None or day >= start_date) and (end_date is None or day <= end_date)
