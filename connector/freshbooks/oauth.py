"""The OAuth 2.0 dance with FreshBooks: authorising once, then keeping a valid access token.

FreshBooks refresh tokens are single use (freshbooks-api.md section 1), so refreshing is the
risky part: it happens under the store's cross-process lock, re-reads the store first (another
process may have refreshed already), and saves the rotated token before anything uses it. A
refresh token FreshBooks refuses is never retried: only a person can authorise again, so the
refusal is written into the token store and every process sharing the connection stops at its
next call with the same instructions, without touching the token endpoint again.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from authlib.deprecate import AuthlibDeprecationWarning
from authlib.integrations.base_client import OAuthError

# authlib 1.9 warns on every import that it would rather use the `httpx2` fork; `httpx` is
# what this project (and the rest of the stack) depends on, so the notice is only noise.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client

from connector.freshbooks.config import FreshBooksConfig
from connector.freshbooks.envelopes import api_error
from connector.freshbooks.errors import (
    AuthenticationFailed,
    FreshBooksUnreachable,
    ReauthorizationRequired,
    UnexpectedResponse,
    ValidationFailed,
)
from connector.freshbooks.retry import RetryingTransport, RetryPolicy, retry_after_seconds
from connector.freshbooks.tokens import ReauthorizationNeeded, Token, TokenStore

REFRESH_MARGIN_SECONDS = 300.0
TOKEN_PATH = "/auth/oauth/token"


def oauth_session(
    config: FreshBooksConfig,
    *,
    transport: httpx.BaseTransport | None = None,
    retry: RetryPolicy | None = None,
    timeout: float = 30.0,
) -> OAuth2Client:
    """An httpx client that also speaks OAuth, with FreshBooks' body-credentials token calls."""
    session = OAuth2Client(
        client_id=config.client_id,
        client_secret=config.client_secret.get_secret_value(),
        token_endpoint_auth_method="client_secret_post",
        redirect_uri=config.redirect_uri,
        transport=RetryingTransport(transport or httpx.HTTPTransport(), retry or RetryPolicy()),
        timeout=timeout,
        headers={"Accept": "application/json"},
    )
    session.register_compliance_hook("access_token_response", _refuse_failed_token_answer)
    session.register_compliance_hook("refresh_token_response", _refuse_failed_token_answer)
    return session


def authorization_url(config: FreshBooksConfig, state: str) -> str:
    """Where to send a person's browser to grant this app access; ``state`` comes back with it."""
    extra = {"scope": " ".join(config.scopes)} if config.scopes else {}
    with oauth_session(config) as session:
        url, _ = session.create_authorization_url(config.auth_url, state=state, **extra)
    return url


def exchange_code(
    config: FreshBooksConfig,
    code: str,
    store: TokenStore,
    *,
    transport: httpx.BaseTransport | None = None,
) -> Token:
    """Trade the code from the redirect for a token and store it (codes live 5 minutes)."""
    with oauth_session(config, transport=transport) as session:
        answer = _token_call(
            lambda: session.fetch_token(
                config.token_url,
                grant_type="authorization_code",
                code=code,
                redirect_uri=config.redirect_uri,
            ),
            grant="authorization_code",
        )
    token = Token.from_response(answer)
    with store.lock():
        store.save(token)
    return token


class TokenKeeper:
    """Hands out an access token that is valid for a while yet, refreshing it when needed."""

    def __init__(
        self,
        config: FreshBooksConfig,
        store: TokenStore,
        session: OAuth2Client,
        *,
        margin: float = REFRESH_MARGIN_SECONDS,
    ) -> None:
        self.config = config
        self.store = store
        self.session = session
        self.margin = margin
        self._token: Token | None = None

    def access_token(self) -> str:
        """A token good for at least ``margin`` seconds more, unless the grant was refused."""
        self._stop_if_refused()
        token = self._token or self._stored()
        if token.expires_within(self.margin):
            token = self.refresh(token)
        self._token = token
        return token.access_token

    def refresh(self, stale: Token) -> Token:
        """Replace ``stale`` (expiring, or refused with 401) unless another process already did."""
        with self.store.lock():
            self._stop_if_refused()
            current = self._stored()
            replaced_elsewhere = current.access_token != stale.access_token
            if replaced_elsewhere and not current.expires_within(self.margin):
                self._token = current
                return current
            try:
                answer = _token_call(
                    lambda: self.session.refresh_token(
                        self.config.token_url,
                        # Always the refresh token read under the lock: a sibling may have
                        # rotated the one this process started with.
                        refresh_token=current.refresh_token,
                        redirect_uri=self.config.redirect_uri,
                    ),
                    grant="refresh_token",
                )
            except ReauthorizationRequired as refused:
                mark = ReauthorizationNeeded(since=time.time(), reason=refused.message)
                self.store.require_reauthorization(mark)
                raise reauthorization_required(self.store.name, mark) from refused
            fresh = Token.from_response(answer)
            self.store.save(fresh)
        self._token = fresh
        return fresh

    def refresh_after_refusal(self, refused_access_token: str) -> str:
        """FreshBooks refused a token it should accept: the access token to try once more with."""
        current = self._token or self._stored()
        if current.access_token == refused_access_token:
            current = self.refresh(current)
        self._token = current
        return current.access_token

    def _stop_if_refused(self) -> None:
        mark = self.store.reauthorization()
        if mark is not None:
            raise reauthorization_required(self.store.name, mark)

    def _stored(self) -> Token:
        token = self.store.load()
        if token is None:
            raise ReauthorizationRequired("no FreshBooks token is stored for this connection")
        return token


def reauthorization_required(name: str, mark: ReauthorizationNeeded) -> ReauthorizationRequired:
    """The error every process on a refused connection raises, with what the operator must run."""
    since = datetime.fromtimestamp(mark.since, UTC)
    return ReauthorizationRequired(
        f"the FreshBooks connection {name!r} needs re-authorisation since "
        f"{since:%Y-%m-%d %H:%M:%S} UTC ({mark.reason}); every flow on it is stopped. Run "
        f"`ml-connector auth url --credentials {name}`, open the address as the business owner, "
        f"then run `ml-connector auth exchange CODE --credentials {name}` with the code it returns"
    )


def _refuse_failed_token_answer(response: httpx.Response) -> httpx.Response:
    """Raise the named error for a token endpoint failure before authlib reads the body."""
    if response.status_code < 400:
        return response
    response.read()
    try:
        payload = response.json()
    except ValueError:
        payload = None
    code = payload.get("error") if isinstance(payload, dict) else None
    if code == "invalid_grant":
        said = payload.get("error_description") if isinstance(payload, dict) else None
        raise ReauthorizationRequired(
            "FreshBooks refused the grant (invalid_grant"
            + (f": {said}" if isinstance(said, str) and said else "")
            + "): it was revoked, the authorisation code expired, or the single-use refresh "
            "token was already used"
        )
    error = api_error(
        response.status_code,
        payload,
        "POST",
        TOKEN_PATH,
        retry_after=retry_after_seconds(response),
    )
    if isinstance(error, ValidationFailed):
        raise AuthenticationFailed(
            status=error.status,
            method=error.method,
            path=error.path,
            message=error.reason,
            hint="check the client id, client secret and redirect URI of the FreshBooks app",
        )
    raise error


def _token_call(call: Callable[[], dict], *, grant: str) -> dict:
    """Run a token endpoint call, naming the failures the response hook cannot see."""
    try:
        return dict(call())
    except httpx.TransportError as exc:
        raise FreshBooksUnreachable(
            f"the FreshBooks token endpoint did not answer the {grant} request "
            f"({type(exc).__name__})",
            hint="check the network and the configured api_url, then run again; if this was a "
            "refresh and the next run is refused, authorise the app again",
        ) from exc
    except (OAuthError, ValueError) as exc:
        raise UnexpectedResponse(
            f"the FreshBooks token endpoint answered the {grant} request with something that is "
            f"not a token ({exc})",
            hint="check that the configured api_url points at the FreshBooks API",
        ) from exc
