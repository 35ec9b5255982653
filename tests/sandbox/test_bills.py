"""Bills, bill payments and expense categories over HTTP: shape, totals, rules, lists, events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from connector.sandbox import Sandbox
from connector.sandbox.clock import EASTERN, TIMESTAMP_FORMAT, now_eastern
from connector.sandbox.errors import SandboxDataError
from connector.sandbox.purchase_records import Bill, BillVendor
from connector.sandbox.purchases import NewBillLine, PurchasesState
from tests.sandbox.envelopes import errno_of, errors_of, result


@pytest.fixture
def vendor(purchases: PurchasesState) -> BillVendor:
    return purchases.add_vendor("Zephyr Office Supply", primary_contact_email="ar@zephyr.example")


@pytest.fixture
def supplies(purchases: PurchasesState) -> int:
    return next(c.id for c in purchases.categories if c.category == "Office Supplies")


@pytest.fixture
def bill(purchases: PurchasesState, vendor: BillVendor, supplies: int) -> Bill:
    """A USD bill for 250.00 issued today, due in 15 days, nothing paid."""
    return purchases.add_bill(
        vendor.vendorid,
        now_eastern().date(),
        [NewBillLine(categoryid=supplies, quantity=Decimal(5), unit_cost=Decimal(50))],
        bill_number="ZO-1001",
        due_offset_days=15,
    )


def paper_and_toner(category: int) -> list[dict]:
    return [
        {"categoryid": category, "description": "Paper", "quantity": 5, "unit_cost": "10.00"},
        {
            "categoryid": category,
            "description": "Toner",
            "quantity": "2",
            "unit_cost": {"amount": "100.00", "code": "USD"},
        },
    ]


def post_bill(api: httpx.Client, accounting: str, bill: dict) -> httpx.Response:
    return api.post(f"{accounting}/bills/bills", json={"bill": bill})


def post_one_line_bill(
    api: httpx.Client, accounting: str, vendorid: int, line: dict
) -> httpx.Response:
    """A bill issued 2024-05-03 with the one ``line``."""
    return post_bill(
        api, accounting, {"vendorid": vendorid, "issue_date": "2024-05-03", "lines": [line]}
    )


def fetch_bill(api: httpx.Client, accounting: str, bill_id: int) -> dict:
    return result(api.get(f"{accounting}/bills/bills/{bill_id}"))["bill"]


def pay(api: httpx.Client, accounting: str, payment: dict) -> httpx.Response:
    return api.post(f"{accounting}/bill_payments/bill_payments", json={"bill_payment": payment})


def test_create_returns_the_bill_with_lines_and_vendor(
    api: httpx.Client, accounting: str, vendor: BillVendor, supplies: int
) -> None:
    issued = now_eastern().date()
    created = result(
        post_bill(
            api,
            accounting,
            {
                "vendorid": vendor.vendorid,
                "issue_date": issued.isoformat(),
                "due_offset_days": 15,
                "bill_number": "INV-99812",
                "lines": paper_and_toner(supplies),
            },
        )
    )["bill"]
    assert created["vendorid"] == vendor.vendorid
    assert created["bill_number"] == "INV-99812"
    assert created["due_date"] == (issued + timedelta(days=15)).isoformat()
    assert (created["currency_code"], created["language"], created["status"]) == (
        "USD",
        "en",
        "unpaid",
    )
    usd = lambda amount: {"amount": amount, "code": "USD"}  # noqa: E731
    assert created["amount"] == created["total_amount"] == created["outstanding"] == usd("250.00")
    assert created["tax_amount"] == created["paid"] == usd("0.00")
    assert (created["overall_category"], created["overall_description"]) == (
        "Office Supplies",
        "Paper; Toner",
    )
    assert created["bill_payments"] == []
    first, second = created["lines"]
    assert (first["list_index"], first["category"], first["quantity"]) == (1, "Office Supplies", 5)
    assert first["amount"] == first["total_amount"] == usd("50.00")
    assert (second["list_index"], second["unit_cost"], second["amount"]) == (
        2,
        usd("100.00"),
        usd("200.00"),
    )
    assert created["vendor"]["vendor_name"] == "Zephyr Office Supply"
    assert created["vendor"]["outstanding_balance"] == [{"amount": usd("250.00")}]
    assert fetch_bill(api, accounting, created["id"]) == created


def test_line_taxes_are_percentages_of_the_line(
    api: httpx.Client, accounting: str, vendor: BillVendor, supplies: int
) -> None:
    line = {
        "categoryid": supplies,
        "quantity": 2.5,
        "unit_cost": "40.00",
        "tax_name1": "HST",
        "tax_percent1": "13",
        "tax_name2": "Eco",
        "tax_percent2": 2,
    }
    created = result(post_one_line_bill(api, accounting, vendor.vendorid, line))["bill"]
    (body,) = created["lines"]
    assert (body["quantity"], body["tax_percent1"], body["tax_percent2"]) == (2.5, 13, 2)
    assert (body["tax_amount1"]["amount"], body["tax_amount2"]["amount"]) == ("13.00", "2.00")
    assert body["total_amount"]["amount"] == "115.00"
    assert (created["amount"]["amount"], created["tax_amount"]["amount"]) == ("100.00", "15.00")
    assert created["total_amount"]["amount"] == "115.00"


def test_currency_defaults_to_the_vendors(
    api: httpx.Client, accounting: str, purchases: PurchasesState, supplies: int
) -> None:
    cad = purchases.add_vendor("Maple Parts", currency_code="CAD")
    line = {"categoryid": supplies, "unit_cost": "10"}
    created = result(post_one_line_bill(api, accounting, cad.vendorid, line))["bill"]
    assert (created["currency_code"], created["lines"][0]["amount"]["code"]) == ("CAD", "CAD")
    assert created["lines"][0]["quantity"] == 1


def bad_bills(category: int) -> list[tuple[dict, int, str]]:
    """(change to a valid bill, errno, field): every kind of bad bill the sandbox refuses."""
    return [
        ({"vendorid": None}, 1001, "vendorid"),
        ({"issue_date": None}, 1001, "issue_date"),
        ({"lines": None}, 1001, "lines"),
        ({"lines": []}, 1001, "lines"),
        ({"lines": "paper"}, 1004, "lines"),
        ({"vendorid": 1}, 1004, "vendorid"),
        ({"vendorid": "abc"}, 1015, "vendorid"),
        ({"issue_date": "3 May"}, 1033, "issue_date"),
        ({"due_offset_days": -1}, 1004, "due_offset_days"),
        ({"lines": [{"unit_cost": "5"}]}, 1001, "categoryid"),
        ({"lines": [{"categoryid": 1, "unit_cost": "5"}]}, 1004, "categoryid"),
        ({"lines": [{"categoryid": category, "unit_cost": "five"}]}, 1015, "unit_cost"),
        ({"lines": [{"categoryid": category, "quantity": "x"}]}, 1015, "quantity"),
        (
            {"lines": [{"categoryid": category, "unit_cost": {"amount": "5", "code": "EUR"}}]},
            1004,
            "unit_cost",
        ),
        ({"lines": [{"categoryid": category, "tax_percent1": "150"}]}, 1018, "tax_percent1"),
    ]


def test_create_validation(
    api: httpx.Client, accounting: str, vendor: BillVendor, supplies: int
) -> None:
    for change, errno, field in bad_bills(supplies):
        body = {
            "vendorid": vendor.vendorid,
            "issue_date": "2024-05-03",
            "lines": [{"categoryid": supplies, "unit_cost": "5"}],
            **change,
        }
        response = post_bill(api, accounting, body)
        assert response.status_code == 422, (change, response.text)
        error = errors_of(response)[0]
        assert (error["errno"], error["field"]) == (errno, field), change


def test_deleted_vendor_and_malformed_body_are_refused(
    api: httpx.Client, accounting: str, purchases: PurchasesState, vendor: BillVendor, supplies: int
) -> None:
    purchases.update_vendor(vendor.vendorid, {"vis_state": 1})
    line = {"categoryid": supplies, "unit_cost": "5"}
    gone = post_one_line_bill(api, accounting, vendor.vendorid, line)
    assert (gone.status_code, errno_of(gone)) == (422, 1011)
    not_json = api.post(f"{accounting}/bills/bills", content=b"{bill")
    assert (not_json.status_code, errno_of(not_json)) == (400, 1005)
    unwrapped = api.post(f"{accounting}/bills/bills", json={"vendorid": vendor.vendorid})
    assert (unwrapped.status_code, errno_of(unwrapped)) == (422, 1001)


def test_state_refuses_unknown_references_as_sandbox_data_errors(
    purchases: PurchasesState, vendor: BillVendor
) -> None:
    with pytest.raises(SandboxDataError, match="expense category 1 does not exist"):
        purchases.add_bill(
            vendor.vendorid, date(2024, 5, 3), [NewBillLine(1, Decimal(1), Decimal(1))]
        )
    with pytest.raises(SandboxDataError, match="no bill with id 1"):
        purchases.bill(1)
    with pytest.raises(SandboxDataError, match="no writable field"):
        purchases.update_bill(7701, {"status": "paid"})


def test_partial_then_full_payment_moves_totals_and_status(
    api: httpx.Client, accounting: str, bill: Bill
) -> None:
    before = fetch_bill(api, accounting, bill.id)["updated_at"]
    partial = result(
        pay(
            api,
            accounting,
            {
                "billid": bill.id,
                "amount": {"amount": "100.00"},
                "paid_date": "2024-05-10",
                "payment_type": "Bank Transfer",
                "note": "Remittance 4471",
            },
        )
    )["bill_payment"]
    assert partial["amount"] == {"amount": "100.00", "code": "USD"}
    assert (partial["billid"], partial["paid_date"], partial["payment_type"]) == (
        bill.id,
        "2024-05-10",
        "Bank Transfer",
    )
    assert (partial["note"], partial["vis_state"]) == ("Remittance 4471", 0)
    body = fetch_bill(api, accounting, bill.id)
    assert (body["status"], body["paid"]["amount"], body["outstanding"]["amount"]) == (
        "partial",
        "100.00",
        "150.00",
    )
    assert body["bill_payments"] == [partial]
    assert body["updated_at"] > before

    result(pay(api, accounting, {"billid": bill.id, "amount": "150", "paid_date": "2024-05-20"}))
    paid = fetch_bill(api, accounting, bill.id)
    assert (paid["status"], paid["outstanding"]["amount"]) == ("paid", "0.00")
    assert paid["bill_payments"][1]["payment_type"] == "Check"
    assert paid["vendor"]["outstanding_balance"] == []


def test_deleting_a_payment_gives_the_money_back(
    api: httpx.Client, accounting: str, bill: Bill
) -> None:
    payment = result(
        pay(api, accounting, {"billid": bill.id, "amount": "250", "paid_date": "2024-05-10"})
    )["bill_payment"]
    path = f"{accounting}/bill_payments/bill_payments/{payment['id']}"
    deleted = result(api.put(path, json={"bill_payment": {"vis_state": 1, "amount": "1"}}))
    assert deleted["bill_payment"]["vis_state"] == 1
    assert deleted["bill_payment"]["amount"]["amount"] == "250.00"
    back = fetch_bill(api, accounting, bill.id)
    assert (back["status"], back["outstanding"]["amount"], back["bill_payments"]) == (
        "unpaid",
        "250.00",
        [],
    )
    assert result(api.get(path))["bill_payment"]["vis_state"] == 1
    restored = api.put(path, json={"bill_payment": {"vis_state": 0}})
    assert (
        fetch_bill(api, accounting, result(restored)["bill_payment"]["billid"])["status"] == "paid"
    )


def test_update_a_payment(api: httpx.Client, accounting: str, bill: Bill) -> None:
    payment = result(
        pay(api, accounting, {"billid": bill.id, "amount": "50", "paid_date": "2024-05-10"})
    )["bill_payment"]
    path = f"{accounting}/bill_payments/bill_payments/{payment['id']}"
    changed = result(
        api.put(
            path,
            json={
                "bill_payment": {
                    "amount": {"amount": "250.00", "code": "USD"},
                    "paid_date": "2024-05-11",
                    "payment_type": "ACH",
                    "note": "corrected",
                }
            },
        )
    )["bill_payment"]
    assert (changed["amount"]["amount"], changed["paid_date"], changed["payment_type"]) == (
        "250.00",
        "2024-05-11",
        "ACH",
    )
    assert fetch_bill(api, accounting, bill.id)["status"] == "paid"
    for body, errno in (
        ({"amount": "250.01"}, 1004),
        ({"amount": {"amount": "5", "code": "CAD"}}, 1004),
        ({"payment_type": "Wire Transfer"}, 1004),
        ({"paid_date": "May"}, 1033),
    ):
        refused = api.put(path, json={"bill_payment": body})
        assert (refused.status_code, errno_of(refused)) == (422, errno), body


# (bill payment, errno, field); "BILL" stands for the test's bill id.
BAD_PAYMENTS = [
    ({"amount": "10", "paid_date": "2024-05-10"}, 1001, "billid"),
    ({"billid": "BILL", "paid_date": "2024-05-10"}, 1001, "amount"),
    ({"billid": "BILL", "amount": "10"}, 1001, "paid_date"),
    ({"billid": "BILL", "amount": "ten", "paid_date": "2024-05-10"}, 1015, "amount"),
    ({"billid": "BILL", "amount": "0", "paid_date": "2024-05-10"}, 1004, "amount"),
    ({"billid": "BILL", "amount": "250.01", "paid_date": "2024-05-10"}, 1004, "amount"),
    ({"billid": 1, "amount": "5", "paid_date": "2024-05-10"}, 1004, "billid"),
    ({"billid": "BILL", "amount": "5", "paid_date": "10 May"}, 1033, "paid_date"),
    (
        {"billid": "BILL", "amount": "5", "paid_date": "2024-05-10", "payment_type": "Stripe"},
        1004,
        "payment_type",
    ),
    (
        {"billid": "BILL", "amount": {"amount": "5", "code": "EUR"}, "paid_date": "2024-05-10"},
        1004,
        "amount",
    ),
    ({"billid": "BILL", "amount": "5", "paid_date": "2024-05-10", "note": 7}, 1004, "note"),
]


def test_payment_validation(api: httpx.Client, accounting: str, bill: Bill) -> None:
    for payment, errno, field in BAD_PAYMENTS:
        if payment.get("billid") == "BILL":
            payment = {**payment, "billid": bill.id}
        response = pay(api, accounting, payment)
        assert response.status_code == 422, (payment, response.text)
        error = errors_of(response)[0]
        expected = (errno, field, "bill_payment")
        assert (error["errno"], error["field"], error["object"]) == expected, payment


def test_deleted_bills_cannot_be_paid_but_archived_ones_can(
    api: httpx.Client, accounting: str, purchases: PurchasesState, bill: Bill
) -> None:
    purchases.set_bill_vis_state(bill.id, 2)
    archived = pay(api, accounting, {"billid": bill.id, "amount": "5", "paid_date": "2024-05-10"})
    assert archived.status_code == 200
    purchases.set_bill_vis_state(bill.id, 1)
    deleted = pay(api, accounting, {"billid": bill.id, "amount": "5", "paid_date": "2024-05-10"})
    assert (deleted.status_code, errno_of(deleted)) == (422, 1011)


def test_overdue_until_fully_paid(
    api: httpx.Client, accounting: str, purchases: PurchasesState, vendor: BillVendor, supplies: int
) -> None:
    old = purchases.add_bill(
        vendor.vendorid,
        date(2024, 1, 2),
        [NewBillLine(categoryid=supplies, quantity=Decimal(1), unit_cost=Decimal("80.00"))],
        due_offset_days=30,
    )
    assert fetch_bill(api, accounting, old.id)["status"] == "overdue"
    purchases.add_bill_payment(old.id, Decimal(30), date(2024, 3, 1))
    body = fetch_bill(api, accounting, old.id)
    assert body["status"] == "overdue"
    assert body["vendor"]["overdue_balance"] == [{"amount": {"amount": "50.00", "code": "USD"}}]
    purchases.add_bill_payment(old.id, Decimal(50), date(2024, 3, 2))
    assert fetch_bill(api, accounting, old.id)["status"] == "paid"


def test_seeded_bills_cover_every_status(purchases: PurchasesState) -> None:
    statuses = {bill.status for bill in purchases.bills}
    assert {"unpaid", "partial", "paid"} <= statuses
    assert {bill.currency_code for bill in purchases.bills} == {"USD", "CAD"}
    assert len(purchases.categories) >= 5 and len(purchases.vendors) >= 3


def list_ids(api: httpx.Client, accounting: str, params: dict | list) -> list[int]:
    query = [*(params.items() if isinstance(params, dict) else params), ("per_page", "100")]
    return [b["id"] for b in result(api.get(f"{accounting}/bills/bills", params=query))["bills"]]


def test_list_filters(
    api: httpx.Client, accounting: str, purchases: PurchasesState, bill: Bill, vendor: BillVendor
) -> None:
    everyone = [b.id for b in purchases.bills]
    assert list_ids(api, accounting, {}) == everyone
    assert list_ids(api, accounting, {"search[vendorid]": vendor.vendorid}) == [bill.id]
    wanted = everyone[:3]
    assert list_ids(api, accounting, [("search[ids][]", str(i)) for i in wanted]) == wanted
    partial = [b.id for b in purchases.bills if b.status == "partial"]
    paid = [b.id for b in purchases.bills if b.status == "paid"]
    by_status = [("search[statuses][]", "partial"), ("search[statuses][]", "paid")]
    assert sorted(list_ids(api, accounting, by_status)) == sorted(partial + paid)
    cad = [b.id for b in purchases.bills if b.currency_code == "CAD"]
    assert list_ids(api, accounting, {"search[currency_code]": "CAD"}) == cad
    bad = api.get(f"{accounting}/bills/bills", params={"search[vendorid]": "x"})
    assert (bad.status_code, errno_of(bad)) == (400, 1015)


def test_unknown_search_keys_and_includes_are_ignored(
    api: httpx.Client, accounting: str, purchases: PurchasesState, bill: Bill
) -> None:
    everyone = [b.id for b in purchases.bills]
    ignored = {
        "search[bill_number]": bill.bill_number,
        "search[updated_min]": "2999-01-01",
        "search[issue_date_min]": "2999-01-01",
        "include[]": "lines",
    }
    assert list_ids(api, accounting, ignored) == everyone
    listed = result(api.get(f"{accounting}/bills/bills", params={"per_page": 100}))["bills"]
    assert all(b["lines"] and b["vendor"]["vendorid"] == b["vendorid"] for b in listed)


def test_pagination(api: httpx.Client, accounting: str, purchases: PurchasesState) -> None:
    total = len(purchases.bills)
    first = result(api.get(f"{accounting}/bills/bills", params={"per_page": 3}))
    assert (first["page"], first["pages"], first["per_page"], first["total"]) == (
        1,
        -(-total // 3),
        3,
        total,
    )
    seen = [
        b["id"]
        for page in range(1, first["pages"] + 1)
        for b in result(api.get(f"{accounting}/bills/bills", params={"per_page": 3, "page": page}))[
            "bills"
        ]
    ]
    assert seen == [b.id for b in purchases.bills]
    past = result(api.get(f"{accounting}/bills/bills", params={"per_page": 3, "page": 99}))
    assert past["bills"] == []
    default = result(api.get(f"{accounting}/bills/bills"))
    assert default["per_page"] == 15


def test_delete_and_archive_with_vis_state(
    api: httpx.Client, accounting: str, purchases: PurchasesState, bill: Bill
) -> None:
    path = f"{accounting}/bills/bills/{bill.id}"
    archived = result(api.put(path, json={"bill": {"vis_state": 2}}))["bill"]
    assert archived["vis_state"] == 2
    assert bill.id in list_ids(api, accounting, {})
    deleted = result(api.put(path, json={"bill": {"vis_state": 1}}))["bill"]
    assert deleted["vis_state"] == 1
    assert bill.id not in list_ids(api, accounting, {})
    assert list_ids(api, accounting, {"search[vis_state]": 1}) == [bill.id]
    assert fetch_bill(api, accounting, bill.id)["vis_state"] == 1
    bad = api.put(path, json={"bill": {"vis_state": 3}})
    assert (bad.status_code, errno_of(bad)) == (422, 1004)
    assert api.delete(path).status_code == 405


def test_put_with_vis_state_drops_every_other_field(
    api: httpx.Client, accounting: str, bill: Bill, supplies: int
) -> None:
    body = {"vis_state": 2, "bill_number": "CHANGED", "lines": [{"categoryid": supplies}]}
    updated = result(api.put(f"{accounting}/bills/bills/{bill.id}", json={"bill": body}))["bill"]
    assert updated["vis_state"] == 2
    assert (updated["bill_number"], updated["total_amount"]["amount"]) == ("ZO-1001", "250.00")


def test_update_data_replaces_lines(
    api: httpx.Client, accounting: str, bill: Bill, supplies: int
) -> None:
    path = f"{accounting}/bills/bills/{bill.id}"
    before = fetch_bill(api, accounting, bill.id)
    lines = [{"categoryid": supplies, "description": "Pens", "quantity": 3, "unit_cost": "2.50"}]
    changed = {"bill_number": "ZO-1002", "due_offset_days": 30, "issue_date": "2024-06-01"}
    updated = result(api.put(path, json={"bill": {**changed, "lines": lines}}))["bill"]
    assert (updated["bill_number"], updated["due_date"]) == ("ZO-1002", "2024-07-01")
    assert [line["description"] for line in updated["lines"]] == ["Pens"]
    assert updated["total_amount"]["amount"] == "7.50"
    assert updated["updated_at"] > before["updated_at"]
    currency = api.put(path, json={"bill": {"currency_code": "CAD"}})
    assert (currency.status_code, errno_of(currency)) == (422, 1004)
    vendor = api.put(path, json={"bill": {"vendorid": 1}})
    assert (vendor.status_code, errno_of(vendor)) == (422, 1004)


def test_unknown_bill_is_404(api: httpx.Client, accounting: str) -> None:
    for response in (
        api.get(f"{accounting}/bills/bills/1"),
        api.get(f"{accounting}/bills/bills/abc"),
        api.put(f"{accounting}/bills/bills/1", json={"bill": {"vis_state": 1}}),
        api.get(f"{accounting}/bill_payments/bill_payments/1"),
    ):
        assert (response.status_code, errno_of(response)) == (404, 1012)


def test_timestamps_are_utc(
    api: httpx.Client, accounting: str, purchases: PurchasesState, bill: Bill
) -> None:
    body = fetch_bill(api, accounting, bill.id)
    stored = purchases.bill(bill.id)
    for wire, moment in (
        (body["created_at"], stored.created_at),
        (body["updated_at"], stored.updated_at),
    ):
        as_utc = datetime.strptime(wire, TIMESTAMP_FORMAT).replace(tzinfo=UTC)
        assert as_utc == moment.replace(tzinfo=EASTERN)
        assert wire != moment.strftime(TIMESTAMP_FORMAT)


def test_bill_payment_list_ignores_filters(
    api: httpx.Client, accounting: str, purchases: PurchasesState, bill: Bill
) -> None:
    mine = purchases.add_bill_payment(bill.id, Decimal(5), date(2024, 5, 10))
    every = [p.id for p in purchases.bill_payments]
    listed = result(
        api.get(
            f"{accounting}/bill_payments/bill_payments",
            params={"search[billid]": bill.id, "per_page": 100},
        )
    )
    assert [p["id"] for p in listed["bill_payments"]] == every
    assert mine.id in every and len(every) > 1
    purchases.update_bill_payment(mine.id, {"vis_state": 1})
    remaining = result(
        api.get(f"{accounting}/bill_payments/bill_payments", params={"per_page": 100})
    )
    assert mine.id not in [p["id"] for p in remaining["bill_payments"]]


def test_changes_are_announced(
    sandbox: Sandbox, api: httpx.Client, accounting: str, vendor: BillVendor, supplies: int
) -> None:
    events: list[tuple[str, int]] = []
    sandbox.state.subscribe(lambda name, object_id: events.append((name, object_id)))
    line = {"categoryid": supplies, "unit_cost": "40"}
    created = result(post_one_line_bill(api, accounting, vendor.vendorid, line))["bill"]
    path = f"{accounting}/bills/bills/{created['id']}"
    result(api.put(path, json={"bill": {"bill_number": "B-1"}}))
    payment = result(
        pay(api, accounting, {"billid": created["id"], "amount": "40", "paid_date": "2024-05-04"})
    )["bill_payment"]
    payment_path = f"{accounting}/bill_payments/bill_payments/{payment['id']}"
    result(api.put(payment_path, json={"bill_payment": {"vis_state": 1}}))
    result(api.put(path, json={"bill": {"vis_state": 2}}))
    result(api.put(path, json={"bill": {"vis_state": 1}}))
    refused = pay(
        api, accounting, {"billid": created["id"], "amount": "1", "paid_date": "2024-05-04"}
    )
    assert refused.status_code == 422
    bill_id = created["id"]
    assert events == [
        ("bill.create", bill_id),
        ("bill.update", bill_id),
        ("bill.update", bill_id),
        ("bill.update", bill_id),
        ("bill.update", bill_id),
        ("bill.delete", bill_id),
    ]


def test_expense_categories_are_read_only(
    api: httpx.Client, accounting: str, purchases: PurchasesState, supplies: int
) -> None:
    listed = result(api.get(f"{accounting}/expenses/categories", params={"per_page": 100}))
    assert [c["categoryid"] for c in listed["categories"]] == [c.id for c in purchases.categories]
    one = result(api.get(f"{accounting}/expenses/categories/{supplies}"))["category"]
    assert (one["id"], one["categoryid"], one["category"]) == (
        supplies,
        supplies,
        "Office Supplies",
    )
    assert {"parentid", "is_cogs", "is_editable", "created_at", "updated_at", "vis_state"} <= set(
        one
    )
    assert any(c["is_cogs"] for c in listed["categories"])
    missing = api.get(f"{accounting}/expenses/categories/1")
    assert (missing.status_code, errno_of(missing)) == (404, 1012)
    write = api.post(f"{accounting}/expenses/categories", json={"category": {"category": "X"}})
    assert write.status_code == 405
