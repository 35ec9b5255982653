"""Clients: list with search and pagination, get, create (errno 7012), update, soft delete."""

from __future__ import annotations

import httpx
import pytest

from connector.sandbox import Sandbox
from tests.sandbox.envelopes import errno_of, errors_of


def ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [client["id"] for client in response.json()["response"]["result"]["clients"]]


def test_list_is_paginated(sandbox: Sandbox, api: httpx.Client, accounting: str) -> None:
    result = api.get(f"{accounting}/users/clients", params={"per_page": 5}).json()
    result = result["response"]["result"]
    assert (result["page"], result["per_page"], result["total"]) == (
        1,
        5,
        len(sandbox.state.clients),
    )
    assert result["pages"] == 3
    assert len(result["clients"]) == 5


def test_client_fields_follow_the_doc(api: httpx.Client, accounting: str) -> None:
    client = api.get(f"{accounting}/users/clients").json()["response"]["result"]["clients"][0]
    assert client["id"] == client["userid"]
    for name in (
        "organization",
        "fname",
        "lname",
        "email",
        "currency_code",
        "p_city",
        "signup_date",
        "updated",
        "vis_state",
    ):
        assert name in client
    assert "outstanding_balance" not in client


def test_outstanding_balance_only_when_included(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    client_id = sandbox.state.clients[0].id
    body = api.get(
        f"{accounting}/users/clients/{client_id}", params={"include[]": "outstanding_balance"}
    ).json()["response"]["result"]["client"]
    expected = sandbox.state.client_outstanding(client_id)
    assert body["outstanding_balance"] == [
        {"amount": {"amount": f"{expected:.2f}", "code": body["currency_code"]}}
    ]


@pytest.mark.parametrize(
    ("key", "value", "matches"),
    [
        ("search[organization_like]", "maple", lambda c: "Maple" in c.organization),
        ("search[fname_like]", "an", lambda c: "an" in c.fname.lower()),
        ("search[lname_like]", "PAT", lambda c: "pat" in c.lname.lower()),
        ("search[address_like]", "toronto", lambda c: c.p_city == "Toronto"),
    ],
)
def test_like_filters(
    sandbox: Sandbox, api: httpx.Client, accounting: str, key: str, value: str, matches
) -> None:
    found = ids(api.get(f"{accounting}/users/clients", params={key: value, "per_page": 100}))
    assert found
    assert found == [c.id for c in sandbox.state.clients if matches(c)]


def test_email_and_id_filters(sandbox: Sandbox, api: httpx.Client, accounting: str) -> None:
    first, second = sandbox.state.clients[:2]
    path = f"{accounting}/users/clients"
    assert ids(api.get(path, params={"search[email]": first.email.upper()})) == [first.id]
    assert ids(api.get(path, params={"search[userid]": second.id})) == [second.id]
    both = [("search[userids][]", first.id), ("search[userids][]", second.id)]
    assert sorted(ids(api.get(path, params=both))) == sorted([first.id, second.id])


def test_updated_filters(sandbox: Sandbox, api: httpx.Client, accounting: str) -> None:
    target = sandbox.state.clients[3]
    day = target.updated.date().isoformat()
    path = f"{accounting}/users/clients"
    found = ids(api.get(path, params={"search[updated_min]": day, "search[updated_max]": day}))
    assert target.id in found
    assert all(c.updated.date().isoformat() == day for c in sandbox.state.clients if c.id in found)


def test_unknown_search_keys_are_ignored(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    found = ids(
        api.get(f"{accounting}/users/clients", params={"search[shoe_size]": "9", "per_page": 100})
    )
    assert len(found) == len(sandbox.state.clients)


def test_create_and_get(api: httpx.Client, accounting: str) -> None:
    created = api.post(
        f"{accounting}/users/clients",
        json={"client": {"organization": "Acme Distribution", "email": "ap@acme.example"}},
    )
    assert created.status_code == 200
    client = created.json()["response"]["result"]["client"]
    assert client["organization"] == "Acme Distribution"
    assert client["currency_code"] == "USD"
    fetched = api.get(f"{accounting}/users/clients/{client['id']}").json()
    assert fetched["response"]["result"]["client"] == client


def test_create_needs_a_name_or_email(api: httpx.Client, accounting: str) -> None:
    response = api.post(f"{accounting}/users/clients", json={"client": {"p_city": "Boston"}})
    assert response.status_code == 422
    assert errno_of(response) == 7012


def test_create_refuses_non_text_fields(api: httpx.Client, accounting: str) -> None:
    response = api.post(f"{accounting}/users/clients", json={"client": {"organization": 7}})
    assert response.status_code == 422
    assert errors_of(response)[0]["field"] == "organization"


def test_update_moves_updated(sandbox: Sandbox, api: httpx.Client, accounting: str) -> None:
    client = sandbox.state.clients[0]
    before = client.updated
    response = api.put(
        f"{accounting}/users/clients/{client.id}", json={"client": {"p_city": "Salem"}}
    )
    body = response.json()["response"]["result"]["client"]
    assert body["p_city"] == "Salem"
    assert sandbox.state.client(client.id).updated > before


def test_soft_delete_hides_from_default_list(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    client = sandbox.state.clients[0]
    response = api.put(
        f"{accounting}/users/clients/{client.id}",
        json={"client": {"vis_state": 1, "organization": "ignored"}},
    )
    body = response.json()["response"]["result"]["client"]
    assert (body["vis_state"], body["organization"]) == (1, client.organization)
    path = f"{accounting}/users/clients"
    assert client.id not in ids(api.get(path, params={"per_page": 100}))
    assert ids(api.get(path, params={"search[vis_state]": 1})) == [client.id]


@pytest.mark.parametrize("client_id", ["999", "abc"])
def test_unknown_client_is_404(api: httpx.Client, accounting: str, client_id: str) -> None:
    response = api.get(f"{accounting}/users/clients/{client_id}")
    assert response.status_code == 404
    error = errors_of(response)[0]
    assert (error["errno"], error["object"], error["value"]) == (1012, "client", client_id)
