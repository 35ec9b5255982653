"""The sandbox's data: one business, its clients, invoices and payments, behind one lock.

Route handlers (on the server's thread) and tests or the demo (on theirs) change the same
records, so every public method takes the lock; the HTTP layer validates the wire format and
calls these methods with typed values.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from connector.sandbox.behaviour import Behaviour
from connector.sandbox.clock import next_update, now_eastern
from connector.sandbox.errors import SandboxDataError
from connector.sandbox.ledger import LedgerState
from connector.sandbox.purchases import PurchasesState
from connector.sandbox.records import (
    ACTIVE,
    DELETED,
    Business,
    Client,
    Invoice,
    Line,
    Payment,
)
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

T = TypeVar("T")


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
        self._clients: dict[int, Client] = {}
        self._invoices: dict[int, Invoice] = {}
        self._payments: dict[int, Payment] = {}
        self._next_client = 51001
        self._next_invoice = 880001
        self._next_payment = 60001
        self._next_credit = 7001
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
        with self.lock:
            return list(self._clients.values())

    @property
    def invoices(self) -> list[Invoice]:
        with self.lock:
            return list(self._invoices.values())

    @property
    def payments(self) -> list[Payment]:
        with self.lock:
            return list(self._payments.values())

    def client(self, client_id: int) -> Client:
        with self.lock:
            return _lookup(self._clients, client_id, "client")

    def invoice(self, invoice_id: int) -> Invoice:
        with self.lock:
            return _lookup(self._invoices, invoice_id, "invoice")

    def payment(self, payment_id: int) -> Payment:
        with self.lock:
            return _lookup(self._payments, payment_id, "payment")

    def client_outstanding(self, client_id: int) -> Decimal:
        with self.lock:
            return sum(
                (
                    invoice.outstanding
                    for invoice in self._invoices.values()
                    if invoice.customerid == client_id and invoice.vis_state == ACTIVE
                ),
                Decimal(0),
            )

    # -- clients -----------------------------------------------------------------------------

    def add_client(self, *, signup_date: datetime | None = None, **fields: Any) -> Client:
        """Create a client; ``fields`` are the writable client fields (``organization``, ...)."""
        _check_fields(fields, CLIENT_FIELDS, "client")
        with self.lock:
            moment = signup_date or now_eastern()
            client = Client(
                id=self._next_client,
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
            self._next_client += 1
            self._clients[client.id] = client
            self.notify("client.create", client.id)
            return client

    def update_client(self, client_id: int, changes: Mapping[str, Any]) -> Client:
        _check_fields(changes, CLIENT_FIELDS | {"vis_state"}, "client")
        with self.lock:
            client = _lookup(self._clients, client_id, "client")
            for name, value in changes.items():
                setattr(client, name, value)
            client.updated = next_update(client.updated)
            self.notify(_change("client", changes), client.id)
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
            client = _lookup(self._clients, customerid, "client")
            moment = created_at or next_update(None)
            number = self._next_invoice - 880000
            invoice = Invoice(
                id=self._next_invoice,
                account_id=self.business.account_id,
                invoice_number=f"{number:07d}",
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
            self._next_invoice += 1
            self._invoices[invoice.id] = invoice
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
        _check_fields(changes, INVOICE_FIELDS, "invoice")
        with self.lock:
            invoice = _lookup(self._invoices, invoice_id, "invoice")
            if "customerid" in changes:
                client = _lookup(self._clients, changes["customerid"], "client")
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
            self.notify(_change("invoice", changes), invoice.id)
            return invoice

    def touch_invoice(self, invoice_id: int) -> Invoice:
        """Move ``updated`` as an edit in FreshBooks' UI would, so incremental syncs see it."""
        with self.lock:
            invoice = _lookup(self._invoices, invoice_id, "invoice")
            invoice.updated = next_update(invoice.updated)
            self.notify("invoice.update", invoice.id)
            return invoice

    def mark_invoice_sent(self, invoice_id: int) -> Invoice:
        with self.lock:
            invoice = _lookup(self._invoices, invoice_id, "invoice")
            invoice.sent = True
            invoice.updated = next_update(invoice.updated)
            self.notify("invoice.update", invoice.id)
            return invoice

    def set_invoice_vis_state(self, invoice_id: int, vis_state: int) -> Invoice:
        with self.lock:
            invoice = _lookup(self._invoices, invoice_id, "invoice")
            invoice.vis_state = vis_state
            invoice.updated = next_update(invoice.updated)
            self.notify(_change("invoice", {"vis_state": vis_state}), invoice.id)
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
            invoice = _lookup(self._invoices, invoiceid, "invoice")
            owed = invoice.outstanding
            moment = recorded_at or next_update(None)
            payment = Payment(
                id=self._next_payment,
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
                payment.overpaymentid = self._next_credit
                self._next_credit += 1
            self._next_payment += 1
            self._payments[payment.id] = payment
            invoice.updated = (
                max(invoice.updated, recorded_at) if recorded_at else next_update(invoice.updated)
            )
            self._settle(invoice)
            self.notify("payment.create", payment.id)
            self.notify("invoice.update", invoice.id)
            return payment

    def update_payment(self, payment_id: int, changes: Mapping[str, Any]) -> Payment:
        """Change a payment (``vis_state`` 1 deletes it); its invoice's balances follow."""
        _check_fields(changes, PAYMENT_FIELDS | {"vis_state"}, "payment")
        with self.lock:
            payment = _lookup(self._payments, payment_id, "payment")
            for name, value in changes.items():
                setattr(payment, name, value)
            payment.updated = next_update(payment.updated)
            invoice = self._invoices[payment.invoiceid]
            invoice.updated = next_update(invoice.updated)
            self._settle(invoice)
            self.notify(_change("payment", changes), payment.id)
            self.notify("invoice.update", invoice.id)
            return payment

    def _settle(self, invoice: Invoice) -> None:
        """Recompute what was paid on an invoice from its active payments."""
        active = sorted(
            (
                p
                for p in self._payments.values()
                if p.invoiceid == invoice.id and p.vis_state == ACTIVE
            ),
            key=lambda p: (p.date, p.id),
        )
        total = sum((p.amount for p in active), Decimal(0))
        invoice.paid = min(total, invoice.amount)
        fully_paid = active and invoice.outstanding == 0
        invoice.date_paid = active[-1].date if fully_paid else None


def _change(kind: str, changes: Mapping[str, Any]) -> str:
    """``delete`` when the change moves the record to the deleted state, else ``update``."""
    return f"{kind}.delete" if changes.get("vis_state") == DELETED else f"{kind}.update"


def _lookup(table: dict[int, T], record_id: int, kind: str) -> T:
    try:
        return table[record_id]
    except KeyError:
        raise SandboxDataError(
            f"the sandbox has no {kind} with id {record_id}",
            hint=f"list sb.state.{kind}s for the ids it holds",
        ) from None


def _check_fields(fields: Mapping[str, Any], allowed: frozenset[str], kind: str) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise SandboxDataError(
            f"{kind} has no writable field(s) {', '.join(unknown)}",
            hint=f"writable {kind} fields: {', '.join(sorted(allowed))}",
        )


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
