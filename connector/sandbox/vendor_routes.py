"""``/accounting/account/{account_id}/bill_vendors/bill_vendors[/{id}]``: list, get, create, update.

Vendors are identified by ``vendorid``. FreshBooks ignores name and email search keys on
vendors (freshbooks-api.md section 2), so the only filter honoured here is ``vis_state``; every
other key comes back unfiltered. Deleting is ``PUT {"bill_vendor": {"vis_state": 1}}``; a PUT
applies only its highest phase (``ext_vis_state`` over ``vis_state`` over data).
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from connector.sandbox.listing import Equals, Filter
from connector.sandbox.purchase_records import BillVendor
from connector.sandbox.purchases import VENDOR_FIELDS
from connector.sandbox.resource_routes import Resource, resource_routes
from connector.sandbox.state import SandboxState
from connector.sandbox.validation import BodyReader
from connector.sandbox.vis_state import apply_update

PATH = "/accounting/account/{account_id}/bill_vendors/bill_vendors"
FLAGS = frozenset({"is_1099"})
NOT_NULL = frozenset({"vendor_name", "currency_code", "language"})

FILTERS: list[Filter] = [Equals("vis_state", lambda v: v.vis_state)]


def vendor_routes(state: SandboxState) -> list[Route]:
    purchases = state.purchases
    vendors = Resource(
        PATH,
        "bill_vendor",
        "bill_vendors",
        "vendorid",
        records=lambda: purchases.vendors,
        lookup=purchases.vendor,
        render=lambda vendor, _: purchases.vendor_json(vendor),
        filters=FILTERS,
    )

    def create(reader: BodyReader) -> BillVendor:
        reader.required("vendor_name")
        fields = _vendor_fields(reader)
        return purchases.add_vendor(fields.pop("vendor_name"), **fields)

    def update(vendor: BillVendor, reader: BodyReader) -> BillVendor:
        def change(changes: dict[str, Any]) -> BillVendor:
            return purchases.update_vendor(vendor.vendorid, changes)

        return apply_update(
            reader,
            vendor,
            vis_state=lambda vis_state: change({"vis_state": vis_state}),
            data=lambda: change(_vendor_fields(reader)),
        )

    return resource_routes(state, vendors, create=create, update=update)


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
