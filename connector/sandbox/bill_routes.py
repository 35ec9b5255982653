"""``/accounting/account/{account_id}/bills/bills[/{id}]``: list, get, create, update.

Bills always carry their ``lines`` and their ``vendor``, on lists and single gets alike (the
sample in freshbooks-api.md section 7 shows them without any ``include[]``), so an
``include[]=lines`` is accepted and changes nothing. List filters are the ones FreshBooks honours
for bills: ``vendorid``, ``statuses[]``, ``currency_code``, ``ids[]`` (and ``vis_state``); any
other search key is ignored, including date ranges. A PUT applies only its highest phase
(``ext_vis_state`` over ``vis_state`` over data, see ``vis_state``); deleting is
``PUT {"bill": {"vis_state": 1}}``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.routing import Route

from connector.sandbox.listing import TEXT, Equals, Filter, OneOf
from connector.sandbox.purchase_records import Bill
from connector.sandbox.purchases import NewBillLine
from connector.sandbox.resource_routes import Resource, resource_routes
from connector.sandbox.state import SandboxState
from connector.sandbox.validation import BodyReader
from connector.sandbox.vis_state import apply_update

PATH = "/accounting/account/{account_id}/bills/bills"

FILTERS: list[Filter] = [
    OneOf("ids", lambda b: b.id),
    Equals("vendorid", lambda b: b.vendorid),
    OneOf("statuses", lambda b: b.status, TEXT),
    Equals("currency_code", lambda b: b.currency_code, TEXT),
    Equals("vis_state", lambda b: b.vis_state),
]


def bill_routes(state: SandboxState) -> list[Route]:
    purchases = state.purchases
    bills = Resource(
        PATH,
        "bill",
        "bills",
        "id",
        records=lambda: purchases.bills,
        lookup=purchases.bill,
        render=lambda bill, _: purchases.bill_json(bill),
        filters=FILTERS,
    )

    def create(reader: BodyReader) -> Bill:
        for name in ("vendorid", "issue_date", "lines"):
            reader.required(name)
        return purchases.add_bill(
            reader.integer("vendorid"),
            reader.day("issue_date"),
            _read_lines(reader),
            currency_code=reader.text("currency_code") or None,
            **_bill_settings(reader),
        )

    def update(bill: Bill, reader: BodyReader) -> Bill:
        return apply_update(
            reader,
            bill,
            vis_state=lambda vis_state: purchases.set_bill_vis_state(bill.id, vis_state),
            data=lambda: purchases.update_bill(
                bill.id,
                _data_changes(reader),
                lines=_read_lines(reader) if reader.has("lines") else None,
            ),
        )

    return resource_routes(state, bills, create=create, update=update)


def _bill_settings(reader: BodyReader) -> dict[str, Any]:
    """The optional bill fields a create or an update may carry."""
    settings: dict[str, Any] = {}
    if reader.body.get("due_offset_days") is not None:
        settings["due_offset_days"] = reader.day_count("due_offset_days")
    if reader.has("bill_number"):
        settings["bill_number"] = reader.text("bill_number") or None
    if reader.body.get("language"):
        settings["language"] = reader.text("language")
    return settings


def _data_changes(reader: BodyReader) -> dict[str, Any]:
    changes = _bill_settings(reader)
    if reader.has("vendorid"):
        changes["vendorid"] = reader.integer("vendorid")
    if reader.has("issue_date"):
        changes["issue_date"] = reader.day("issue_date")
    if reader.body.get("currency_code"):
        changes["currency_code"] = reader.text("currency_code")
    return changes


def _read_lines(reader: BodyReader) -> list[NewBillLine]:
    raw = reader.body.get("lines")
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise reader.fail(1004, "lines", "lines must be a list of line objects.")
    return [_read_line(BodyReader(item, "line")) for item in raw]


def _read_line(line: BodyReader) -> NewBillLine:
    line.required("categoryid")
    unit_cost, code = line.amount("unit_cost") if line.has("unit_cost") else (Decimal(0), None)
    return NewBillLine(
        categoryid=line.integer("categoryid"),
        quantity=line.number("quantity") if line.body.get("quantity") is not None else Decimal(1),
        unit_cost=unit_cost,
        currency_code=code,
        description=line.text("description"),
        tax_name1=line.text("tax_name1") or None,
        tax_percent1=_percent(line, "tax_percent1"),
        tax_name2=line.text("tax_name2") or None,
        tax_percent2=_percent(line, "tax_percent2"),
        tax_authorityid1=_optional_text(line, "tax_authorityid1"),
        tax_authorityid2=_optional_text(line, "tax_authorityid2"),
    )


def _percent(line: BodyReader, name: str) -> Decimal | None:
    return None if line.body.get(name) is None else line.percent(name)


def _optional_text(line: BodyReader, name: str) -> str | None:
    """Tax authority ids are strings in NODE ``BillLines.ts``; numbers are taken as their text."""
    value = line.body.get(name)
    return None if value is None else str(value)
