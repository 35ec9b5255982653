"""``/accounting/account/{account_id}/payments/payments[/{id}]``: list, get, create, update.

A payment always takes its invoice's currency and moves that invoice's paid, outstanding and
status fields; deleting one (``vis_state: 1``) moves them back.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.routing import Route

from connector.sandbox.errors import SandboxDataError
from connector.sandbox.listing import (
    DAY,
    NUMBER,
    TEXT,
    AtLeast,
    AtMost,
    Equals,
    Filter,
    Like,
    OneOf,
    updated_range,
)
from connector.sandbox.records import ACTIVE, PAYMENT_TYPES, Invoice, Payment
from connector.sandbox.resource_routes import Resource, resource_routes
from connector.sandbox.state import SandboxState
from connector.sandbox.validation import BodyReader
from connector.sandbox.vis_state import apply_update

PATH = "/accounting/account/{account_id}/payments/payments"

FILTERS: list[Filter] = [
    Equals("logid", lambda p: p.id),
    OneOf("logids", lambda p: p.id),
    Equals("invoiceid", lambda p: p.invoiceid),
    Equals("customerid", lambda p: p.clientid),
    OneOf("customerids", lambda p: p.clientid),
    Equals("clientid", lambda p: p.clientid),
    OneOf("clientids", lambda p: p.clientid),
    Equals("type", lambda p: p.type, TEXT),
    Equals("currency", lambda p: p.currency_code, TEXT),
    Like("notes", lambda p: p.note),
    Equals("vis_state", lambda p: p.vis_state),
    AtLeast("date_min", lambda p: p.date, DAY),
    AtMost("date_max", lambda p: p.date, DAY),
    AtLeast("amount_min", lambda p: p.amount, NUMBER),
    AtMost("amount_max", lambda p: p.amount, NUMBER),
    *updated_range(lambda p: p.updated),
]


def payment_routes(state: SandboxState) -> list[Route]:
    payments = Resource(
        PATH,
        "payment",
        "payments",
        "logid",
        records=lambda: state.payments,
        lookup=state.payment,
        render=lambda payment, _: payment.to_json(),
        filters=FILTERS,
    )

    def create(reader: BodyReader) -> Payment:
        for name in ("invoiceid", "amount", "date"):
            reader.required(name)
        invoice = _invoice(state, reader)
        return state.add_payment(
            invoice.id,
            _amount(reader, invoice.currency_code),
            reader.day("date"),
            type=reader.choice("type", PAYMENT_TYPES) if reader.has("type") else "Check",
            note=reader.text("note"),
            orderid=reader.optional_integer("orderid"),
            transactionid=reader.optional_integer("transactionid"),
        )

    def update(payment: Payment, reader: BodyReader) -> Payment:
        return apply_update(
            reader,
            payment,
            vis_state=lambda vis_state: state.update_payment(payment.id, {"vis_state": vis_state}),
            data=lambda: state.update_payment(payment.id, _changes(reader, payment)),
        )

    return resource_routes(state, payments, create=create, update=update)


def _invoice(state: SandboxState, reader: BodyReader) -> Invoice:
    invoice_id = reader.integer("invoiceid")
    try:
        invoice = state.invoice(invoice_id)
    except SandboxDataError:
        raise reader.fail(1004, "invoiceid", f"Invoice {invoice_id} does not exist.") from None
    if invoice.vis_state != ACTIVE:
        raise reader.fail(1011, "invoiceid", f"Invoice {invoice_id} is deleted or archived.")
    return invoice


def _amount(reader: BodyReader, currency: str) -> Decimal:
    amount, code = reader.amount("amount")
    if amount <= 0:
        raise reader.fail(1004, "amount", "amount must be greater than zero.")
    if code is not None and code != currency:
        raise reader.fail(
            1004, "amount", f"The payment is in {code} but its invoice is in {currency}."
        )
    return amount


def _changes(reader: BodyReader, payment: Payment) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if reader.has("amount"):
        changes["amount"] = _amount(reader, payment.currency_code)
    if reader.has("date"):
        changes["date"] = reader.day("date")
    if reader.has("type"):
        changes["type"] = reader.choice("type", PAYMENT_TYPES)
    if reader.has("note"):
        changes["note"] = reader.text("note")
    for name in ("orderid", "transactionid"):
        if reader.has(name):
            changes[name] = reader.optional_integer(name)
    return changes
