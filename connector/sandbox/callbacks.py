"""Webhook callbacks: the handshake, then a signed delivery for every change a callback watches.

The state announces changes from whichever thread made them, while holding its lock, so the
listener here only counts the change and hands it to the sandbox's asyncio loop; matching,
signing and posting (with retries) happen there. Deliveries are recorded so tests can see what
was sent, how often it was tried and how it ended, and ``wait_idle`` lets them wait for the
queue to drain instead of sleeping.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from connector.errors import TransportError
from connector.freshbooks.signature import HEADER, signature
from connector.sandbox.errors import SandboxDataError
from connector.sandbox.state import SandboxState

HANDSHAKE = "callback.verify"
FIRST_CALLBACK_ID = 2001
# The business owner's id in FreshBooks' legacy user numbering, which deliveries still carry.
LEGACY_OWNER_USER_ID = 1

OBJECTS = (
    "bill",
    "bill_vendor",
    "category",
    "client",
    "credit_note",
    "estimate",
    "expense",
    "invoice",
    "item",
    "payment",
    "project",
    "recurring",
    "service",
    "tax",
    "time_entry",
)
EVENTS = frozenset(
    {
        *OBJECTS,
        *(f"{obj}.{action}" for obj in OBJECTS for action in ("create", "update", "delete")),
        "invoice.sendByEmail",
        "estimate.sendByEmail",
    }
)
"""freshbooks-api.md section 5: ``<object>.<action>``, the two send events, and parent names."""

DELIVERED, GAVE_UP = "delivered", "gave_up"


class CallbackNotFound(SandboxDataError):
    """A callback id the sandbox never issued or has deleted."""


class WrongVerifier(SandboxDataError):
    """A confirmation carried a verifier other than the one the handshake sent."""


class DeliveriesPending(TransportError):
    """The delivery queue did not drain in the time a test allowed."""


def receives(registered: str, event: str) -> bool:
    """Whether a callback registered for ``registered`` gets ``event``: exact, or its parent."""
    return registered == event or event.startswith(registered + ".")


@dataclass(frozen=True)
class Callback:
    callbackid: int
    event: str
    uri: str
    verifier: str
    verified: bool
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        """The verifier stays out: FreshBooks only ever sends it to the callback's URI."""
        return {
            "callbackid": self.callbackid,
            "event": self.event,
            "uri": self.uri,
            "verified": self.verified,
            "updated_at": self.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


@dataclass(frozen=True)
class Delivery:
    """One POST to a callback's URI as it ended: delivered, or given up after every attempt."""

    callbackid: int
    event: str
    object_id: int
    uri: str
    attempts: int
    status: int | None
    """The last HTTP status; None when the last attempt got no answer."""
    outcome: str
    error: str | None = None


@dataclass(frozen=True)
class _Job:
    callback: Callback
    event: str
    object_id: int
    fields: tuple[tuple[str, str], ...]
    signed: bool


class CallbackHub:
    """The registered callbacks and their delivery queue; safe to use from any thread."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._callbacks: dict[int, Callback] = {}
        self._next_id = FIRST_CALLBACK_ID
        self._deliveries: list[Delivery] = []
        self._outstanding = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._http: httpx.AsyncClient | None = None
        self._slots: asyncio.Semaphore | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        state.subscribe(self._on_change)

    # -- lifecycle, on the sandbox's loop -----------------------------------------------------

    async def start(self) -> None:
        """Deliver from now on; changes announced while stopped reach no callback."""
        behaviour = self.state.behaviour
        self._http = httpx.AsyncClient(timeout=behaviour.webhook_timeout_seconds)
        self._slots = asyncio.Semaphore(behaviour.webhook_concurrency)
        with self._lock:
            self._loop = asyncio.get_running_loop()

    async def close(self) -> None:
        """Stop delivering: queued and retrying deliveries are dropped, as on a server restart."""
        with self._lock:
            self._loop = None
            tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.aclose()
        with self._lock:
            self._outstanding = 0
            self._idle.notify_all()

    # -- the API's operations -----------------------------------------------------------------

    @property
    def callbacks(self) -> list[Callback]:
        with self._lock:
            return list(self._callbacks.values())

    @property
    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self._deliveries)

    def get(self, callbackid: int) -> Callback:
        with self._lock:
            return self._find(callbackid)

    def create(self, event: str, uri: str) -> Callback:
        """Register and send the handshake at once, as FreshBooks does; the caller checked
        ``event`` against EVENTS and ``uri`` for a usable URL."""
        with self._lock:
            callback = Callback(
                callbackid=self._next_id,
                event=event,
                uri=uri,
                verifier=secrets.token_urlsafe(24),
                verified=False,
                updated_at=_now(),
            )
            self._next_id += 1
            self._callbacks[callback.callbackid] = callback
            self._send_handshake(callback)
            return callback

    def confirm(self, callbackid: int, verifier: str) -> Callback:
        """Deliveries start once the client echoes the handshake's verifier."""
        with self._lock:
            callback = self._find(callbackid)
            if not secrets.compare_digest(verifier.encode(), callback.verifier.encode()):
                raise WrongVerifier(
                    f"the verifier sent for callback {callbackid} is not the one its handshake "
                    "carried",
                    hint="echo the verifier from the callback.verify request, or ask for a resend",
                )
            return self._store(replace(callback, verified=True, updated_at=_now()))

    def resend(self, callbackid: int) -> Callback:
        """The handshake again with the same verifier (section 8); ``verified`` is unchanged."""
        with self._lock:
            callback = self._find(callbackid)
            self._send_handshake(callback)
            return callback

    def update(self, callbackid: int, *, event: str | None, uri: str | None) -> Callback:
        """A new event or URI keeps the verifier and the verified state: the secret is the same."""
        with self._lock:
            callback = self._find(callbackid)
            changed = replace(
                callback,
                event=event or callback.event,
                uri=uri or callback.uri,
                updated_at=_now(),
            )
            return self._store(changed)

    def delete(self, callbackid: int) -> None:
        """Deliveries already queued still go out; no new change reaches the callback."""
        with self._lock:
            self._find(callbackid)
            del self._callbacks[callbackid]

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until every announced change and every handshake has been delivered or
        given up; raises DeliveriesPending after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._outstanding:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DeliveriesPending(
                        f"{self._outstanding} webhook deliveries still pending after {timeout} s",
                        hint="a receiver may be slow or failing: read sb.callbacks.deliveries, "
                        "or lower Behaviour.webhook_backoff_seconds",
                    )
                self._idle.wait(remaining)

    # -- queueing (under self._lock) -----------------------------------------------------------

    def _find(self, callbackid: int) -> Callback:
        try:
            return self._callbacks[callbackid]
        except KeyError:
            raise CallbackNotFound(
                f"the sandbox has no callback {callbackid}",
                hint="list sb.callbacks.callbacks for the ids it holds",
            ) from None

    def _store(self, callback: Callback) -> Callback:
        self._callbacks[callback.callbackid] = callback
        return callback

    def _send_handshake(self, callback: Callback) -> None:
        business = self.state.business
        fields = (
            ("name", HANDSHAKE),
            ("verifier", callback.verifier),
            ("object_id", str(callback.callbackid)),
            ("account_id", business.account_id),
            ("user_id", str(LEGACY_OWNER_USER_ID)),
        )
        self._enqueue(_Job(callback, HANDSHAKE, callback.callbackid, fields, signed=False))

    def _enqueue(self, job: _Job) -> None:
        if self._loop is None:
            return
        self._outstanding += 1
        self._loop.call_soon_threadsafe(self._spawn, job)

    def _on_change(self, event: str, object_id: int) -> None:
        """Runs under the state's lock on any thread: pick the targets and hand them over."""
        with self._lock:
            targets = [
                callback
                for callback in self._callbacks.values()
                if callback.verified and receives(callback.event, event)
            ]
            if not targets:
                return
            fields = self._event_fields(event, object_id)
            for callback in targets:
                self._enqueue(_Job(callback, event, object_id, fields, signed=True))

    def _event_fields(self, event: str, object_id: int) -> tuple[tuple[str, str], ...]:
        """In the key order of freshbooks-api.md section 8; the signature depends on it."""
        business = self.state.business
        return (
            ("name", event),
            ("object_id", str(object_id)),
            ("account_id", business.account_id),
            ("business_id", str(business.business_id)),
            ("identity_id", str(business.identity_id)),
            ("user_id", str(LEGACY_OWNER_USER_ID)),
        )

    # -- delivery, on the loop ---------------------------------------------------------------

    def _spawn(self, job: _Job) -> None:
        if self._loop is None:  # closed since the job was queued
            return
        task = asyncio.get_running_loop().create_task(self._deliver(job))
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        with self._lock:
            self._outstanding = max(0, self._outstanding - 1)
            if not self._outstanding:
                self._idle.notify_all()

    async def _deliver(self, job: _Job) -> None:
        """POST until a 2xx or the attempts run out, pausing longer after each failure."""
        assert self._http is not None and self._slots is not None
        behaviour = self.state.behaviour
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if job.signed:
            headers[HEADER] = signature(job.fields, job.callback.verifier)
        body = urlencode(job.fields)
        attempt, status, error = 0, None, None
        while attempt < max(1, behaviour.webhook_attempts):
            if attempt:
                await asyncio.sleep(behaviour.webhook_backoff_seconds * 2 ** (attempt - 1))
            attempt += 1
            try:
                async with self._slots:
                    response = await self._http.post(
                        job.callback.uri, content=body, headers=headers
                    )
            except httpx.HTTPError as failure:
                status, error = None, f"{type(failure).__name__}: {failure}"
                continue
            status = response.status_code
            if response.is_success:
                self._record(job, attempt, status, DELIVERED, None)
                return
            error = f"HTTP {status}"
        self._record(job, attempt, status, GAVE_UP, error)

    def _record(
        self, job: _Job, attempts: int, status: int | None, outcome: str, error: str | None
    ) -> None:
        delivery = Delivery(
            callbackid=job.callback.callbackid,
            event=job.event,
            object_id=job.object_id,
            uri=job.callback.uri,
            attempts=attempts,
            status=status,
            outcome=outcome,
            error=error,
        )
        with self._lock:
            self._deliveries.append(delivery)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
