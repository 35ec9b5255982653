"""OAuth tokens and where they are kept between runs.

FreshBooks refresh tokens are single use: every refresh burns the old one and hands out a
new one. Two processes refreshing the same connection at once would strand one of them, so
every store offers a lock that all processes sharing the connection respect.

When FreshBooks refuses the grant itself (``invalid_grant``), no process can fix it: the store
then carries a re-authorisation mark, so every process sharing the connection stops at its next
call instead of trying its own copy of a dead token. Saving a new token lifts the mark.

There is deliberately no Prefect-block store. A block has no lock and no compare-and-swap, so
the lock would have to come from elsewhere: a flock beside it holds only on one machine, where
this encrypted file already serves (without a server round trip for the mark check before each
call); across machines, two workers refreshing at once would burn the single-use token and lock
the business out. A block store is safe only with a lock every machine honours, such as a Prefect
global concurrency limit of 1 taken with ``strict=True``, whose lease outlives any token call.
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
_MARK_KEY = "reauthorization"


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


@dataclass(frozen=True)
class ReauthorizationNeeded:
    """FreshBooks refused this connection's grant: since when, and what it said."""

    since: float
    reason: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReauthorizationNeeded:
        return cls(since=float(data["since"]), reason=str(data["reason"]))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class TokenStore(Protocol):
    """Where one connection's token lives, shared by everything that uses that connection."""

    name: str
    """The connection's name, as the operator passes it to `ml-connector auth --credentials`."""

    def load(self) -> Token | None: ...

    def save(self, token: Token) -> None:
        """Keep a usable token; it replaces any refused grant, so the mark is lifted too."""
        ...

    def reauthorization(self) -> ReauthorizationNeeded | None:
        """The mark left when FreshBooks refused the grant; cheap enough to ask before each call."""
        ...

    def require_reauthorization(self, mark: ReauthorizationNeeded) -> None:
        """Stop every process on this connection until someone authorises the app again."""
        ...

    def lock(self) -> AbstractContextManager[None]:
        """Held while refreshing, so one refresh at a time burns the single-use refresh token."""
        ...


class MemoryTokenStore:
    """A token held by one process: for tests and short-lived scripts."""

    def __init__(self, token: Token | None = None, *, name: str = "memory") -> None:
        self.name = name
        self._token = token
        self._mark: ReauthorizationNeeded | None = None
        self._lock = threading.Lock()

    def load(self) -> Token | None:
        return self._token

    def save(self, token: Token) -> None:
        self._token = token
        self._mark = None

    def reauthorization(self) -> ReauthorizationNeeded | None:
        return self._mark

    def require_reauthorization(self, mark: ReauthorizationNeeded) -> None:
        self._mark = mark

    def lock(self) -> AbstractContextManager[None]:
        return self._lock_held()

    @contextmanager
    def _lock_held(self) -> Iterator[None]:
        with self._lock:
            yield


class EncryptedFileTokenStore:
    """A token encrypted under home()/tokens/<name>.json, locked across processes with flock.

    The re-authorisation mark sits in the same encrypted object as the token, so the two change
    together in one atomic replace and a reader never sees a new token beside an old mark.
    """

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
        if data is None or not data.keys() & Token.__dataclass_fields__.keys():
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

    def reauthorization(self) -> ReauthorizationNeeded | None:
        data = self._file.read()
        if data is None or data.get(_MARK_KEY) is None:
            return None
        try:
            return ReauthorizationNeeded.from_dict(data[_MARK_KEY])
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigurationError(
                f"the re-authorisation mark stored in {self.path} is unreadable",
                hint="authorise the FreshBooks app again (`ml-connector auth url`, then "
                "`ml-connector auth exchange CODE`); that replaces the mark",
            ) from exc

    def require_reauthorization(self, mark: ReauthorizationNeeded) -> None:
        data = self._file.read() or {}
        self._file.write({**data, _MARK_KEY: mark.to_dict()})

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
