"""Fault injection: make chosen requests slow, fail with a status (429 + Retry-After), or drop.

Rules are explicit and counted (``times``), so a test states exactly which calls go wrong:
``sb.faults.add(method="GET", path_regex="/invoices", status=429, retry_after=1, times=2)``.
``after_handler=True`` lets the API apply the request first and then loses its answer (a drop
or the status instead): the write that reached FreshBooks but whose answer never came back.
An injected status answers in the envelope the request gets for any accounting error: the
newer one when it names an API version, as a real 429 or 503 from FreshBooks would.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from dataclasses import dataclass
from http import HTTPStatus

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connector.errors import ConfigurationError
from connector.sandbox.errors import AccountingError
from connector.sandbox.request_log import DROPPED


class FaultSpecError(ConfigurationError):
    """A fault rule that could never do anything, or names an impossible status."""


class DroppedConnection(Exception):
    """Raised on purpose after the response has started, so the server closes the socket."""


@dataclass
class Fault:
    method: str | None
    path: re.Pattern[str]
    status: int | None
    retry_after: int | None
    latency: float
    drop: bool
    remaining: int | None
    """How many more requests this rule hits; None for every matching request."""
    after_handler: bool = False
    """The API handles the request first; the drop or status then replaces its answer."""

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and bool(self.path.search(path))


class Faults:
    """The rules a running sandbox applies; safe to change from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Fault] = []

    def add(
        self,
        *,
        method: str | None = None,
        path_regex: str = "",
        status: int | None = None,
        retry_after: int | None = None,
        times: int | None = 1,
        latency: float = 0.0,
        drop: bool = False,
        after_handler: bool = False,
    ) -> Fault:
        """Add a rule; the first matching rule with hits left applies to each request."""
        if status is None and not drop and latency <= 0:
            raise FaultSpecError(
                "a fault rule needs an effect", hint="pass status=..., drop=True or latency=..."
            )
        if after_handler and status is None and not drop:
            raise FaultSpecError(
                "after_handler=True needs an answer to lose", hint="pass drop=True or status=..."
            )
        if status is not None and not 400 <= status <= 599:
            raise FaultSpecError(
                f"fault status {status} is not an error status",
                hint="use a 4xx or 5xx status such as 429 or 503",
            )
        if times is not None and times < 1:
            raise FaultSpecError(
                f"times={times} would never fire", hint="use a positive count or None"
            )
        try:
            path = re.compile(path_regex)
        except re.error as error:
            raise FaultSpecError(
                f"path_regex {path_regex!r} is not a regular expression: {error}"
            ) from None
        fault = Fault(
            method=method.upper() if method else None,
            path=path,
            status=status,
            retry_after=retry_after,
            latency=latency,
            drop=drop,
            remaining=times,
            after_handler=after_handler,
        )
        with self._lock:
            self._rules.append(fault)
        return fault

    def fail_next(self, count: int, *, drop: bool = False) -> Fault:
        """The next ``count`` requests, whatever they are, fail with 500 or a dropped connection."""
        return self.add(status=None if drop else 500, drop=drop, times=count)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The rule for this request, spending one of its hits."""
        with self._lock:
            for fault in self._rules:
                if fault.matches(method, path):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining == 0:
                            self._rules.remove(fault)
                    return fault
        return None


class FaultInjection:
    """ASGI wrapper applying the rules before the API sees the request."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fault = (
            self.faults.take(scope["method"], scope["path"]) if scope["type"] == "http" else None
        )
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.latency > 0:
            await asyncio.sleep(fault.latency)
        if fault.after_handler:
            await self.app(scope, receive, _discard)
        if fault.drop:
            scope[DROPPED] = True
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-length", b"64")],
                }
            )
            raise DroppedConnection(f"injected dropped connection on {scope['path']}")
        if fault.status is None:
            if not fault.after_handler:
                await self.app(scope, receive, send)
            return
        headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
        refusal = AccountingError(
            fault.status,
            fault.status,
            f"Injected fault: {fault.status} {HTTPStatus(fault.status).phrase}.",
            headers=headers,
        )
        await refusal.response(Headers(scope=scope))(scope, receive, send)


async def _discard(message: Message) -> None:
    """Where the API's answer goes when a rule loses it after the handler ran."""


def quiet_dropped_connections(record: logging.LogRecord) -> bool:
    """A logging filter: an injected drop is not a server error worth a traceback."""
    return not (record.exc_info and isinstance(record.exc_info[1], DroppedConnection))
