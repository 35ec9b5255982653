"""What can go wrong talking to FreshBooks, as named errors a flow can catch and act on.

Messages name the request (method and path, never a token) and say what to do next, because
the person reading them is an operator looking at a failed flow run, not the developer.
"""

from __future__ import annotations

from typing import Any

from connector.errors import ConfigurationError, ConnectorError, DataError, TransportError


class FreshBooksError(ConnectorError):
    """Any failure of the FreshBooks connection."""


class FreshBooksAPIError(FreshBooksError):
    """FreshBooks answered, and the answer was an error."""

    default_hint = "check the request against the FreshBooks API documentation"

    def __init__(
        self,
        *,
        status: int,
        method: str,
        path: str,
        message: str,
        errno: int | None = None,
        field: str | None = None,
        object: str | None = None,
        value: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.status = status
        self.method = method
        self.path = path
        self.errno = errno
        self.field = field
        self.object = object
        self.value = value
        self.reason = message
        super().__init__(self._describe(), hint=hint or self.default_hint)

    def _describe(self) -> str:
        text = f"FreshBooks answered {self.status} to {self.method} {self.path}: {self.reason}"
        facts = []
        if self.errno is not None:
            facts.append(f"errno {self.errno}")
        if self.field:
            where = f"{self.object}.{self.field}" if self.object else self.field
            facts.append(f"{where} = {self.value!r}" if self.value is not None else where)
        return f"{text} ({', '.join(facts)})" if facts else text


class NotFound(FreshBooksAPIError):
    default_hint = "check the id or number; the record may have been deleted in FreshBooks"


class ValidationFailed(FreshBooksAPIError):
    default_hint = "correct the named field in the data or the mapping and send it again"


class AuthenticationFailed(FreshBooksAPIError):
    default_hint = (
        "check that the FreshBooks app has the scope this call needs and that the user can "
        "access this account; if it persists, run the authorisation again"
    )


class RateLimited(FreshBooksAPIError):
    default_hint = "FreshBooks is throttling this app: run again later or lower the request rate"

    def __init__(self, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(**kwargs)


class ServerError(FreshBooksAPIError):
    default_hint = "FreshBooks had a problem of its own: run again later"


class UnexpectedResponse(FreshBooksError, DataError):
    """A successful answer that does not have the shape the API documents."""


class FreshBooksUnreachable(FreshBooksError, TransportError):
    """No answer at all: the network or FreshBooks is down."""


class ReauthorizationRequired(FreshBooksError, ConfigurationError):
    """The stored grant is gone or was refused: only a person can authorise the app again."""

    def __init__(self, message: str) -> None:
        super().__init__(
            message,
            hint="authorise the FreshBooks app again for this connection (open the "
            "authorisation URL, then exchange the returned code) so a new token is stored",
        )


class AccountNotFound(FreshBooksError, ConfigurationError):
    """The authorised user has no business with the requested (or any) account id."""


class InvalidMoney(FreshBooksError, DataError):
    """An amount that cannot be sent as money without losing or inventing precision."""


class WriteOutcomeUnknown(FreshBooksError):
    """A write was sent but no clear answer came back: it may or may not have been applied."""

    def __init__(self, *, method: str, path: str, body: Any, cause: str) -> None:
        self.method = method
        self.path = path
        self.body = body
        super().__init__(
            f"{method} {path} was sent to FreshBooks but {cause}; "
            "it may or may not have been applied",
            hint="look the record up in FreshBooks (or reconcile from the ledger) before sending "
            "it again, so it is not applied twice",
        )
