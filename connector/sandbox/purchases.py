"""The purchases side of the sandbox: bill vendors, bills, bill payments and expense categories.

It shares the ``SandboxState``'s lock and change notifications, so routes, seed and tests see
one consistent business. The rules FreshBooks enforces on writes live here, once: a write that
breaks one raises ``PurchaseRefused``, which the HTTP layer answers as FreshBooks' classic 422
and which seed or test code sees as a ``SandboxDataError``.

Choices where freshbooks-api.md is silent:

- A bill payment may not exceed what the bill still owes. FreshBooks records an overpaid
  *invoice* as a client credit, but bills have no vendor-credit counterpart in the API, so the
  excess would vanish; refusing it (422 errno 1004 on ``amount``) keeps every cent accounted for.
- A deleted bill cannot be paid (422 errno 1011, DeletedResource). An archived bill can:
  archiving only hides a record from lists (FB-VIS), it does not cancel the debt.
- A bill payment always takes its bill's currency; a payment naming another currency is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from connector.sandbox.clock import next_update
from connector.sandbox.errors import AccountingError, SandboxDataError
from connector.sandbox.purchase_records import (
    Bill,
    BillLine,
    BillLineTerms,
    BillPayment,
    BillVendor,
    ExpenseCategory,
)
from connector.sandbox.records import ACTIVE, DELETED, PAYMENT_TYPES
from connector.sandbox.tables import Table, change_event, check_writable

if TYPE_CHECKING:
    from connector.sandbox.state import SandboxState

VENDOR_FIELDS = frozenset(
    {
        "vendor_name",
        "currency_code",
        "language",
        "is_1099",
        "primary_contact_email",
        "primary_contact_first_name",
        "primary_contact_last_name",
        "phone",
        "website",
        "street",
        "street2",
        "city",
        "province",
        "postal_code",
        "country",
        "account_number",
        "note",
    }
)
BILL_FIELDS = frozenset(
    {"vendorid", "issue_date", "due_offset_days", "bill_number", "language", "currency_code"}
)
BILL_PAYMENT_FIELDS = frozenset({"amount", "paid_date", "payment_type", "note"})

Live = TypeVar("Live", BillVendor, Bill)


@dataclass(frozen=True)
class NewBillLine(BillLineTerms):
    """A bill line as a caller describes it; the sandbox numbers it and names its category."""

    currency_code: str | None = None
    """The unit cost's currency where the caller named one; it must be the bill's."""


class PurchaseRefused(AccountingError, SandboxDataError):
    """A write FreshBooks refuses with a 422 in the classic envelope."""

    def __init__(self, errno: int, field: str, obj: str, value: object, message: str) -> None:
        super().__init__(422, errno, message, field=field, obj=obj, value=value)


class PurchasesState:
    """Vendors, bills, bill payments and categories of the sandbox's one business."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self.lock = state.lock
        self._categories: Table[ExpenseCategory] = Table(
            self.lock, "expense category", "purchases.categories", 4401
        )
        self._vendors: Table[BillVendor] = Table(
            self.lock, "bill vendor", "purchases.vendors", 3301
        )
        self._bills: Table[Bill] = Table(self.lock, "bill", "purchases.bills", 7701)
        self._bill_payments: Table[BillPayment] = Table(
            self.lock, "bill payment", "purchases.bill_payments", 9101
        )

    # -- read access -------------------------------------------------------------------------

    @property
    def categories(self) -> list[ExpenseCategory]:
        return self._categories.all()

    @property
    def vendors(self) -> list[BillVendor]:
        return self._vendors.all()

    @property
    def bills(self) -> list[Bill]:
        return self._bills.all()

    @property
    def bill_payments(self) -> list[BillPayment]:
        return self._bill_payments.all()

    def category(self, categoryid: int) -> ExpenseCategory:
        return self._categories[categoryid]

    def vendor(self, vendorid: int) -> BillVendor:
        return self._vendors[vendorid]

    def bill(self, billid: int) -> Bill:
        return self._bills[billid]

    def bill_payment(self, bill_payment_id: int) -> BillPayment:
        return self._bill_payments[bill_payment_id]

    def vendor_json(self, vendor: BillVendor) -> dict[str, Any]:
        """The vendor with what its bills still owe; archived bills count, deleted ones do not."""
        with self.lock:
            outstanding: dict[str, Decimal] = {}
            overdue: dict[str, Decimal] = {}
            for bill in self._bills.all():
                if bill.vendorid != vendor.vendorid or bill.vis_state == DELETED:
                    continue
                code = bill.currency_code
                outstanding[code] = outstanding.get(code, Decimal(0)) + bill.outstanding
                if bill.overdue:
                    overdue[code] = overdue.get(code, Decimal(0)) + bill.outstanding
            return vendor.to_json(outstanding, overdue)

    def bill_json(self, bill: Bill) -> dict[str, Any]:
        with self.lock:
            vendor = self.vendor_json(self._vendors[bill.vendorid])
            return bill.to_json(vendor, self._active_payments(bill.id))

    # -- expense categories (read only over the API) -----------------------------------------

    def add_category(
        self,
        category: str,
        *,
        parentid: int | None = None,
        is_cogs: bool = False,
        created_at: datetime | None = None,
    ) -> ExpenseCategory:
        with self.lock:
            moment = created_at or next_update(None)
            record = ExpenseCategory(
                id=self._categories.next_id(),
                category=category,
                created_at=moment,
                updated_at=moment,
                parentid=parentid,
                is_cogs=is_cogs,
            )
            return self._categories.insert(record.id, record)

    # -- bill vendors ------------------------------------------------------------------------

    def add_vendor(
        self, vendor_name: str, *, created_at: datetime | None = None, **fields: Any
    ) -> BillVendor:
        """Create a vendor; ``fields`` are the other writable vendor fields (``city``, ...)."""
        check_writable(fields, VENDOR_FIELDS - {"vendor_name"}, "bill vendor")
        if not vendor_name.strip():
            raise PurchaseRefused(
                1001, "vendor_name", "bill_vendor", vendor_name, "vendor_name is required."
            )
        with self.lock:
            moment = created_at or next_update(None)
            vendor = BillVendor(
                vendorid=self._vendors.next_id(),
                vendor_name=vendor_name,
                created_at=moment,
                updated_at=moment,
                **fields,
            )
            self._vendors.insert(vendor.vendorid, vendor)
            self._state.notify("bill_vendor.create", vendor.vendorid)
            return vendor

    def update_vendor(self, vendorid: int, changes: Mapping[str, Any]) -> BillVendor:
        """Change vendor fields; ``vis_state`` 1 deletes the vendor, 2 archives it."""
        check_writable(changes, VENDOR_FIELDS | {"vis_state"}, "bill vendor")
        if "vendor_name" in changes and not str(changes["vendor_name"]).strip():
            raise PurchaseRefused(
                1001,
                "vendor_name",
                "bill_vendor",
                changes["vendor_name"],
                "vendor_name cannot be empty.",
            )
        with self.lock:
            vendor = self._vendors[vendorid]
            for name, value in changes.items():
                setattr(vendor, name, value)
            vendor.updated_at = next_update(vendor.updated_at)
            self._state.notify(change_event("bill_vendor", changes), vendor.vendorid)
            return vendor

    # -- bills -------------------------------------------------------------------------------

    def add_bill(
        self,
        vendorid: int,
        issue_date: date,
        lines: Iterable[NewBillLine],
        *,
        currency_code: str | None = None,
        bill_number: str | None = None,
        due_offset_days: int = 0,
        language: str = "en",
        created_at: datetime | None = None,
    ) -> Bill:
        """Create a bill from a vendor; ``created_at`` back-dates it (seed history)."""
        with self.lock:
            vendor = self._usable_vendor(vendorid)
            currency = currency_code or vendor.currency_code
            numbered = self._number_lines(lines, currency)
            moment = created_at or next_update(None)
            bill = Bill(
                id=self._bills.next_id(),
                vendorid=vendor.vendorid,
                issue_date=issue_date,
                currency_code=currency,
                lines=numbered,
                created_at=moment,
                updated_at=moment,
                bill_number=bill_number,
                due_offset_days=due_offset_days,
                language=language,
            )
            self._bills.insert(bill.id, bill)
            self._state.notify("bill.create", bill.id)
            return bill

    def update_bill(
        self,
        billid: int,
        changes: Mapping[str, Any],
        *,
        lines: Iterable[NewBillLine] | None = None,
    ) -> Bill:
        """Change bill fields; ``lines``, when given, replace every line."""
        check_writable(changes, BILL_FIELDS, "bill")
        with self.lock:
            bill = self._bills[billid]
            if "vendorid" in changes:
                self._usable_vendor(changes["vendorid"])
            code = changes.get("currency_code", bill.currency_code)
            if code != bill.currency_code:
                raise PurchaseRefused(
                    1004,
                    "currency_code",
                    "bill",
                    code,
                    f"The currency of bill {bill.id} ({bill.currency_code}) cannot be changed.",
                )
            numbered = self._number_lines(lines, code) if lines is not None else None
            for name, value in changes.items():
                setattr(bill, name, value)
            if numbered is not None:
                bill.lines = numbered
            bill.updated_at = next_update(bill.updated_at)
            self._state.notify("bill.update", bill.id)
            return bill

    def set_bill_vis_state(self, billid: int, vis_state: int) -> Bill:
        with self.lock:
            bill = self._bills[billid]
            bill.vis_state = vis_state
            bill.updated_at = next_update(bill.updated_at)
            self._state.notify(change_event("bill", {"vis_state": vis_state}), bill.id)
            return bill

    # -- bill payments -----------------------------------------------------------------------

    def add_bill_payment(
        self,
        billid: int,
        amount: Decimal,
        paid_date: date,
        *,
        payment_type: str = "Check",
        note: str | None = None,
        currency_code: str | None = None,
        recorded_at: datetime | None = None,
    ) -> BillPayment:
        """Pay (part of) a bill in its currency; see the module notes for what is refused.

        ``recorded_at`` back-dates the bill's change (seed history).
        """
        with self.lock:
            bill = self._payable_bill(billid)
            if currency_code is not None and currency_code != bill.currency_code:
                raise PurchaseRefused(
                    1004,
                    "amount",
                    "bill_payment",
                    currency_code,
                    f"The payment is in {currency_code} but bill {bill.id} is in "
                    f"{bill.currency_code}.",
                )
            _check_payment_type(payment_type)
            self._check_amount(bill, amount, already_paid=bill.paid)
            payment = BillPayment(
                id=self._bill_payments.next_id(),
                billid=bill.id,
                amount=amount,
                currency_code=bill.currency_code,
                paid_date=paid_date,
                payment_type=payment_type,
                note=note,
            )
            self._bill_payments.insert(payment.id, payment)
            self._settle(bill, recorded_at)
            return payment

    def update_bill_payment(self, bill_payment_id: int, changes: Mapping[str, Any]) -> BillPayment:
        """Change a bill payment (``vis_state`` 1 deletes it); its bill's balances follow."""
        check_writable(changes, BILL_PAYMENT_FIELDS | {"vis_state"}, "bill payment")
        with self.lock:
            payment = self._bill_payments[bill_payment_id]
            bill = self._bills[payment.billid]
            if "payment_type" in changes:
                _check_payment_type(changes["payment_type"])
            if changes.get("vis_state", payment.vis_state) == ACTIVE:
                others = bill.paid - (payment.amount if payment.vis_state == ACTIVE else 0)
                self._check_amount(bill, changes.get("amount", payment.amount), others)
            for name, value in changes.items():
                setattr(payment, name, value)
            self._settle(bill)
            return payment

    # -- rules -------------------------------------------------------------------------------

    def _usable_vendor(self, vendorid: int) -> BillVendor:
        return _live(self._vendors, vendorid, "vendorid", "bill", "Bill vendor")

    def _payable_bill(self, billid: int) -> Bill:
        return _live(self._bills, billid, "billid", "bill_payment", "Bill")

    def _check_amount(self, bill: Bill, amount: Decimal, already_paid: Decimal) -> None:
        if amount <= 0:
            raise PurchaseRefused(
                1004, "amount", "bill_payment", amount, "amount must be greater than zero."
            )
        owed = bill.total_amount - already_paid
        if amount > owed:
            raise PurchaseRefused(
                1004,
                "amount",
                "bill_payment",
                amount,
                f"amount {amount} is more than the {max(owed, Decimal(0)):.2f} "
                f"{bill.currency_code} bill {bill.id} still owes.",
            )

    def _number_lines(self, lines: Iterable[NewBillLine], currency: str) -> list[BillLine]:
        numbered = []
        for index, line in enumerate(lines, start=1):
            if line.currency_code not in (None, currency):
                raise PurchaseRefused(
                    1004,
                    "unit_cost",
                    "line",
                    line.currency_code,
                    f"Line {index} is in {line.currency_code} but the bill is in {currency}.",
                )
            category = self._categories.get(line.categoryid)
            if category is None or category.vis_state == DELETED:
                raise PurchaseRefused(
                    1004,
                    "categoryid",
                    "line",
                    line.categoryid,
                    f"Line {index}: expense category {line.categoryid} does not exist.",
                )
            numbered.append(BillLine.numbered(line, index, category.category))
        if not numbered:
            raise PurchaseRefused(1001, "lines", "bill", None, "A bill needs at least one line.")
        return numbered

    def _active_payments(self, billid: int) -> list[BillPayment]:
        return [
            payment
            for payment in self._bill_payments.all()
            if payment.billid == billid and payment.vis_state == ACTIVE
        ]

    def _settle(self, bill: Bill, recorded_at: datetime | None = None) -> None:
        """Recompute ``paid`` from the active bill payments and announce the bill's change.

        FreshBooks has no bill-payment event: a payment shows as an update of its bill.
        """
        bill.paid = sum((p.amount for p in self._active_payments(bill.id)), Decimal(0))
        bill.updated_at = (
            max(bill.updated_at, recorded_at) if recorded_at else next_update(bill.updated_at)
        )
        self._state.notify("bill.update", bill.id)


def _check_payment_type(payment_type: str) -> None:
    if payment_type not in PAYMENT_TYPES:
        raise PurchaseRefused(
            1004,
            "payment_type",
            "bill_payment",
            payment_type,
            f"payment_type must be one of: {', '.join(sorted(PAYMENT_TYPES))}; "
            f"got {payment_type!r}.",
        )


def _live(table: Table[Live], record_id: int, field: str, obj: str, label: str) -> Live:
    """The record a write refers to (``field`` of ``obj``), refused if missing or deleted."""
    record = table.get(record_id)
    if record is None:
        raise PurchaseRefused(1004, field, obj, record_id, f"{label} {record_id} does not exist.")
    if record.vis_state == DELETED:
        raise PurchaseRefused(1011, field, obj, record_id, f"{label} {record_id} is deleted.")
    return record
