import logging

import pytest
from sqlalchemy import create_engine, text

from connector.errors import ConnectorError
from connector.freshbooks.signature import HEADER, signature
from connector.store import Store, WebhookCallback
from connector.webhooks import create_app
from tests.webhooks.conftest import (
    EXAMPLE_BODY,
    EXAMPLE_HEADER,
    EXAMPLE_VERIFIER,
    FORM,
    Receiver,
    hook,
)

INVOICE_EVENTS = ["invoice.update"]

# A consumer that has handled nothing: it sees every event the receiver buffered.
READER = "webhook-tests"


def _signed(fields: list[tuple[str, str]]) -> dict[str, str]:
    return {**FORM, HEADER: signature(fields, EXAMPLE_VERIFIER)}


def _body(fields: list[tuple[str, str]]) -> str:
    return "&".join(f"{name}={value}" for name, value in fields)


def test_the_worked_example_is_committed_before_the_200(client, store: Store, callback):
    response = client.post(
        hook(callback), content=EXAMPLE_BODY, headers={**FORM, HEADER: EXAMPLE_HEADER}
    )

    assert (response.status_code, response.text) == (200, "ok")
    [event] = store.events.pending(READER, INVOICE_EVENTS, 10)
    assert (event.account_id, event.name, event.object_id) == (
        "xZNQ1X",
        "invoice.update",
        "3300105",
    )
    assert [name for name, _ in event.fields] == [
        "name",
        "object_id",
        "account_id",
        "business_id",
        "identity_id",
        "user_id",
    ]
    assert event.path_token == callback.path_token


def test_a_duplicate_delivery_is_answered_and_ignored(client, store: Store, callback):
    for _ in range(3):
        response = client.post(
            hook(callback), content=EXAMPLE_BODY, headers={**FORM, HEADER: EXAMPLE_HEADER}
        )
        assert response.status_code == 200

    [event] = store.events.pending(READER, INVOICE_EVENTS, 10)
    assert event.deliveries == 3


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ({}, f"missing {HEADER}"),
        ({HEADER: ""}, f"missing {HEADER}"),
        ({HEADER: "+Mxw5835vay2tGe4Bq/f+rax9r3U2R+jtD21VsMMZuY="}, "does not match"),
        ({HEADER: EXAMPLE_HEADER.lower()}, "does not match"),
    ],
)
def test_missing_or_wrong_signatures_are_refused(client, store, callback, header, reason):
    response = client.post(hook(callback), content=EXAMPLE_BODY, headers={**FORM, **header})

    assert response.status_code == 401 and reason in response.text
    assert store.events.pending(READER, INVOICE_EVENTS, 10) == []


def test_a_tampered_body_is_refused(client, store, callback):
    tampered = EXAMPLE_BODY.replace("3300105", "3300106")
    response = client.post(
        hook(callback), content=tampered, headers={**FORM, HEADER: EXAMPLE_HEADER}
    )
    assert response.status_code == 401


def test_events_for_a_callback_without_a_verifier_are_refused(client, store: Store):
    unverified = store.events.add_callback("bill")
    response = client.post(
        hook(unverified), content=EXAMPLE_BODY, headers={**FORM, HEADER: EXAMPLE_HEADER}
    )
    assert (response.status_code, response.text) == (401, "callback has no verifier yet")


def test_an_unknown_path_is_404(client, callback):
    response = client.post("/hooks/freshbooks/not-a-callback", content=EXAMPLE_BODY, headers=FORM)
    assert (response.status_code, response.text) == (404, "unknown callback path")


def test_only_post_is_allowed(client, callback):
    assert client.get(hook(callback)).status_code == 405


def test_a_declared_oversize_body_is_413(client, store, callback):
    body = EXAMPLE_BODY + "&padding=" + "x" * 2000
    response = client.post(hook(callback), content=body, headers={**FORM, HEADER: "x"})
    assert response.status_code == 413
    assert store.events.pending(READER, INVOICE_EVENTS, 10) == []


def test_an_oversize_chunked_body_is_413_without_reading_it_all(client, callback):
    sent: list[int] = []

    async def chunks():
        for number in range(100):
            sent.append(number)
            yield b"x" * 512

    response = client.post(hook(callback), content=chunks(), headers=FORM)

    assert response.status_code == 413
    assert len(sent) < 10


@pytest.mark.parametrize("content_type", [None, "application/json", "multipart/form-data"])
def test_bodies_that_are_not_forms_are_415(client, callback, content_type):
    headers = {} if content_type is None else {"content-type": content_type}
    response = client.post(hook(callback), content=b'{"name": "x"}', headers=headers)
    assert response.status_code == 415


def test_a_form_type_with_a_charset_is_accepted(client, callback):
    headers = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}
    response = client.post(
        hook(callback), content=EXAMPLE_BODY, headers={**headers, HEADER: EXAMPLE_HEADER}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"name", "not URL-encoded"),
        (b"name=invoice.update&&object_id=1", "not URL-encoded"),
        (b"name=%ff%fe", "not URL-encoded"),
        ("name=caf\u00e9".encode(), "not URL-encoded"),
        (b"name=a&object_id=1&name=b", "repeats the fields name"),
    ],
)
def test_malformed_bodies_are_400(client, store, callback, body, reason):
    response = client.post(hook(callback), content=body, headers={**FORM, HEADER: "x"})

    assert response.status_code == 400 and reason in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize("missing", ["name", "object_id", "account_id"])
def test_a_signed_event_without_its_identifying_fields_is_400(client, callback, missing):
    fields = [("name", "invoice.create"), ("object_id", "7"), ("account_id", "xZNQ1X")]
    fields = [(name, "" if name == missing else value) for name, value in fields]

    response = client.post(hook(callback), content=_body(fields), headers=_signed(fields))

    assert response.status_code == 400 and missing in response.text


def test_the_handshake_stores_the_verifier_and_hands_it_on(store: Store):
    confirmed: list[WebhookCallback] = []

    async def confirm(callback: WebhookCallback) -> None:
        confirmed.append(callback)

    pending = store.events.add_callback("invoice")
    body = "user_id=214214&name=callback.verify&verifier=xf8pQ&object_id=778599&account_id=xazq5"
    response = Receiver(create_app(store, on_verifier=confirm)).post(
        hook(pending), content=body, headers=FORM
    )

    assert (response.status_code, response.text) == (200, "verifier stored")
    stored = store.events.callback_for_path(pending.path_token)
    assert (stored.verifier, stored.callback_id, stored.verified) == ("xf8pQ", 778599, False)
    assert confirmed == [stored]


def test_a_failed_confirmation_is_logged_and_the_handshake_still_answered(store, caplog):
    async def confirm(callback: WebhookCallback) -> None:
        raise ConnectorError("FreshBooks refused the verifier")

    pending = store.events.add_callback("invoice")
    body = "name=callback.verify&verifier=xf8pQ&object_id=778599"
    response = Receiver(create_app(store, on_verifier=confirm)).post(
        hook(pending), content=body, headers=FORM
    )

    assert response.status_code == 200
    assert "FreshBooks refused the verifier" in caplog.text
    assert "xf8pQ" not in caplog.text and pending.path_token not in caplog.text


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("name=callback.verify&object_id=778599", "verifier"),
        ("name=callback.verify&verifier=v", "object_id"),
        ("name=callback.verify&verifier=v&object_id=abc", "not a callback id"),
    ],
)
def test_an_incomplete_handshake_is_400(client, store: Store, body, reason):
    pending = store.events.add_callback("invoice")

    response = client.post(hook(pending), content=body, headers=FORM)

    assert response.status_code == 400 and reason in response.text
    assert store.events.callback_for_path(pending.path_token).verifier is None


def test_a_handshake_for_a_verified_callback_is_409(client, store: Store, callback):
    body = "name=callback.verify&verifier=forged&object_id=2001"

    response = client.post(hook(callback), content=body, headers=FORM)

    assert response.status_code == 409
    assert store.events.callback_for_path(callback.path_token).verifier == EXAMPLE_VERIFIER


def test_refusals_are_logged_without_secrets(client, callback, caplog):
    with caplog.at_level(logging.WARNING, logger="connector.webhooks"):
        client.post(hook(callback), content=EXAMPLE_BODY, headers={**FORM, HEADER: "forged"})

    assert "callback 2001 (invoice): 401" in caplog.text
    for secret in (callback.path_token, EXAMPLE_VERIFIER, "forged", EXAMPLE_HEADER):
        assert secret not in caplog.text


def test_an_unusable_store_is_503_so_freshbooks_retries(client, store: Store, store_path, callback):
    engine = create_engine(store_path)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE webhook_events"))
    engine.dispose()

    response = client.post(
        hook(callback), content=EXAMPLE_BODY, headers={**FORM, HEADER: EXAMPLE_HEADER}
    )

    assert (response.status_code, response.text) == (503, "state store unavailable, retry later")
