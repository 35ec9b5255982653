"""``Sandbox``: the API and the SFTP server on one asyncio loop in a background thread.

Tests, the demo and the ``serve`` command all use it the same way: ``with Sandbox(root=...) as
sb:`` and then ``sb.info`` for addresses and credentials, ``sb.state`` for the data.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
import socket
import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

import asyncssh
import uvicorn

from connector import settings
from connector.sandbox.app import build_app
from connector.sandbox.behaviour import Behaviour
from connector.sandbox.callbacks import CallbackHub
from connector.sandbox.errors import SandboxStartError
from connector.sandbox.faults import Faults, quiet_dropped_connections
from connector.sandbox.info import SandboxInfo
from connector.sandbox.listening import tcp_listener
from connector.sandbox.oauth_routes import DEFAULT_SCOPE, OAuthApp
from connector.sandbox.request_log import RequestLog
from connector.sandbox.seed import SeedPlan, seed
from connector.sandbox.sftp import (
    SftpAccount,
    SftpServer,
    known_hosts_line,
    load_host_key,
    read_public_keys,
)
from connector.sandbox.state import SandboxState

DEFAULT_CLIENT_ID = "ml-connector-sandbox"
DEFAULT_REDIRECT_URI = "https://127.0.0.1/oauth/callback"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


class Sandbox:
    """A local FreshBooks-compatible API and SFTP server; ports 0 pick free ports."""

    def __init__(
        self,
        root: Path | str,
        *,
        state_dir: Path | str | None = None,
        host: str = "127.0.0.1",
        api_port: int = 0,
        sftp_port: int = 0,
        seed_plan: SeedPlan | None = SeedPlan(),
        behaviour: Behaviour | None = None,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str | None = None,
        redirect_uri: str = DEFAULT_REDIRECT_URI,
        sftp_user: str = "partner",
        sftp_password: str | None = None,
        authorized_keys: Iterable[str | Path] = (),
    ) -> None:
        """``state_dir`` keeps the SFTP host key (default: ``<ML_CONNECTOR_HOME>/sandbox``);
        ``seed_plan`` None starts with no records; the default seeds the demo data."""
        self.root = Path(root).resolve()
        self.state_dir = Path(state_dir) if state_dir else settings.home() / "sandbox"
        self.host = host
        self.api_port = api_port
        self.sftp_port = sftp_port
        self.state = SandboxState.new(behaviour)
        self.faults = Faults()
        self.requests = RequestLog()
        self.oauth_app = OAuthApp(
            client_id=client_id,
            client_secret=client_secret or secrets.token_urlsafe(24),
            redirect_uri=redirect_uri,
        )
        self.sftp_account = SftpAccount(
            username=sftp_user,
            password=sftp_password or secrets.token_urlsafe(12),
            authorized_keys=read_public_keys(authorized_keys),
        )
        if seed_plan is not None:
            seed(self.state, **dataclasses.asdict(seed_plan))
        self.callbacks = CallbackHub(self.state)
        self._info: SandboxInfo | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None

    @property
    def info(self) -> SandboxInfo:
        if self._info is None:
            raise SandboxStartError(
                "the sandbox is not running", hint="use `with Sandbox(...) as sb:` or call start()"
            )
        return self._info

    def authorize_key(self, public_key: str | Path) -> None:
        """Let one more public key log in as the SFTP user, also while running."""
        self.sftp_account.authorized_keys.extend(read_public_keys([public_key]))

    def start(self) -> Sandbox:
        if self._thread is not None:
            raise SandboxStartError("this sandbox was already started", hint="create a new one")
        self._check_root()
        host_key = load_host_key(self.state_dir)
        logging.getLogger("uvicorn.error").addFilter(quiet_dropped_connections)
        self._thread = threading.Thread(
            target=self._run, args=(host_key,), name="freshbooks-sandbox", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT):
            raise SandboxStartError(f"the sandbox did not start within {START_TIMEOUT:.0f} s")
        if self._failure is not None:
            self._thread.join(STOP_TIMEOUT)
            if isinstance(self._failure, SandboxStartError):
                raise self._failure
            raise SandboxStartError(f"the sandbox failed to start: {self._failure}") from (
                self._failure
            )
        return self

    def stop(self) -> None:
        """Stop both servers and wait for the thread; safe to call twice."""
        if self._thread is None or self._loop is None or self._stop is None:
            return
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(STOP_TIMEOUT)
        self._info = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _check_root(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SandboxStartError(
                f"cannot use {self.root} as the SFTP root: {error}",
                hint="pass root= a folder you can write to",
            ) from None

    def _run(self, host_key: asyncssh.SSHKey) -> None:
        asyncio.run(self._serve(host_key))

    async def _serve(self, host_key: asyncssh.SSHKey) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        sftp = SftpServer(self.root, self.sftp_account, host_key)
        api: uvicorn.Server | None = None
        serving: asyncio.Task[None] | None = None
        try:
            sftp_port = await sftp.start(self.host, self.sftp_port)
            await self.callbacks.start()
            sock = _bind(self.host, self.api_port)
            api = uvicorn.Server(
                uvicorn.Config(
                    build_app(
                        self.state, self.oauth_app, self.faults, self.requests, self.callbacks
                    ),
                    log_config=None,
                    log_level="warning",
                    access_log=False,
                    lifespan="off",
                    timeout_graceful_shutdown=2,
                )
            )
            serving = asyncio.create_task(api.serve(sockets=[sock]))
            while not api.started:
                if serving.done():
                    serving.result()
                    raise SandboxStartError("the API server stopped while starting")
                await asyncio.sleep(0.005)
            self._info = self._describe(sock.getsockname()[1], sftp_port, host_key)
        except BaseException as error:
            self._failure = error
        finally:
            self._ready.set()
        if self._failure is None:
            await self._stop.wait()
        await self.callbacks.close()
        if api is not None and serving is not None and not serving.done():
            api.should_exit = True
            await serving
        await sftp.close()

    def _describe(self, api_port: int, sftp_port: int, host_key: asyncssh.SSHKey) -> SandboxInfo:
        host = f"[{self.host}]" if ":" in self.host else self.host
        api_url = f"http://{host}:{api_port}"
        tokens = self.state.tokens.issue(DEFAULT_SCOPE)
        return SandboxInfo(
            api_url=api_url,
            auth_url=f"{api_url}/oauth/authorize",
            client_id=self.oauth_app.client_id,
            client_secret=self.oauth_app.client_secret,
            redirect_uri=self.oauth_app.redirect_uri,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            account_id=self.state.business.account_id,
            business_id=self.state.business.business_id,
            sftp_host=self.host,
            sftp_port=sftp_port,
            sftp_user=self.sftp_account.username,
            sftp_password=self.sftp_account.password,
            sftp_host_key=known_hosts_line(self.host, sftp_port, host_key),
            sftp_root=str(self.root),
        )


def _bind(host: str, port: int) -> socket.socket:
    try:
        return tcp_listener(host, port)
    except OSError as error:
        raise SandboxStartError(
            f"the sandbox API cannot listen on {host}:{port}: {error}",
            hint="pick another port, or 0 for any free port",
        ) from None
