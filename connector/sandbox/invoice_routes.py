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
    OneOf,
    paginate,
    parse_includes,
    parse_list_query,
    select,
    updated_range,
)
from connector.sandbox.records import ACTIVE, Client, Invoice
from connector.sandbox.state import NewLine, SandboxState
from connector.sandbox.validation import BodyReader
from connector.sandbox.vis_state import UpdatePhase, check_ext_vis_state, update_phase
from connector.sandbox.wire import (
    check_accounting_access,
    many,
    read_object,
    record_in_path,
    single,
)

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
    def find(request: Request) -> Invoice:
        return record_in_path(request, state.invoice, "invoice", "invoiceid")

    async def list_invoices(request: Request) -> Response:
        check_accounting_access(request, state)
        query = parse_list_query(request.query_params, state.behaviour)
        with_lines = "lines" in query.includes
        with state.lock:
            chosen = select(state.invoices, FILTERS, query)
            if query.sort in SORTS:
                chosen.sort(key=lambda i: (i.create_date, i.id), reverse=SORTS[query.sort])
            page, meta = paginate(chosen, query)
            return many("invoices", [i.to_json(include_lines=with_lines) for i in page], meta)

    async def get_invoice(request: Request) -> Response:
        check_accounting_access(request, state)
        with_lines = "lines" in parse_includes(request.query_params)
        with state.lock:
            return single("invoice", find(request).to_json(include_lines=with_lines))

    async def create_invoice(request: Request) -> Response:
        check_accounting_access(request, state)
        reader = BodyReader(await read_object(request, "invoice"), "invoice")
        _refuse_due_date(reader)
        with state.lock:
            client = _client(state, reader, _present(reader, "customerid"))
            currency = reader.text("currency_code") or client.currency_code
            invoice = state.add_invoice(
                client.id,
                reader.day(_present(reader, "create_date")),
                _read_lines(reader, currency),
                currency_code=currency,
                **_invoice_settings(reader),
            )
            return single("invoice", invoice.to_json(include_lines=True))

    async def update_invoice(request: Request) -> Response:
        check_accounting_access(request, state)
        reader = BodyReader(await read_object(request, "invoice"), "invoice")
        with state.lock:
            invoice = find(request)
            phase = update_phase(reader.body, SEND_ACTIONS)
            if phase is UpdatePhase.EXT_VIS_STATE:
                check_ext_vis_state(reader)
            elif phase is UpdatePhase.VIS_STATE:
                invoice = state.set_invoice_vis_state(invoice.id, reader.vis_state())
            elif phase is UpdatePhase.ACTION:
                invoice = state.mark_invoice_sent(invoice.id)
            else:
                _refuse_due_date(reader)
                invoice = state.update_invoice(
                    invoice.id,
                    _data_changes(state, reader, invoice),
                    lines=_read_lines(reader, invoice.currency_code)
                    if reader.has("lines")
                    else None,
                )
            return single("invoice", invoice.to_json(include_lines=True))

    async def delete_invoice(request: Request) -> Response:
        check_accounting_access(request, state)
        with state.lock:
            invoice = state.set_invoice_vis_state(find(request).id, 1)
            return single("invoice", invoice.to_json(include_lines=False))

    return [
        Route(PATH, list_invoices, methods=["GET"]),
        Route(PATH, create_invoice, methods=["POST"]),
        Route(PATH + "/{id}", get_invoice, methods=["GET"]),
        Route(PATH + "/{id}", update_invoice, methods=["PUT"]),
        Route(PATH + "/{id}", delete_invoice, methods=["DELETE"]),
    ]


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
        days = reader.integer("due_offset_days")
        if days < 0:
            raise reader.fail(1004, "due_offset_days", "due_offset_days must not be negative.")
        settings["due_offset_days"] = days
    if reader.body.get("discount_value") is not None:
        discount = reader.number("discount_value")
        if not 0 <= discount <= 100:
            raise reader.fail(1018, "discount_value", "discount_value is a percentage, 0 to 100.")
        settings["discount_value"] = discount
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
