"""A receiver over a real SQLite store, with one verified callback signed by the worked example."""

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from connector.store import Store, WebhookCallback
from connector.webhooks import create_app

# The worked example of freshbooks-api.md section 5.
EXAMPLE_BODY = (
    "name=invoice.update&object_id=3300105&account_id=xZNQ1X"
    "&business_id=7654321&identity_id=1122334&user_id=1"
)
EXAMPLE_VERIFIER = "Qm9ndXNWZXJpZmllcjEyMzQ1Ng"
EXAMPLE_HEADER = "U66/UUOD0gBxdZeu/ARVUj6fozS4JyQ0soTNdU/05ZU="
FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture
def store_path(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'state.db'}"


@pytest.fixture
def store(store_path: str) -> Iterator[Store]:
    with Store.open(store_path) as opened:
        yield opened


@pytest.fixture
def callback(store: Store) -> WebhookCallback:
    token = store.events.add_callback("invoice").path_token
    store.events.set_verifier(token, EXAMPLE_VERIFIER, 2001)
    return store.events.mark_verified(token)


class Receiver:
    """Posts to the app in-process through httpx; returns once the app, background work included,
    has finished, so the store can be read right after the response."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return asyncio.run(self._request("POST", path, **kwargs))

    def get(self, path: str) -> httpx.Response:
        return asyncio.run(self._request("GET", path))

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as client:
            return await client.request(method, path, **kwargs)


@pytest.fixture
def client(store: Store) -> Receiver:
    return Receiver(create_app(store, max_body_bytes=1024))


def hook(callback: WebhookCallback) -> str:
    return f"/hooks/freshbooks/{callback.path_token}"
