"""The OAuth 2.0 server's memory: authorization codes, access tokens and rotating refresh tokens.

FreshBooks' refresh tokens never expire but die on first use, and each refresh hands out a
new one; that rotation is what clients most often get wrong, so it is enforced exactly.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from enum import Enum

from connector.sandbox.behaviour import Behaviour
from connector.sandbox.errors import OAuthError


class TokenCheck(Enum):
    VALID = "valid"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    created_at: int
    scope: str

    def to_json(self) -> dict[str, object]:
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
            "scope": self.scope,
            "created_at": self.created_at,
        }


@dataclass
class _Code:
    redirect_uri: str
    scope: str
    issued: float


@dataclass
class _Access:
    expires_at: float
    revoked: bool = False


@dataclass
class _Refresh:
    access_token: str
    scope: str
    used: bool = False


class TokenStore:
    def __init__(self, behaviour: Behaviour) -> None:
        self._behaviour = behaviour
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, _Access] = {}
        self._refresh: dict[str, _Refresh] = {}

    def issue(self, scope: str) -> TokenPair:
        """A fresh access/refresh pair, as after a completed authorization."""
        with self._lock:
            return self._issue(scope)

    def new_code(self, redirect_uri: str, scope: str) -> str:
        code = secrets.token_hex(32)
        with self._lock:
            self._codes[code] = _Code(redirect_uri, scope, time.time())
        return code

    def redeem_code(self, code: str, redirect_uri: str) -> TokenPair:
        """Exchange a code once; it dies on first use, valid or not."""
        with self._lock:
            grant = self._codes.pop(code, None)
            if grant is None:
                raise _invalid_grant("The authorization code is invalid or was already used.")
            if time.time() - grant.issued >= self._behaviour.authorization_code_ttl:
                raise _invalid_grant("The authorization code has expired.")
            if redirect_uri != grant.redirect_uri:
                raise _invalid_grant(
                    "The redirect_uri does not match the one used in the authorization request."
                )
            return self._issue(grant.scope)

    def refresh(self, refresh_token: str) -> TokenPair:
        """Rotate: the presented refresh token dies and a new pair is returned."""
        with self._lock:
            grant = self._refresh.get(refresh_token)
            if grant is None:
                raise _invalid_grant("The refresh token is invalid.")
            if grant.used:
                raise OAuthError(
                    self._behaviour.refresh_reuse_status,
                    self._behaviour.refresh_reuse_error,
                    "The refresh token was already used; refresh tokens are single use.",
                )
            grant.used = True
            if self._behaviour.revoke_access_token_on_refresh:
                self._access[grant.access_token].revoked = True
            return self._issue(grant.scope)

    def revoke(self, token: str) -> None:
        """Revoke an access or refresh token; unknown tokens are ignored (RFC 7009)."""
        with self._lock:
            if token in self._access:
                self._access[token].revoked = True
            if token in self._refresh:
                grant = self._refresh[token]
                grant.used = True
                self._access[grant.access_token].revoked = True

    def check(self, access_token: str) -> TokenCheck:
        with self._lock:
            grant = self._access.get(access_token)
        if grant is None or grant.revoked:
            return TokenCheck.UNKNOWN
        if time.time() >= grant.expires_at:
            return TokenCheck.EXPIRED
        return TokenCheck.VALID

    def _issue(self, scope: str) -> TokenPair:
        created = time.time()
        ttl = self._behaviour.access_token_ttl
        pair = TokenPair(
            access_token=secrets.token_hex(32),
            refresh_token=secrets.token_hex(32),
            expires_in=ttl,
            created_at=int(created),
            scope=scope,
        )
        self._access[pair.access_token] = _Access(expires_at=created + ttl)
        self._refresh[pair.refresh_token] = _Refresh(pair.access_token, scope)
        return pair


def _invalid_grant(description: str) -> OAuthError:
    return OAuthError(400, "invalid_grant", description)
