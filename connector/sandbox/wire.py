"""What every accounting route shares: bearer checks, JSON bodies, envelopes, not-found errors."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse

from connector.sandbox.errors import AccountingError, SandboxDataError
from connector.sandbox.state import SandboxState
from connector.sandbox.tokens import TokenCheck

NOT_AUTHORIZED = (
    "The server could not verify that you are authorized to access the URL requested. "
    "You either supplied the wrong credentials (e.g. a bad password), or your browser "
    "doesn't understand how to supply the credentials required."
)


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def check_accounting_access(request: Request, state: SandboxState) -> None:
    """401 errno 1003 for a missing, unknown or expired token; 403 for another account's path."""
    token = bearer_token(request)
    if token is None or state.tokens.check(token) is not TokenCheck.VALID:
        raise AccountingError(
            401, 1003, NOT_AUTHORIZED, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
        )
    account_id = request.path_params["account_id"]
    if account_id != state.business.account_id:
        raise AccountingError(
            403,
            1003,
            f"Account {account_id} is not one this token may access.",
            field="account_id",
            obj="account",
            value=account_id,
        )


Record = TypeVar("Record")


def path_id(request: Request, obj: str, field: str) -> int:
    """The record id in the path; a non-number can name no record, so it is a 404 too."""
    text = request.path_params["id"]
    try:
        return int(text)
    except ValueError:
        raise not_found(obj, field, text) from None


def record_in_path(
    request: Request, lookup: Callable[[int], Record], obj: str, field: str
) -> Record:
    """The record the path's id names, or FreshBooks' 404 for it."""
    record_id = path_id(request, obj, field)
    try:
        return lookup(record_id)
    except SandboxDataError:
        raise not_found(obj, field, record_id) from None


def not_found(obj: str, field: str, value: object) -> AccountingError:
    return AccountingError(
        404, 1012, f"{obj.capitalize()} not found.", field=field, obj=obj, value=value
    )


async def read_object(request: Request, wrapper: str) -> dict[str, Any]:
    """The object inside ``{"<wrapper>": {...}}``; malformed JSON is a 400 parse error."""
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise AccountingError(
            400, 1005, f"The request body is not valid JSON: {error}.", obj=wrapper
        ) from None
    if not isinstance(body, dict) or not isinstance(body.get(wrapper), dict):
        raise AccountingError(
            422,
            1001,
            f'The request body must be a JSON object {{"{wrapper}": {{...}}}}.',
            field=wrapper,
            obj=wrapper,
        )
    return body[wrapper]


def single(key: str, record: Mapping[str, Any]) -> JSONResponse:
    return JSONResponse({"response": {"result": {key: record}}})


def many(key: str, records: Sequence[Mapping[str, Any]], meta: Mapping[str, int]) -> JSONResponse:
    return JSONResponse({"response": {"result": {key: list(records), **meta}}})
