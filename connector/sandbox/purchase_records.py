"""Bills, their lines, bill vendors, bill payments and expense categories as FreshBooks sends them.

Field names and layout follow freshbooks-api.md section 7 ("Bill with its vendor"). Bill and
bill-vendor ``created_at``/``updated_at`` are UTC on the wire (section 4), while the sandbox keeps
every moment in FreshBooks' naive Eastern time like the rest of its records; expense categories
use the ordinary Eastern accounting timestamps. Totals and statuses are computed from the lines
and the active bill payments, so they never disagree with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from connector.sandbox.clock import format_timestamp, format_utc_timestamp, now_eastern
from connector.sandbox.money import cents, money
from connector.sandbox.records import ACTIVE

BILL_STATUSES = ("unpaid", "overdue", "partial", "paid")


def json_number(value: Decimal) -> int | float:
    """Bill quantities and tax percentages are JSON numbers (NODE ``BillLines.ts``, section 7).

    Whole numbers stay exact integers; fractions such as ``2.5`` round-trip through a float
    because quantities and percentages carry far fewer digits than a double holds.
    """
    return int(value) if value == value.to_integral_value() else float(value)


def _optional_number(value: Decimal | None) -> int | float | None:
    return None if value is None else json_number(value)


def _balance(amounts: dict[str, Decimal]) -> list[dict[str, Any]]:
    """``outstanding_balance``-style lists: one money object per currency with money owed."""
    return [{"amount": money(total, code)} for code, total in sorted(amounts.items()) if total]


@dataclass
class ExpenseCategory:
    """A read-only expense category; every bill line names one by ``categoryid``."""

    id: int
    category: str
    created_at: datetime
    updated_at: datetime
    parentid: int | None = None
    is_cogs: bool = False
    is_editable: bool = False
    transaction_posted: bool = False
    vis_state: int = ACTIVE

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "categoryid": self.id,
            "category": self.category,
            "parentid": self.parentid,
            "is_cogs": self.is_cogs,
            "is_editable": self.is_editable,
            "transaction_posted": self.transaction_posted,
            "created_at": format_timestamp(self.created_at),
            "updated_at": format_timestamp(self.updated_at),
            "vis_state": self.vis_state,
        }


@dataclass
class BillVendor:
    vendorid: int
    vendor_name: str
    created_at: datetime
    updated_at: datetime
    currency_code: str = "USD"
    language: str = "en"
    is_1099: bool = False
    primary_contact_email: str | None = None
    primary_contact_first_name: str | None = None
    primary_contact_last_name: str | None = None
    phone: str | None = None
    website: str | None = None
    street: str | None = None
    street2: str | None = None
    city: str | None = None
    province: str | None = None
    postal_code: str | None = None
    country: str | None = None
    account_number: str | None = None
    note: str | None = None
    vis_state: int = ACTIVE

    def to_json(
        self, outstanding: dict[str, Decimal], overdue: dict[str, Decimal]
    ) -> dict[str, Any]:
        """``outstanding`` and ``overdue``: what the vendor's bills still owe, per currency."""
        return {
            "vendorid": self.vendorid,
            "vendor_name": self.vendor_name,
            "currency_code": self.currency_code,
            "language": self.language,
            "is_1099": self.is_1099,
            "primary_contact_email": self.primary_contact_email,
            "primary_contact_first_name": self.primary_contact_first_name,
            "primary_contact_last_name": self.primary_contact_last_name,
            "phone": self.phone,
            "website": self.website,
            "street": self.street,
            "street2": self.street2,
            "city": self.city,
            "province": self.province,
            "postal_code": self.postal_code,
            "country": self.country,
            "account_number": self.account_number,
            "note": self.note,
            "tax_defaults": [],
            "outstanding_balance": _balance(outstanding),
            "overdue_balance": _balance(overdue),
            "created_at": format_utc_timestamp(self.created_at),
            "updated_at": format_utc_timestamp(self.updated_at),
            "vis_state": self.vis_state,
        }


@dataclass(frozen=True)
class BillLineTerms:
    """What a bill line says, as a caller writes it and as the bill keeps it."""

    categoryid: int
    quantity: Decimal
    unit_cost: Decimal
    description: str = ""
    tax_name1: str | None = None
    tax_percent1: Decimal | None = None
    tax_name2: str | None = None
    tax_percent2: Decimal | None = None
    tax_authorityid1: str | None = None
    tax_authorityid2: str | None = None


@dataclass(frozen=True)
class BillLine(BillLineTerms):
    list_index: int = field(kw_only=True)
    category: str = field(kw_only=True)

    @classmethod
    def numbered(cls, terms: BillLineTerms, list_index: int, category: str) -> BillLine:
        """The line as a bill keeps it: its place on the bill and its category's name."""
        kept = {name.name: getattr(terms, name.name) for name in fields(BillLineTerms)}
        return cls(list_index=list_index, category=category, **kept)

    @property
    def amount(self) -> Decimal:
        return cents(self.quantity * self.unit_cost)

    def tax_on(self, percent: Decimal | None) -> Decimal | None:
        """A tax is a percentage of the line amount; None where the line has no such tax."""
        return None if percent is None else cents(self.amount * percent / 100)

    @property
    def tax_amount(self) -> Decimal:
        taxes = (self.tax_on(self.tax_percent1), self.tax_on(self.tax_percent2))
        return sum((tax for tax in taxes if tax is not None), Decimal(0))

    @property
    def total_amount(self) -> Decimal:
        return self.amount + self.tax_amount

    def to_json(self, currency: str) -> dict[str, Any]:
        tax1, tax2 = self.tax_on(self.tax_percent1), self.tax_on(self.tax_percent2)
        return {
            "list_index": self.list_index,
            "categoryid": self.categoryid,
            "category": self.category,
            "description": self.description,
            "quantity": json_number(self.quantity),
            "unit_cost": money(self.unit_cost, currency),
            "amount": money(self.amount, currency),
            "total_amount": money(self.total_amount, currency),
            "tax_name1": self.tax_name1,
            "tax_percent1": _optional_number(self.tax_percent1),
            "tax_amount1": None if tax1 is None else money(tax1, currency),
            "tax_authorityid1": self.tax_authorityid1,
            "tax_name2": self.tax_name2,
            "tax_percent2": _optional_number(self.tax_percent2),
            "tax_amount2": None if tax2 is None else money(tax2, currency),
            "tax_authorityid2": self.tax_authorityid2,
        }


@dataclass
class BillPayment:
    id: int
    billid: int
    amount: Decimal
    currency_code: str
    paid_date: date
    payment_type: str
    note: str | None = None
    vis_state: int = ACTIVE

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "billid": self.billid,
            "amount": money(self.amount, self.currency_code),
            "paid_date": self.paid_date.isoformat(),
            "payment_type": self.payment_type,
            "note": self.note,
            "vis_state": self.vis_state,
        }


@dataclass
class Bill:
    id: int
    vendorid: int
    issue_date: date
    currency_code: str
    lines: list[BillLine]
    created_at: datetime
    updated_at: datetime
    bill_number: str | None = None
    due_offset_days: int = 0
    language: str = "en"
    paid: Decimal = Decimal(0)
    """The sum of the bill's active bill payments, kept current by ``PurchasesState``."""
    vis_state: int = ACTIVE

    @property
    def due_date(self) -> date:
        return self.issue_date + timedelta(days=self.due_offset_days)

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def tax_amount(self) -> Decimal:
        return sum((line.tax_amount for line in self.lines), Decimal(0))

    @property
    def total_amount(self) -> Decimal:
        return self.amount + self.tax_amount

    @property
    def outstanding(self) -> Decimal:
        return max(self.total_amount - self.paid, Decimal(0))

    @property
    def overdue(self) -> bool:
        """Past its due date (FreshBooks' Eastern today) with money still owed."""
        return self.outstanding > 0 and self.due_date < now_eastern().date()

    @property
    def status(self) -> str:
        """``paid`` once nothing is owed; ``overdue`` beats ``partial`` because it needs action."""
        if self.outstanding == 0:
            return "paid"
        if self.overdue:
            return "overdue"
        return "partial" if self.paid > 0 else "unpaid"

    @property
    def overall_category(self) -> str:
        return "; ".join(dict.fromkeys(line.category for line in self.lines))

    @property
    def overall_description(self) -> str:
        return "; ".join(line.description for line in self.lines if line.description)

    def to_json(self, vendor: dict[str, Any], payments: list[BillPayment]) -> dict[str, Any]:
        """The bill with its lines, its vendor's JSON and its active bill payments embedded."""
        code = self.currency_code
        return {
            "id": self.id,
            "vendorid": self.vendorid,
            "bill_number": self.bill_number,
            "issue_date": self.issue_date.isoformat(),
            "due_offset_days": self.due_offset_days,
            "due_date": self.due_date.isoformat(),
            "currency_code": code,
            "language": self.language,
            "status": self.status,
            "amount": money(self.amount, code),
            "tax_amount": money(self.tax_amount, code),
            "total_amount": money(self.total_amount, code),
            "paid": money(self.paid, code),
            "outstanding": money(self.outstanding, code),
            "overall_category": self.overall_category,
            "overall_description": self.overall_description,
            "attachment": None,
            "bill_payments": [payment.to_json() for payment in payments],
            "created_at": format_utc_timestamp(self.created_at),
            "updated_at": format_utc_timestamp(self.updated_at),
            "vis_state": self.vis_state,
            "lines": [line.to_json(code) for line in self.lines],
            "vendor": vendor,
        }
