"""Fault injection: counted 429s with Retry-After, 500s, dropped connections, latency, the log."""

from __future__ import annotations

import httpx
import pytest

from connector.sandbox import Sandbox
from connector.sandbox.faults import FaultSpecError
from tests.sandbox.envelopes import errors_of


def test_429_with_retry_after_for_the_matching_requests_only(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    sandbox.faults.add(
        method="GET", path_regex=r"/invoices/invoices$", status=429, retry_after=1, times=2
    )
    assert api.get(f"{accounting}/users/clients").status_code == 200
    assert api.post(f"{accounting}/invoices/invoices", json={}).status_code == 422
    for _ in range(2):
        limited = api.get(f"{accounting}/invoices/invoices")
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "1"
        assert limited.json()["response"]["errors"][0]["errno"] == 429
    assert api.get(f"{accounting}/invoices/invoices").status_code == 200
    statuses = [e.status for e in sandbox.requests.entries(method="GET", path_regex="invoices$")]
    assert statuses == [429, 429, 200]


def test_injected_status_uses_the_newer_envelope_when_the_request_names_an_api_version(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    sandbox.faults.add(path_regex=r"/users/clients$", status=429, retry_after=3, times=2)
    sandbox.faults.add(path_regex=r"/users/clients$", status=503, times=1)
    limited = api.get(f"{accounting}/users/clients", headers={"Api-Version": "alpha"})
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "3")
    assert limited.json() == {
        "code": 8,
        "message": "Request failed with status_code: 429",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "429",
                "domain": "accounting.api.freshbooks.com",
                "metadata": {"message": "Injected fault: 429 Too Many Requests."},
            }
        ],
    }
    classic = api.get(f"{accounting}/users/clients")
    assert classic.status_code == 429
    assert errors_of(classic)[0]["message"] == "Injected fault: 429 Too Many Requests."
    unavailable = api.get(f"{accounting}/users/clients", headers={"X-API-VERSION": "2023-09-25"})
    assert (unavailable.status_code, unavailable.json()["code"]) == (503, 14)


def test_fail_next_with_500(sandbox: Sandbox, api: httpx.Client) -> None:
    sandbox.faults.fail_next(2)
    assert [api.get("/auth/api/v1/users/me").status_code for _ in range(3)] == [500, 500, 200]


def test_fail_next_with_a_dropped_connection(sandbox: Sandbox, api: httpx.Client) -> None:
    sandbox.faults.fail_next(1, drop=True)
    with pytest.raises(httpx.RemoteProtocolError):
        api.get("/auth/api/v1/users/me")
    assert api.get("/auth/api/v1/users/me").status_code == 200
    assert [e.status for e in sandbox.requests.entries()] == [None, 200]


def test_latency_only_rule_passes_the_request_through(sandbox: Sandbox, api: httpx.Client) -> None:
    sandbox.faults.add(path_regex="users/me", latency=0.05, times=None)
    assert api.get("/auth/api/v1/users/me").status_code == 200
    assert api.get("/auth/api/v1/users/me").status_code == 200


def test_clear_removes_unlimited_rules(sandbox: Sandbox, api: httpx.Client) -> None:
    sandbox.faults.add(status=503, times=None)
    assert api.get("/auth/api/v1/users/me").status_code == 503
    sandbox.faults.clear()
    assert api.get("/auth/api/v1/users/me").status_code == 200


@pytest.mark.parametrize(
    "rule",
    [
        {},
        {"status": 200},
        {"status": 429, "times": 0},
        {"status": 429, "path_regex": "("},
    ],
)
def test_useless_rules_are_refused(sandbox: Sandbox, rule: dict) -> None:
    with pytest.raises(FaultSpecError):
        sandbox.faults.add(**rule)
