"""The ASGI app FreshBooks posts to: one path per callback, so each delivery meets its verifier.

Every event is committed to the store before the 200 goes out: an answered delivery is never
lost, and one refused or unanswered is retried by FreshBooks. Deliveries arriving together share
one commit (see group_commit), and verified callbacks are held in memory, so that a delivery
costs neither a transaction nor a read of its own. Refusals are short plain-text answers and
one log line each, never a stack trace, a verifier or a signature.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from cachetools import TTLCache
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from connector.errors import ConnectorError, StoreError
from connector.freshbooks.signature import HEADER, verify
from connector.store import CallbackConflictError, Store, WebhookCallback, WebhookEvent
from connector.webhooks.delivery import MalformedDeliveryError, is_form, parse_fields, required
from connector.webhooks.group_commit import GroupCommit

# FreshBooks' deliveries are a few hundred bytes; anything this large is not from FreshBooks.
MAX_BODY_BYTES = 64 * 1024
HANDSHAKE = "callback.verify"
ROUTE = "/hooks/freshbooks/{token}"
# A verified callback's verifier never changes (a new verifier means a new path), so it is kept in
# memory this long instead of read per delivery. A callback removed from the store meanwhile is
# refused with a 503 by the commit (its path no longer exists) until its entry expires.
VERIFIED_CALLBACK_TTL_S = 1.0
VERIFIED_CALLBACKS_KEPT = 1024

# Confirms a freshly stored verifier with the FreshBooks API; runs after the handshake's 200.
VerifierHandler = Callable[[WebhookCallback], Awaitable[None]]

log = logging.getLogger("connector.webhooks")


class Refusal(Exception):
    """A delivery answered with an error status; ``reason`` is safe to send and to log."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def create_app(
    store: Store,
    *,
    on_verifier: VerifierHandler | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> Starlette:
    """The receiver over ``store``; ``on_verifier`` is where the register step confirms."""
    commits = GroupCommit(store.events)
    verified: TTLCache[str, WebhookCallback] = TTLCache(
        maxsize=VERIFIED_CALLBACKS_KEPT, ttl=VERIFIED_CALLBACK_TTL_S
    )

    async def callback_for(path_token: str) -> WebhookCallback | None:
        callback = verified.get(path_token)
        if callback is None:
            callback = await run_in_threadpool(store.events.callback_for_path, path_token)
            if callback is not None and callback.verified:
                verified[path_token] = callback
        return callback

    async def receive(request: Request) -> PlainTextResponse:
        callback: WebhookCallback | None = None
        try:
            callback = await callback_for(request.path_params["token"])
            if callback is None:
                raise Refusal(404, "unknown callback path")
            fields = await _read_fields(request, max_body_bytes)
            if dict(fields).get("name") == HANDSHAKE:
                return await _handshake(store, callback, fields, on_verifier)
            return await _event(commits, callback, fields, request.headers.get(HEADER))
        except Refusal as refusal:
            log.warning(
                "refused a webhook delivery for %s: %s %s",
                _describe(callback),
                refusal.status,
                refusal.reason,
            )
            return PlainTextResponse(refusal.reason, status_code=refusal.status)
        except StoreError as error:
            # Unanswered, FreshBooks retries later: the event is not lost, only delayed.
            log.error("could not store a webhook delivery for %s: %s", _describe(callback), error)
            return PlainTextResponse("state store unavailable, retry later", status_code=503)

    return Starlette(routes=[Route(ROUTE, receive, methods=["POST"])])


async def _read_fields(request: Request, limit: int) -> list[tuple[str, str]]:
    if not is_form(request.headers.get("content-type")):
        raise Refusal(415, "expected application/x-www-form-urlencoded")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Refusal(413, f"body over {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Refusal(413, f"body over {limit} bytes")
    try:
        return parse_fields(bytes(body))
    except MalformedDeliveryError as error:
        raise Refusal(400, error.message) from None


async def _handshake(
    store: Store,
    callback: WebhookCallback,
    fields: list[tuple[str, str]],
    on_verifier: VerifierHandler | None,
) -> PlainTextResponse:
    """Keep the verifier (the handshake's object_id is the callback id) and confirm it later."""
    try:
        values = required(fields, "verifier", "object_id")
    except MalformedDeliveryError as error:
        raise Refusal(400, error.message) from None
    if not values["object_id"].isdigit():
        raise Refusal(400, "the handshake's object_id is not a callback id")
    try:
        stored = await run_in_threadpool(
            store.events.set_verifier,
            callback.path_token,
            values["verifier"],
            int(values["object_id"]),
        )
    except CallbackConflictError as error:
        raise Refusal(409, error.message) from None
    log.info("stored the verifier of %s", _describe(stored))
    task = None if on_verifier is None else BackgroundTask(_confirm, on_verifier, stored)
    return PlainTextResponse("verifier stored", background=task)


async def _confirm(on_verifier: VerifierHandler, callback: WebhookCallback) -> None:
    try:
        await on_verifier(callback)
    except ConnectorError as error:
        log.error("could not confirm the verifier of %s: %s", _describe(callback), error)


async def _event(
    commits: GroupCommit,
    callback: WebhookCallback,
    fields: list[tuple[str, str]],
    header: str | None,
) -> PlainTextResponse:
    if callback.verifier is None:
        raise Refusal(401, "callback has no verifier yet")
    if not header:
        raise Refusal(401, f"missing {HEADER}")
    if not verify(fields, callback.verifier, header):
        raise Refusal(401, f"{HEADER} does not match")
    try:
        values = required(fields, "name", "object_id", "account_id")
    except MalformedDeliveryError as error:
        raise Refusal(400, error.message) from None
    event = WebhookEvent(
        path_token=callback.path_token,
        account_id=values["account_id"],
        name=values["name"],
        object_id=values["object_id"],
        fields=tuple(fields),
    )
    if not await commits.record(event):
        log.debug(
            "%s for object %s joined the event already buffered for it", event.name, event.object_id
        )
    return PlainTextResponse("ok")


def _describe(callback: WebhookCallback | None) -> str:
    """Names a callback in logs by id and event; its path is a secret and stays out."""
    if callback is None:
        return "an unknown callback"
    return f"callback {callback.callback_id or '(unconfirmed)'} ({callback.event})"
