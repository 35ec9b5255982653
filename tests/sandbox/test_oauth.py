"""The OAuth 2.0 code flow, refresh-token rotation and token failures, over HTTP."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from connector.sandbox import Sandbox

TOKEN_FIELDS = {"access_token", "token_type", "expires_in", "refresh_token", "scope", "created_at"}


def authorize(sandbox: Sandbox, **overrides: str) -> httpx.Response:
    params = {
        "client_id": sandbox.info.client_id,
        "response_type": "code",
        "redirect_uri": sandbox.info.redirect_uri,
        "scope": "user:profile:read user:invoices:read",
        "state": "opaque-42",
        **overrides,
    }
    return httpx.get(sandbox.info.auth_url, params=params, follow_redirects=False)


def code_from(response: httpx.Response) -> str:
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return query["code"][0]


def token_body(sandbox: Sandbox, **fields: str) -> dict[str, str]:
    return {
        "client_id": sandbox.info.client_id,
        "client_secret": sandbox.info.client_secret,
        "redirect_uri": sandbox.info.redirect_uri,
        **fields,
    }


def post_token(sandbox: Sandbox, style: str = "form", **fields: str) -> httpx.Response:
    url = f"{sandbox.info.api_url}/auth/oauth/token"
    body = token_body(sandbox, **fields)
    if style == "json":
        return httpx.post(url, json=body)
    if style == "multipart":
        return httpx.post(url, files={key: (None, value) for key, value in body.items()})
    return httpx.post(url, data=body)


def exchange(sandbox: Sandbox, style: str = "form") -> httpx.Response:
    code = code_from(authorize(sandbox))
    return post_token(sandbox, style, grant_type="authorization_code", code=code)


def test_authorize_redirects_with_code_and_state(sandbox: Sandbox) -> None:
    response = authorize(sandbox)
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == sandbox.info.redirect_uri
    query = parse_qs(location.query)
    assert query["state"] == ["opaque-42"]
    assert len(query["code"][0]) >= 32


@pytest.mark.parametrize(
    "override", [{"client_id": "someone-else"}, {"redirect_uri": "https://evil.example/cb"}]
)
def test_authorize_refuses_unknown_client_or_redirect_without_redirecting(
    sandbox: Sandbox, override: dict[str, str]
) -> None:
    response = authorize(sandbox, **override)
    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")


def test_authorize_reports_unsupported_response_type_on_the_redirect(sandbox: Sandbox) -> None:
    response = authorize(sandbox, response_type="token")
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query == {"error": ["unsupported_response_type"], "state": ["opaque-42"]}


@pytest.mark.parametrize("style", ["form", "multipart", "json"])
def test_code_exchange_accepts_every_body_style(sandbox: Sandbox, style: str) -> None:
    response = exchange(sandbox, style)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == TOKEN_FIELDS
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 43200
    assert body["scope"] == "user:profile:read user:invoices:read"
    assert isinstance(body["created_at"], int)


def test_new_access_token_works(sandbox: Sandbox) -> None:
    token = exchange(sandbox).json()["access_token"]
    response = httpx.get(
        f"{sandbox.info.api_url}/auth/api/v1/users/me",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200


def test_codes_are_single_use(sandbox: Sandbox) -> None:
    code = code_from(authorize(sandbox))
    assert post_token(sandbox, grant_type="authorization_code", code=code).status_code == 200
    again = post_token(sandbox, grant_type="authorization_code", code=code)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_expired_code_is_refused(sandbox: Sandbox) -> None:
    sandbox.state.behaviour.authorization_code_ttl = 0
    response = exchange(sandbox)
    assert response.status_code == 400
    assert "expired" in response.json()["error_description"]


def test_code_exchange_needs_the_same_redirect_uri(sandbox: Sandbox) -> None:
    code = code_from(authorize(sandbox))
    response = post_token(
        sandbox, grant_type="authorization_code", code=code, redirect_uri="https://other/cb"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_refresh_rotates_and_a_used_refresh_token_dies(sandbox: Sandbox) -> None:
    first = sandbox.info.refresh_token
    rotated = post_token(sandbox, grant_type="refresh_token", refresh_token=first)
    assert rotated.status_code == 200
    second = rotated.json()
    assert set(second) == TOKEN_FIELDS
    assert second["refresh_token"] != first
    assert second["access_token"] != sandbox.info.access_token

    reuse = post_token(sandbox, grant_type="refresh_token", refresh_token=first)
    assert reuse.status_code == 400
    assert reuse.json()["error"] == "invalid_grant"
    assert reuse.json()["error_description"]

    third = post_token(
        sandbox, "json", grant_type="refresh_token", refresh_token=second["refresh_token"]
    )
    assert third.status_code == 200


def test_old_access_token_outlives_a_refresh_by_default(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    post_token(sandbox, grant_type="refresh_token", refresh_token=sandbox.info.refresh_token)
    assert api.get("/auth/api/v1/users/me").status_code == 200


def test_old_access_token_can_be_made_to_die_on_refresh(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    sandbox.state.behaviour.revoke_access_token_on_refresh = True
    post_token(sandbox, grant_type="refresh_token", refresh_token=sandbox.info.refresh_token)
    assert api.get("/auth/api/v1/users/me").status_code == 401


def test_refresh_reuse_answer_is_configurable(sandbox: Sandbox) -> None:
    sandbox.state.behaviour.refresh_reuse_status = 401
    sandbox.state.behaviour.refresh_reuse_error = "invalid_token"
    post_token(sandbox, grant_type="refresh_token", refresh_token=sandbox.info.refresh_token)
    reuse = post_token(
        sandbox, grant_type="refresh_token", refresh_token=sandbox.info.refresh_token
    )
    assert (reuse.status_code, reuse.json()["error"]) == (401, "invalid_token")


def test_unknown_refresh_token_is_invalid_grant(sandbox: Sandbox) -> None:
    response = post_token(sandbox, grant_type="refresh_token", refresh_token="f" * 64)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


def test_expired_access_token_is_refused(sandbox: Sandbox, accounting: str) -> None:
    sandbox.state.behaviour.access_token_ttl = 0
    token = post_token(
        sandbox, grant_type="refresh_token", refresh_token=sandbox.info.refresh_token
    ).json()
    assert token["expires_in"] == 0
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    me = httpx.get(f"{sandbox.info.api_url}/auth/api/v1/users/me", headers=headers)
    assert me.status_code == 401
    assert me.json() == {
        "error": "invalid_token",
        "error_description": "The access token expired",
        "state": "unauthorized",
    }
    invoices = httpx.get(f"{sandbox.info.api_url}{accounting}/invoices/invoices", headers=headers)
    assert invoices.status_code == 401
    assert invoices.json()["response"]["errors"][0]["errno"] == 1003


@pytest.mark.parametrize(
    ("field", "value", "status", "error"),
    [
        ("client_secret", "wrong", 401, "invalid_client"),
        ("client_id", "someone-else", 401, "invalid_client"),
        ("grant_type", "password", 400, "unsupported_grant_type"),
        ("refresh_token", "", 400, "invalid_request"),
    ],
)
def test_token_endpoint_refuses_bad_requests(
    sandbox: Sandbox, field: str, value: str, status: int, error: str
) -> None:
    fields = {"grant_type": "refresh_token", "refresh_token": sandbox.info.refresh_token}
    fields[field] = value
    response = post_token(sandbox, **fields)
    assert (response.status_code, response.json()["error"]) == (status, error)


def test_token_endpoint_refuses_malformed_json(sandbox: Sandbox) -> None:
    response = httpx.post(
        f"{sandbox.info.api_url}/auth/oauth/token",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")


def test_revoke_kills_the_refresh_token_and_its_access_token(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    body = token_body(sandbox, token=sandbox.info.refresh_token)
    response = httpx.post(
        f"{sandbox.info.api_url}/auth/oauth/revoke",
        content=json.dumps(body),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200
    assert api.get("/auth/api/v1/users/me").status_code == 401
    refresh = post_token(
        sandbox, grant_type="refresh_token", refresh_token=sandbox.info.refresh_token
    )
    assert refresh.status_code == 400


def test_revoke_needs_client_credentials(sandbox: Sandbox) -> None:
    body = {"client_id": sandbox.info.client_id, "client_secret": "x", "token": "y"}
    response = httpx.post(f"{sandbox.info.api_url}/auth/oauth/revoke", data=body)
    assert response.status_code == 401


def test_missing_and_unknown_tokens_get_the_auth_error_shapes(sandbox: Sandbox) -> None:
    url = f"{sandbox.info.api_url}/auth/api/v1/users/me"
    missing = httpx.get(url)
    assert missing.status_code == 401
    assert missing.json() == {
        "error": "unauthenticated",
        "error_description": "This action requires authentication to continue.",
    }
    unknown = httpx.get(url, headers={"Authorization": "Bearer nope"})
    assert unknown.status_code == 401
    assert unknown.json()["error"] == "invalid_token"
    assert unknown.json()["state"] == "unauthorized"
