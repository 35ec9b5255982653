"""An ASGI app under a real uvicorn on a free loopback port, in a thread, while a test needs it.

The sandbox delivers webhooks over real HTTP, so receivers in tests must listen on a socket.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from connector.sandbox.listening import tcp_listener

START_TIMEOUT = 10.0


@contextmanager
def serving(app: ASGIApp) -> Iterator[str]:
    """Yields the base URL (``http://127.0.0.1:PORT``); the server is stopped and joined after."""
    sock = tcp_listener("127.0.0.1", 0)
    server = uvicorn.Server(
        uvicorn.Config(app, log_config=None, log_level="warning", access_log=False, lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test receiver did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT)
        sock.close()


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def fields(self) -> list[tuple[str, str]]:
        return parse_qsl(self.body.decode("ascii"), keep_blank_values=True)


@dataclass
class Recorder:
    """Notes every POST; answers the queued ``statuses`` first, then 200."""

    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def app(self) -> Starlette:
        async def receive(request: Request) -> PlainTextResponse:
            self.requests.append(
                Received(request.url.path, dict(request.headers), await request.body())
            )
            status = self.statuses.pop(0) if self.statuses else 200
            return PlainTextResponse("noted", status_code=status)

        return Starlette(routes=[Route("/{rest:path}", receive, methods=["POST"])])

    def named(self, name: str) -> list[Received]:
        return [r for r in self.requests if dict(r.fields).get("name") == name]
