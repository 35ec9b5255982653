"""Sandbox-backed fixtures: a real FreshBooks-compatible server on loopback per test."""

import time

import httpx
import pytest

from connector.freshbooks import (
    FreshBooksClient,
    FreshBooksConfig,
    MemoryTokenStore,
    RetryPolicy,
    Token,
)


class RecordingTransport(httpx.BaseTransport):
    """A real HTTP transport that notes each attempt (method, path, bearer token) in ``events``."""

    def __init__(self, events):
        self.events = events
        self.bodies = []
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request):
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        self.events.append(("request", request.method, request.url.path, bearer))
        self.bodies.append(request.read())
        return self.inner.handle_request(request)

    def close(self):
        self.inner.close()


class RecordingStore(MemoryTokenStore):
    """A memory store that notes each save in ``events``, to check saves precede use."""

    def __init__(self, token, events):
        super().__init__(token)
        self.events = events

    def save(self, token):
        self.events.append(("save", token.access_token))
        super().save(token)


def sandbox_config(info, **overrides):
    values = {
        "client_id": info.client_id,
        "client_secret": info.client_secret,
        "redirect_uri": info.redirect_uri,
        "api_url": info.api_url,
        "auth_url": info.auth_url,
    }
    return FreshBooksConfig(**{**values, **overrides})


def sandbox_token(info, expires_in=43200.0):
    return Token(info.access_token, info.refresh_token, expires_at=time.time() + expires_in)


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def retry(sleeps):
    return RetryPolicy(
        max_attempts=4, base_delay=0.5, max_delay=30, jitter=False, sleep=sleeps.append
    )


@pytest.fixture
def events():
    return []


@pytest.fixture
def store(sandbox, events):
    return RecordingStore(sandbox_token(sandbox.info), events)


@pytest.fixture
def client(sandbox, store, retry, events):
    with FreshBooksClient(
        sandbox_config(sandbox.info), store, transport=RecordingTransport(events), retry=retry
    ) as fb:
        yield fb


def requests_made(events, path_fragment=""):
    return [event for event in events if event[0] == "request" and path_fragment in event[2]]
