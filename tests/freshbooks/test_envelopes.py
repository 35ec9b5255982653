"""Error envelopes, including the ones the sandbox never produces (doc section 3)."""

from decimal import Decimal

import httpx
import pytest

from connector.freshbooks import (
    AuthenticationFailed,
    FreshBooksAPIError,
    FreshBooksError,
    NotFound,
    RateLimited,
    ServerError,
    UnexpectedResponse,
    ValidationFailed,
)
from connector.freshbooks.envelopes import api_error, carries_errors, decode, result

PATH = "/accounting/account/xZNQ1X/users/clients/12345"

CLASSIC = {
    "response": {
        "errors": [
            {
                "errno": 1012,
                "field": "userid",
                "message": "Client not found.",
                "object": "client",
                "value": "12345",
            }
        ]
    }
}
GRPC_LIKE = {
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


@pytest.mark.parametrize("payload", [CLASSIC, GRPC_LIKE], ids=["classic", "grpc-like"])
def test_not_found_in_either_accounting_envelope(payload):
    error = api_error(404, payload, "GET", PATH)
    assert type(error) is NotFound
    assert (error.status, error.errno, error.field, error.object, error.value) == (
        404,
        1012,
        "userid",
        "client",
        "12345",
    )
    assert error.reason == "Client not found."
    assert str(error).startswith(f"FreshBooks answered 404 to GET {PATH}: Client not found.")
    assert "client.userid = '12345'" in str(error)
    assert "hint:" in str(error)
    assert isinstance(error, FreshBooksError)


def test_classic_envelope_with_several_errors_keeps_every_message():
    payload = {
        "response": {
            "errors": [
                {"errno": 1001, "field": "amount", "message": "Amount is required."},
                {"errno": 1001, "field": "date", "message": "Date is required."},
            ]
        }
    }
    error = api_error(422, payload, "POST", "/p")
    assert type(error) is ValidationFailed
    assert error.field == "amount"
    assert error.reason == "Amount is required.; Date is required."


def test_events_envelope():
    payload = {
        "errno": 422,
        "message": "The request was well-formed but was unable to be followed.",
        "details": ["event: Value error, Unrecognized event.", "uri: Input should be a valid URL"],
    }
    error = api_error(422, payload, "POST", "/events/account/x/events/callbacks")
    assert type(error) is ValidationFailed
    assert error.errno == 422
    assert error.field == "event"
    assert "Unrecognized event." in error.reason


def test_events_envelope_not_found():
    error = api_error(
        404, {"errno": 404, "message": "Requested resource could not be found."}, "GET", "/e"
    )
    assert type(error) is NotFound
    assert error.reason == "Requested resource could not be found."


def test_grpc_like_field_violations():
    payload = {
        "code": 3,
        "message": "invalid argument",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": "uri", "description": "must be https"}],
            }
        ],
    }
    error = api_error(400, payload, "POST", "/e")
    assert type(error) is ValidationFailed
    assert (error.field, error.reason) == ("uri", "must be https")


def test_auth_service_envelope():
    payload = {
        "error": "invalid_token",
        "error_description": "The access token is invalid",
        "state": "unauthorized",
    }
    error = api_error(401, payload, "GET", "/auth/api/v1/users/me")
    assert type(error) is AuthenticationFailed
    assert error.reason == "invalid_token: The access token is invalid"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ValidationFailed),
        (403, AuthenticationFailed),
        (502, ServerError),
        (418, ValidationFailed),
    ],
)
def test_unparseable_body_still_gives_a_named_error(status, cls):
    error = api_error(status, None, "GET", "/x")
    assert type(error) is cls
    assert error.reason == (httpx.codes.get_reason_phrase(status))


def test_rate_limited_carries_retry_after():
    error = api_error(429, None, "GET", "/x", retry_after=12.0)
    assert type(error) is RateLimited
    assert error.retry_after == 12.0


def test_error_envelope_inside_a_200_is_an_error():
    assert carries_errors(CLASSIC)
    assert not carries_errors({"response": {"result": {}}})
    assert type(api_error(200, CLASSIC, "GET", PATH)) is NotFound
    unknown = {"response": {"errors": [{"errno": 9999, "message": "odd"}]}}
    assert type(api_error(200, unknown, "GET", PATH)) is ValidationFailed


def test_every_api_error_is_a_freshbooks_api_error():
    for status in (400, 401, 403, 404, 422, 429, 500, 503):
        assert isinstance(api_error(status, None, "GET", "/x"), FreshBooksAPIError)


def test_decimals_never_become_floats():
    response = httpx.Response(200, content=b'{"response": {"result": {"amount": 10.10}}}')
    assert result(decode(response, "GET", "/x"), "GET", "/x") == {"amount": Decimal("10.10")}


def test_non_json_success_body_is_unexpected():
    with pytest.raises(UnexpectedResponse, match="not JSON"):
        decode(httpx.Response(200, content=b"<html>"), "GET", "/x")


@pytest.mark.parametrize("payload", [{}, {"response": []}, {"response": {"result": []}}, []])
def test_success_without_the_envelope_is_unexpected(payload):
    with pytest.raises(UnexpectedResponse):
        result(payload, "GET", "/x")


def test_identity_envelope_has_no_result_level():
    assert result({"response": {"id": 1}}, "GET", "/me") == {"id": 1}
