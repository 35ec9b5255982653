"""Envelopes the sandbox does not produce, through the whole client (httpx.MockTransport)."""

import json
import time

import httpx
import pytest

from connector.freshbooks import (
    AuthenticationFailed,
    FreshBooksClient,
    FreshBooksConfig,
    MemoryTokenStore,
    NotFound,
    RetryPolicy,
    ServerError,
    Token,
    UnexpectedResponse,
    ValidationFailed,
)

ACCOUNT = "xZNQ1X"
CONFIG = FreshBooksConfig(
    client_id="id",
    client_secret="secret",
    redirect_uri="https://example.test/callback",
    api_url="https://api.example.test/",
    account_id=ACCOUNT,
)


def client_answering(status, body, seen=None):
    def handler(request):
        if seen is not None:
            seen.append(request)
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.Response(status, content=content)

    store = MemoryTokenStore(Token("access-1", "refresh-1", expires_at=time.time() + 43200))
    policy = RetryPolicy(sleep=lambda seconds: None)
    return FreshBooksClient(CONFIG, store, transport=httpx.MockTransport(handler), retry=policy)


def test_newer_grpc_like_not_found():
    body = {
        "code": 5,
        "message": "Request failed with status_code: 404",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "1012",
                "domain": "accounting.api.freshbooks.com",
                "metadata": {
                    "object": "client",
                    "message": "Client not found.",
                    "value": "12345",
                    "field": "userid",
                },
            }
        ],
    }
    with client_answering(404, body) as client, pytest.raises(NotFound) as caught:
        client.clients.get(12345)
    assert (caught.value.errno, caught.value.field, caught.value.value) == (1012, "userid", "12345")
    assert caught.value.path == f"/accounting/account/{ACCOUNT}/users/clients/12345"


def test_events_envelope_validation():
    body = {
        "errno": 422,
        "message": "The request was well-formed but was unable to be followed.",
        "details": ["event: Value error, Unrecognized event."],
    }
    with client_answering(422, body) as client, pytest.raises(ValidationFailed) as caught:
        client.post("/events/account/x/events/callbacks", {"callback": {"event": "nope"}})
    assert caught.value.field == "event"


def test_events_envelope_unauthorised_after_one_refresh_is_refused():
    body = {"errno": 401, "message": "invalid_token: The request token failed to authenticate."}
    seen = []
    with client_answering(401, body, seen) as client, pytest.raises(AuthenticationFailed) as caught:
        client.get("/events/account/x/events/callbacks")
    # The first 401 leads to one refresh (answered 401 as well, by this transport).
    assert [request.url.path for request in seen] == [
        "/events/account/x/events/callbacks",
        "/auth/oauth/token",
    ]
    assert "access-1" not in str(caught.value)


def test_error_envelope_inside_http_200():
    body = {"response": {"errors": [{"errno": 1012, "message": "Invoice not found."}]}}
    with client_answering(200, body) as client, pytest.raises(NotFound):
        client.invoices.get(5)


def test_html_from_a_gateway_on_a_read_is_a_server_error_after_retries():
    seen = []
    with (
        client_answering(502, b"<html>Bad Gateway</html>", seen) as client,
        pytest.raises(ServerError) as caught,
    ):
        client.invoices.get(5)
    assert caught.value.status == 502
    assert len(seen) == RetryPolicy().max_attempts


def test_success_that_is_not_json_is_unexpected():
    with client_answering(200, b"<html>hello</html>") as client, pytest.raises(UnexpectedResponse):
        client.invoices.get(5)


def test_list_without_its_records_is_unexpected():
    body = {"response": {"result": {"page": 1, "pages": 1}}}
    with client_answering(200, body) as client, pytest.raises(UnexpectedResponse, match="invoices"):
        list(client.invoices.iter())
