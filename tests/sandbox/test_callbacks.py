"""Sandbox webhook callbacks: routes, handshake, signed deliveries, retries, resend, delete."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from connector.freshbooks.signature import HEADER, verify
from connector.sandbox import Sandbox
from connector.sandbox.callbacks import DELIVERED, GAVE_UP, DeliveriesPending
from tests.webhooks.live_server import Recorder, serving

SEMANTIC = "The request was well-formed but was unable to be followed due to semantic errors."


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def receiver(recorder: Recorder) -> Iterator[str]:
    with serving(recorder.app()) as url:
        yield url


@pytest.fixture
def callbacks(sandbox: Sandbox) -> str:
    sandbox.state.behaviour.webhook_backoff_seconds = 0.01
    return f"/events/account/{sandbox.info.account_id}/events/callbacks"


def create(api: httpx.Client, path: str, event: str, uri: str) -> dict:
    response = api.post(path, json={"callback": {"event": event, "uri": uri}})
    assert response.status_code == 200, response.text
    return response.json()["response"]["result"]["callback"]


def verified(
    sandbox: Sandbox, api: httpx.Client, path: str, recorder: Recorder, event: str, uri: str
) -> tuple[dict, str]:
    """A confirmed callback and its verifier; the recorder is emptied afterwards."""
    callback = create(api, path, event, uri)
    sandbox.callbacks.wait_idle()
    verifier = dict(recorder.named("callback.verify")[-1].fields)["verifier"]
    confirmed = api.put(
        f"{path}/{callback['callbackid']}", json={"callback": {"verifier": verifier}}
    )
    assert confirmed.status_code == 200, confirmed.text
    recorder.requests.clear()
    return confirmed.json()["response"]["result"]["callback"], verifier


def first_usd_client(sandbox: Sandbox) -> int:
    return next(c.id for c in sandbox.state.clients if c.currency_code == "USD")


def test_create_answers_the_callback_and_posts_the_handshake(
    sandbox: Sandbox, api: httpx.Client, callbacks: str, recorder: Recorder, receiver: str
) -> None:
    callback = create(api, callbacks, "invoice.create", f"{receiver}/hooks/a")
    sandbox.callbacks.wait_idle()

    assert callback["callbackid"] == 2001
    assert (callback["event"], callback["uri"], callback["verified"]) == (
        "invoice.create",
        f"{receiver}/hooks/a",
        False,
    )
    assert callback["updated_at"].endswith("Z") and "verifier" not in callback
    [handshake] = recorder.requests
    assert handshake.path == "/hooks/a"
    assert handshake.headers["content-type"] == "application/x-www-form-urlencoded"
    assert [name for name, _ in handshake.fields] == [
        "name",
        "verifier",
        "object_id",
        "account_id",
        "user_id",
    ]
    fields = dict(handshake.fields)
    assert (fields["name"], fields["object_id"]) == ("callback.verify", "2001")
    assert fields["account_id"] == sandbox.info.account_id and fields["verifier"]
    [delivery] = sandbox.callbacks.deliveries
    assert (delivery.event, delivery.outcome, delivery.attempts) == (
        "callback.verify",
        DELIVERED,
        1,
    )


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"callback": {"event": "invoice.explode", "uri": "https://x.example/h"}}, "event: Value"),
        ({"callback": {"uri": "https://x.example/h"}}, "event: Field required"),
        ({"callback": {"event": "invoice", "uri": "ftp://x.example/h"}}, "uri: Input should"),
        ({"callback": {"event": "invoice", "uri": "not a url"}}, "uri: Input should"),
        ({"callback": {"event": "invoice", "uri": 42}}, "uri: Input should"),
        ({"callback": {"event": "invoice"}}, "uri: Field required"),
        ({"event": "invoice", "uri": "https://x.example/h"}, "callback: Field required"),
    ],
)
def test_create_refuses_what_freshbooks_refuses(
    sandbox: Sandbox, api: httpx.Client, callbacks: str, body: dict, detail: str
) -> None:
    response = api.post(callbacks, json=body)

    assert response.status_code == 422
    error = response.json()
    assert (error["errno"], error["message"]) == (422, SEMANTIC)
    assert any(item.startswith(detail) for item in error["details"]), error
    assert sandbox.callbacks.callbacks == []


def test_unknown_event_message_matches_freshbooks(api: httpx.Client, callbacks: str) -> None:
    response = api.post(callbacks, json={"callback": {"event": "nope", "uri": "https://x.io/h"}})
    assert response.json()["details"] == ["event: Value error, Unrecognized event."]


def test_malformed_json_and_missing_token_and_other_account(
    sandbox: Sandbox, api: httpx.Client, callbacks: str
) -> None:
    broken = api.post(callbacks, content=b"{nope", headers={"content-type": "application/json"})
    anonymous = httpx.get(f"{sandbox.info.api_url}{callbacks}")
    other = api.get("/events/account/OTHER1/events/callbacks")

    assert broken.status_code == 400 and broken.json()["errno"] == 400
    assert anonymous.status_code == 401
    assert anonymous.json()["message"].startswith("invalid_token")
    assert other.status_code == 403 and other.json()["errno"] == 403


def test_list_filters_by_event_and_parent_and_get_finds_one(
    sandbox: Sandbox, api: httpx.Client, callbacks: str, receiver: str
) -> None:
    made = {
        event: create(api, callbacks, event, f"{receiver}/{event}")["callbackid"]
        for event in ("invoice", "invoice.create", "payment.update", "client")
    }

    def listed(**params: str) -> list[str]:
        response = api.get(callbacks, params=params)
        assert response.status_code == 200, response.text
        return sorted(c["event"] for c in response.json()["response"]["result"]["callbacks"])

    assert listed() == ["client", "invoice", "invoice.create", "payment.update"]
    assert listed(**{"search[event]": "invoice"}) == ["invoice", "invoice.create"]
    assert listed(**{"search[event]": "invoice.create"}) == ["invoice", "invoice.create"]
    assert listed(**{"search[event]": "payment"}) == ["payment.update"]
    page = api.get(callbacks, params={"per_page": "3", "page": "2"}).json()["response"]["result"]
    assert (len(page["callbacks"]), page["pages"], page["total"]) == (1, 2, 4)
    one = api.get(f"{callbacks}/{made['client']}").json()["response"]["result"]["callback"]
    assert one["event"] == "client"
    for missing in ("9999", "abc"):
        response = api.get(f"{callbacks}/{missing}")
        assert response.status_code == 404
        assert response.json() == {
            "errno": 404,
            "message": "Requested resource could not be found.",
        }


def test_wrong_verifier_is_refused_and_nothing_is_delivered_before_confirmation(
    sandbox: Sandbox, api: httpx.Client, callbacks: str, recorder: Recorder, receiver: str
) -> None:
    callback = create(api, callbacks, "invoice", f"{receiver}/hook")
    sandbox.callbacks.wait_idle()
    path = f"{callbacks}/{callback['callbackid']}"

    wrong = api.put(path, json={"callback": {"verifier": "not-it"}})
    not_text = api.put(path, json={"callback": {"verifier": 12}})
    sandbox.state.touch_invoice(sandbox.state.invoices[0].id)
    sandbox.callbacks.wait_idle()

    assert wrong.status_code == 422
    assert wrong.json()["details"] == ["verifier: Value error, Verifier does not match."]
    assert not_text.status_code == 422
    assert api.get(path).json()["response"]["result"]["callback"]["verified"] is False
    assert [dict(r.fields)["name"] for r in recorder.requests] == ["callback.verify"]


def test_confirmed_callback_gets_deliveries_signed_with_its_verifier(
    sandbox: Sandbox, api: httpx.Client, callbacks: str, recorder: Recorder, receiver: str
) -> None:
    callback, verifier = verified(
        sandbox, api, callbacks, recorder, "invoice.update", f"{receiver}/hook"
    )
    invoice = sandbox.state.invoices[0]

    sandbox.state.touch_invoice(invoice.id)
    sandbox.callbacks.wait_idle()

    assert callback["verified"] is True
    [delivery] = recorder.requests
    assert [name for name, _ in delivery.fields] == [
        "name",
        "object_id",
        "account_id",
        "business_id",
        "identity_id",
        "user_id",
    ]
    business = sandbox.state.business
    assert dict(delivery.fields) == {
        "name": "invoice.update",
        "object_id": str(invoice.id),
        "account_id": business.account_id,
        "business_id": str(business.business_id),
        "identity_id": str(business.identity_id),
        "user_id": "1",
    }
    assert verify(delivery.fields, verifier, delivery.headers[HEADER.lower()])
    assert not verify(delivery.fields, verifier + "x", delivery.headers[HEADER.lower()])
    logged = sandbox.callbacks.deliveries[-1]
    assert (logged.event, logged.object_id, logged.uri) == (
        "invoice.update",
        invoice.id,
        f"{receiver}/hook",
    )
    assert (logged.attempts, logged.status, logged.outcome) == (1, 200, DELIVERED)


def test_parent_callback_gets_every_action_and_exact_ones_only_theirs(
    sandbox: Sandbox, api: httpx.Client, callbacks: str, recorder: Recorder, receiver: str
) -> None:
    for event in ("invoice", "invoice.create", "client.update"):
        verified(sandbox, api, callbacks, recorder, event, f"{receiver}/{event}")
    invoice = sandbox.state.invoices[0]

    sandbox.state.touch_invoice(invoice.id)
    created = sandbox.state.add_invoice(first_usd_client(sandbox), invoice.create_date, [])
    sandbox.callbacks.wait_idle()

    seen = sorted(
        (r.path, dict(r.fields)["name"], dict(r.fields)["object_id"]) for r in recorder.requests
    )
    assert seen == [
        ("/invoice", "invoice.create", str(created.id)),
        ("/invoice", "invoice.update", str(invoice.id)),
        ("/invoice.create", "invoice.create", str(created.id)),
    ]


def test_failing_receiver_is_retried_then_given_up(
    sandbox: Sandbox, api: httpx.Client, callbacks: str, recorder: Recorder, receiver: str
) -> None:
    verified(sandbox, api, callbacks, recorder, "client", f"{receiver}/hook")
    client_id = first_usd_client(sandbox)

    recorder.statuses = [500, 500, 500]
    sandbox.state.update_client(client_id, {"note": "first"})
    sandbox.callbacks.wait_idle()
    recorder.statuses = [503]
    sandbox.state.update_client(client_id, {"note": "second"})
    sandbox.callbacks.wait_idle()

    gave_up, recovered = sandbox.callbacks.deliveries[-2:]
    assert (gave_up.attempts, gave_up.status, gave_up.outcome) == (3, 500, GAVE_UP)
    assert gave_up.error == "HTTP 500"
    assert (recovered.attempts, recovered.status, recovered.outcome) == (2, 200, DELIVERED)
    assert len(recorder.requests) == 5


def test_attempts_are_configurable_and_an_unreachable_receiver_is_given_up(
    sandbox: Sandbox, api: httpx.Client, callbacks: str, recorder: Recorder, receiver: str
) -> None:
    callback, _ = verified(sandbox, api, callbacks, recorder, "client", f"{receiver}/hook")
    with socket.create_server(("127.0.0.1", 0)) as closed:
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}/hook"
    moved = api.put(f"{callbacks}/{callback['callbackid']}", json={"callback": {"uri": dead}})
    sandbox.state.behaviour.webhook_attempts = 2

    sandbox.state.update_client(first_usd_client(sandbox), {"note": "lost"})
    sandbox.callbacks.wait_idle()

    assert moved.json()["response"]["result"]["callback"]["verified"] is True
    last = sandbox.callbacks.deliveries[-1]
    assert (last.attempts, last.status, last.outcome, last.uri) == (2, None, GAVE_UP, dead)
    assert last.error and last.error.startswith("ConnectError")


def test_wait_idle_gives_up_on_a_slow_queue(
    sandbox: Sandbox, api: httpx.Client, callbacks: str, recorder: Recorder, receiver: str
) -> None:
    verified(sandbox, api, callbacks, recorder, "client", f"{receiver}/hook")
    sandbox.state.behaviour.webhook_backoff_seconds = 60
    recorder.statuses = [500]

    sandbox.state.update_client(first_usd_client(sandbox), {"note": "slow"})

    with pytest.raises(DeliveriesPending, match="1 webhook deliveries still pending"):
        sandbox.callbacks.wait_idle(timeout=0.3)


def test_resend_repeats_the_handshake_with_the_same_verifier(
    sandbox: Sandbox, api: httpx.Client, callbacks: str, recorder: Recorder, receiver: str
) -> None:
    callback = create(api, callbacks, "payment", f"{receiver}/hook")
    sandbox.callbacks.wait_idle()

    resent = api.put(f"{callbacks}/{callback['callbackid']}", json={"callback": {"resend": True}})
    sandbox.callbacks.wait_idle()

    assert resent.status_code == 200
    first, second = recorder.named("callback.verify")
    assert dict(first.fields) == dict(second.fields)


def test_update_changes_event_and_refuses_bad_changes(
    sandbox: Sandbox, api: httpx.Client, callbacks: str, recorder: Recorder, receiver: str
) -> None:
    callback, _ = verified(sandbox, api, callbacks, recorder, "invoice.create", f"{receiver}/a")
    path = f"{callbacks}/{callback['callbackid']}"

    changed = api.put(path, json={"callback": {"event": "client", "uri": f"{receiver}/b"}})
    bad_event = api.put(path, json={"callback": {"event": "client.explode"}})
    nothing = api.put(path, json={"callback": {"resend": False}})
    unknown = api.put(f"{callbacks}/9999", json={"callback": {"resend": True}})
    sandbox.state.update_client(first_usd_client(sandbox), {"note": "moved"})
    sandbox.callbacks.wait_idle()

    result = changed.json()["response"]["result"]["callback"]
    assert (result["event"], result["uri"], result["verified"]) == ("client", f"{receiver}/b", True)
    assert bad_event.status_code == 422 and nothing.status_code == 422
    assert unknown.status_code == 404
    assert [(r.path, dict(r.fields)["name"]) for r in recorder.requests] == [
        ("/b", "client.update")
    ]


def test_delete_stops_deliveries(
    sandbox: Sandbox, api: httpx.Client, callbacks: str, recorder: Recorder, receiver: str
) -> None:
    callback, _ = verified(sandbox, api, callbacks, recorder, "client", f"{receiver}/hook")
    path = f"{callbacks}/{callback['callbackid']}"

    deleted = api.delete(path)
    again = api.delete(path)
    sandbox.state.update_client(first_usd_client(sandbox), {"note": "unheard"})
    sandbox.callbacks.wait_idle()

    assert (deleted.status_code, deleted.content) == (204, b"")
    assert again.status_code == 404
    assert api.get(path).status_code == 404
    assert recorder.requests == []
