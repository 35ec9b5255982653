"""Registering the receiver's callbacks with FreshBooks, and removing them again.

Each event gets its own callback and its own receiver path, because deliveries do not say which
callback (so which verifier) they belong to. The store's callback is created first, so the
handshake FreshBooks sends at once already finds its path. Running ``register`` again reuses
what both sides know: matched by the callback id, or by the URI when a run stopped before the
id was saved. A callback whose verifier arrived while nobody could confirm it is confirmed here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.concurrency import run_in_threadpool

from connector.errors import ConfigurationError, ConnectorError
from connector.freshbooks import FreshBooksClient, NotFound
from connector.store import CallbackConflictError, Store, WebhookCallback
from connector.webhooks.app import ROUTE, VerifierHandler

RECEIVER_EVENTS = ("invoice", "bill", "payment", "client", "bill_vendor")
"""Parent events: each callback hears every create, update and delete of its object."""


class InvalidPublicUrl(ConfigurationError):
    """The address FreshBooks should post to cannot be one it reaches."""


@dataclass(frozen=True)
class CallbackStatus:
    """One callback as both sides see it; the URI is left out because its path is a secret."""

    event: str
    callback_id: int | None
    in_freshbooks: bool
    verifier_received: bool
    verified: bool
    note: str = ""


def check_public_url(public_url: str) -> str:
    """The base URL without a trailing slash; FreshBooks needs an absolute http(s) address."""
    try:
        url = httpx.URL(public_url)
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise InvalidPublicUrl(
            f"the public URL {public_url!r} is not an absolute http(s) address",
            hint="pass the address where FreshBooks reaches `ml-connector webhooks serve`, "
            "e.g. https://hooks.example.com",
        )
    if url.query or url.fragment:
        raise InvalidPublicUrl(
            f"the public URL {public_url!r} has a query or fragment",
            hint="pass only scheme, host, port and an optional path prefix",
        )
    return public_url.rstrip("/")


def callback_uri(public_url: str, callback: WebhookCallback) -> str:
    return public_url + ROUTE.format(token=callback.path_token)


def register(
    client: FreshBooksClient,
    store: Store,
    public_url: str,
    events: Iterable[str] = RECEIVER_EVENTS,
) -> list[CallbackStatus]:
    """Make sure each event has one callback on both sides, pointing at ``public_url``."""
    base = check_public_url(public_url)
    remote = {int(c["callbackid"]): c for c in client.callbacks.iter()}
    for event in dict.fromkeys(events):
        _ensure(client, store, base, event, remote)
    confirm_pending(client, store)
    return status(client, store)


def _ensure(
    client: FreshBooksClient,
    store: Store,
    base: str,
    event: str,
    remote: dict[int, dict[str, Any]],
) -> None:
    by_uri = {c.get("uri"): callback_id for callback_id, c in remote.items()}
    for known in store.events.callbacks():
        if known.event != event:
            continue
        uri = callback_uri(base, known)
        if known.callback_id in remote:
            if remote[known.callback_id].get("uri") != uri:
                client.callbacks.update(known.callback_id, uri=uri)
            return
        if known.callback_id is None and uri in by_uri:
            store.events.set_callback_id(known.path_token, by_uri[uri])
            return
    fresh = store.events.add_callback(event)
    try:
        created = client.callbacks.create(event, callback_uri(base, fresh))
    except ConnectorError:
        store.events.remove_callback(fresh.path_token)
        raise
    store.events.set_callback_id(fresh.path_token, int(created["callbackid"]))


def confirm(client: FreshBooksClient, callback: WebhookCallback) -> None:
    """Echo a stored verifier to FreshBooks; the receiver calls this after each handshake."""
    if callback.callback_id is None or callback.verifier is None:
        raise CallbackConflictError(
            f"callback for {callback.event} cannot be confirmed before its handshake arrived",
            hint="wait for FreshBooks' callback.verify request, or register again to resend it",
        )
    client.callbacks.verify(callback.callback_id, callback.verifier)


def confirming_handler(connect: Callable[[], FreshBooksClient], store: Store) -> VerifierHandler:
    """The receiver's ``on_verifier``: confirm with FreshBooks, then mark the callback verified.
    A client per confirmation, on a worker thread: handshakes are rare, and a client is not
    meant to be shared between threads."""

    def confirm_and_mark(callback: WebhookCallback) -> None:
        with connect() as client:
            confirm(client, callback)
        store.events.mark_verified(callback.path_token)

    async def on_verifier(callback: WebhookCallback) -> None:
        await run_in_threadpool(confirm_and_mark, callback)

    return on_verifier


def confirm_pending(client: FreshBooksClient, store: Store) -> list[WebhookCallback]:
    """Confirm every callback whose verifier arrived but was not confirmed yet."""
    confirmed = []
    for callback in store.events.callbacks():
        if callback.verifier is not None and not callback.verified:
            confirm(client, callback)
            confirmed.append(store.events.mark_verified(callback.path_token))
    return confirmed


def wait_until_verified(
    client: FreshBooksClient,
    store: Store,
    timeout: float,
    *,
    poll_seconds: float = 0.25,
    sleep: Callable[[float], None] = time.sleep,
) -> list[CallbackStatus]:
    """Poll until every callback is verified or ``timeout`` passes; the receiver may be in
    another process, so the store is where its handshakes show up."""
    deadline = time.monotonic() + timeout
    while True:
        confirm_pending(client, store)
        current = status(client, store)
        if all(c.verified for c in current) or time.monotonic() >= deadline:
            return current
        sleep(poll_seconds)


def status(client: FreshBooksClient, store: Store) -> list[CallbackStatus]:
    """Each stored callback with what FreshBooks says of it."""
    remote = {int(c["callbackid"]): c for c in client.callbacks.iter()}
    return [
        _status(known, None if known.callback_id is None else remote.get(known.callback_id))
        for known in store.events.callbacks()
    ]


def _status(known: WebhookCallback, remote: dict[str, Any] | None) -> CallbackStatus:
    return CallbackStatus(
        event=known.event,
        callback_id=known.callback_id,
        in_freshbooks=remote is not None,
        verifier_received=known.verifier is not None,
        verified=bool(remote and remote.get("verified")) and known.verified,
        note="" if remote is not None else "not registered in FreshBooks",
    )


def unregister(client: FreshBooksClient, store: Store) -> list[CallbackStatus]:
    """Delete our callbacks in FreshBooks, then in the store; a callback whose events still
    wait stays in the store (with a note) so those changes are not lost."""
    remote = {int(c["callbackid"]) for c in client.callbacks.iter()}
    outcome = []
    for known in store.events.callbacks():
        if known.callback_id in remote:
            with suppress(NotFound):  # deleted meanwhile: the goal is reached either way
                client.callbacks.delete(known.callback_id)
        try:
            store.events.remove_callback(known.path_token)
            note = "removed"
        except CallbackConflictError as kept:
            note = kept.message
        outcome.append(
            CallbackStatus(
                event=known.event,
                callback_id=known.callback_id,
                in_freshbooks=False,
                verifier_received=known.verifier is not None,
                verified=False,
                note=note,
            )
        )
    return outcome
