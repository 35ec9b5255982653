"""Wire the Acme partner to a running sandbox: the blocks, the tokens and the partner settings.

Shared by the demo and the end-to-end tests so both exercise exactly the configuration an operator
would create by hand against the real FreshBooks and the real partner.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from pydantic import SecretStr

from connector.blocks import FreshBooksCredentials, SftpCredentials
from connector.errors import TransportError
from connector.freshbooks import EncryptedFileTokenStore, FreshBooksClient, Token
from connector.partners import PartnerSettings
from connector.sandbox import Sandbox
from connector.sandbox.listening import tcp_listener
from connector.store import Store
from connector.webhooks import create_app

FRESHBOOKS_BLOCK = "sandbox-freshbooks"
SFTP_BLOCK = "sandbox-acme-sftp"
RECEIVER_START_TIMEOUT = 10.0


class ReceiverStartError(TransportError):
    """The in-process webhook receiver did not come up on its loopback port."""


def save_credentials(sandbox: Sandbox) -> None:
    """Store the sandbox's OAuth app and SFTP login as blocks, and its first tokens encrypted."""
    info = sandbox.info
    FreshBooksCredentials(
        client_id=info.client_id,
        client_secret=SecretStr(info.client_secret),
        redirect_uri=info.redirect_uri,
        account_id=info.account_id,
        api_url=info.api_url,
        auth_url=info.auth_url,
    ).save(FRESHBOOKS_BLOCK, overwrite=True)
    SftpCredentials(username=info.sftp_user, password=SecretStr(info.sftp_password)).save(
        SFTP_BLOCK, overwrite=True
    )
    EncryptedFileTokenStore(FRESHBOOKS_BLOCK).save(
        Token.from_response(
            {
                "access_token": info.access_token,
                "refresh_token": info.refresh_token,
                "token_type": "Bearer",
                "expires_in": 43200,
                "scope": "",
            }
        )
    )


def partner_settings(sandbox: Sandbox, **overrides: object) -> PartnerSettings:
    """Acme on the sandbox's SFTP server, its host key pinned as in production."""
    info = sandbox.info
    fields: dict = {
        "name": "acme",
        "mapping": "acme_distribution.map",
        "remote_url": f"sftp://{info.sftp_host}:{info.sftp_port}/",
        "sftp_credentials": SFTP_BLOCK,
        "known_hosts": info.sftp_host_key,
        "freshbooks_credentials": FRESHBOOKS_BLOCK,
        "settle_seconds": 0,
    }
    fields.update(overrides)
    return PartnerSettings(**fields)


def freshbooks_client(credentials: str = FRESHBOOKS_BLOCK) -> FreshBooksClient:
    """A client as the flows build one: the block's OAuth app, tokens from the encrypted store."""
    from connector.jobs.resolve import freshbooks_config  # needs Prefect, imported on use

    return FreshBooksClient(freshbooks_config(credentials), EncryptedFileTokenStore(credentials))


@contextmanager
def local_receiver(store: Store) -> Iterator[str]:
    """What `ml-connector webhooks serve` runs, on a free loopback port in a thread.

    Yields the base URL to register with the sandbox. Handshakes only store their verifier here:
    the register step confirms them (as `webhooks register` does for a receiver started without
    credentials), so no confirmation is still in flight when the demo counts API calls. The
    server is stopped and joined on the way out.
    """
    receiver = create_app(store)
    sock = tcp_listener("127.0.0.1", 0)
    server = uvicorn.Server(
        uvicorn.Config(
            receiver, log_config=None, log_level="warning", access_log=False, lifespan="off"
        )
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="webhook-receiver", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + RECEIVER_START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise ReceiverStartError(
                    f"the webhook receiver did not start within {RECEIVER_START_TIMEOUT:.0f} s",
                    hint="check that loopback sockets can be opened on this machine",
                )
            time.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(RECEIVER_START_TIMEOUT)
        sock.close()
