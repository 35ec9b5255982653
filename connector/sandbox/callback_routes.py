"""``/events/account/{account_id}/events/callbacks[/{id}]``: webhook callbacks, events-API style.

The events API answers errors in its own envelope (freshbooks-api.md section 3 item 3), not the
accounting one. Choices the documentation leaves open: a wrong verifier is a 422 naming the
``verifier`` field, like any other semantic error of this API; a PUT applies the first of
``verifier``, ``resend``, or ``event``/``uri`` it finds, in that order.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connector.sandbox.callbacks import EVENTS, CallbackHub, CallbackNotFound, WrongVerifier
from connector.sandbox.errors import RequestRejected
from connector.sandbox.listing import paginate, parse_list_query
from connector.sandbox.state import SandboxState
from connector.sandbox.tokens import TokenCheck
from connector.sandbox.wire import bearer_token, many, single

PATH = "/events/account/{account_id}/events/callbacks"
SEMANTIC = "The request was well-formed but was unable to be followed due to semantic errors."
NOT_FOUND = "Requested resource could not be found."


class EventsError(RequestRejected):
    """An error in the events API's envelope: ``{"errno", "message"[, "details"]}``."""

    def __init__(self, status: int, message: str, details: list[str] | None = None) -> None:
        body: dict[str, Any] = {"errno": status, "message": message}
        if details is not None:
            body["details"] = details
        super().__init__(status, body)


def callback_routes(state: SandboxState, hub: CallbackHub) -> list[Route]:
    def check_access(request: Request) -> None:
        token = bearer_token(request)
        if token is None or state.tokens.check(token) is not TokenCheck.VALID:
            raise EventsError(
                401, "invalid_token: The request token failed to authenticate or validate."
            )
        if request.path_params["account_id"] != state.business.account_id:
            raise EventsError(403, "Forbidden: this token may not access that account.")

    def callback_id(request: Request) -> int:
        try:
            return int(request.path_params["id"])
        except ValueError:
            raise EventsError(404, NOT_FOUND) from None

    async def list_callbacks(request: Request) -> Response:
        check_access(request)
        query = parse_list_query(request.query_params, state.behaviour)
        wanted = query.search.get("event")
        chosen = [c for c in hub.callbacks if wanted is None or _related(c.event, wanted)]
        page, meta = paginate(chosen, query)
        return many("callbacks", [c.to_json() for c in page], meta)

    async def get_callback(request: Request) -> Response:
        check_access(request)
        try:
            return single("callback", hub.get(callback_id(request)).to_json())
        except CallbackNotFound:
            raise EventsError(404, NOT_FOUND) from None

    async def create_callback(request: Request) -> Response:
        check_access(request)
        body = await _read_callback(request)
        problems = [*_event_problems(body, required=True), *_uri_problems(body, required=True)]
        if problems:
            raise EventsError(422, SEMANTIC, problems)
        return single("callback", hub.create(body["event"], body["uri"]).to_json())

    async def update_callback(request: Request) -> Response:
        check_access(request)
        wanted = callback_id(request)
        body = await _read_callback(request)
        try:
            if "verifier" in body:
                verifier = body["verifier"]
                if not isinstance(verifier, str):
                    raise EventsError(422, SEMANTIC, ["verifier: Input should be a valid string"])
                callback = hub.confirm(wanted, verifier)
            elif body.get("resend") is True:
                callback = hub.resend(wanted)
            else:
                problems = [*_event_problems(body), *_uri_problems(body)]
                if problems or not ({"event", "uri"} & body.keys()):
                    raise EventsError(
                        422,
                        SEMANTIC,
                        problems or ["callback: expected verifier, resend, event or uri"],
                    )
                callback = hub.update(wanted, event=body.get("event"), uri=body.get("uri"))
        except CallbackNotFound:
            raise EventsError(404, NOT_FOUND) from None
        except WrongVerifier:
            raise EventsError(
                422, SEMANTIC, ["verifier: Value error, Verifier does not match."]
            ) from None
        return single("callback", callback.to_json())

    async def delete_callback(request: Request) -> Response:
        check_access(request)
        try:
            hub.delete(callback_id(request))
        except CallbackNotFound:
            raise EventsError(404, NOT_FOUND) from None
        return Response(status_code=204)

    return [
        Route(PATH, list_callbacks, methods=["GET"]),
        Route(PATH, create_callback, methods=["POST"]),
        Route(PATH + "/{id}", get_callback, methods=["GET"]),
        Route(PATH + "/{id}", update_callback, methods=["PUT"]),
        Route(PATH + "/{id}", delete_callback, methods=["DELETE"]),
    ]


def _related(registered: str, searched: str) -> bool:
    """``search[event]`` finds a callback for that event, for a child of it, or for its parent."""
    return (
        registered == searched
        or registered.startswith(searched + ".")
        or searched.startswith(registered + ".")
    )


async def _read_callback(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise EventsError(400, "The request body is not valid JSON.") from None
    if not isinstance(body, dict) or not isinstance(body.get("callback"), dict):
        raise EventsError(422, SEMANTIC, ["callback: Field required"])
    return body["callback"]


def _event_problems(body: dict[str, Any], *, required: bool = False) -> list[str]:
    if "event" not in body:
        return ["event: Field required"] if required else []
    if body["event"] not in EVENTS:
        return ["event: Value error, Unrecognized event."]
    return []


def _uri_problems(body: dict[str, Any], *, required: bool = False) -> list[str]:
    if "uri" not in body:
        return ["uri: Field required"] if required else []
    uri = body["uri"]
    try:
        url = httpx.URL(uri) if isinstance(uri, str) else None
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        return [f"uri: Input should be a valid URL, got {uri!r}"]
    return []
