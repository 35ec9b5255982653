"""Invoices: pagination rules, every search filter, include[]=lines, create, update, delete."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx
import pytest

from connector.sandbox import NewLine, Sandbox
from tests.sandbox.envelopes import errno_of, errors_of, result


def listed_ids(api: httpx.Client, accounting: str, params) -> list[int]:
    if isinstance(params, dict):
        params = {"per_page": 100, **params}
    else:
        params = [("per_page", 100), *params]
    body = result(api.get(f"{accounting}/invoices/invoices", params=params))
    return [invoice["id"] for invoice in body["invoices"]]


@pytest.fixture
def big(sandbox: Sandbox) -> Sandbox:
    """Enough invoices to see the per_page cap."""
    client = sandbox.state.clients[0]
    for _ in range(130 - len(sandbox.state.invoices)):
        sandbox.state.add_invoice(
            client.id,
            client.signup_date.date(),
            [NewLine(name="Widget", qty=Decimal(1), unit_cost=Decimal("2.50"))],
        )
    return sandbox


@pytest.mark.parametrize(
    ("params", "page", "per_page", "count"),
    [
        ({}, 1, 15, 15),
        ({"per_page": 40}, 1, 40, 40),
        ({"per_page": 500}, 1, 100, 100),
        ({"per_page": 100, "page": 2}, 2, 100, 30),
        ({"page": 0}, 1, 15, 15),
        ({"page": 99}, 99, 15, 0),
    ],
)
def test_pagination(
    big: Sandbox, api: httpx.Client, accounting: str, params, page, per_page, count
) -> None:
    body = result(api.get(f"{accounting}/invoices/invoices", params=params))
    assert (body["page"], body["per_page"], body["total"]) == (page, per_page, 130)
    assert body["pages"] == -(-130 // per_page)
    assert len(body["invoices"]) == count


@pytest.mark.parametrize(
    ("params", "errno"),
    [
        ({"page": "two"}, 1014),
        ({"page": -1}, 1014),
        ({"per_page": "x"}, 1013),
        ({"per_page": 0}, 1013),
    ],
)
def test_bad_paging_values(api: httpx.Client, accounting: str, params, errno: int) -> None:
    response = api.get(f"{accounting}/invoices/invoices", params=params)
    assert response.status_code == 400
    assert errno_of(response) == errno


def test_pages_do_not_overlap(sandbox: Sandbox, api: httpx.Client, accounting: str) -> None:
    seen = []
    for page in (1, 2, 3):
        body = result(api.get(f"{accounting}/invoices/invoices", params={"page": page}))
        seen += [invoice["id"] for invoice in body["invoices"]]
    assert sorted(seen) == sorted(i.id for i in sandbox.state.invoices)


def test_lines_only_when_included(api: httpx.Client, accounting: str) -> None:
    plain = result(api.get(f"{accounting}/invoices/invoices"))["invoices"]
    assert all("lines" not in invoice for invoice in plain)
    full = result(api.get(f"{accounting}/invoices/invoices", params={"include[]": "lines"}))
    assert all(1 <= len(invoice["lines"]) <= 6 for invoice in full["invoices"])
    one = plain[0]["id"]
    assert "lines" not in result(api.get(f"{accounting}/invoices/invoices/{one}"))["invoice"]
    single = result(api.get(f"{accounting}/invoices/invoices/{one}", params={"include[]": "lines"}))
    assert single["invoice"]["lines"][0]["invoiceid"] == one


def test_invoice_amounts_add_up(api: httpx.Client, accounting: str) -> None:
    body = result(api.get(f"{accounting}/invoices/invoices", params={"include[]": "lines"}))
    for invoice in body["invoices"]:
        amount = Decimal(invoice["amount"]["amount"])
        paid = Decimal(invoice["paid"]["amount"])
        assert Decimal(invoice["outstanding"]["amount"]) == amount - paid
        lines = sum(Decimal(line["amount"]["amount"]) for line in invoice["lines"])
        taxes = sum(
            Decimal(line["amount"]["amount"]) * Decimal(line["taxAmount1"]) / 100
            for line in invoice["lines"]
        )
        assert abs(amount - (lines + taxes)) <= Decimal("0.01")
        assert invoice["amount"]["code"] == invoice["currency_code"]


def test_filters_by_ids_and_customer(sandbox: Sandbox, api: httpx.Client, accounting: str) -> None:
    first, second = sandbox.state.invoices[:2]
    assert listed_ids(api, accounting, {"search[invoiceid]": first.id}) == [first.id]
    pair = [("search[invoiceids][]", first.id), ("search[invoiceids][]", second.id)]
    assert sorted(listed_ids(api, accounting, pair)) == sorted([first.id, second.id])
    customer = first.customerid
    expected = [i.id for i in sandbox.state.invoices if i.customerid == customer]
    assert listed_ids(api, accounting, {"search[customerid]": customer}) == expected
    customers = [("search[customerids][]", customer), ("search[customerids][]", second.customerid)]
    assert set(listed_ids(api, accounting, customers)) == {
        i.id for i in sandbox.state.invoices if i.customerid in (customer, second.customerid)
    }


def test_filters_by_number_and_status(sandbox: Sandbox, api: httpx.Client, accounting: str) -> None:
    target = sandbox.state.invoices[4]
    number = {"search[invoice_number]": target.invoice_number}
    assert listed_ids(api, accounting, number) == [target.id]
    for status in ("draft", "sent", "partial", "paid"):
        expected = [i.id for i in sandbox.state.invoices if i.statuses()["v3_status"] == status]
        assert expected, f"the seed should hold {status} invoices"
        assert listed_ids(api, accounting, {"search[v3_status]": status}) == expected


def test_filters_by_invoice_date(sandbox: Sandbox, api: httpx.Client, accounting: str) -> None:
    days = sorted({i.create_date for i in sandbox.state.invoices})
    low, high = days[2], days[-3]
    found = listed_ids(
        api, accounting, {"search[date_min]": low.isoformat(), "search[date_max]": high.isoformat()}
    )
    assert found == [i.id for i in sandbox.state.invoices if low <= i.create_date <= high]


def test_updated_filters_have_day_granularity_and_take_timestamps(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    target = sandbox.state.invoices[0]
    day = target.updated.date().isoformat()
    same_day = listed_ids(api, accounting, {"search[updated_min]": day, "search[updated_max]": day})
    assert same_day == [
        i.id for i in sandbox.state.invoices if i.updated.date() == target.updated.date()
    ]
    stamp = target.updated.strftime("%Y-%m-%d %H:%M:%S")
    exact = listed_ids(
        api, accounting, {"search[updated_min]": stamp, "search[updated_max]": stamp}
    )
    assert target.id in exact
    assert all(sandbox.state.invoice(i).updated == target.updated for i in exact)


def test_updated_min_with_utc_offset_is_converted_to_eastern(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    invoice = sandbox.state.invoices[0]
    sandbox.state.mark_invoice_sent(invoice.id)
    changed = sandbox.state.invoice(invoice.id).updated
    utc = changed.replace(tzinfo=ZoneInfo("America/New_York")).astimezone(UTC)
    found = listed_ids(api, accounting, {"search[updated_min]": utc.strftime("%Y-%m-%dT%H:%M:%SZ")})
    assert found == [invoice.id]


@pytest.mark.parametrize(
    ("key", "value", "errno"),
    [
        ("search[updated_min]", "yesterday", 1016),
        ("search[date_max]", "2024-13-01", 1033),
        ("search[customerid]", "abc", 1015),
    ],
)
def test_bad_filter_values(
    api: httpx.Client, accounting: str, key: str, value: str, errno: int
) -> None:
    response = api.get(f"{accounting}/invoices/invoices", params={key: value})
    assert response.status_code == 400
    assert errno_of(response) == errno


def test_unknown_search_keys_are_ignored(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    found = listed_ids(
        api, accounting, {"search[statusid]": 4, "search[create_date_min]": "2099-01-01"}
    )
    assert len(found) == len(sandbox.state.invoices)


def test_deleted_invoices_only_on_request(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    target = sandbox.state.invoices[0]
    response = api.delete(f"{accounting}/invoices/invoices/{target.id}")
    assert result(response)["invoice"]["vis_state"] == 1
    assert target.id not in listed_ids(api, accounting, {})
    assert listed_ids(api, accounting, {"search[vis_state]": 1}) == [target.id]


def test_sort_by_invoice_date(sandbox: Sandbox, api: httpx.Client, accounting: str) -> None:
    found = listed_ids(api, accounting, {"sort": "invoice_date_desc"})
    by_date = sorted(sandbox.state.invoices, key=lambda i: (i.create_date, i.id), reverse=True)
    assert found == [i.id for i in by_date]


def create(api: httpx.Client, accounting: str, invoice: dict) -> httpx.Response:
    return api.post(f"{accounting}/invoices/invoices", json={"invoice": invoice})


def test_create_computes_totals_and_statuses(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    client = sandbox.state.clients[0]
    response = create(
        api,
        accounting,
        {
            "customerid": client.id,
            "create_date": "2024-05-02",
            "lines": [
                {
                    "name": "Consulting",
                    "qty": "10",
                    "unit_cost": {"amount": "100.00", "code": "USD"},
                    "taxName1": "Sales Tax",
                    "taxAmount1": "13",
                },
                {"name": "Hosting", "qty": 1, "unit_cost": {"amount": "0.00"}},
            ],
        },
    )
    invoice = result(response)["invoice"]
    assert invoice["amount"] == {"amount": "1130.00", "code": "USD"}
    assert invoice["outstanding"] == {"amount": "1130.00", "code": "USD"}
    assert invoice["paid"] == {"amount": "0.00", "code": "USD"}
    assert invoice["due_date"] == "2024-06-01"
    assert (invoice["status"], invoice["v3_status"], invoice["payment_status"]) == (
        1,
        "draft",
        "unpaid",
    )
    assert invoice["display_status"] == "draft"
    assert (invoice["organization"], invoice["customerid"]) == (client.organization, client.id)
    assert [line["lineid"] for line in invoice["lines"]] == [1, 2]
    assert invoice["lines"][0]["amount"] == {"amount": "1000.00", "code": "USD"}
    assert invoice["lines"][0]["qty"] == "10"


def test_create_uses_the_client_currency(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    cad = next(c for c in sandbox.state.clients if c.currency_code == "CAD")
    invoice = result(
        create(api, accounting, {"customerid": cad.id, "create_date": "2024-05-02", "lines": []})
    )["invoice"]
    assert invoice["currency_code"] == "CAD"
    assert invoice["amount"] == {"amount": "0.00", "code": "CAD"}


@pytest.mark.parametrize(
    ("invoice", "status", "errno", "field"),
    [
        ({"create_date": "2024-05-02"}, 422, 1001, "customerid"),
        ({"customerid": 1, "create_date": "2024-05-02"}, 422, 1004, "customerid"),
        ({"customerid": "x", "create_date": "2024-05-02"}, 422, 1015, "customerid"),
        ({"customerid": "CLIENT"}, 422, 1001, "create_date"),
        ({"customerid": "CLIENT", "create_date": "05/02/2024"}, 422, 1033, "create_date"),
        (
            {"customerid": "CLIENT", "create_date": "2024-05-02", "due_date": "2024-06-01"},
            403,
            1038,
            "due_date",
        ),
        (
            {"customerid": "CLIENT", "create_date": "2024-05-02", "lines": [{"qty": "lots"}]},
            422,
            1015,
            "qty",
        ),
        ({"customerid": "CLIENT", "create_date": "2024-05-02", "lines": "x"}, 422, 1004, "lines"),
        (
            {"customerid": "CLIENT", "create_date": "2024-05-02", "discount_value": 120},
            422,
            1018,
            "discount_value",
        ),
        (
            {"customerid": "CLIENT", "create_date": "2024-05-02", "due_offset_days": -1},
            422,
            1004,
            "due_offset_days",
        ),
        (
            {
                "customerid": "CLIENT",
                "create_date": "2024-05-02",
                "lines": [{"unit_cost": {"amount": "1", "code": "EUR"}}],
            },
            422,
            1004,
            "unit_cost",
        ),
    ],
)
def test_create_validation(
    sandbox: Sandbox, api: httpx.Client, accounting: str, invoice, status, errno, field
) -> None:
    if invoice.get("customerid") == "CLIENT":
        invoice = {**invoice, "customerid": sandbox.state.clients[0].id}
    response = create(api, accounting, invoice)
    assert response.status_code == status
    error = errors_of(response)[0]
    assert (error["errno"], error["field"]) == (errno, field)


def test_create_refuses_a_deleted_client(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    client = sandbox.state.update_client(sandbox.state.clients[0].id, {"vis_state": 1})
    response = create(api, accounting, {"customerid": client.id, "create_date": "2024-05-02"})
    assert (response.status_code, errno_of(response)) == (422, 1011)


@pytest.mark.parametrize(
    ("body", "status", "errno"),
    [(b"{oops", 400, 1005), (b'{"client": {}}', 422, 1001), (b"[]", 422, 1001)],
)
def test_malformed_bodies(api: httpx.Client, accounting: str, body: bytes, status, errno) -> None:
    response = api.post(
        f"{accounting}/invoices/invoices",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == status
    assert errno_of(response) == errno


def test_update_replaces_lines_and_moves_updated(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    target = sandbox.state.invoices[0]
    before = target.updated
    response = api.put(
        f"{accounting}/invoices/invoices/{target.id}",
        json={
            "invoice": {
                "notes": "Thanks!",
                "lines": [{"name": "Fee", "qty": "2", "unit_cost": {"amount": "5"}}],
            }
        },
    )
    invoice = result(response)["invoice"]
    assert invoice["notes"] == "Thanks!"
    assert [line["name"] for line in invoice["lines"]] == ["Fee"]
    assert invoice["amount"]["amount"] == "10.00"
    assert sandbox.state.invoice(target.id).updated > before


def test_mark_as_sent_drops_other_fields(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    draft = next(i for i in sandbox.state.invoices if i.statuses()["v3_status"] == "draft")
    response = api.put(
        f"{accounting}/invoices/invoices/{draft.id}",
        json={"invoice": {"action_mark_as_sent": True, "notes": "dropped"}},
    )
    invoice = result(response)["invoice"]
    assert (invoice["status"], invoice["v3_status"], invoice["display_status"]) == (
        2,
        "sent",
        "sent",
    )
    assert invoice["notes"] != "dropped"


def test_update_refuses_due_date_and_currency_change(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    target = sandbox.state.invoices[0]
    path = f"{accounting}/invoices/invoices/{target.id}"
    due = api.put(path, json={"invoice": {"due_date": "2030-01-01"}})
    assert (due.status_code, errno_of(due)) == (403, 1038)
    other = "CAD" if target.currency_code == "USD" else "USD"
    currency = api.put(path, json={"invoice": {"currency_code": other}})
    assert (currency.status_code, errno_of(currency)) == (422, 1004)


def test_update_bad_vis_state(sandbox: Sandbox, api: httpx.Client, accounting: str) -> None:
    target = sandbox.state.invoices[0]
    response = api.put(
        f"{accounting}/invoices/invoices/{target.id}", json={"invoice": {"vis_state": 7}}
    )
    assert (response.status_code, errno_of(response)) == (422, 1004)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_invoice_is_404(api: httpx.Client, accounting: str, method: str) -> None:
    response = api.request(method, f"{accounting}/invoices/invoices/123", json={"invoice": {}})
    assert response.status_code == 404
    error = errors_of(response)[0]
    assert (error["errno"], error["object"], error["field"]) == (1012, "invoice", "invoiceid")


def test_other_account_is_forbidden(api: httpx.Client) -> None:
    response = api.get("/accounting/account/OTHER1/invoices/invoices")
    assert (response.status_code, errno_of(response)) == (403, 1003)


def test_missing_token_on_accounting_is_401(sandbox: Sandbox, accounting: str) -> None:
    response = httpx.get(f"{sandbox.info.api_url}{accounting}/invoices/invoices")
    assert (response.status_code, errno_of(response)) == (401, 1003)
