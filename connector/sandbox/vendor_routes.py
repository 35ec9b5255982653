"""``/accounting/account/{account_id}/bill_vendors/bill_vendors[/{id}]``: list, get, create, update.

Vendors are identified by ``vendorid``. FreshBooks ignores name and email search keys on
vendors (freshbooks-api.md section 2), so the only filter honoured here is ``vis_state``; every
other key comes back unfiltered. Deleting is ``PUT {"bill_vendor": {"vis_state": 1}}``, and a
PUT carrying ``vis_state`` applies only that.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connector.sandbox.listing import Equals, Filter, paginate, parse_list_query, select
from connector.sandbox.purchase_records import BillVendor
from connector.sandbox.purchases import VENDOR_FIELDS
from connector.sandbox.state import SandboxState
from connector.sandbox.validation import BodyReader
from connector.sandbox.wire import (
    check_accounting_access,
    many,
    read_object,
    record_in_path,
    single,
)

PATH = "/accounting/account/{account_id}/bill_vendors/bill_vendors"
FLAGS = frozenset({"is_1099"})
NOT_NULL = frozenset({"vendor_name", "currency_code", "language"})

FILTERS: list[Filter] = [Equals("vis_state", lambda v: v.vis_state)]


def vendor_routes(state: SandboxState) -> list[Route]:
    purchases = state.purchases

    def find(request: Request) -> BillVendor:
        return record_in_path(request, purchases.vendor, "bill_vendor", "vendorid")

    async def list_vendors(request: Request) -> Response:
        check_accounting_access(request, state)
        query = parse_list_query(request.query_params, state.behaviour)
        with state.lock:
            page, meta = paginate(select(purchases.vendors, FILTERS, query), query)
            return many("bill_vendors", [purchases.vendor_json(v) for v in page], meta)

    async def get_vendor(request: Request) -> Response:
        check_accounting_access(request, state)
        with state.lock:
            return single("bill_vendor", purchases.vendor_json(find(request)))

    async def create_vendor(request: Request) -> Response:
        check_accounting_access(request, state)
        reader = BodyReader(await read_object(request, "bill_vendor"), "bill_vendor")
        reader.required("vendor_name")
        fields = _vendor_fields(reader)
        vendor = purchases.add_vendor(fields.pop("vendor_name"), **fields)
        with state.lock:
            return single("bill_vendor", purchases.vendor_json(vendor))

    async def update_vendor(request: Request) -> Response:
        check_accounting_access(request, state)
        reader = BodyReader(await read_object(request, "bill_vendor"), "bill_vendor")
        with state.lock:
            vendor = find(request)
            if reader.has("vis_state"):
                changes: dict[str, Any] = {"vis_state": reader.vis_state()}
            else:
                changes = _vendor_fields(reader)
            vendor = purchases.update_vendor(vendor.vendorid, changes)
            return single("bill_vendor", purchases.vendor_json(vendor))

    return [
        Route(PATH, list_vendors, methods=["GET"]),
        Route(PATH, create_vendor, methods=["POST"]),
        Route(PATH + "/{id}", get_vendor, methods=["GET"]),
        Route(PATH + "/{id}", update_vendor, methods=["PUT"]),
    ]


def _vendor_fields(reader: BodyReader) -> dict[str, Any]:
    """Writable fields present in the body; empty optional texts are stored as null."""
    fields: dict[str, Any] = {}
    for name in sorted(VENDOR_FIELDS):
        if not reader.has(name):
            continue
        if name in FLAGS:
            fields[name] = _flag(reader, name)
        elif name in NOT_NULL:
            text = reader.text(name)
            if text or name == "vendor_name":
                fields[name] = text
        else:
            fields[name] = reader.text(name) or None
    return fields


def _flag(reader: BodyReader, name: str) -> bool:
    value = reader.body[name]
    if not isinstance(value, bool):
        raise reader.fail(1031, name, f"{name} must be true or false.")
    return value
