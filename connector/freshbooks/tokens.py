"""OAuth tokens and where they are kept between runs.

FreshBooks refresh tokens are single use: every refresh burns the old one and hands out a
new one. Two processes refreshing the same connection at once would strand one of them, so
every store offers a lock that all processes sharing the connection respect.
"""

from __future__ import annotations

import fcntl
import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from connector import settings
from connector.errors import ConfigurationError
from connector.freshbooks.errors import UnexpectedResponse
from connector.secrets import EncryptedJsonFile

_STORE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Token:
    """One grant's current state; secrets are kept out of repr so they never reach a log."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: float
    scope: str = ""
    token_type: str = "Bearer"

    @classmethod
    def from_response(cls, response: Mapping[str, Any], *, now: float | None = None) -> Token:
        """Build from a token endpoint answer; expiry counts from ``created_at``, as the SDKs do."""
        try:
            access_token = str(response["access_token"])
            refresh_token = str(response["refresh_token"])
            lifetime = float(response["expires_in"])
        except (KeyError, TypeError, ValueError) as exc:
            raise UnexpectedResponse(
                "the FreshBooks token answer lacks access_token, refresh_token or expires_in",
                hint="check that the configured api_url points at the FreshBooks API",
            ) from exc
        created_at = response.get("created_at")
        if created_at is not None:
            start = float(created_at)
        else:
            start = now if now is not None else time.time()
        return cls(
            access_token=access_token,
            refresh_token=refresh_token,
            expires_at=start + lifetime,
            scope=str(response.get("scope") or ""),
            token_type=str(response.get("token_type") or "Bearer"),
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Token:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def expires_within(self, seconds: float, *, now: float | None = None) -> bool:
        """Whether the token dies within ``seconds``: refreshing early avoids a failed call."""
        return self.expires_at - (now if now is not None else time.time()) <= seconds


class TokenStore(Protocol):
    """Where one connection's token lives, shared by everything that uses that connection."""

    def load(self) -> Token | None: ...

    def save(self, token: Token) -> None: ...

    def lock(self) -> AbstractContextManager[None]:
        """Held while refreshing, so one refresh at a time burns the single-use refresh token."""
        ...


class MemoryTokenStore:
    """A token held by one process: for tests and short-lived scripts."""

    def __init__(self, token: Token | None = None) -> None:
        self._token = token
        self._lock = threading.Lock()

    def load(self) -> Token | None:
        return self._token

    def save(self, token: Token) -> None:
        self._token = token

    def lock(self) -> AbstractContextManager[None]:
        return self._lock_held()

    @contextmanager
    def _lock_held(self) -> Iterator[None]:
        with self._lock:
            yield


class EncryptedFileTokenStore:
    """A token encrypted under home()/tokens/<name>.json, locked across processes with flock."""

    def __init__(self, name: str) -> None:
        if not _STORE_NAME.match(name):
            raise ConfigurationError(
                f"token store name {name!r} is not usable as a file name",
                hint="use letters, digits, '.', '_' and '-' only, starting with a letter or digit",
            )
        folder = settings.home() / "tokens"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.name = name
        self.path = folder / f"{name}.json"
        self.lock_path = folder / f"{name}.lock"
        self._file = EncryptedJsonFile(self.path)

    def load(self) -> Token | None:
        data = self._file.read()
        if data is None:
            return None
        try:
            return Token.from_dict(data)
        except (KeyError, TypeError) as exc:
            raise ConfigurationError(
                f"the token stored in {self.path} is incomplete",
                hint="delete the file and authorise the FreshBooks app again",
            ) from exc

    def save(self, token: Token) -> None:
        self._file.write(token.to_dict())

    def lock(self) -> AbstractContextManager[None]:
        return self._flock_held()

    @contextmanager
    def _flock_held(self) -> Iterator[None]:
        with open(self.lock_path, "a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
