"""The sandbox's data: one business, its clients, invoices and payments, behind one lock.

Route handlers (on the server's thread) and tests or the demo (on theirs) change the same
records, so every public method takes the lock; the HTTP layer validates the wire format and
calls these methods with typed values.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from connector.sandbox.behaviour import Behaviour
from connector.sandbox.clock import next_update, now_eastern
from connector.sandbox.ledger import LedgerState
from connector.sandbox.purchases import PurchasesState
from connector.sandbox.records import (
    ACTIVE,
    Business,
    Client,
    Invoice,
    Line,
    Payment,
)
from connector.sandbox.tables import Table, change_event, check_writable
from connector.sandbox.tokens import TokenStore

CLIENT_FIELDS = frozenset(
    {
        "organization",
        "fname",
        "lname",
        "email",
        "currency_code",
        "language",
        "p_street",
        "p_street2",
        "p_city",
        "p_province",
        "p_code",
        "p_country",
        "bus_phone",
        "mob_phone",
        "note",
        "vat_name",
        "vat_number",
    }
)
INVOICE_FIELDS = frozenset(
    {
        "customerid",
        "create_date",
        "currency_code",
        "due_offset_days",
        "discount_value",
        "notes",
        "terms",
        "po_number",
    }
)
PAYMENT_FIELDS = frozenset({"amount", "date", "type", "note", "orderid", "transactionid"})


@dataclass(frozen=True)
class NewLine:
    """An invoice line as a caller describes it; the sandbox assigns ``lineid`` and ``updated``."""

    name: str
    qty: Decimal
    unit_cost: Decimal
    description: str = ""
    tax_name1: str | None = None
    tax_amount1: Decimal = Decimal(0)
    tax_name2: str | None = None
    tax_amount2: Decimal = Decimal(0)
    type: int = 0
    expenseid: int = 0


class SandboxState:
    """Everything the sandbox API serves; ids start at realistic-looking offsets."""

    def __init__(self, business: Business, behaviour: Behaviour | None = None) -> None:
        self.business = business
        self.behaviour = behaviour or Behaviour()
        self.tokens = TokenStore(self.behaviour)
        self.lock = threading.RLock()
        self._clients: Table[Client] = Table(self.lock, "client", "clients", 51001)
        self._invoices: Table[Invoice] = Table(self.lock, "invoice", "invoices", 880001)
        self._payments: Table[Payment] = Table(self.lock, "payment", "payments", 60001)
        self._credit_ids = itertools.count(7001)
        self._listeners: list[Callable[[str, int], None]] = []
        self.purchases = PurchasesState(self)
        self.ledger = LedgerState(self)

    @classmethod
    def new(cls, behaviour: Behaviour | None = None) -> SandboxState:
        """A state for the sandbox's fixed demo business."""
        business = Business(
            account_id="SBX7Q2",
            business_id=7654321,
            business_uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, "ml-connector-sandbox-business")),
            name="Harbour Lane Trading Co.",
            identity_id=1122334,
            identity_uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, "ml-connector-sandbox-identity")),
            first_name="Morgan",
            last_name="Ellis",
            email="morgan@harbourlane.example",
            created_at=datetime(2023, 1, 9, 10, 30, 0),
        )
        return cls(business, behaviour)

    # -- change notifications ----------------------------------------------------------------

    def subscribe(self, listener: Callable[[str, int], None]) -> None:
        """Call ``listener(event, object_id)`` after every change, as FreshBooks' event system does.

        The webhook side of the sandbox listens here; listeners must not block (they run under
        the state lock, on whichever thread made the change).
        """
        with self.lock:
            self._listeners.append(listener)

    def notify(self, event: str, object_id: int) -> None:
        """Announce ``<object>.create|update|delete`` for one record."""
        with self.lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(event, object_id)

    # -- read access -------------------------------------------------------------------------

    @property
    def clients(self) -> list[Client]:
        return self._clients.all()

    @property
    def invoices(self) -> list[Invoice]:
        return self._invoices.all()

    @property
    def payments(self) -> list[Payment]:
        return self._payments.all()

    def client(self, client_id: int) -> Client:
        return self._clients[client_id]

    def invoice(self, invoice_id: int) -> Invoice:
        return self._invoices[invoice_id]

    def payment(self, payment_id: int) -> Payment:
        return self._payments[payment_id]

    def client_outstanding(self, client_id: int) -> Decimal:
        with self.lock:
            return sum(
                (
                    invoice.outstanding
                    for invoice in self._invoices.all()
                    if invoice.customerid == client_id and invoice.vis_state == ACTIVE
                ),
                Decimal(0),
            )

    # -- clients -----------------------------------------------------------------------------

    def add_client(self, *, signup_date: datetime | None = None, **fields: Any) -> Client:
        """Create a client; ``fields`` are the writable client fields (``organization``, ...)."""
        check_writable(fields, CLIENT_FIELDS, "client")
        with self.lock:
            moment = signup_date or now_eastern()
            client = Client(
                id=self._clients.next_id(),
                account_id=self.business.account_id,
                organization=fields.pop("organization", ""),
                fname=fields.pop("fname", ""),
                lname=fields.pop("lname", ""),
                email=fields.pop("email", ""),
                currency_code=fields.pop("currency_code", "USD"),
                signup_date=moment,
                updated=moment if signup_date else next_update(None),
                **fields,
            )
            self._clients.insert(client.id, client)
            self.notify("client.create", client.id)
            return client

    def update_client(self, client_id: int, changes: Mapping[str, Any]) -> Client:
        check_writable(changes, CLIENT_FIELDS | {"vis_state"}, "client")
        with self.lock:
            client = self._clients[client_id]
            for name, value in changes.items():
                setattr(client, name, value)
            client.updated = next_update(client.updated)
            self.notify(change_event("client", changes), client.id)
            return client

    # -- invoices ----------------------------------------------------------------------------

    def add_invoice(
        self,
        customerid: int,
        create_date: date,
        lines: Iterable[NewLine],
        *,
        currency_code: str | None = None,
        due_offset_days: int = 30,
        discount_value: Decimal = Decimal(0),
        notes: str = "",
        terms: str = "",
        po_number: str | None = None,
        sent: bool = False,
        created_at: datetime | None = None,
    ) -> Invoice:
        """Create an invoice for a client; ``created_at`` back-dates it (seed history)."""
        with self.lock:
            client = self._clients[customerid]
            moment = created_at or next_update(None)
            invoice_id = self._invoices.next_id()
            invoice = Invoice(
                id=invoice_id,
                account_id=self.business.account_id,
                invoice_number=f"{invoice_id - 880000:07d}",
                customerid=client.id,
                organization=client.organization,
                fname=client.fname,
                lname=client.lname,
                create_date=create_date,
                currency_code=currency_code or client.currency_code,
                lines=_number_lines(lines, moment),
                created_at=moment,
                updated=moment,
                due_offset_days=due_offset_days,
                discount_value=discount_value,
                notes=notes,
                terms=terms,
                po_number=po_number,
                sent=sent,
            )
            self._invoices.insert(invoice.id, invoice)
            self.notify("invoice.create", invoice.id)
            return invoice

    def update_invoice(
        self,
        invoice_id: int,
        changes: Mapping[str, Any],
        *,
        lines: Iterable[NewLine] | None = None,
    ) -> Invoice:
        """Change invoice fields; ``lines``, when given, replace every line."""
        check_writable(changes, INVOICE_FIELDS, "invoice")
        with self.lock:
            invoice = self._invoices[invoice_id]
            if "customerid" in changes:
                client = self._clients[changes["customerid"]]
                invoice.organization, invoice.fname, invoice.lname = (
                    client.organization,
                    client.fname,
                    client.lname,
                )
            for name, value in changes.items():
                setattr(invoice, name, value)
            invoice.updated = next_update(invoice.updated)
            if lines is not None:
                invoice.lines = _number_lines(lines, invoice.updated)
            self._settle(invoice)
            self.notify(change_event("invoice", changes), invoice.id)
            return invoice

    def touch_invoice(self, invoice_id: int) -> Invoice:
        """Move ``updated`` as an edit in FreshBooks' UI would, so incremental syncs see it."""
        with self.lock:
            invoice = self._invoices[invoice_id]
            invoice.updated = next_update(invoice.updated)
            self.notify("invoice.update", invoice.id)
            return invoice

    def mark_invoice_sent(self, invoice_id: int) -> Invoice:
        with self.lock:
            invoice = self._invoices[invoice_id]
            invoice.sent = True
            invoice.updated = next_update(invoice.updated)
            self.notify("invoice.update", invoice.id)
            return invoice

    def set_invoice_vis_state(self, invoice_id: int, vis_state: int) -> Invoice:
        with self.lock:
            invoice = self._invoices[invoice_id]
            invoice.vis_state = vis_state
            invoice.updated = next_update(invoice.updated)
            self.notify(change_event("invoice", {"vis_state": vis_state}), invoice.id)
            return invoice

    # -- payments ----------------------------------------------------------------------------

    def add_payment(
        self,
        invoiceid: int,
        amount: Decimal,
        paid_on: date,
        *,
        type: str = "Check",
        note: str = "",
        orderid: int | None = None,
        transactionid: int | None = None,
        recorded_at: datetime | None = None,
    ) -> Payment:
        """Record a payment in the invoice's currency; paying more than is owed opens a credit.

        ``recorded_at`` back-dates the payment and the invoice change (seed history).
        """
        with self.lock:
            invoice = self._invoices[invoiceid]
            owed = invoice.outstanding
            moment = recorded_at or next_update(None)
            payment = Payment(
                id=self._payments.next_id(),
                account_id=self.business.account_id,
                invoiceid=invoice.id,
                clientid=invoice.customerid,
                amount=amount,
                currency_code=invoice.currency_code,
                date=paid_on,
                type=type,
                updated=moment,
                note=note,
                orderid=orderid,
                transactionid=transactionid,
            )
            if amount > owed:
                payment.overpaymentid = next(self._credit_ids)
            self._payments.insert(payment.id, payment)
            invoice.updated = (
                max(invoice.updated, recorded_at) if recorded_at else next_update(invoice.updated)
            )
            self._settle(invoice)
            self.notify("payment.create", payment.id)
            self.notify("invoice.update", invoice.id)
            return payment

    def update_payment(self, payment_id: int, changes: Mapping[str, Any]) -> Payment:
        """Change a payment (``vis_state`` 1 deletes it); its invoice's balances follow."""
        check_writable(changes, PAYMENT_FIELDS | {"vis_state"}, "payment")
        with self.lock:
            payment = self._payments[payment_id]
            for name, value in changes.items():
                setattr(payment, name, value)
            payment.updated = next_update(payment.updated)
            invoice = self._invoices[payment.invoiceid]
            invoice.updated = next_update(invoice.updated)
            self._settle(invoice)
            self.notify(change_event("payment", changes), payment.id)
            self.notify("invoice.update", invoice.id)
            return payment

    def _settle(self, invoice: Invoice) -> None:
        """Recompute what was paid on an invoice from its active payments."""
        active = sorted(
            (
                p
                for p in self._payments.all()
                if p.invoiceid == invoice.id and p.vis_state == ACTIVE
            ),
            key=lambda p: (p.date, p.id),
        )
        total = sum((p.amount for p in active), Decimal(0))
        invoice.paid = min(total, invoice.amount)
        fully_paid = active and invoice.outstanding == 0
        invoice.date_paid = active[-1].date if fully_paid else None


def _number_lines(lines: Iterable[NewLine], moment: datetime) -> list[Line]:
    return [
        Line(
            lineid=index,
            name=line.name,
            qty=line.qty,
            unit_cost=line.unit_cost,
            updated=moment,
            description=line.description,
            type=line.type,
            tax_name1=line.tax_name1,
            tax_amount1=line.tax_amount1,
            tax_name2=line.tax_name2,
            tax_amount2=line.tax_amount2,
            expenseid=line.expenseid,
        )
        for index, line in enumerate(lines, start=1)
    ]
