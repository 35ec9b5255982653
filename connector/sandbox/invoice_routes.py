"""``/accounting/account/{account_id}/invoices/invoices[/{id}]``: list, get, create, update, delete.

Lines appear only when ``include[]=lines`` asks for them, on lists and single gets alike, and
a PUT applies only its highest phase (``ext_vis_state`` over ``vis_state`` over actions over
data, see ``vis_state``), as FreshBooks does.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connector.sandbox.errors import SandboxDataError
from connector.sandbox.listing import (
    DAY,
    TEXT,
    AtLeast,
    AtMost,
    Equals,
    Filter,
    ListQuery,
    OneOf,
    updated_range,
)
from connector.sandbox.records import ACTIVE, DELETED, Client, Invoice
from connector.sandbox.resource_routes import Resource, resource_routes
from connector.sandbox.state import NewLine, SandboxState
from connector.sandbox.validation import BodyReader
from connector.sandbox.vis_state import apply_update
from connector.sandbox.wire import check_accounting_access, single

PATH = "/accounting/account/{account_id}/invoices/invoices"
SEND_ACTIONS = ("action_mark_as_sent", "action_email")
SORTS = {
    "invoice_date_asc": False,
    "invoice_date_desc": True,
}

FILTERS: list[Filter] = [
    Equals("invoiceid", lambda i: i.id),
    OneOf("invoiceids", lambda i: i.id),
    Equals("customerid", lambda i: i.customerid),
    OneOf("customerids", lambda i: i.customerid),
    Equals("invoice_number", lambda i: i.invoice_number, TEXT),
    Equals("v3_status", lambda i: i.statuses()["v3_status"], TEXT),
    Equals("vis_state", lambda i: i.vis_state),
    AtLeast("date_min", lambda i: i.create_date, DAY),
    AtMost("date_max", lambda i: i.create_date, DAY),
    *updated_range(lambda i: i.updated),
]


def invoice_routes(state: SandboxState) -> list[Route]:
    invoices = Resource(
        PATH,
        "invoice",
        "invoices",
        "invoiceid",
        records=lambda: state.invoices,
        lookup=state.invoice,
        render=lambda invoice, includes: invoice.to_json(include_lines="lines" in includes),
        filters=FILTERS,
        order=_order,
        written_includes=frozenset({"lines"}),
    )

    def create(reader: BodyReader) -> Invoice:
        _refuse_due_date(reader)
        client = _client(state, reader, _present(reader, "customerid"))
        currency = reader.text("currency_code") or client.currency_code
        return state.add_invoice(
            client.id,
            reader.day(_present(reader, "create_date")),
            _read_lines(reader, currency),
            currency_code=currency,
            **_invoice_settings(reader),
        )

    def update(invoice: Invoice, reader: BodyReader) -> Invoice:
        def change_data() -> Invoice:
            _refuse_due_date(reader)
            changes = _data_changes(state, reader, invoice)
            lines = _read_lines(reader, invoice.currency_code) if reader.has("lines") else None
            return state.update_invoice(invoice.id, changes, lines=lines)

        def mark_sent() -> Invoice:
            return state.mark_invoice_sent(invoice.id)

        return apply_update(
            reader,
            invoice,
            vis_state=lambda vis_state: state.set_invoice_vis_state(invoice.id, vis_state),
            data=change_data,
            actions=dict.fromkeys(SEND_ACTIONS, mark_sent),
        )

    async def delete_invoice(request: Request) -> Response:
        check_accounting_access(request, state)
        with state.lock:
            invoice = state.set_invoice_vis_state(invoices.find(request).id, DELETED)
            return single("invoice", invoice.to_json(include_lines=False))

    return [
        *resource_routes(state, invoices, create=create, update=update),
        Route(invoices.record_path, delete_invoice, methods=["DELETE"]),
    ]


def _order(invoices: list[Invoice], query: ListQuery) -> None:
    if query.sort in SORTS:
        invoices.sort(key=lambda i: (i.create_date, i.id), reverse=SORTS[query.sort])


def _present(reader: BodyReader, name: str) -> str:
    reader.required(name)
    return name


def _refuse_due_date(reader: BodyReader) -> None:
    if reader.has("due_date"):
        raise reader.fail(
            1038,
            "due_date",
            "Write access denied: due_date is computed from create_date and due_offset_days.",
            status=403,
        )


def _client(state: SandboxState, reader: BodyReader, name: str) -> Client:
    client_id = reader.integer(name)
    try:
        client = state.client(client_id)
    except SandboxDataError:
        raise reader.fail(1004, name, f"Client {client_id} does not exist.") from None
    if client.vis_state != ACTIVE:
        raise reader.fail(1011, name, f"Client {client_id} is deleted or archived.")
    return client


def _invoice_settings(reader: BodyReader) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    if reader.body.get("due_offset_days") is not None:
        settings["due_offset_days"] = reader.day_count("due_offset_days")
    if reader.body.get("discount_value") is not None:
        settings["discount_value"] = reader.percent("discount_value")
    for name in ("notes", "terms"):
        if reader.has(name):
            settings[name] = reader.text(name)
    if reader.has("po_number"):
        settings["po_number"] = reader.text("po_number") or None
    return settings


def _data_changes(state: SandboxState, reader: BodyReader, invoice: Invoice) -> dict[str, Any]:
    changes = _invoice_settings(reader)
    if reader.has("customerid"):
        changes["customerid"] = _client(state, reader, "customerid").id
    if reader.has("create_date"):
        changes["create_date"] = reader.day("create_date")
    if reader.has("currency_code") and reader.text("currency_code") != invoice.currency_code:
        raise reader.fail(
            1004, "currency_code", "The currency of an existing invoice cannot be changed."
        )
    return changes


def _read_lines(reader: BodyReader, currency: str) -> list[NewLine]:
    raw = reader.body.get("lines") or []
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise reader.fail(1004, "lines", "lines must be a list of line objects.")
    return [_read_line(BodyReader(item, "line"), currency) for item in raw]


def _read_line(line: BodyReader, currency: str) -> NewLine:
    unit_cost, code = line.amount("unit_cost") if line.has("unit_cost") else (Decimal(0), None)
    if code is not None and code != currency:
        raise line.fail(
            1004, "unit_cost", f"The line is in {code} but the invoice is in {currency}."
        )
    return NewLine(
        name=line.text("name"),
        description=line.text("description"),
        qty=line.number("qty") if line.has("qty") else Decimal(1),
        unit_cost=unit_cost,
        tax_name1=line.text("taxName1") or None,
        tax_amount1=line.number("taxAmount1") if line.body.get("taxAmount1") else Decimal(0),
        tax_name2=line.text("taxName2") or None,
        tax_amount2=line.number("taxAmount2") if line.body.get("taxAmount2") else Decimal(0),
        type=line.integer("type") if line.has("type") else 0,
        expenseid=line.optional_integer("expenseid") or 0,
    )
