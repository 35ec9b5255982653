"""Bill vendors over HTTP: create, get, list, update, vis_state, balances, UTC times, events."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest

from connector.sandbox import Sandbox
from connector.sandbox.clock import EASTERN, TIMESTAMP_FORMAT
from connector.sandbox.errors import SandboxDataError
from connector.sandbox.purchase_records import BillVendor
from connector.sandbox.purchases import NewBillLine, PurchasesState
from tests.sandbox.envelopes import errno_of, errors_of, result

VENDOR = {
    "vendor_name": "Paper Co",
    "currency_code": "USD",
    "language": "en",
    "is_1099": False,
    "primary_contact_email": "ar@paperco.example",
    "primary_contact_first_name": "Sam",
    "primary_contact_last_name": "Lee",
    "phone": "5550100",
    "website": "paperco.example",
    "street": "9 Mill Rd",
    "street2": None,
    "city": "Albany",
    "province": "New York",
    "postal_code": "12207",
    "country": "United States",
    "account_number": "PC-77",
    "note": None,
}


@pytest.fixture
def vendor(purchases: PurchasesState) -> BillVendor:
    return purchases.add_vendor("Quillfeather Stationers", city="Hartford")


def vendors_path(accounting: str, tail: str = "") -> str:
    return f"{accounting}/bill_vendors/bill_vendors{tail}"


def test_create_returns_every_field_of_the_sample(api: httpx.Client, accounting: str) -> None:
    created = result(api.post(vendors_path(accounting), json={"bill_vendor": VENDOR}))
    body = created["bill_vendor"]
    assert {name: body[name] for name in VENDOR} == VENDOR
    assert isinstance(body["vendorid"], int)
    assert (body["tax_defaults"], body["outstanding_balance"], body["overdue_balance"]) == (
        [],
        [],
        [],
    )
    assert body["vis_state"] == 0
    fetched = result(api.get(vendors_path(accounting, f"/{body['vendorid']}")))["bill_vendor"]
    assert fetched == body


def test_create_defaults(api: httpx.Client, accounting: str) -> None:
    body = result(
        api.post(
            vendors_path(accounting),
            json={"bill_vendor": {"vendor_name": "Solo", "currency_code": "", "phone": ""}},
        )
    )["bill_vendor"]
    assert (body["currency_code"], body["language"], body["is_1099"], body["phone"]) == (
        "USD",
        "en",
        False,
        None,
    )


# (vendor, errno, field): every kind of bad vendor the sandbox refuses.
BAD_VENDORS = [
    ({"city": "Albany"}, 1001, "vendor_name"),
    ({"vendor_name": ""}, 1001, "vendor_name"),
    ({"vendor_name": "   "}, 1001, "vendor_name"),
    ({"vendor_name": 7}, 1004, "vendor_name"),
    ({"vendor_name": "X", "is_1099": "yes"}, 1031, "is_1099"),
    ({"vendor_name": "X", "city": ["Albany"]}, 1004, "city"),
]


def test_create_validation(api: httpx.Client, accounting: str) -> None:
    for vendor, errno, field in BAD_VENDORS:
        response = api.post(vendors_path(accounting), json={"bill_vendor": vendor})
        assert response.status_code == 422, (vendor, response.text)
        error = errors_of(response)[0]
        assert (error["errno"], error["field"], error["object"]) == (errno, field, "bill_vendor")


def test_update_changes_fields_and_moves_updated_at(
    api: httpx.Client, accounting: str, vendor: BillVendor
) -> None:
    path = vendors_path(accounting, f"/{vendor.vendorid}")
    before = result(api.get(path))["bill_vendor"]
    change = {"vendor_name": "Quillfeather Ltd", "is_1099": True, "city": "", "note": "net 30"}
    updated = result(api.put(path, json={"bill_vendor": change}))["bill_vendor"]
    assert (updated["vendor_name"], updated["is_1099"], updated["city"], updated["note"]) == (
        "Quillfeather Ltd",
        True,
        None,
        "net 30",
    )
    assert updated["updated_at"] > before["updated_at"]
    assert updated["created_at"] == before["created_at"]
    empty = api.put(path, json={"bill_vendor": {"vendor_name": ""}})
    assert (empty.status_code, errno_of(empty)) == (422, 1001)


def test_put_with_vis_state_drops_every_other_field(
    api: httpx.Client, accounting: str, vendor: BillVendor
) -> None:
    path = vendors_path(accounting, f"/{vendor.vendorid}")
    change = {"vis_state": 2, "vendor_name": "Renamed", "city": "Boston"}
    archived = result(api.put(path, json={"bill_vendor": change}))["bill_vendor"]
    assert (archived["vis_state"], archived["vendor_name"], archived["city"]) == (
        2,
        "Quillfeather Stationers",
        "Hartford",
    )


def listed_ids(api: httpx.Client, accounting: str, params: dict | None = None) -> list[int]:
    query = {"per_page": 100, **(params or {})}
    body = result(api.get(vendors_path(accounting), params=query))
    return [v["vendorid"] for v in body["bill_vendors"]]


def test_delete_and_archive(
    api: httpx.Client, accounting: str, purchases: PurchasesState, vendor: BillVendor
) -> None:
    path = vendors_path(accounting, f"/{vendor.vendorid}")
    result(api.put(path, json={"bill_vendor": {"vis_state": 2}}))
    assert vendor.vendorid in listed_ids(api, accounting)
    result(api.put(path, json={"bill_vendor": {"vis_state": 1}}))
    assert vendor.vendorid not in listed_ids(api, accounting)
    assert listed_ids(api, accounting, {"search[vis_state]": 1}) == [vendor.vendorid]
    assert result(api.get(path))["bill_vendor"]["vis_state"] == 1
    bad = api.put(path, json={"bill_vendor": {"vis_state": "gone"}})
    assert (bad.status_code, errno_of(bad)) == (422, 1015)


def test_list_ignores_name_and_email_keys_and_pages(
    api: httpx.Client, accounting: str, purchases: PurchasesState, vendor: BillVendor
) -> None:
    every = [v.vendorid for v in purchases.vendors]
    ignored = {"search[vendor_name]": "Quillfeather Stationers", "search[email]": "x@y.example"}
    assert listed_ids(api, accounting, ignored) == every
    first = result(api.get(vendors_path(accounting), params={"per_page": 2}))
    assert (first["pages"], first["total"], len(first["bill_vendors"])) == (
        -(-len(every) // 2),
        len(every),
        2,
    )
    second = result(api.get(vendors_path(accounting), params={"per_page": 2, "page": 2}))
    assert [v["vendorid"] for v in first["bill_vendors"] + second["bill_vendors"]] == every[:4]
    bad = api.get(vendors_path(accounting), params={"per_page": "many"})
    assert (bad.status_code, errno_of(bad)) == (400, 1013)


def test_balances_follow_the_vendors_bills(
    api: httpx.Client, accounting: str, purchases: PurchasesState, vendor: BillVendor
) -> None:
    category = purchases.categories[0].id
    line = [NewBillLine(categoryid=category, quantity=Decimal(1), unit_cost=Decimal(120))]
    overdue = purchases.add_bill(vendor.vendorid, date(2024, 1, 2), line)
    purchases.add_bill(vendor.vendorid, date(2999, 1, 2), line, currency_code="CAD")
    body = result(api.get(vendors_path(accounting, f"/{vendor.vendorid}")))["bill_vendor"]
    assert body["outstanding_balance"] == [
        {"amount": {"amount": "120.00", "code": "CAD"}},
        {"amount": {"amount": "120.00", "code": "USD"}},
    ]
    assert body["overdue_balance"] == [{"amount": {"amount": "120.00", "code": "USD"}}]
    purchases.set_bill_vis_state(overdue.id, 1)
    after = result(api.get(vendors_path(accounting, f"/{vendor.vendorid}")))["bill_vendor"]
    assert after["overdue_balance"] == []
    assert len(after["outstanding_balance"]) == 1


def test_timestamps_are_utc(api: httpx.Client, accounting: str, vendor: BillVendor) -> None:
    body = result(api.get(vendors_path(accounting, f"/{vendor.vendorid}")))["bill_vendor"]
    as_utc = datetime.strptime(body["created_at"], TIMESTAMP_FORMAT).replace(tzinfo=UTC)
    assert as_utc == vendor.created_at.replace(tzinfo=EASTERN)
    assert body["created_at"] != vendor.created_at.strftime(TIMESTAMP_FORMAT)


def test_unknown_vendor_is_404(api: httpx.Client, accounting: str) -> None:
    for response in (
        api.get(vendors_path(accounting, "/1")),
        api.put(vendors_path(accounting, "/1"), json={"bill_vendor": {"vendor_name": "X"}}),
    ):
        assert (response.status_code, errno_of(response)) == (404, 1012)
        assert errors_of(response)[0]["object"] == "bill_vendor"


def test_state_refuses_unknown_fields(purchases: PurchasesState, vendor: BillVendor) -> None:
    with pytest.raises(SandboxDataError, match="no writable field"):
        purchases.add_vendor("X", colour="red")
    with pytest.raises(SandboxDataError, match="no bill vendor with id 1"):
        purchases.update_vendor(1, {"city": "Boston"})


def test_changes_are_announced(sandbox: Sandbox, api: httpx.Client, accounting: str) -> None:
    events: list[tuple[str, int]] = []
    sandbox.state.subscribe(lambda name, object_id: events.append((name, object_id)))
    created = result(api.post(vendors_path(accounting), json={"bill_vendor": {"vendor_name": "N"}}))
    vendorid = created["bill_vendor"]["vendorid"]
    path = vendors_path(accounting, f"/{vendorid}")
    result(api.put(path, json={"bill_vendor": {"phone": "555"}}))
    result(api.put(path, json={"bill_vendor": {"vis_state": 2}}))
    result(api.put(path, json={"bill_vendor": {"vis_state": 1}}))
    assert events == [
        ("bill_vendor.create", vendorid),
        ("bill_vendor.update", vendorid),
        ("bill_vendor.update", vendorid),
        ("bill_vendor.delete", vendorid),
    ]
