"""A thin synchronous FreshBooks client: authenticated requests, envelopes, errors, retries.

Resources (clients, invoices, payments) sit on top in ``resources``; anything else the flows
need can be reached through ``get``/``post``/``put`` with a path from ``accounting_path``.
"""

from __future__ import annotations

from dataclasses import replace
from types import TracebackType
from typing import Any

import httpx

from connector.freshbooks import envelopes
from connector.freshbooks.callbacks import Callbacks
from connector.freshbooks.config import FreshBooksConfig
from connector.freshbooks.errors import (
    AccountNotFound,
    FreshBooksUnreachable,
    UnexpectedResponse,
    WriteOutcomeUnknown,
)
from connector.freshbooks.ledger import Accounts, JournalEntries
from connector.freshbooks.oauth import TokenKeeper, oauth_session
from connector.freshbooks.purchases import BillPayments, Bills, BillVendors, ExpenseCategories
from connector.freshbooks.query import Params
from connector.freshbooks.resources import Clients, Invoices, Payments
from connector.freshbooks.retry import (
    NOT_SENT_ERRORS,
    SAFE_METHODS,
    RetryPolicy,
    ThrottleObservers,
    retry_after_seconds,
)
from connector.freshbooks.tokens import TokenStore

IDENTITY_PATH = "/auth/api/v1/users/me"


class FreshBooksClient:
    """One connection to one FreshBooks business; use it as a context manager.

    One client serves every thread of a run (the posting pool shares it): the httpx client
    under it is thread-safe and pools its connections; a token refresh happens under the token
    store's lock and re-reads the store first, so threads that find the same token expiring
    refresh it once and the others pick up the rotated one; the remaining state (the identity,
    the current token) is only ever replaced whole. ``throttling`` tells observers (a run's
    limiter) of each 429 the retrying transport waits through, while it waits.
    """

    def __init__(
        self,
        config: FreshBooksConfig,
        token_store: TokenStore,
        *,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy = RetryPolicy(),
        timeout: float = 30.0,
    ) -> None:
        self.config = config
        self.throttling = ThrottleObservers()
        if retry.on_throttled is not None:
            self.throttling.subscribe(retry.on_throttled)
        self._http = oauth_session(
            config,
            transport=transport,
            retry=replace(retry, on_throttled=self.throttling.report),
            timeout=timeout,
        )
        self._tokens = TokenKeeper(config, token_store, self._http)
        self._identity: dict[str, Any] | None = None
        self.clients = Clients(self)
        self.invoices = Invoices(self)
        self.payments = Payments(self)
        self.bills = Bills(self)
        self.bill_vendors = BillVendors(self)
        self.bill_payments = BillPayments(self)
        self.expense_categories = ExpenseCategories(self)
        self.journal_entries = JournalEntries(self)
        self.accounts = Accounts(self)
        self.callbacks = Callbacks(self)

    def __enter__(self) -> FreshBooksClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def identity(self) -> dict[str, Any]:
        """The authorised user with their business memberships (``users/me``), fetched once."""
        if self._identity is None:
            self._identity = self.get(IDENTITY_PATH)
        return self._identity

    @property
    def business(self) -> dict[str, Any]:
        """The business this client works on: the configured account's, else the first one."""
        return choose_business(self.identity(), self.config.account_id)

    @property
    def account_id(self) -> str:
        return self.config.account_id or str(self.business["account_id"])

    def accounting_path(self, tail: str) -> str:
        """``/accounting/account/{account_id}/`` + tail, e.g. ``invoices/invoices``."""
        return f"/accounting/account/{self.account_id}/{tail.lstrip('/')}"

    def get(self, path: str, params: Params | None = None) -> dict[str, Any]:
        return envelopes.result(self.request("GET", path, params=params), "GET", path)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return envelopes.result(self.request("POST", path, body=body), "POST", path)

    def put(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return envelopes.result(self.request("PUT", path, body=body), "PUT", path)

    def delete(self, path: str) -> None:
        """For the paths FreshBooks deletes with DELETE (callbacks); most records use a PUT."""
        self.request("DELETE", path)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: dict[str, Any] | None = None,
    ) -> Any:
        """Send with a valid token; a 401 earns exactly one refresh and one more try."""
        access_token = self._tokens.access_token()
        response = self._send(method, path, params, body, access_token)
        if response.status_code == 401:
            retry_token = self._tokens.refresh_after_refusal(access_token)
            response = self._send(method, path, params, body, retry_token)
        return self._interpret(response, method, path, body)

    def _send(
        self,
        method: str,
        path: str,
        params: Params | None,
        body: dict[str, Any] | None,
        access_token: str,
    ) -> httpx.Response:
        try:
            return self._http.request(
                method,
                f"{self.config.api_url}{path}",
                params=params,
                json=body,
                headers={"Authorization": f"Bearer {access_token}"},
                withhold_token=True,
            )
        except httpx.TransportError as exc:
            if method in SAFE_METHODS or isinstance(exc, NOT_SENT_ERRORS):
                raise FreshBooksUnreachable(
                    f"{method} {path} got no answer from FreshBooks ({type(exc).__name__})",
                    hint="check the network and the configured api_url, then run again",
                ) from exc
            raise WriteOutcomeUnknown(
                method=method, path=path, body=body, cause=f"no answer came ({type(exc).__name__})"
            ) from exc

    def _interpret(
        self, response: httpx.Response, method: str, path: str, body: dict[str, Any] | None
    ) -> Any:
        status = response.status_code
        if status >= 500 and method not in SAFE_METHODS:
            raise WriteOutcomeUnknown(
                method=method, path=path, body=body, cause=f"FreshBooks answered {status}"
            )
        if status == 204:
            return {}
        if status >= 400:
            raise envelopes.api_error(
                status,
                envelopes.decode_if_json(response),
                method,
                path,
                retry_after=retry_after_seconds(response),
            )
        if not response.content:
            raise UnexpectedResponse(f"FreshBooks answered {method} {path} with an empty body")
        payload = envelopes.decode(response, method, path)
        if envelopes.carries_errors(payload):
            raise envelopes.api_error(status, payload, method, path)
        return payload


def choose_business(identity: dict[str, Any], account_id: str | None) -> dict[str, Any]:
    """The membership's business to work on: the one with ``account_id``, else the first."""
    businesses = [
        membership["business"]
        for membership in identity.get("business_memberships") or []
        if isinstance(membership, dict)
        and isinstance(membership.get("business"), dict)
        and membership["business"].get("account_id")
    ]
    for business in businesses:
        if account_id is None or str(business["account_id"]) == account_id:
            return business
    available = ", ".join(str(business["account_id"]) for business in businesses) or "none"
    wanted = f"account {account_id!r}" if account_id else "any accounting account"
    raise AccountNotFound(
        f"the authorised FreshBooks user has no business with {wanted} (available: {available})",
        hint="set account_id to one of the available accounts, or authorise as a user who "
        "belongs to the business",
    )
