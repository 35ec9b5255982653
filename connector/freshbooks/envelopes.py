"""Unwrapping FreshBooks answers: the success envelope and the several error envelopes.

FreshBooks wraps errors differently per API family and version (freshbooks-api.md section 3):
the classic ``response.errors`` list, a newer gRPC-status-like body, the events body with a
top-level ``errno``, and the auth service's OAuth-style body. All become one error class chosen
by HTTP status so callers catch meaning, not shapes.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx

from connector.freshbooks.errors import (
    AuthenticationFailed,
    FreshBooksAPIError,
    NotFound,
    RateLimited,
    ServerError,
    UnexpectedResponse,
    ValidationFailed,
)

_CLASS_BY_STATUS: dict[int, type[FreshBooksAPIError]] = {
    400: ValidationFailed,
    401: AuthenticationFailed,
    403: AuthenticationFailed,
    404: NotFound,
    422: ValidationFailed,
    429: RateLimited,
}
# An error envelope inside an HTTP 200 (seen in the official SDK's tests) has no status to go by.
_CLASS_BY_ERRNO: dict[int, type[FreshBooksAPIError]] = {
    1003: AuthenticationFailed,
    1012: NotFound,
    1038: AuthenticationFailed,
}


def decode(response: httpx.Response, method: str, path: str) -> Any:
    """The JSON body with every JSON number that has a fraction read as Decimal, never float."""
    try:
        return json.loads(response.content, parse_float=Decimal)
    except ValueError as exc:
        raise UnexpectedResponse(
            f"FreshBooks answered {response.status_code} to {method} {path} with a body that is "
            "not JSON",
            hint="check that the configured api_url points at the FreshBooks API",
        ) from exc


def decode_if_json(response: httpx.Response) -> Any:
    """The body of an error answer, or None when a gateway answered with HTML or nothing."""
    try:
        return json.loads(response.content, parse_float=Decimal)
    except ValueError:
        return None


def result(payload: Any, method: str, path: str) -> dict[str, Any]:
    """The ``response.result`` object of an accounting answer (or ``response`` for identity)."""
    response = payload.get("response") if isinstance(payload, dict) else None
    if not isinstance(response, dict):
        raise UnexpectedResponse(
            f"the answer to {method} {path} has no 'response' object",
            hint="check that the configured api_url points at the FreshBooks API",
        )
    inner = response.get("result", response)
    if not isinstance(inner, dict):
        raise UnexpectedResponse(f"the answer to {method} {path} has a non-object 'result'")
    return inner


def carries_errors(payload: Any) -> bool:
    """Whether a 2xx body is really an error, as the classic envelope sometimes is."""
    return isinstance(payload, dict) and bool(
        isinstance(payload.get("response"), dict) and payload["response"].get("errors")
    )


def api_error(
    status: int,
    payload: Any,
    method: str,
    path: str,
    *,
    retry_after: float | None = None,
) -> FreshBooksAPIError:
    """The named error for an error answer, whatever envelope it came in."""
    details = _details(payload) if isinstance(payload, dict) else {}
    details["message"] = details.get("message") or httpx.codes.get_reason_phrase(status) or "error"
    errno = details.get("errno")
    cls = _CLASS_BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else _CLASS_BY_ERRNO.get(errno, ValidationFailed)
    common: dict[str, Any] = {"status": status, "method": method, "path": path, **details}
    if cls is RateLimited:
        return RateLimited(retry_after=retry_after, **common)
    return cls(**common)


def _details(payload: dict[str, Any]) -> dict[str, Any]:
    response = payload.get("response")
    if isinstance(response, dict) and isinstance(response.get("errors"), list):
        return _classic(response["errors"])
    if "code" in payload and isinstance(payload.get("details"), list):
        return _grpc_like(payload)
    if "errno" in payload:
        return _events(payload)
    if "error" in payload:
        return _oauth(payload)
    return {}


def _classic(errors: list[Any]) -> dict[str, Any]:
    entries = [entry for entry in errors if isinstance(entry, dict)]
    if not entries:
        return {}
    first = entries[0]
    messages = [str(entry.get("message")) for entry in entries if entry.get("message")]
    return {
        "errno": _int_or_none(first.get("errno")),
        "field": first.get("field"),
        "object": first.get("object"),
        "value": _text_or_none(first.get("value")),
        "message": "; ".join(messages) or None,
    }


def _grpc_like(payload: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {"message": payload.get("message")}
    for detail in payload["details"]:
        if not isinstance(detail, dict):
            continue
        metadata = detail.get("metadata")
        if isinstance(metadata, dict):
            return {
                "errno": _int_or_none(detail.get("reason")),
                "field": metadata.get("field"),
                "object": metadata.get("object"),
                "value": _text_or_none(metadata.get("value")),
                "message": metadata.get("message") or payload.get("message"),
            }
        violations = detail.get("fieldViolations")
        if isinstance(violations, list) and violations and isinstance(violations[0], dict):
            found["field"] = violations[0].get("field")
            found["message"] = violations[0].get("description") or found["message"]
    return {key: value for key, value in found.items() if value is not None}


def _events(payload: dict[str, Any]) -> dict[str, Any]:
    message = str(payload.get("message") or "")
    extra = [str(item) for item in payload.get("details") or [] if isinstance(item, str)]
    field = extra[0].split(":", 1)[0] if extra and ":" in extra[0] else None
    return {
        "errno": _int_or_none(payload.get("errno")),
        "field": field,
        "message": "; ".join([message, *extra]) if extra else message or None,
    }


def _oauth(payload: dict[str, Any]) -> dict[str, Any]:
    code = payload.get("error")
    description = payload.get("error_description")
    if not isinstance(code, str):
        return {}
    return {"message": f"{code}: {description}" if description else code}


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
