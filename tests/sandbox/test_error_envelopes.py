"""Classic `response.errors` by default; the newer gRPC-like envelope when a version is named."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from connector.sandbox import Sandbox, SeedPlan
from connector.sandbox.errors import AccountingError, newer_envelope
from tests.sandbox.envelopes import errno_of, errors_of

VERSION_HEADERS = [{"X-API-VERSION": "2023-09-25"}, {"Api-Version": "alpha"}]


# Every test here only reads or is refused, so one sandbox serves the whole module.
@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    folder = tmp_path_factory.mktemp("envelopes")
    with Sandbox(root=folder / "sftp", state_dir=folder / "state", seed_plan=SeedPlan()) as sb:
        yield sb


@pytest.fixture(scope="module")
def api(sandbox: Sandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {sandbox.info.access_token}"}
    with httpx.Client(base_url=sandbox.info.api_url, headers=headers, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def accounting(sandbox: Sandbox) -> str:
    return f"/accounting/account/{sandbox.info.account_id}"


def only_detail(response: httpx.Response) -> dict:
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["message"] == f"Request failed with status_code: {response.status_code}"
    (detail,) = body["details"]
    assert detail["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"
    assert detail["domain"] == "accounting.api.freshbooks.com"
    return detail


def test_classic_without_a_version_header(api: httpx.Client, accounting: str) -> None:
    answer = api.get(f"{accounting}/users/clients/12345")
    assert answer.status_code == 404
    (error,) = errors_of(answer)
    assert error == {
        "errno": 1012,
        "field": "userid",
        "message": "Client not found.",
        "object": "client",
        "value": "12345",
    }


@pytest.mark.parametrize("headers", VERSION_HEADERS)
def test_not_found_in_the_newer_envelope(api: httpx.Client, accounting: str, headers) -> None:
    answer = api.get(f"{accounting}/users/clients/12345", headers=headers)
    assert answer.status_code == 404
    assert answer.json()["code"] == 5
    detail = only_detail(answer)
    assert detail["reason"] == "1012"
    assert detail["metadata"] == {
        "object": "client",
        "message": "Client not found.",
        "value": "12345",
        "field": "userid",
    }


def test_validation_in_the_newer_envelope(api: httpx.Client, accounting: str) -> None:
    answer = api.post(
        f"{accounting}/payments/payments",
        json={"payment": {"invoiceid": 880001, "amount": {"amount": "5.00"}}},
        headers=VERSION_HEADERS[0],
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == 3
    detail = only_detail(answer)
    assert (detail["reason"], detail["metadata"]["field"]) == ("1001", "date")
    assert "value" not in detail["metadata"]


def test_unauthorised_in_the_newer_envelope_keeps_its_header(
    sandbox: Sandbox, accounting: str
) -> None:
    with httpx.Client(base_url=sandbox.info.api_url) as anonymous:
        answer = anonymous.get(f"{accounting}/users/clients", headers=VERSION_HEADERS[1])
    assert answer.status_code == 401
    assert answer.json()["code"] == 16
    assert only_detail(answer)["reason"] == "1003"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_path_in_both_envelopes(api: httpx.Client, accounting: str) -> None:
    classic = api.get(f"{accounting}/no/such/path")
    assert (classic.status_code, errno_of(classic)) == (404, 1012)
    newer = api.get(f"{accounting}/no/such/path", headers=VERSION_HEADERS[0])
    assert newer.json()["code"] == 5
    assert only_detail(newer)["metadata"]["message"].startswith("Not Found")
    wrong_method = api.delete(f"{accounting}/users/clients", headers=VERSION_HEADERS[0])
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, 12)


def test_bad_paging_values_in_the_newer_envelope(api: httpx.Client, accounting: str) -> None:
    answer = api.get(
        f"{accounting}/invoices/invoices", params={"per_page": "many"}, headers=VERSION_HEADERS[0]
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == 3
    assert only_detail(answer)["reason"] == "1013"


def test_an_empty_version_header_keeps_the_classic_envelope(
    api: httpx.Client, accounting: str
) -> None:
    answer = api.get(f"{accounting}/users/clients/12345", headers={"X-API-VERSION": ""})
    assert errno_of(answer) == 1012


def test_successes_look_the_same_with_a_version_header(api: httpx.Client, accounting: str) -> None:
    plain = api.get(f"{accounting}/users/clients", params={"per_page": 2}).json()
    versioned = api.get(
        f"{accounting}/users/clients", params={"per_page": 2}, headers=VERSION_HEADERS[0]
    ).json()
    assert versioned == plain


def test_oauth_errors_keep_their_own_shape(sandbox: Sandbox) -> None:
    with httpx.Client(base_url=sandbox.info.api_url) as anonymous:
        answer = anonymous.post(
            "/auth/oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": "nope"},
            headers=VERSION_HEADERS[0],
        )
    assert answer.status_code >= 400
    assert "error" in answer.json() and "code" not in answer.json()


@pytest.mark.parametrize(
    ("status", "code"), [(403, 7), (409, 10), (429, 8), (500, 13), (502, 13), (418, 2)]
)
def test_grpc_codes_follow_the_http_status(status: int, code: int) -> None:
    error = AccountingError(status, 1, "x")
    assert newer_envelope(status, [error.error])["code"] == code
    assert error.body_for({"api-version": "alpha"})["code"] == code
    assert error.body_for({}) == error.body
