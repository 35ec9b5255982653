"""Register, handshake, confirm, deliver, unregister: the receiver under uvicorn and the sandbox."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from connector.freshbooks import FreshBooksClient, MemoryTokenStore, NotFound, ValidationFailed
from connector.sandbox import Sandbox
from connector.store import CallbackConflictError, Store
from connector.webhooks import create_app
from connector.webhooks.registration import (
    InvalidPublicUrl,
    callback_uri,
    confirm,
    confirming_handler,
    register,
    status,
    unregister,
    wait_until_verified,
)
from tests.freshbooks.conftest import sandbox_config, sandbox_token
from tests.webhooks.live_server import serving

# A consumer that has handled nothing: it sees every event the receiver buffered.
READER = "webhook-tests"


def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        time.sleep(0.02)


@pytest.fixture
def connect(sandbox: Sandbox) -> Callable[[], FreshBooksClient]:
    tokens = MemoryTokenStore(sandbox_token(sandbox.info))
    return lambda: FreshBooksClient(sandbox_config(sandbox.info), tokens)


@pytest.fixture
def client(connect: Callable[[], FreshBooksClient]) -> Iterator[FreshBooksClient]:
    with connect() as fb:
        yield fb


@pytest.fixture
def receiver(store: Store, connect: Callable[[], FreshBooksClient]) -> Iterator[str]:
    """The real receiver, confirming each handshake's verifier with the sandbox API."""
    with serving(create_app(store, on_verifier=confirming_handler(connect, store))) as url:
        yield url


def all_verified(store: Store) -> bool:
    return all(c.verified for c in store.events.callbacks())


def test_register_handshake_confirm_and_a_signed_delivery_lands_in_the_store(
    sandbox: Sandbox, client: FreshBooksClient, store: Store, receiver: str
) -> None:
    registered = register(client, store, receiver + "/", events=("invoice", "client"))
    sandbox.callbacks.wait_idle()
    eventually(lambda: all_verified(store))
    invoice = sandbox.state.invoices[0]

    sandbox.state.touch_invoice(invoice.id)
    sandbox.callbacks.wait_idle()

    assert [(c.event, c.in_freshbooks) for c in registered] == [
        ("invoice", True),
        ("client", True),
    ]
    assert all(c.verified for c in sandbox.callbacks.callbacks)
    assert sandbox.requests.entries(method="PUT", path_regex="/events/callbacks/")
    [event] = store.events.pending(READER, ["invoice.update"], 10)
    assert (event.object_id, event.account_id) == (str(invoice.id), sandbox.info.account_id)
    assert [c.verified for c in status(client, store)] == [True, True]
    assert store.events.pending(READER, ["client.update", "client.create"], 10) == []


def test_register_twice_reuses_what_exists(
    sandbox: Sandbox, client: FreshBooksClient, store: Store, receiver: str
) -> None:
    first = register(client, store, receiver, events=("invoice", "payment"))
    sandbox.callbacks.wait_idle()
    eventually(lambda: all_verified(store))

    second = register(client, store, receiver, events=("invoice", "payment"))

    assert [c.callback_id for c in second] == [c.callback_id for c in first]
    assert len(sandbox.callbacks.callbacks) == 2 and len(store.events.callbacks()) == 2
    assert all(c.verified for c in second)


def test_a_new_public_url_moves_the_callback_instead_of_adding_one(
    sandbox: Sandbox, client: FreshBooksClient, store: Store, receiver: str
) -> None:
    [before] = register(client, store, receiver, events=("client",))
    [after] = register(client, store, "https://hooks.example.com/fb", events=("client",))

    [callback] = sandbox.callbacks.callbacks
    [known] = store.events.callbacks()
    assert after.callback_id == before.callback_id == callback.callbackid
    assert callback.uri == callback_uri("https://hooks.example.com/fb", known)


def test_a_run_that_stopped_before_saving_the_id_is_picked_up(
    sandbox: Sandbox, client: FreshBooksClient, store: Store
) -> None:
    base = "https://hooks.example.com"
    orphan = store.events.add_callback("client")
    created = client.callbacks.create("client", callback_uri(base, orphan))

    [again] = register(client, store, base, events=("client",))

    assert again.callback_id == created["callbackid"]
    assert len(sandbox.callbacks.callbacks) == 1 and len(store.events.callbacks()) == 1


def test_register_confirms_itself_when_the_receiver_cannot(
    sandbox: Sandbox, client: FreshBooksClient, store: Store
) -> None:
    with serving(create_app(store)) as plain_receiver:
        register(client, store, plain_receiver, events=("bill",))
        sandbox.callbacks.wait_idle()
        current = wait_until_verified(client, store, timeout=10)

    assert [(c.event, c.verifier_received, c.verified) for c in current] == [("bill", True, True)]
    assert sandbox.callbacks.callbacks[0].verified


def test_unverified_callbacks_are_reported_after_the_wait(
    sandbox: Sandbox, client: FreshBooksClient, store: Store
) -> None:
    sandbox.state.behaviour.webhook_attempts = 1
    register(client, store, "http://127.0.0.1:9/unreachable", events=("bill",))
    sandbox.callbacks.wait_idle()

    [current] = wait_until_verified(client, store, timeout=0, sleep=lambda _: None)

    assert (current.in_freshbooks, current.verifier_received, current.verified) == (
        True,
        False,
        False,
    )


def test_unregister_removes_both_sides_but_keeps_a_callback_with_waiting_events(
    sandbox: Sandbox, client: FreshBooksClient, store: Store, receiver: str
) -> None:
    register(client, store, receiver, events=("invoice", "client"))
    sandbox.callbacks.wait_idle()
    eventually(lambda: all_verified(store))
    sandbox.state.touch_invoice(sandbox.state.invoices[0].id)
    sandbox.callbacks.wait_idle()

    first = unregister(client, store)

    assert sandbox.callbacks.callbacks == []
    notes = {c.event: c.note for c in first}
    assert notes["client"] == "removed"
    assert "still has events waiting" in notes["invoice"]
    assert [c.event for c in store.events.callbacks()] == ["invoice"]

    store.events.mark_processed(READER, store.events.pending(READER, ["invoice.update"], 10))
    second = unregister(client, store)

    assert [(c.event, c.note) for c in second] == [("invoice", "removed")]
    assert store.events.callbacks() == [] and status(client, store) == []


def test_a_refused_create_leaves_nothing_behind(client: FreshBooksClient, store: Store) -> None:
    with pytest.raises(ValidationFailed, match="Unrecognized event"):
        register(client, store, "https://hooks.example.com", events=("invoice.explode",))

    assert store.events.callbacks() == []


@pytest.mark.parametrize(
    "url", ["", "hooks.example.com", "ftp://hooks.example.com", "https://h.example/?k=1"]
)
def test_public_url_must_be_an_absolute_http_address(
    client: FreshBooksClient, store: Store, url: str
) -> None:
    with pytest.raises(InvalidPublicUrl):
        register(client, store, url)
    assert store.events.callbacks() == []


def test_confirm_before_the_handshake_is_refused(client: FreshBooksClient, store: Store) -> None:
    waiting = store.events.add_callback("invoice")
    with pytest.raises(CallbackConflictError, match="before its handshake"):
        confirm(client, waiting)


def test_client_callbacks_cover_the_events_api(
    sandbox: Sandbox, client: FreshBooksClient, store: Store, receiver: str
) -> None:
    sandbox.state.behaviour.webhook_backoff_seconds = 0.01  # the receiver refuses unknown paths
    made = client.callbacks.create("invoice.update", f"{receiver}/hooks/freshbooks/unknown")
    other = client.callbacks.create("client", f"{receiver}/hooks/freshbooks/unknown2")
    callback_id = made["callbackid"]

    resent = client.callbacks.resend(callback_id)
    sandbox.callbacks.wait_idle()

    assert client.callbacks.get(callback_id) == resent
    assert [c["callbackid"] for c in client.callbacks.iter(event="invoice")] == [callback_id]
    assert {c["callbackid"] for c in client.callbacks.iter()} == {callback_id, other["callbackid"]}
    assert [d.event for d in sandbox.callbacks.deliveries] == ["callback.verify"] * 3
    with pytest.raises(ValidationFailed) as wrong:
        client.callbacks.verify(callback_id, "not-the-verifier")
    assert wrong.value.field == "verifier"
    with pytest.raises(ValueError, match="needs an event or a uri"):
        client.callbacks.update(callback_id)
    client.callbacks.delete(callback_id)
    with pytest.raises(NotFound):
        client.callbacks.delete(callback_id)
    with pytest.raises(NotFound):
        client.callbacks.get(callback_id)
