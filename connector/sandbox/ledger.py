"""The business's general ledger: a chart of accounts and the journal entries posted to it.

Every FreshBooks business has a chart of accounts from its first day, so the chart is built
with the ledger, the same every time (ids and numbers never change between runs). Its
sub-account numbers include the ones ``mappings/ledger_accounts.csv`` maps partner accounts to
(640010, 640022, 120000), so the shipped journal mapping posts end to end against the sandbox.
All access goes through the SandboxState's lock, like the rest of the sandbox's data.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from connector.sandbox.clock import next_update
from connector.sandbox.errors import SandboxDataError
from connector.sandbox.ledger_records import Account, JournalDetail, JournalEntry, SubAccount
from connector.sandbox.money import cents
from connector.sandbox.tables import Table

if TYPE_CHECKING:
    from connector.sandbox.state import SandboxState

BASE_CURRENCY = "USD"

CHART: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    # (account_number, account_name, account_type, ((account_sub_number, account_sub_name), ...))
    ("1000", "Cash & Bank", "asset", (("100010", "Operating Checking"), ("100020", "Savings"))),
    ("1200", "Accounts Receivable", "asset", (("120000", "Accounts Receivable"),)),
    (
        "1500",
        "Fixed Assets",
        "asset",
        (("150010", "Computer Equipment"), ("150020", "Furniture & Fixtures")),
    ),
    ("2000", "Accounts Payable", "liability", (("200000", "Accounts Payable"),)),
    (
        "2100",
        "Accrued Liabilities",
        "liability",
        (("210010", "Accrued Payroll"), ("210020", "Accrued Expenses")),
    ),
    ("2200", "Sales Taxes Payable", "liability", (("220000", "Sales Taxes Payable"),)),
    (
        "3000",
        "Owner's Equity",
        "equity",
        (("300010", "Owner's Capital"), ("300020", "Retained Earnings")),
    ),
    ("4000", "Sales", "income", (("400010", "Product Sales"), ("400020", "Service Revenue"))),
    ("5000", "Cost of Goods Sold", "cost_of_goods_sold", (("500000", "Cost of Goods Sold"),)),
    (
        "6100",
        "Office Expenses",
        "expense",
        (("610010", "Office Supplies"), ("610020", "Postage & Delivery")),
    ),
    (
        "6400",
        "Computer & Internet",
        "expense",
        (("640010", "Web Hosting"), ("640022", "Hosting Accrual Clearing")),
    ),
)
FIRST_ACCOUNT_ID = 3150001
FIRST_SUB_ACCOUNT_ID = 635970
FIRST_ENTRY_ID = 930001
FIRST_DETAIL_ID = 2210001


@dataclass(frozen=True)
class NewDetail:
    """One line of an entry as a caller describes it: exactly one of debit and credit."""

    sub_accountid: int
    debit: Decimal | None = None
    credit: Decimal | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        sides = [amount for amount in (self.debit, self.credit) if amount is not None]
        if len(sides) != 1 or sides[0] <= 0:
            raise SandboxDataError(
                f"a journal line on sub-account {self.sub_accountid} needs exactly one of "
                f"debit and credit, greater than zero (got debit={self.debit}, "
                f"credit={self.credit})",
                hint="give each line either a positive debit or a positive credit",
            )


def totals(details: Iterable[NewDetail]) -> tuple[Decimal, Decimal]:
    """Debits and credits of an entry, each rounded to the cent as FreshBooks keeps them."""
    lines = list(details)
    debits = sum((cents(d.debit) for d in lines if d.debit is not None), Decimal(0))
    credits = sum((cents(d.credit) for d in lines if d.credit is not None), Decimal(0))
    return debits, credits


class LedgerState:
    """The chart of accounts and the posted journal entries of the sandbox's business."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self._accounts: list[Account] = []
        self._sub_accounts: Table[SubAccount] = Table(
            state.lock, "sub-account", "ledger.accounts", FIRST_SUB_ACCOUNT_ID
        )
        self._parents: dict[int, Account] = {}
        self._entries: Table[JournalEntry] = Table(
            state.lock, "journal entry", "ledger.entries", FIRST_ENTRY_ID
        )
        self._detail_ids = itertools.count(FIRST_DETAIL_ID)
        self._build_chart()

    def _build_chart(self) -> None:
        business = self._state.business
        for offset, (number, name, account_type, subs) in enumerate(CHART):
            account = Account(
                id=FIRST_ACCOUNT_ID + offset,
                number=number,
                name=name,
                account_type=account_type,
                account_id=business.account_id,
                currency_code=BASE_CURRENCY,
                created_at=business.created_at,
            )
            for sub_number, sub_name in subs:
                sub = SubAccount(
                    id=self._sub_accounts.next_id(),
                    parentid=account.id,
                    number=sub_number,
                    name=sub_name,
                    account_type=account_type,
                    account_id=business.account_id,
                    currency_code=BASE_CURRENCY,
                    created_at=business.created_at,
                )
                account.sub_accounts.append(self._sub_accounts.insert(sub.id, sub))
                self._parents[sub.id] = account
            self._accounts.append(account)

    # -- the chart -----------------------------------------------------------------------------

    @property
    def accounts(self) -> list[Account]:
        with self._state.lock:
            return list(self._accounts)

    def sub_account(self, sub_accountid: int) -> SubAccount:
        return self._sub_accounts[sub_accountid]

    def sub_account_numbered(self, number: str) -> SubAccount:
        """The sub-account numbered ``number``: tests and the demo name accounts by number."""
        with self._state.lock:
            for sub in self._sub_accounts.all():
                if sub.number == number:
                    return sub
        raise SandboxDataError(
            f"the sandbox's chart of accounts has no sub-account numbered {number!r}",
            hint="the chart is connector.sandbox.ledger.CHART",
        )

    def balances(self) -> dict[int, Decimal]:
        """Each posted sub-account's balance on its normal side: its last running balance."""
        return {
            detail.sub_account.id: balance for detail, _, balance in self.details_with_balances()
        }

    # -- journal entries -----------------------------------------------------------------------

    @property
    def entries(self) -> list[JournalEntry]:
        return self._entries.all()

    def entry(self, entryid: int) -> JournalEntry:
        return self._entries[entryid]

    def post_entry(
        self,
        name: str,
        user_entered_date: date,
        details: Sequence[NewDetail],
        *,
        description: str = "",
        currency_code: str = BASE_CURRENCY,
    ) -> JournalEntry:
        """Post a balanced entry; an unbalanced one, or one naming no real sub-account, is refused.

        The API route reports the same faults as FreshBooks' 422s before calling this; the
        checks here keep direct callers (seed code, tests) from building an impossible ledger.
        """
        debits, credits = totals(details)
        if debits != credits or debits == 0:
            raise SandboxDataError(
                f"journal entry {name!r} does not balance: debits {debits}, credits {credits}",
                hint="make the debits equal the credits, to the cent, and both non-zero",
            )
        with self._state.lock:
            resolved = [(self.sub_account(d.sub_accountid), d) for d in details]
            entry = JournalEntry(
                id=self._entries.next_id(),
                account_id=self._state.business.account_id,
                name=name,
                description=description,
                currency_code=currency_code,
                user_entered_date=user_entered_date,
                created_at=next_update(None),
            )
            for sub, detail in resolved:
                entry.details.append(
                    JournalDetail(
                        id=next(self._detail_ids),
                        entryid=entry.id,
                        sub_account=sub,
                        account=self._parents[sub.id],
                        debit=None if detail.debit is None else cents(detail.debit),
                        credit=None if detail.credit is None else cents(detail.credit),
                        description=description
                        if detail.description is None
                        else detail.description,
                    )
                )
            return self._entries.insert(entry.id, entry)

    def details_with_balances(self) -> list[tuple[JournalDetail, JournalEntry, Decimal]]:
        """Every detail in ledger order (date, then id), with its sub-account's running balance."""
        with self._state.lock:
            running: dict[int, Decimal] = {}
            rows = []
            for detail in self._all_details():
                sub = detail.sub_account
                running[sub.id] = running.get(sub.id, Decimal(0)) + sub.change(
                    detail.debit, detail.credit
                )
                rows.append((detail, self._entries[detail.entryid], running[sub.id]))
            return rows

    def _all_details(self) -> list[JournalDetail]:
        ordered = sorted(self._entries.all(), key=lambda e: (e.user_entered_date, e.id))
        return [detail for entry in ordered for detail in entry.details]
