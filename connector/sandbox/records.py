"""The sandbox's records and how each one looks on the wire, field for field as FreshBooks sends it.

Derived values (totals, statuses) are computed from the stored facts so they can never
disagree with the lines and payments they come from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from connector.freshbooks.vocabulary import PAYMENT_TYPES as FRESHBOOKS_PAYMENT_TYPES
from connector.sandbox.clock import format_timestamp, format_utc_timestamp
from connector.sandbox.money import cents, money, plain_number

ACTIVE, DELETED, ARCHIVED = 0, 1, 2

PAYMENT_TYPES = frozenset(FRESHBOOKS_PAYMENT_TYPES)


@dataclass
class Business:
    """The one business the sandbox's single user owns."""

    account_id: str
    business_id: int
    business_uuid: str
    name: str
    identity_id: int
    identity_uuid: str
    first_name: str
    last_name: str
    email: str
    created_at: datetime


@dataclass
class Client:
    id: int
    account_id: str
    organization: str
    fname: str
    lname: str
    email: str
    currency_code: str
    signup_date: datetime
    updated: datetime
    language: str = "en"
    p_street: str = ""
    p_street2: str = ""
    p_city: str = ""
    p_province: str = ""
    p_code: str = ""
    p_country: str = ""
    bus_phone: str = ""
    mob_phone: str = ""
    note: str | None = None
    vat_name: str | None = None
    vat_number: str | None = None
    vis_state: int = ACTIVE

    def to_json(self, outstanding: Decimal | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "userid": self.id,
            "accounting_systemid": self.account_id,
            "organization": self.organization,
            "fname": self.fname,
            "lname": self.lname,
            "email": self.email,
            "currency_code": self.currency_code,
            "language": self.language,
            "p_street": self.p_street,
            "p_street2": self.p_street2,
            "p_city": self.p_city,
            "p_province": self.p_province,
            "p_code": self.p_code,
            "p_country": self.p_country,
            "bus_phone": self.bus_phone,
            "mob_phone": self.mob_phone,
            "note": self.note,
            "vat_name": self.vat_name,
            "vat_number": self.vat_number,
            "signup_date": format_utc_timestamp(self.signup_date),
            "updated": format_timestamp(self.updated),
            "vis_state": self.vis_state,
        }
        if outstanding is not None:
            body["outstanding_balance"] = [{"amount": money(outstanding, self.currency_code)}]
        return body


@dataclass
class Line:
    lineid: int
    name: str
    qty: Decimal
    unit_cost: Decimal
    updated: datetime
    description: str = ""
    type: int = 0
    tax_name1: str | None = None
    tax_amount1: Decimal = Decimal(0)
    tax_name2: str | None = None
    tax_amount2: Decimal = Decimal(0)
    expenseid: int = 0

    @property
    def amount(self) -> Decimal:
        return cents(self.qty * self.unit_cost)

    def tax(self, discount_rate: Decimal) -> Decimal:
        """Line taxes are percentages applied after the invoice's discount."""
        taxable = self.amount * (1 - discount_rate)
        return taxable * (self.tax_amount1 + self.tax_amount2) / 100

    def to_json(self, invoiceid: int, currency: str) -> dict[str, Any]:
        return {
            "lineid": self.lineid,
            "invoiceid": invoiceid,
            "type": self.type,
            "name": self.name,
            "description": self.description,
            "qty": plain_number(self.qty),
            "unit_cost": money(self.unit_cost, currency),
            "amount": money(self.amount, currency),
            "taxName1": self.tax_name1,
            "taxAmount1": plain_number(self.tax_amount1),
            "taxName2": self.tax_name2,
            "taxAmount2": plain_number(self.tax_amount2),
            "expenseid": self.expenseid,
            "compounded_tax": False,
            "updated": format_timestamp(self.updated),
        }


@dataclass
class Invoice:
    id: int
    account_id: str
    invoice_number: str
    customerid: int
    organization: str
    fname: str
    lname: str
    create_date: date
    currency_code: str
    lines: list[Line]
    created_at: datetime
    updated: datetime
    due_offset_days: int = 30
    discount_value: Decimal = Decimal(0)
    notes: str = ""
    terms: str = ""
    po_number: str | None = None
    sent: bool = False
    paid: Decimal = Decimal(0)
    date_paid: date | None = None
    vis_state: int = ACTIVE

    @property
    def due_date(self) -> date:
        return self.create_date + timedelta(days=self.due_offset_days)

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def discount_total(self) -> Decimal:
        return cents(self.subtotal * self.discount_value / 100)

    @property
    def amount(self) -> Decimal:
        rate = self.discount_value / 100
        taxes = sum((line.tax(rate) for line in self.lines), Decimal(0))
        return cents(self.subtotal - self.discount_total + taxes)

    @property
    def outstanding(self) -> Decimal:
        return max(self.amount - self.paid, Decimal(0))

    @property
    def payment_status(self) -> str:
        if self.paid <= 0:
            return "unpaid"
        return "paid" if self.outstanding == 0 else "partial"

    def statuses(self) -> dict[str, Any]:
        """``status``, ``v3_status``, ``payment_status`` and ``display_status``, consistent."""
        payment_status = self.payment_status
        display = "sent" if self.sent else "draft"
        if payment_status == "paid":
            status, v3 = 4, "paid"
        elif payment_status == "partial":
            status, v3 = 2, "partial"
        elif self.sent:
            status, v3 = 2, "sent"
        else:
            status, v3 = 1, "draft"
        return {
            "status": status,
            "v3_status": v3,
            "payment_status": payment_status,
            "display_status": display,
        }

    def to_json(self, *, include_lines: bool) -> dict[str, Any]:
        code = self.currency_code
        body: dict[str, Any] = {
            "id": self.id,
            "invoiceid": self.id,
            "accountid": self.account_id,
            "accounting_systemid": self.account_id,
            "invoice_number": self.invoice_number,
            "customerid": self.customerid,
            "organization": self.organization,
            "fname": self.fname,
            "lname": self.lname,
            "create_date": self.create_date.isoformat(),
            "due_offset_days": self.due_offset_days,
            "due_date": self.due_date.isoformat(),
            "currency_code": code,
            **self.statuses(),
            "amount": money(self.amount, code),
            "paid": money(self.paid, code),
            "outstanding": money(self.outstanding, code),
            "discount_value": plain_number(self.discount_value),
            "discount_total": money(self.discount_total, code),
            "date_paid": self.date_paid.isoformat() if self.date_paid else None,
            "notes": self.notes,
            "terms": self.terms,
            "po_number": self.po_number,
            "created_at": format_timestamp(self.created_at),
            "updated": format_timestamp(self.updated),
            "vis_state": self.vis_state,
        }
        if include_lines:
            body["lines"] = [line.to_json(self.id, code) for line in self.lines]
        return body


@dataclass
class Payment:
    id: int
    account_id: str
    invoiceid: int
    clientid: int
    amount: Decimal
    currency_code: str
    date: date
    type: str
    updated: datetime
    note: str = ""
    overpaymentid: int | None = None
    orderid: int | None = None
    transactionid: int | None = None
    vis_state: int = ACTIVE

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "logid": self.id,
            "invoiceid": self.invoiceid,
            "clientid": self.clientid,
            "accounting_systemid": self.account_id,
            "amount": money(self.amount, self.currency_code),
            "date": self.date.isoformat(),
            "type": self.type,
            "note": self.note,
            "creditid": None,
            "overpaymentid": self.overpaymentid,
            "orderid": self.orderid,
            "transactionid": self.transactionid,
            "gateway": None,
            "from_credit": False,
            "bulk_paymentid": None,
            "send_client_notification": False,
            "updated": format_timestamp(self.updated),
            "vis_state": self.vis_state,
        }
