"""What the sandbox raises: at start-up (a person must fix the setup) and while serving a request.

Request errors carry the HTTP status and the exact body FreshBooks would send, so one handler
turns any of them into the wire response and the route code reads like the rules it enforces.
"""

from __future__ import annotations

from typing import Any

from connector.errors import ConfigurationError, DataError


class SandboxStartError(ConfigurationError):
    """The sandbox could not start: a folder, a port or the host key is unusable."""


class SandboxDataError(DataError):
    """Seed or test code named a record or a field the sandbox does not hold."""


class RequestRejected(DataError):
    """A request the sandbox answers with an error response instead of serving it."""

    def __init__(
        self, status: int, body: dict[str, Any], *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


class AccountingError(RequestRejected):
    """An accounting-API error in FreshBooks' classic envelope ``response.errors[]``."""

    def __init__(
        self,
        status: int,
        errno: int,
        message: str,
        *,
        field: str | None = None,
        obj: str | None = None,
        value: object = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        error = {
            "errno": errno,
            "field": field,
            "message": message,
            "object": obj,
            "value": None if value is None else str(value),
        }
        super().__init__(status, {"response": {"errors": [error]}}, headers=headers)
        self.errno = errno


class OAuthError(RequestRejected):
    """An auth-service error in the Doorkeeper shape ``{"error", "error_description"}``."""

    def __init__(
        self,
        status: int,
        error: str,
        description: str,
        *,
        extra: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(
            status,
            {"error": error, "error_description": description, **(extra or {})},
            headers=headers,
        )
        self.error = error
