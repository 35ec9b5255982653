"""Bill payments, ``/accounting/account/{account_id}/bill_payments/bill_payments[/{id}]``.

List, get, create and update. A bill payment takes its bill's currency and moves that bill's
``paid``, ``outstanding`` and ``status``; deleting one (``PUT {"bill_payment": {"vis_state":
1}}``) moves them back. FreshBooks has no working list filters for bill payments
(freshbooks-api.md section 2), so every search key but ``vis_state`` is ignored: a ``billid``
filter returns all bill payments.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from connector.sandbox.listing import Equals, Filter
from connector.sandbox.purchase_records import BillPayment
from connector.sandbox.resource_routes import Resource, resource_routes
from connector.sandbox.state import SandboxState
from connector.sandbox.validation import BodyReader
from connector.sandbox.vis_state import apply_update

PATH = "/accounting/account/{account_id}/bill_payments/bill_payments"

FILTERS: list[Filter] = [Equals("vis_state", lambda p: p.vis_state)]


def bill_payment_routes(state: SandboxState) -> list[Route]:
    purchases = state.purchases
    bill_payments = Resource(
        PATH,
        "bill_payment",
        "bill_payments",
        "id",
        records=lambda: purchases.bill_payments,
        lookup=purchases.bill_payment,
        render=lambda payment, _: payment.to_json(),
        filters=FILTERS,
    )

    def create(reader: BodyReader) -> BillPayment:
        for name in ("billid", "amount", "paid_date"):
            reader.required(name)
        amount, code = reader.amount("amount")
        return purchases.add_bill_payment(
            reader.integer("billid"),
            amount,
            reader.day("paid_date"),
            payment_type=reader.text("payment_type") or "Check",
            note=reader.text("note") or None,
            currency_code=code,
        )

    def update(payment: BillPayment, reader: BodyReader) -> BillPayment:
        def change(changes: dict[str, Any]) -> BillPayment:
            return purchases.update_bill_payment(payment.id, changes)

        return apply_update(
            reader,
            payment,
            vis_state=lambda vis_state: change({"vis_state": vis_state}),
            data=lambda: change(_changes(reader, payment)),
        )

    return resource_routes(state, bill_payments, create=create, update=update)


def _changes(reader: BodyReader, payment: BillPayment) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if reader.has("amount"):
        amount, code = reader.amount("amount")
        if code is not None and code != payment.currency_code:
            raise reader.fail(
                1004,
                "amount",
                f"The payment is in {code} but its bill is in {payment.currency_code}.",
            )
        changes["amount"] = amount
    if reader.has("paid_date"):
        changes["paid_date"] = reader.day("paid_date")
    if reader.has("payment_type"):
        changes["payment_type"] = reader.text("payment_type")
    if reader.has("note"):
        changes["note"] = reader.text("note") or None
    return changes
