"""Payments: create moves the invoice, type and currency rules, overpayment, list, soft delete."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from connector.sandbox import NewLine, Sandbox
from connector.sandbox.records import Invoice
from tests.sandbox.envelopes import errno_of, errors_of, result


@pytest.fixture
def invoice(sandbox: Sandbox) -> Invoice:
    """A sent USD invoice for 1000.00 with nothing paid yet."""
    client = next(c for c in sandbox.state.clients if c.currency_code == "USD")
    created = sandbox.state.add_invoice(
        client.id,
        client.signup_date.date(),
        [NewLine(name="Consulting", qty=Decimal(8), unit_cost=Decimal(125))],
        sent=True,
    )
    return created


def pay(api: httpx.Client, accounting: str, payment: dict) -> httpx.Response:
    return api.post(f"{accounting}/payments/payments", json={"payment": payment})


def fetch_invoice(api: httpx.Client, accounting: str, invoice_id: int) -> dict:
    return result(api.get(f"{accounting}/invoices/invoices/{invoice_id}"))["invoice"]


def test_partial_then_full_payment_updates_the_invoice(
    sandbox: Sandbox, api: httpx.Client, accounting: str, invoice: Invoice
) -> None:
    before = invoice.updated
    first = pay(
        api,
        accounting,
        {
            "invoiceid": invoice.id,
            "amount": {"amount": "400.00"},
            "date": "2024-05-10",
            "type": "Bank Transfer",
            "note": "Wire ref 4471",
        },
    )
    payment = result(first)["payment"]
    assert payment["amount"] == {"amount": "400.00", "code": "USD"}
    assert (payment["invoiceid"], payment["clientid"]) == (invoice.id, invoice.customerid)
    assert payment["id"] == payment["logid"]
    assert payment["overpaymentid"] is None
    partial = fetch_invoice(api, accounting, invoice.id)
    assert partial["paid"]["amount"] == "400.00"
    assert partial["outstanding"]["amount"] == "600.00"
    assert (partial["v3_status"], partial["payment_status"]) == ("partial", "partial")
    assert partial["date_paid"] is None
    assert sandbox.state.invoice(invoice.id).updated > before

    pay(api, accounting, {"invoiceid": invoice.id, "amount": "600", "date": "2024-05-20"})
    paid = fetch_invoice(api, accounting, invoice.id)
    assert (paid["status"], paid["v3_status"], paid["payment_status"]) == (4, "paid", "paid")
    assert paid["outstanding"]["amount"] == "0.00"
    assert paid["date_paid"] == "2024-05-20"


def test_overpayment_opens_a_credit(api: httpx.Client, accounting: str, invoice: Invoice) -> None:
    payment = result(
        pay(api, accounting, {"invoiceid": invoice.id, "amount": "1200.00", "date": "2024-05-10"})
    )["payment"]
    assert isinstance(payment["overpaymentid"], int)
    paid = fetch_invoice(api, accounting, invoice.id)
    assert (paid["paid"]["amount"], paid["outstanding"]["amount"]) == ("1000.00", "0.00")


def test_payment_takes_the_invoice_currency(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    cad = next(i for i in sandbox.state.invoices if i.currency_code == "CAD" and i.outstanding > 0)
    payment = result(
        pay(api, accounting, {"invoiceid": cad.id, "amount": "1.00", "date": "2024-05-10"})
    )
    assert payment["payment"]["amount"]["code"] == "CAD"
    mismatch = pay(
        api,
        accounting,
        {"invoiceid": cad.id, "amount": {"amount": "1.00", "code": "USD"}, "date": "2024-05-10"},
    )
    assert (mismatch.status_code, errno_of(mismatch)) == (422, 1004)


def test_invalid_type_is_422_in_the_classic_envelope(
    api: httpx.Client, accounting: str, invoice: Invoice
) -> None:
    response = pay(
        api,
        accounting,
        {"invoiceid": invoice.id, "amount": "10", "date": "2024-05-10", "type": "Wire Transfer"},
    )
    assert response.status_code == 422
    error = errors_of(response)[0]
    assert (error["errno"], error["field"], error["object"], error["value"]) == (
        1004,
        "type",
        "payment",
        "Wire Transfer",
    )


@pytest.mark.parametrize(
    ("payment", "errno", "field"),
    [
        ({"amount": "10", "date": "2024-05-10"}, 1001, "invoiceid"),
        ({"invoiceid": "INV", "date": "2024-05-10"}, 1001, "amount"),
        ({"invoiceid": "INV", "amount": "10"}, 1001, "date"),
        ({"invoiceid": "INV", "amount": "ten", "date": "2024-05-10"}, 1015, "amount"),
        ({"invoiceid": "INV", "amount": "-5", "date": "2024-05-10"}, 1004, "amount"),
        ({"invoiceid": "INV", "amount": "5", "date": "10 May"}, 1033, "date"),
        ({"invoiceid": 1, "amount": "5", "date": "2024-05-10"}, 1004, "invoiceid"),
        ({"invoiceid": "INV", "amount": "5", "date": "2024-05-10", "note": 3}, 1004, "note"),
        (
            {"invoiceid": "INV", "amount": "5", "date": "2024-05-10", "orderid": "x"},
            1015,
            "orderid",
        ),
    ],
)
def test_create_validation(
    api: httpx.Client, accounting: str, invoice: Invoice, payment: dict, errno: int, field: str
) -> None:
    if payment.get("invoiceid") == "INV":
        payment = {**payment, "invoiceid": invoice.id}
    response = pay(api, accounting, payment)
    assert response.status_code == 422
    error = errors_of(response)[0]
    assert (error["errno"], error["field"]) == (errno, field)


def test_payment_on_deleted_invoice_is_refused(
    sandbox: Sandbox, api: httpx.Client, accounting: str, invoice: Invoice
) -> None:
    sandbox.state.set_invoice_vis_state(invoice.id, 1)
    response = pay(api, accounting, {"invoiceid": invoice.id, "amount": "5", "date": "2024-05-10"})
    assert (response.status_code, errno_of(response)) == (422, 1011)


def test_soft_delete_gives_the_money_back(
    sandbox: Sandbox, api: httpx.Client, accounting: str, invoice: Invoice
) -> None:
    payment = result(
        pay(api, accounting, {"invoiceid": invoice.id, "amount": "1000", "date": "2024-05-10"})
    )["payment"]
    deleted = api.put(
        f"{accounting}/payments/payments/{payment['id']}", json={"payment": {"vis_state": 1}}
    )
    assert result(deleted)["payment"]["vis_state"] == 1
    back = fetch_invoice(api, accounting, invoice.id)
    assert (back["v3_status"], back["outstanding"]["amount"]) == ("sent", "1000.00")
    listed = result(
        api.get(f"{accounting}/payments/payments", params={"search[invoiceid]": invoice.id})
    )
    assert listed["payments"] == []


def test_update_amount_and_type(
    sandbox: Sandbox, api: httpx.Client, accounting: str, invoice: Invoice
) -> None:
    payment = sandbox.state.add_payment(invoice.id, Decimal(100), invoice.create_date)
    path = f"{accounting}/payments/payments/{payment.id}"
    updated = result(api.put(path, json={"payment": {"amount": {"amount": "250"}, "type": "ACH"}}))
    assert (updated["payment"]["amount"]["amount"], updated["payment"]["type"]) == ("250.00", "ACH")
    assert fetch_invoice(api, accounting, invoice.id)["paid"]["amount"] == "250.00"
    bad = api.put(path, json={"payment": {"type": "Stripe"}})
    assert (bad.status_code, errno_of(bad)) == (422, 1004)


def test_get_and_404(sandbox: Sandbox, api: httpx.Client, accounting: str) -> None:
    known = sandbox.state.payments[0]
    body = result(api.get(f"{accounting}/payments/payments/{known.id}"))["payment"]
    assert body == known.to_json()
    missing = api.get(f"{accounting}/payments/payments/1")
    assert missing.status_code == 404
    assert errors_of(missing)[0]["object"] == "payment"


def ids(api: httpx.Client, accounting: str, params: dict) -> list[int]:
    body = result(api.get(f"{accounting}/payments/payments", params={"per_page": 100, **params}))
    return [p["id"] for p in body["payments"]]


def test_list_filters(sandbox: Sandbox, api: httpx.Client, accounting: str) -> None:
    payments = sandbox.state.payments
    target = payments[0]
    assert ids(api, accounting, {"search[invoiceid]": target.invoiceid}) == [
        p.id for p in payments if p.invoiceid == target.invoiceid
    ]
    assert ids(api, accounting, {"search[clientid]": target.clientid}) == [
        p.id for p in payments if p.clientid == target.clientid
    ]
    day = target.date.isoformat()
    assert ids(api, accounting, {"search[date_min]": day, "search[date_max]": day}) == [
        p.id for p in payments if p.date == target.date
    ]
    stamp = target.updated.strftime("%Y-%m-%d %H:%M:%S")
    assert target.id in ids(
        api, accounting, {"search[updated_min]": stamp, "search[updated_max]": stamp}
    )
    assert ids(api, accounting, {"search[type]": target.type}) == [
        p.id for p in payments if p.type == target.type
    ]
    low = {"search[amount_min]": "1000"}
    assert ids(api, accounting, low) == [p.id for p in payments if p.amount >= 1000]
    assert len(ids(api, accounting, {"search[nonsense]": "1"})) == len(payments)
