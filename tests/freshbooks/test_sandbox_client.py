"""Resources, pagination, filters, errors and retries against the sandbox over loopback HTTP."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from connector.freshbooks import (
    AccountNotFound,
    AuthenticationFailed,
    FreshBooksClient,
    InvalidMoney,
    NotFound,
    RateLimited,
    ServerError,
    ValidationFailed,
    WriteOutcomeUnknown,
)
from connector.sandbox.state import NewLine
from tests.freshbooks.conftest import (
    RecordingTransport,
    requests_made,
    sandbox_config,
    sandbox_token,
)

LINE = NewLine(name="Consulting", qty=Decimal("10"), unit_cost=Decimal("100.00"))


@pytest.fixture
def customer(sandbox):
    return sandbox.state.add_client(
        organization="Zyxwv Northwind", fname="Ana", email="ana@nw.example"
    )


def add_invoices(sandbox, customer, count, **kwargs):
    return [
        sandbox.state.add_invoice(customer.id, date(2024, 5, 2), [LINE], **kwargs)
        for _ in range(count)
    ]


def test_account_id_is_resolved_from_the_identity(sandbox, client):
    assert client.account_id == sandbox.info.account_id
    assert client.business["id"] == sandbox.info.business_id


def test_configured_account_that_the_user_lacks_is_named(sandbox, store):
    config = sandbox_config(sandbox.info, account_id="NOPE99")
    with FreshBooksClient(config, store) as client, pytest.raises(AccountNotFound) as caught:
        client.business  # noqa: B018
    assert "NOPE99" in str(caught.value)
    assert sandbox.info.account_id in str(caught.value)


def test_another_accounts_path_is_refused(sandbox, store):
    config = sandbox_config(sandbox.info, account_id="NOPE99")
    with FreshBooksClient(config, store) as client, pytest.raises(AuthenticationFailed) as caught:
        client.clients.get(1)
    assert caught.value.status == 403


def test_client_get_and_iter(client, customer, sandbox):
    other = sandbox.state.add_client(organization="Contoso", email="ap@contoso.example")
    assert client.clients.get(customer.id)["organization"] == "Zyxwv Northwind"
    listed = [c["id"] for c in client.clients.iter()]
    assert {customer.id, other.id} <= set(listed)
    assert sorted(listed) == sorted(c.id for c in sandbox.state.clients if c.vis_state != 1)
    assert [c["id"] for c in client.clients.iter(organization_like="zyxwv")] == [customer.id]


def test_missing_client_is_not_found_with_freshbooks_details(client):
    with pytest.raises(NotFound) as caught:
        client.clients.get(999999)
    error = caught.value
    assert (error.status, error.errno, error.object) == (404, 1012, "client")
    assert "999999" in str(error)


def test_invoices_come_page_by_page(client, customer, sandbox, events):
    add_invoices(sandbox, customer, 3)
    expected = [i.id for i in sandbox.state.invoices if i.vis_state != 1]
    pages = list(client.invoices.pages(per_page=10))
    sizes = [10] * (len(expected) // 10) + ([len(expected) % 10] if len(expected) % 10 else [])
    assert [len(page) for page in pages] == sizes
    assert [i["id"] for page in pages for i in page] == expected
    assert all(invoice["lines"] for page in pages for invoice in page)
    assert len(requests_made(events, "/invoices/invoices")) == len(sizes)


def test_invoices_without_lines(client, customer, sandbox):
    add_invoices(sandbox, customer, 2)
    assert all("lines" not in i for i in client.invoices.iter(include_lines=False))


def test_invoice_get_with_lines_and_money_as_strings(client, customer, sandbox):
    (invoice,) = add_invoices(sandbox, customer, 1)
    record = client.invoices.get(invoice.id)
    assert record["lines"][0]["name"] == "Consulting"
    assert Decimal(record["amount"]["amount"]) == Decimal("1000.00")
    assert "lines" not in client.invoices.get(invoice.id, include_lines=False)


def test_invoices_by_ids(client, customer, sandbox):
    created = add_invoices(sandbox, customer, 5)
    wanted = [created[0].id, created[3].id]
    assert sorted(i["id"] for i in client.invoices.iter(ids=wanted)) == wanted
    assert list(client.invoices.pages(ids=[])) == []


def test_invoices_by_numbers_and_find_by_number(client, customer, sandbox):
    created = add_invoices(sandbox, customer, 3)
    numbers = [created[2].invoice_number, created[0].invoice_number]
    assert [i["id"] for i in client.invoices.iter(numbers=numbers)] == [
        created[2].id,
        created[0].id,
    ]
    assert client.invoices.find_by_number(created[1].invoice_number)["id"] == created[1].id
    assert client.invoices.find_by_number("9999999") is None


def test_ids_and_numbers_together_are_refused(client):
    with pytest.raises(ValueError, match="not both"):
        client.invoices.pages(ids=[1], numbers=["1"])


def test_invoices_updated_since(client, customer, sandbox):
    long_ago = datetime(2024, 1, 5, 9, 0, 0)
    add_invoices(sandbox, customer, 2, created_at=long_ago)
    recent = add_invoices(sandbox, customer, 2)
    since = datetime.now(UTC)  # seeded records all predate FreshBooks' (Eastern) today
    assert sorted(i["id"] for i in client.invoices.iter(updated_min=since)) == [
        i.id for i in recent
    ]


def test_payment_create_get_and_iter(client, customer, sandbox):
    (invoice,) = add_invoices(sandbox, customer, 1)
    payment = client.payments.create(
        invoice.id, Decimal("500"), date(2024, 5, 10), "Bank Transfer", note="Wire ref 4471"
    )
    assert payment["amount"] == {"amount": "500.00", "code": "USD"}
    assert (payment["invoiceid"], payment["type"], payment["note"]) == (
        invoice.id,
        "Bank Transfer",
        "Wire ref 4471",
    )
    assert sandbox.state.payment(payment["id"]).amount == Decimal("500.00")
    assert client.payments.get(payment["id"])["date"] == "2024-05-10"
    assert [p["id"] for p in client.payments.iter(invoiceid=invoice.id)] == [payment["id"]]
    assert client.invoices.get(invoice.id)["outstanding"]["amount"] == "500.00"


def test_payment_in_another_currency_is_a_validation_failure(client, customer, sandbox):
    (invoice,) = add_invoices(sandbox, customer, 1)
    with pytest.raises(ValidationFailed) as caught:
        client.payments.create(invoice.id, Decimal("5"), date(2024, 5, 10), "Cash", currency="EUR")
    assert caught.value.field == "amount"
    assert [p for p in sandbox.state.payments if p.invoiceid == invoice.id] == []


def test_payment_for_a_missing_invoice_is_refused(client):
    with pytest.raises(ValidationFailed) as caught:
        client.payments.create(1, Decimal("5"), date(2024, 5, 10), "Cash")
    assert caught.value.field == "invoiceid"


def test_payment_amount_with_fractions_of_a_cent_never_leaves(client, events):
    with pytest.raises(InvalidMoney):
        client.payments.create(1, Decimal("5.001"), date(2024, 5, 10), "Cash")
    assert requests_made(events, "/payments") == []


def test_get_retried_on_429_honouring_retry_after(client, customer, sandbox, sleeps, events):
    sandbox.faults.add(
        method="GET", path_regex="/users/clients", status=429, retry_after=1, times=2
    )
    assert client.clients.get(customer.id)["id"] == customer.id
    assert sleeps == [1.0, 1.0]
    assert len(requests_made(events, "/users/clients")) == 3


def test_get_retried_on_500_with_backoff(client, customer, sandbox, sleeps):
    sandbox.faults.add(method="GET", path_regex="/users/clients", status=500, times=2)
    assert client.clients.get(customer.id)["id"] == customer.id
    assert sleeps == [0.5, 1.0]


def test_get_gives_up_after_max_attempts(client, customer, sandbox, sleeps):
    sandbox.faults.add(method="GET", path_regex="/users/clients", status=503, times=None)
    with pytest.raises(ServerError) as caught:
        client.clients.get(customer.id)
    assert caught.value.status == 503
    assert sleeps == [0.5, 1.0, 2.0]


def test_retry_after_beyond_max_delay_is_reported_not_waited(client, customer, sandbox, sleeps):
    sandbox.faults.add(method="GET", path_regex="/users/clients", status=429, retry_after=600)
    with pytest.raises(RateLimited) as caught:
        client.clients.get(customer.id)
    assert caught.value.retry_after == 600
    assert sleeps == []


def test_get_retried_after_a_dropped_connection(client, customer, sandbox, sleeps):
    sandbox.faults.add(method="GET", path_regex="/users/clients", drop=True)
    assert client.clients.get(customer.id)["id"] == customer.id
    assert sleeps == [0.5]


def test_post_answered_500_is_not_retried(client, customer, sandbox, sleeps, events):
    (invoice,) = add_invoices(sandbox, customer, 1)
    sandbox.faults.add(method="POST", path_regex="/payments/payments", status=500)
    with pytest.raises(WriteOutcomeUnknown) as caught:
        client.payments.create(invoice.id, Decimal("12.5"), date(2024, 5, 10), "Cash")
    assert sleeps == []
    assert len(requests_made(events, "/payments/payments")) == 1
    assert caught.value.body["payment"]["amount"] == {"amount": "12.50"}
    assert "look the record up" in str(caught.value)


def test_post_whose_answer_was_lost_is_not_retried(client, customer, sandbox, sleeps):
    (invoice,) = add_invoices(sandbox, customer, 1)
    sandbox.faults.add(method="POST", path_regex="/payments/payments", drop=True)
    with pytest.raises(WriteOutcomeUnknown):
        client.payments.create(invoice.id, Decimal("12.5"), date(2024, 5, 10), "Cash")
    assert sleeps == []


def test_post_answered_429_is_retried_and_applied_once(client, customer, sandbox, sleeps):
    (invoice,) = add_invoices(sandbox, customer, 1)
    sandbox.faults.add(method="POST", path_regex="/payments/payments", status=429, retry_after=2)
    client.payments.create(invoice.id, Decimal("12.5"), date(2024, 5, 10), "Cash")
    assert sleeps == [2.0]
    assert len([p for p in sandbox.state.payments if p.invoiceid == invoice.id]) == 1


def test_post_429_exhausted_is_rate_limited(client, customer, sandbox, sleeps):
    (invoice,) = add_invoices(sandbox, customer, 1)
    sandbox.faults.add(method="POST", path_regex="/payments/payments", status=429, times=None)
    with pytest.raises(RateLimited):
        client.payments.create(invoice.id, Decimal("12.5"), date(2024, 5, 10), "Cash")
    assert len(sleeps) == 3
    assert [p for p in sandbox.state.payments if p.invoiceid == invoice.id] == []


def test_refresh_shares_the_retry_rules(sandbox, store, retry, sleeps, events, caplog):
    store.save(sandbox_token(sandbox.info, expires_in=60))
    sandbox.faults.add(method="POST", path_regex="/auth/oauth/token", status=429, retry_after=1)
    config = sandbox_config(sandbox.info)
    with FreshBooksClient(config, store, transport=RecordingTransport(events), retry=retry) as fb:
        assert fb.identity()
    assert sleeps == [1.0]
    assert "POST /auth/oauth/token failed (HTTP 429)" in caplog.text
    fresh = store.load()
    for secret in (sandbox.info.refresh_token, fresh.refresh_token, fresh.access_token):
        assert secret not in caplog.text
