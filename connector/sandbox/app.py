"""The sandbox's ASGI application: every FreshBooks path the connector uses, on one host."""

from __future__ import annotations

from http import HTTPStatus

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from connector.sandbox.bill_payment_routes import bill_payment_routes
from connector.sandbox.bill_routes import bill_routes
from connector.sandbox.callback_routes import callback_routes
from connector.sandbox.callbacks import CallbackHub
from connector.sandbox.category_routes import category_routes
from connector.sandbox.client_routes import client_routes
from connector.sandbox.errors import AccountingError, RequestRejected
from connector.sandbox.faults import FaultInjection, Faults
from connector.sandbox.identity_routes import identity_routes
from connector.sandbox.invoice_routes import invoice_routes
from connector.sandbox.journal_routes import journal_routes
from connector.sandbox.oauth_routes import OAuthApp, oauth_routes
from connector.sandbox.payment_routes import payment_routes
from connector.sandbox.rate_limit import RateLimiting
from connector.sandbox.request_log import RequestLog, RequestLogging
from connector.sandbox.state import SandboxState
from connector.sandbox.vendor_routes import vendor_routes


def build_app(
    state: SandboxState,
    oauth_app: OAuthApp,
    faults: Faults,
    log: RequestLog,
    callbacks: CallbackHub,
) -> ASGIApp:
    """The API wrapped so that the log sees refusals and faults, and both bypass the API.

    The rate limit sits outside fault injection: a request refused at the limit spends no
    fault rule, as it would never have reached FreshBooks' servers.
    """
    api = Starlette(
        routes=[
            *oauth_routes(state, oauth_app),
            *identity_routes(state),
            *client_routes(state),
            *invoice_routes(state),
            *payment_routes(state),
            *vendor_routes(state),
            *bill_routes(state),
            *bill_payment_routes(state),
            *category_routes(state),
            *journal_routes(state),
            *callback_routes(state, callbacks),
        ],
        exception_handlers={RequestRejected: _rejected, HTTPException: _unrouted},
    )
    return RequestLogging(RateLimiting(FaultInjection(api, faults), state.behaviour), log)


async def _rejected(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestRejected)
    return error.response(request.headers)


async def _unrouted(request: Request, error: Exception) -> Response:
    """Unknown paths and methods answer in the accounting envelope, like the rest of the API."""
    assert isinstance(error, HTTPException)
    errno = 1012 if error.status_code == 404 else error.status_code
    message = f"{HTTPStatus(error.status_code).phrase}: no such API path or method."
    refusal = AccountingError(error.status_code, errno, message, headers=dict(error.headers or {}))
    return refusal.response(request.headers)
