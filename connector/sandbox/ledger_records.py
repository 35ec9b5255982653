"""The general ledger's records and their wire shapes: accounts, sub-accounts, journal entries.

Shapes follow freshbooks-api.md section 2 "Journal entries and accounts" and the official
Node SDK's fixtures: the chart lists accounts with their ``sub_accounts``; a created entry
echoes its details with bare-string amounts, while the detail listing carries money objects,
the account and sub-account, the entry and the sub-account's running balance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from connector.sandbox.clock import format_timestamp
from connector.sandbox.money import cents, money

DEBIT_NORMAL_TYPES = frozenset({"asset", "cost_of_goods_sold", "expense"})
"""Account types whose balance grows with debits; the others grow with credits."""


def balance_text(value: Decimal) -> str:
    """Chart balances travel as bare strings with three decimals (``"-10.000"``, FB-COA)."""
    return f"{value:.3f}"


@dataclass
class ChartEntry:
    """What an account and each of its sub-accounts have alike in the chart."""

    id: int
    number: str
    name: str
    account_type: str
    account_id: str
    currency_code: str
    created_at: datetime

    def standing_json(self, balance: Decimal) -> dict[str, Any]:
        """The balance and the fixed facts, as the chart lists them for both."""
        return {
            "balance": balance_text(balance),
            "created_at": format_timestamp(self.created_at),
            "currency_code": self.currency_code,
        }


@dataclass
class SubAccount(ChartEntry):
    parentid: int
    custom: bool = False

    def change(self, debit: Decimal | None, credit: Decimal | None) -> Decimal:
        """How much one detail moves this sub-account's balance, by the account's normal side."""
        moved = (debit or Decimal(0)) - (credit or Decimal(0))
        return moved if self.account_type in DEBIT_NORMAL_TYPES else -moved

    def brief_json(self) -> dict[str, Any]:
        """The sub-account as a detail listing embeds it."""
        return {
            "account_sub_name": self.name,
            "account_sub_number": self.number,
            "accounting_systemid": self.account_id,
            "id": self.id,
            "parentid": self.parentid,
            "sub_accountid": self.id,
        }

    def to_json(self, balance: Decimal, posted: bool) -> dict[str, Any]:
        return {
            **self.brief_json(),
            "account_type": self.account_type,
            **self.standing_json(balance),
            "custom": self.custom,
            "transaction_posted": posted,
        }


@dataclass
class Account(ChartEntry):
    sub_accounts: list[SubAccount] = field(default_factory=list)

    def brief_json(self) -> dict[str, Any]:
        """The account as a detail listing embeds it."""
        return {
            "account_name": self.name,
            "account_number": self.number,
            "account_type": self.account_type,
            "accountid": self.id,
            "accounting_systemid": self.account_id,
            "id": self.id,
        }

    def to_json(self, balances: dict[int, Decimal]) -> dict[str, Any]:
        """``balances`` is keyed by sub_accountid; a sub-account missing from it has no postings."""
        subs = [
            sub.to_json(balances.get(sub.id, Decimal(0)), sub.id in balances)
            for sub in self.sub_accounts
        ]
        total = sum((balances.get(sub.id, Decimal(0)) for sub in self.sub_accounts), Decimal(0))
        return {**self.brief_json(), **self.standing_json(total), "sub_accounts": subs}


@dataclass
class JournalDetail:
    id: int
    entryid: int
    sub_account: SubAccount
    account: Account
    debit: Decimal | None
    credit: Decimal | None
    description: str

    def to_json(self, entry: JournalEntry) -> dict[str, Any]:
        """The detail as a created entry echoes it: amounts as bare strings or null."""
        return {
            "id": self.id,
            "detailid": self.id,
            "sub_accountid": self.sub_account.id,
            "debit": _amount_text(self.debit),
            "credit": _amount_text(self.credit),
            "currency_code": entry.currency_code,
            "name": entry.name,
            "description": self.description,
            "user_entered_date": entry.user_entered_date.isoformat(),
        }

    def listing_json(self, entry: JournalEntry, balance: Decimal) -> dict[str, Any]:
        """The detail as ``journal_entry_details`` lists it; ``balance`` is the running one."""
        code = entry.currency_code
        return {
            "account": self.account.brief_json(),
            "accounting_systemid": entry.account_id,
            "balance": money(balance, code),
            "credit": None if self.credit is None else money(self.credit, code),
            "debit": None if self.debit is None else money(self.debit, code),
            "description": self.description,
            "detail_type": "journal_entry",
            "detailid": self.id,
            "entry": {
                "accounting_systemid": entry.account_id,
                "categoryid": None,
                "clientid": None,
                "creditid": None,
                "entryid": entry.id,
                "expenseid": None,
                "id": entry.id,
                "incomeid": None,
                "invoiceid": None,
                "paymentid": None,
            },
            "id": self.id,
            "name": entry.name,
            "sub_account": self.sub_account.brief_json(),
            "user_entered_date": entry.user_entered_date.isoformat(),
        }


@dataclass
class JournalEntry:
    id: int
    account_id: str
    name: str
    description: str
    currency_code: str
    user_entered_date: date
    created_at: datetime
    details: list[JournalDetail] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "entryid": self.id,
            "name": self.name,
            "description": self.description,
            "currency_code": self.currency_code,
            "user_entered_date": self.user_entered_date.isoformat(),
            "details": [detail.to_json(self) for detail in self.details],
        }


def _amount_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{cents(value):.2f}"
