"""The sandbox's ASGI application: every FreshBooks path the connector uses, on one host."""

from __future__ import annotations

from http import HTTPStatus

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from connector.sandbox.client_routes import client_routes
from connector.sandbox.errors import RequestRejected
from connector.sandbox.faults import FaultInjection, Faults
from connector.sandbox.identity_routes import identity_routes
from connector.sandbox.invoice_routes import invoice_routes
from connector.sandbox.oauth_routes import OAuthApp, oauth_routes
from connector.sandbox.payment_routes import payment_routes
from connector.sandbox.request_log import RequestLog, RequestLogging
from connector.sandbox.state import SandboxState


def build_app(state: SandboxState, oauth_app: OAuthApp, faults: Faults, log: RequestLog) -> ASGIApp:
    """The API wrapped so that the log sees injected faults and faults bypass the API."""
    api = Starlette(
        routes=[
            *oauth_routes(state, oauth_app),
            *identity_routes(state),
            *client_routes(state),
            *invoice_routes(state),
            *payment_routes(state),
        ],
        exception_handlers={RequestRejected: _rejected, HTTPException: _unrouted},
    )
    return RequestLogging(FaultInjection(api, faults), log)


async def _rejected(_request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestRejected)
    return JSONResponse(error.body, status_code=error.status, headers=error.headers)


async def _unrouted(_request: Request, error: Exception) -> Response:
    """Unknown paths and methods answer in the accounting envelope, like the rest of the API."""
    assert isinstance(error, HTTPException)
    errno = 1012 if error.status_code == 404 else error.status_code
    message = f"{HTTPStatus(error.status_code).phrase}: no such API path or method."
    body = {
        "response": {
            "errors": [
                {"errno": errno, "field": None, "message": message, "object": None, "value": None}
            ]
        }
    }
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)
