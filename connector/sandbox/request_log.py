"""Every request the sandbox saw and the status it answered, so tests can count retries."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DROPPED = "sandbox.dropped"
"""Scope key set by fault injection on a request whose connection it is about to drop."""


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: str
    status: int | None
    """None when the connection was dropped before a status was sent."""


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self, *, method: str | None = None, path_regex: str = "") -> list[LoggedRequest]:
        pattern = re.compile(path_regex)
        with self._lock:
            return [
                e
                for e in self._entries
                if (method is None or e.method == method.upper()) and pattern.search(e.path)
            ]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class RequestLogging:
    """ASGI wrapper recording each HTTP request as its response starts.

    Recording before the status line goes out means a client that has its answer always finds
    the request in the log. A wrapper inside that deliberately breaks the connection marks the
    scope with ``DROPPED`` first, and the request is logged with no status.
    """

    def __init__(self, app: ASGIApp, log: RequestLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        logged = False

        def note(status: int | None) -> None:
            nonlocal logged
            logged = True
            self.log.record(
                LoggedRequest(
                    method=scope["method"],
                    path=scope["path"],
                    query=scope["query_string"].decode("latin-1"),
                    status=status,
                )
            )

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                note(None if scope.get(DROPPED) else message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            if not logged:
                note(None)
