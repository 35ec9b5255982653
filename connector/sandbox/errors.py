"""What the sandbox raises: at start-up (a person must fix the setup) and while serving a request.

Request errors carry the HTTP status and the exact body FreshBooks would send, so one handler
turns any of them into the wire response and the route code reads like the rules it enforces.
Accounting errors come in two envelopes (freshbooks-api.md section 3): the classic
``response.errors[]`` and, when the request names an API version (``X-API-VERSION`` or
``Api-Version``, as the official SDKs send), the newer gRPC-status-like one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse

from connector.errors import ConfigurationError, DataError

API_VERSION_HEADERS = ("x-api-version", "api-version")
NEWER_ERROR_DOMAIN = "accounting.api.freshbooks.com"
ERROR_INFO_TYPE = "type.googleapis.com/google.rpc.ErrorInfo"
# HTTP status -> google.rpc.Code, as gRPC gateways map them back and forth.
GRPC_CODES = {
    400: 3,  # INVALID_ARGUMENT
    401: 16,  # UNAUTHENTICATED
    403: 7,  # PERMISSION_DENIED
    404: 5,  # NOT_FOUND
    405: 12,  # UNIMPLEMENTED
    409: 10,  # ABORTED
    422: 3,  # INVALID_ARGUMENT
    429: 8,  # RESOURCE_EXHAUSTED
    501: 12,  # UNIMPLEMENTED
    503: 14,  # UNAVAILABLE
    504: 4,  # DEADLINE_EXCEEDED
}


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

    def body_for(self, request_headers: Mapping[str, str]) -> dict[str, Any]:
        """The body in the envelope this request gets; only accounting errors have two."""
        return self.body

    def response(self, request_headers: Mapping[str, str]) -> JSONResponse:
        return JSONResponse(
            self.body_for(request_headers), status_code=self.status, headers=self.headers
        )


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
        self.error = error

    def body_for(self, request_headers: Mapping[str, str]) -> dict[str, Any]:
        if not asks_for_api_version(request_headers):
            return self.body
        return newer_envelope(self.status, [self.error])


def asks_for_api_version(request_headers: Mapping[str, str]) -> bool:
    """Whether the request names an API version, which switches errors to the newer envelope."""
    return any(request_headers.get(name) for name in API_VERSION_HEADERS)


def newer_envelope(status: int, errors: list[dict[str, Any]]) -> dict[str, Any]:
    """Classic ``response.errors[]`` entries as the newer envelope: one ErrorInfo per entry.

    The metadata is a string map on the wire (a protobuf ``map<string, string>``), so fields
    the classic entry leaves null are left out rather than sent as null.
    """
    code = GRPC_CODES.get(status, 13 if status >= 500 else 2)
    details = [
        {
            "@type": ERROR_INFO_TYPE,
            "reason": str(error["errno"]),
            "domain": NEWER_ERROR_DOMAIN,
            "metadata": {
                key: str(error[key])
                for key in ("object", "message", "value", "field")
                if error.get(key) is not None
            },
        }
        for error in errors
    ]
    return {
        "code": code,
        "message": f"Request failed with status_code: {status}",
        "details": details,
    }


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
