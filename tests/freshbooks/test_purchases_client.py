"""Bills, bill vendors, bill payments and expense categories through the client, on the sandbox."""

import json
from datetime import date
from decimal import Decimal

import pytest

from connector.freshbooks import (
    FreshBooksClient,
    InvalidMoney,
    NotFound,
    ValidationFailed,
    WriteOutcomeUnknown,
)
from connector.freshbooks.purchases import AmbiguousBillNumber, VisStateWithOtherFields
from connector.sandbox.clock import now_eastern
from connector.sandbox.purchases import NewBillLine
from tests.freshbooks.conftest import RecordingTransport, requests_made, sandbox_config


@pytest.fixture
def purchases(sandbox):
    return sandbox.state.purchases


@pytest.fixture
def category(purchases):
    return next(c.id for c in purchases.categories if c.category == "Office Supplies")


@pytest.fixture
def vendor(purchases):
    return purchases.add_vendor("Zephyr Office Supply")


def add_bill(purchases, vendor, category, total="250.00", **kwargs):
    line = NewBillLine(categoryid=category, quantity=Decimal(1), unit_cost=Decimal(total))
    return purchases.add_bill(vendor.vendorid, now_eastern().date(), [line], **kwargs)


def test_create_bill_sends_freshbooks_shapes_and_returns_the_raw_bill(
    client, sandbox, purchases, category, events
):
    vendor = client.bill_vendors.create(vendor_name="Paper Co", primary_contact_email="a@p.example")
    bill = client.bills.create(
        vendor["vendorid"],
        date(2024, 5, 3),
        [
            {
                "categoryid": category,
                "description": "Paper",
                "quantity": 5,
                "unit_cost": Decimal(10),
            },
            {
                "categoryid": category,
                "description": "Toner",
                "quantity": Decimal("2.5"),
                "unit_cost": {"amount": "80.00", "code": "USD"},
                "tax_name1": "HST",
                "tax_percent1": Decimal("13.0"),
            },
        ],
        currency_code="USD",
        bill_number="INV-99812",
        due_offset_days=15,
    )
    assert (bill["bill_number"], bill["due_date"], bill["currency_code"]) == (
        "INV-99812",
        "2024-05-18",
        "USD",
    )
    assert [line["list_index"] for line in bill["lines"]] == [1, 2]
    assert bill["lines"][1]["quantity"] == 2.5
    assert bill["total_amount"] == {"amount": "276.00", "code": "USD"}
    assert bill["vendor"]["vendor_name"] == "Paper Co"
    assert client.bills.get(bill["id"]) == bill
    stored = purchases.bill(bill["id"])
    assert stored.lines[1].quantity == Decimal("2.5")
    assert stored.lines[1].tax_percent1 == Decimal(13)


def test_bill_request_body_carries_decimals_as_strings(sandbox, store, retry, vendor, category):
    transport = RecordingTransport([])
    with FreshBooksClient(
        sandbox_config(sandbox.info), store, transport=transport, retry=retry
    ) as fb:
        fb.bills.create(
            vendor.vendorid,
            date(2024, 5, 3),
            [{"categoryid": category, "quantity": Decimal("1.50"), "unit_cost": Decimal("3")}],
            currency_code="USD",
        )
    sent = json.loads(transport.bodies[-1])["bill"]
    assert sent == {
        "vendorid": vendor.vendorid,
        "issue_date": "2024-05-03",
        "currency_code": "USD",
        "lines": [
            {
                "categoryid": category,
                "quantity": "1.5",
                "unit_cost": {"amount": "3.00", "code": "USD"},
            }
        ],
    }
    line = sandbox.state.purchases.bills[-1].lines[0]
    assert (line.quantity, line.unit_cost) == (Decimal("1.5"), Decimal("3.00"))


def test_bill_with_fractions_of_a_cent_never_leaves(client, vendor, category, events):
    with pytest.raises(InvalidMoney):
        client.bills.create(
            vendor.vendorid,
            date(2024, 5, 3),
            [{"categoryid": category, "unit_cost": Decimal("1.005")}],
        )
    assert requests_made(events, "/bills/bills") == []


def test_bill_refusals_are_validation_failures(client, purchases, vendor, category):
    with pytest.raises(ValidationFailed) as missing:
        client.bills.create(vendor.vendorid, date(2024, 5, 3), [{"unit_cost": Decimal(5)}])
    assert (missing.value.errno, missing.value.field) == (1001, "categoryid")
    with pytest.raises(ValidationFailed) as unknown:
        client.bills.create(
            vendor.vendorid, date(2024, 5, 3), [{"categoryid": 1, "unit_cost": Decimal(5)}]
        )
    assert (unknown.value.errno, unknown.value.field) == (1004, "categoryid")
    with pytest.raises(ValidationFailed) as no_vendor:
        client.bills.create(1, date(2024, 5, 3), [{"categoryid": category}])
    assert no_vendor.value.field == "vendorid"
    with pytest.raises(NotFound):
        client.bills.get(1)
    assert len(purchases.bills) == 8  # the seeded ones only


def test_bills_page_by_page_with_lines_and_vendor(client, sandbox, purchases, events):
    expected = [b.id for b in purchases.bills]
    pages = list(client.bills.pages(per_page=3))
    assert [len(page) for page in pages] == [3, 3, 2]
    assert [b["id"] for page in pages for b in page] == expected
    assert all(b["lines"] and b["vendor"]["vendorid"] == b["vendorid"] for p in pages for b in p)
    assert len(requests_made(events, "/bills/bills")) == 3


def test_bills_by_ids_vendor_and_status(client, purchases, vendor, category):
    mine = [add_bill(purchases, vendor, category) for _ in range(3)]
    seeded = purchases.bills[:3]
    wanted = [seeded[0].id, mine[1].id, seeded[2].id]
    assert sorted(b["id"] for b in client.bills.iter(ids=wanted)) == sorted(wanted)
    assert [b["id"] for b in client.bills.iter(vendorid=vendor.vendorid)] == [b.id for b in mine]
    assert [b["id"] for b in client.bills.iter(ids=wanted, vendorid=vendor.vendorid)] == [
        mine[1].id
    ]
    paid = sorted(b.id for b in purchases.bills if b.status == "paid")
    assert sorted(b["id"] for b in client.bills.iter(statuses=["paid"])) == paid
    assert list(client.bills.pages(ids=[])) == []


def test_find_by_number_reads_every_bill_and_compares_here(client, purchases, vendor, category):
    other = purchases.add_vendor("Second Source")
    first = add_bill(purchases, vendor, category, bill_number="A-77")
    add_bill(purchases, vendor, category, bill_number="B-1")
    assert client.bills.find_by_number("A-77")["id"] == first.id
    assert client.bills.find_by_number("nope") is None
    twin = add_bill(purchases, other, category, bill_number="A-77")
    with pytest.raises(AmbiguousBillNumber) as caught:
        client.bills.find_by_number("A-77")
    assert str(first.id) in str(caught.value) and str(twin.id) in str(caught.value)
    assert client.bills.find_by_number("A-77", vendorid=other.vendorid)["id"] == twin.id
    purchases.set_bill_vis_state(twin.id, 1)
    assert client.bills.find_by_number("A-77")["id"] == first.id


def test_bill_payments_move_the_bill(client, purchases, vendor, category):
    bill = add_bill(purchases, vendor, category)
    partial = client.bill_payments.create(
        bill.id, Decimal("100"), date(2024, 5, 10), "Bank Transfer", note="Remittance 4471"
    )
    assert partial["amount"] == {"amount": "100.00", "code": "USD"}
    assert (partial["billid"], partial["paid_date"], partial["note"]) == (
        bill.id,
        "2024-05-10",
        "Remittance 4471",
    )
    fetched = client.bills.get(bill.id)
    assert (fetched["status"], fetched["outstanding"]["amount"]) == ("partial", "150.00")
    assert fetched["bill_payments"] == [partial]
    full = client.bill_payments.create(
        bill.id, Decimal("150.00"), date(2024, 5, 20), "Check", currency="USD"
    )
    assert client.bills.get(bill.id)["status"] == "paid"
    assert client.bill_payments.get(full["id"]) == full
    assert [p["id"] for p in client.bill_payments.iter(billid=bill.id)] == [
        partial["id"],
        full["id"],
    ]


def test_bill_payment_refusals(client, purchases, vendor, category, events):
    bill = add_bill(purchases, vendor, category, total="40.00")
    with pytest.raises(ValidationFailed) as over:
        client.bill_payments.create(bill.id, Decimal("40.01"), date(2024, 5, 10), "Cash")
    assert (over.value.errno, over.value.field) == (1004, "amount")
    with pytest.raises(ValidationFailed) as currency:
        client.bill_payments.create(bill.id, Decimal(5), date(2024, 5, 10), "Cash", currency="EUR")
    assert currency.value.field == "amount"
    with pytest.raises(ValidationFailed) as kind:
        client.bill_payments.create(bill.id, Decimal(5), date(2024, 5, 10), "Wire Transfer")
    assert kind.value.field == "payment_type"
    purchases.set_bill_vis_state(bill.id, 1)
    with pytest.raises(ValidationFailed) as deleted:
        client.bill_payments.create(bill.id, Decimal(5), date(2024, 5, 10), "Cash")
    assert (deleted.value.errno, deleted.value.field) == (1011, "billid")
    posted = len(requests_made(events, "/bill_payments"))
    with pytest.raises(InvalidMoney):
        client.bill_payments.create(bill.id, Decimal("0.001"), date(2024, 5, 10), "Cash")
    assert len(requests_made(events, "/bill_payments")) == posted
    assert [p for p in purchases.bill_payments if p.billid == bill.id] == []


def test_bill_payment_whose_answer_was_lost_is_not_retried(
    client, sandbox, purchases, vendor, category, sleeps, events
):
    bill = add_bill(purchases, vendor, category)
    sandbox.faults.add(
        method="POST", path_regex="/bill_payments/bill_payments", drop=True, after_handler=True
    )
    with pytest.raises(WriteOutcomeUnknown) as caught:
        client.bill_payments.create(bill.id, Decimal("12.5"), date(2024, 5, 10), "Cash")
    assert sleeps == []
    assert len(requests_made(events, "/bill_payments/bill_payments")) == 1
    assert caught.value.body["bill_payment"]["amount"] == {"amount": "12.50"}
    # The payment did reach FreshBooks; the bill shows it, so a reconciler finds it in one GET.
    (applied,) = client.bills.get(bill.id)["bill_payments"]
    assert applied["amount"]["amount"] == "12.50"


def test_bill_create_answered_500_is_not_retried(client, sandbox, vendor, category, sleeps, events):
    sandbox.faults.add(method="POST", path_regex="/bills/bills", status=500)
    with pytest.raises(WriteOutcomeUnknown):
        client.bills.create(vendor.vendorid, date(2024, 5, 3), [{"categoryid": category}])
    assert sleeps == []
    assert len(requests_made(events, "/bills/bills")) == 1


def test_vendors_create_update_delete(client, purchases, events):
    created = client.bill_vendors.create(vendor_name="Quill Co", is_1099=True, city="Albany")
    vendorid = created["vendorid"]
    assert (created["is_1099"], created["city"]) == (True, "Albany")
    assert client.bill_vendors.get(vendorid) == created
    updated = client.bill_vendors.update(vendorid, city="Boston", note="net 30")
    assert (updated["city"], updated["note"]) == ("Boston", "net 30")
    listed = [v["vendorid"] for v in client.bill_vendors.iter()]
    assert listed == [v.vendorid for v in purchases.vendors]

    sent = len(requests_made(events, "/bill_vendors"))
    with pytest.raises(VisStateWithOtherFields, match="city"):
        client.bill_vendors.update(vendorid, vis_state=1, city="Hartford")
    assert len(requests_made(events, "/bill_vendors")) == sent

    assert client.bill_vendors.update(vendorid, vis_state=1)["vis_state"] == 1
    assert vendorid not in [v["vendorid"] for v in client.bill_vendors.iter()]
    assert [v["vendorid"] for v in client.bill_vendors.iter(vis_state=1)] == [vendorid]
    with pytest.raises(ValidationFailed) as nameless:
        client.bill_vendors.create(city="Nowhere")
    assert (nameless.value.errno, nameless.value.field) == (1001, "vendor_name")


def test_vendor_and_bill_timestamps_come_back_unconverted(client, purchases, vendor):
    raw = client.bill_vendors.get(vendor.vendorid)
    assert raw["created_at"] == purchases.vendor_json(vendor)["created_at"]


def test_expense_categories(client, purchases):
    categories = list(client.expense_categories.iter(per_page=2))
    assert [c["categoryid"] for c in categories] == [c.id for c in purchases.categories]
    assert {"category", "is_cogs", "parentid", "vis_state"} <= set(categories[0])


def test_bill_payment_comes_back_as_freshbooks_sends_it(client, purchases, vendor, category):
    bill = add_bill(purchases, vendor, category)
    payment = client.bill_payments.create(bill.id, Decimal(7), date(2024, 5, 10), "ACH")
    assert payment == purchases.bill_payment(payment["id"]).to_json()
