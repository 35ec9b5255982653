"""Webhook callbacks: register a URI for an event, confirm its verifier, resend, remove.

These live in the events API, ``/events/account/{account_id}/events/callbacks``, not under the
accounting path, and answer errors in that API's own envelope (the client reads it too).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any

from connector.freshbooks.errors import UnexpectedResponse
from connector.freshbooks.query import search_params
from connector.freshbooks.resources import MAX_PER_PAGE, pages

if TYPE_CHECKING:
    from connector.freshbooks.client import FreshBooksClient


class Callbacks:
    """The business's webhook callbacks; each record is the dict FreshBooks sends."""

    def __init__(self, client: FreshBooksClient) -> None:
        self._client = client

    def _path(self, tail: str = "") -> str:
        return f"/events/account/{self._client.account_id}/events/callbacks{tail}"

    def create(self, event: str, uri: str) -> dict[str, Any]:
        """Register; FreshBooks posts the verification handshake to ``uri`` straight away."""
        return self._write("POST", "", {"event": event, "uri": uri})

    def iter(self, event: str | None = None) -> Iterator[dict[str, Any]]:
        """Every callback; ``event`` keeps those for that event, its parent or its children."""
        params = search_params({"event": event})
        return chain.from_iterable(
            pages(self._client, self._path(), "callbacks", params, MAX_PER_PAGE)
        )

    def get(self, id: int) -> dict[str, Any]:
        path = self._path(f"/{int(id)}")
        return _callback(self._client.get(path), path)

    def verify(self, id: int, verifier: str) -> dict[str, Any]:
        """Echo the handshake's verifier; deliveries start only after this."""
        return self._write("PUT", f"/{int(id)}", {"verifier": verifier})

    def resend(self, id: int) -> dict[str, Any]:
        """Ask for the handshake again, for a receiver that missed it."""
        return self._write("PUT", f"/{int(id)}", {"resend": True})

    def update(
        self, id: int, *, event: str | None = None, uri: str | None = None
    ) -> dict[str, Any]:
        """Point a callback at another URI or event; its verifier stays the same."""
        changes = {key: value for key, value in (("event", event), ("uri", uri)) if value}
        if not changes:
            raise ValueError("update() needs an event or a uri")
        return self._write("PUT", f"/{int(id)}", changes)

    def delete(self, id: int) -> None:
        self._client.delete(self._path(f"/{int(id)}"))

    def _write(self, method: str, tail: str, callback: dict[str, Any]) -> dict[str, Any]:
        path = self._path(tail)
        send = self._client.post if method == "POST" else self._client.put
        return _callback(send(path, {"callback": callback}), path)


def _callback(result: dict[str, Any], path: str) -> dict[str, Any]:
    record = result.get("callback")
    if not isinstance(record, dict) or "callbackid" not in record:
        raise UnexpectedResponse(f"the answer to {path} has no 'callback' object with an id")
    return record
