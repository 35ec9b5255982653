"""Bill payments, ``/accounting/account/{account_id}/bill_payments/bill_payments[/{id}]``.

List, get, create and update. A bill payment takes its bill's currency and moves that bill's
``paid``, ``outstanding`` and ``status``; deleting one (``PUT {"bill_payment": {"vis_state":
1}}``) moves them back. FreshBooks has no working list filters for bill payments
(freshbooks-api.md section 2), so every search key but ``vis_state`` is ignored: a ``billid``
filter returns all bill payments.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connector.sandbox.listing import Equals, Filter, paginate, parse_list_query, select
from connector.sandbox.purchase_records import BillPayment
from connector.sandbox.state import SandboxState
from connector.sandbox.validation import BodyReader
from connector.sandbox.wire import (
    check_accounting_access,
    many,
    read_object,
    record_in_path,
    single,
)

PATH = "/accounting/account/{account_id}/bill_payments/bill_payments"

FILTERS: list[Filter] = [Equals("vis_state", lambda p: p.vis_state)]


def bill_payment_routes(state: SandboxState) -> list[Route]:
    purchases = state.purchases

    def find(request: Request) -> BillPayment:
        return record_in_path(request, purchases.bill_payment, "bill_payment", "id")

    async def list_bill_payments(request: Request) -> Response:
        check_accounting_access(request, state)
        query = parse_list_query(request.query_params, state.behaviour)
        with state.lock:
            page, meta = paginate(select(purchases.bill_payments, FILTERS, query), query)
            return many("bill_payments", [p.to_json() for p in page], meta)

    async def get_bill_payment(request: Request) -> Response:
        check_accounting_access(request, state)
        with state.lock:
            return single("bill_payment", find(request).to_json())

    async def create_bill_payment(request: Request) -> Response:
        check_accounting_access(request, state)
        reader = BodyReader(await read_object(request, "bill_payment"), "bill_payment")
        for name in ("billid", "amount", "paid_date"):
            reader.required(name)
        amount, code = reader.amount("amount")
        payment = purchases.add_bill_payment(
            reader.integer("billid"),
            amount,
            reader.day("paid_date"),
            payment_type=reader.text("payment_type") or "Check",
            note=reader.text("note") or None,
            currency_code=code,
        )
        return single("bill_payment", payment.to_json())

    async def update_bill_payment(request: Request) -> Response:
        check_accounting_access(request, state)
        reader = BodyReader(await read_object(request, "bill_payment"), "bill_payment")
        with state.lock:
            payment = find(request)
            if reader.has("vis_state"):
                changes: dict[str, Any] = {"vis_state": reader.vis_state()}
            else:
                changes = _changes(reader, payment)
            payment = purchases.update_bill_payment(payment.id, changes)
            return single("bill_payment", payment.to_json())

    return [
        Route(PATH, list_bill_payments, methods=["GET"]),
        Route(PATH, create_bill_payment, methods=["POST"]),
        Route(PATH + "/{id}", get_bill_payment, methods=["GET"]),
        Route(PATH + "/{id}", update_bill_payment, methods=["PUT"]),
    ]


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
