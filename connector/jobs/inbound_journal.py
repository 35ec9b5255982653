"""GL journal files in: each entry of a ledger export posted as a FreshBooks journal entry.

A journal file is posted whole or not at all. The mapping refuses an entry whose debits and
credits differ (naming its rows); here every line's account number is resolved to a
``sub_accountid`` through the chart of accounts, read once per file. Any refused entry refuses
the file: nothing of it is posted and the report lists every problem, so the partner corrects the
file once. Entries an earlier file already posted are recognised by their content and skipped.

The key travels in the entry's name, which FreshBooks repeats on every ledger line
(``journal_entry_details``): reconciliation lists the first line's sub-account on the entry's
date and looks for the name carrying the key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from connector.freshbooks.ledger import JournalLine
from connector.jobs.context import PartnerRun
from connector.jobs.inbound_files import Calls, FilePoster, Posting, Sent, carries, money, tagged
from connector.mapping import InboundRecord, RowProblem


class JournalPoster(FilePoster):
    """Journal entries; the chart of accounts is read once per file."""

    kind = "journal_entry"
    whole_file = True

    def __init__(self, run: PartnerRun, file_name: str) -> None:
        super().__init__(run, file_name)
        self._accounts: dict[str, int] | None = None

    def look_up(self, records: Sequence[InboundRecord], calls: Calls) -> None:
        if self._accounts is None and records:
            self._accounts = self._run.freshbooks.accounts.sub_accounts_by_number()

    def plan(self, record: InboundRecord, key_for: Callable[..., str]) -> Posting | RowProblem:
        values = record.values
        entry = str(values["entry"])
        accounts = self._accounts or {}
        lines = []
        for number, detail in enumerate(values["details"], start=1):
            account = str(detail["account_number"])
            if account not in accounts:
                return self.problem(
                    record.row_number,
                    "account_number",
                    account,
                    f"entry {entry}, line {number}: no account numbered {account!r} in the "
                    "FreshBooks chart of accounts; nothing in this file was posted",
                )
            lines.append(
                {
                    "sub_accountid": accounts[account],
                    "debit": _amount(detail.get("debit")),
                    "credit": _amount(detail.get("credit")),
                    "description": detail.get("description"),
                }
            )
        day = values["date"].isoformat()
        name = values.get("name") or f"Entry {entry}"
        key = key_for(
            entry,
            day,
            values.get("currency_code") or "",
            *[(line["sub_accountid"], line["debit"], line["credit"]) for line in lines],
        )
        request = {
            "name": tagged(name, key),
            "date": day,
            "description": values.get("description"),
            "currency_code": values.get("currency_code"),
            "details": lines,
        }
        return Posting(record.row_number, entry, key, request)

    def send(self, posting: Posting) -> Sent:
        request = posting.request
        entry = self._run.freshbooks.journal_entries.create(
            request["name"],
            date.fromisoformat(request["date"]),
            [
                JournalLine(
                    line["sub_accountid"],
                    debit=_decimal(line["debit"]),
                    credit=_decimal(line["credit"]),
                    description=line["description"],
                )
                for line in request["details"]
            ],
            description=request["description"],
            currency_code=request["currency_code"],
        )
        return Sent(str(entry.get("entryid", entry.get("id"))))

    def find(self, posting: Posting) -> str | None:
        request = posting.request
        day = date.fromisoformat(request["date"])
        details = self._run.freshbooks.journal_entries.details(
            sub_accountid=request["details"][0]["sub_accountid"], start_date=day, end_date=day
        )
        for detail in details:
            if carries(detail.get("name"), posting.key):
                entry = detail.get("entry") or {}
                return str(entry.get("entryid") or entry.get("id"))
        return None


def _amount(value: Any) -> str | None:
    """A line's debit or credit as the ledger keeps it: text to the cent, or None."""
    return None if value is None else str(money(value))


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


receive_journal_entries = JournalPoster.receive
