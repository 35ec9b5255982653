"""The auth service: ``/oauth/authorize`` (auto-approving), ``/auth/oauth/token`` and ``/revoke``.

The sandbox has one user who always says yes, so the authorize page redirects at once; what it
does check (client id, registered redirect URI) is what a misconfigured client gets wrong.
"""

from __future__ import annotations

import html
import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from connector.sandbox.errors import OAuthError
from connector.sandbox.state import SandboxState

DEFAULT_SCOPE = " ".join(
    f"user:{obj}:{action}"
    for obj in ("profile", "business", "clients", "invoices", "payments")
    for action in ("read", "write")
    if (obj, action) != ("profile", "write")
)


@dataclass(frozen=True)
class OAuthApp:
    """The one registered application the sandbox knows."""

    client_id: str
    client_secret: str
    redirect_uri: str


def oauth_routes(state: SandboxState, app: OAuthApp) -> list[Route]:
    async def authorize(request: Request) -> Response:
        params = request.query_params
        if params.get("client_id") != app.client_id:
            return _error_page(
                "Unknown client_id", f"No application has id {params.get('client_id')!r}."
            )
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri != app.redirect_uri:
            return _error_page(
                "Redirect URI mismatch",
                f"{redirect_uri!r} is not the redirect URI registered for this application.",
            )
        answer: dict[str, str] = {}
        if params.get("response_type") != "code":
            answer["error"] = "unsupported_response_type"
        else:
            answer["code"] = state.tokens.new_code(
                redirect_uri, params.get("scope") or DEFAULT_SCOPE
            )
        if "state" in params:
            answer["state"] = params["state"]
        return RedirectResponse(f"{redirect_uri}?{urlencode(answer)}", status_code=302)

    async def token(request: Request) -> Response:
        body = await _token_request_body(request)
        _check_client(body, app)
        grant_type = body.get("grant_type")
        if grant_type == "authorization_code":
            pair = state.tokens.redeem_code(_field(body, "code"), _field(body, "redirect_uri"))
        elif grant_type == "refresh_token":
            pair = state.tokens.refresh(_field(body, "refresh_token"))
        else:
            raise OAuthError(
                400,
                "unsupported_grant_type",
                f"grant_type {grant_type!r} is not supported; use authorization_code or "
                "refresh_token.",
            )
        return JSONResponse(pair.to_json(), headers={"Cache-Control": "no-store"})

    async def revoke(request: Request) -> Response:
        body = await _token_request_body(request)
        _check_client(body, app)
        state.tokens.revoke(_field(body, "token"))
        return JSONResponse({})

    return [
        Route("/oauth/authorize", authorize, methods=["GET"]),
        Route("/oauth/authorize/", authorize, methods=["GET"]),
        Route("/service/auth/oauth/authorize", authorize, methods=["GET"]),
        Route("/auth/oauth/token", token, methods=["POST"]),
        Route("/auth/oauth/revoke", revoke, methods=["POST"]),
    ]


async def _token_request_body(request: Request) -> dict[str, Any]:
    """FreshBooks takes form, multipart and JSON bodies alike (its SDKs use all three)."""
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = json.loads(await request.body())
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = None
        if not isinstance(body, dict):
            raise OAuthError(400, "invalid_request", "The request body is not a JSON object.")
        return {key: value for key, value in body.items() if isinstance(value, str)}
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _check_client(body: dict[str, Any], app: OAuthApp) -> None:
    known = body.get("client_id") == app.client_id and secrets.compare_digest(
        body.get("client_secret", "").encode(), app.client_secret.encode()
    )
    if not known:
        raise OAuthError(
            401,
            "invalid_client",
            "Client authentication failed: unknown client_id or wrong client_secret.",
        )


def _field(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not value:
        raise OAuthError(400, "invalid_request", f"The request is missing {name}.")
    return value


def _error_page(title: str, detail: str) -> HTMLResponse:
    page = (
        f"<!doctype html><title>{html.escape(title)}</title>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(detail)}</p>"
    )
    return HTMLResponse(page, status_code=400)
