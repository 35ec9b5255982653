"""`ml-connector webhooks register|list|unregister` against the sandbox, and their one-line errors.

Here beside the other CLI tests because the credentials live in a Prefect block (session harness).
"""

from __future__ import annotations

import socket

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from connector.blocks import FreshBooksCredentials
from connector.cli import app
from connector.demo_setup import FRESHBOOKS_BLOCK, save_credentials
from connector.freshbooks import EncryptedFileTokenStore
from connector.sandbox import Sandbox
from connector.store import Store
from connector.webhooks import create_app
from tests.webhooks.live_server import serving

runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture
def credentials(prefect, sandbox: Sandbox) -> str:
    save_credentials(sandbox)
    return FRESHBOOKS_BLOCK


def webhooks(*args: str):
    return runner.invoke(app, ["webhooks", *args])


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert "error:" in result.output and "hint:" in result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output


def test_register_list_unregister(sandbox: Sandbox, credentials: str) -> None:
    with Store.open() as store, serving(create_app(store)) as receiver:
        registered = webhooks(
            "register", "--public-url", receiver, "--credentials", credentials, "--wait", "10"
        )
        listed = webhooks("list", "--credentials", credentials)
        removed = webhooks("unregister", "--credentials", credentials)

    assert registered.exit_code == 0, registered.output
    for event in ("invoice", "bill", "payment", "client", "bill_vendor"):
        assert event in registered.output
    assert "not verified yet" not in registered.output
    assert listed.exit_code == 0, listed.output
    assert listed.output.count("yes") == 15  # five callbacks, each in FreshBooks and verified
    assert removed.exit_code == 0, removed.output
    assert removed.output.count("removed") == 5
    assert sandbox.callbacks.callbacks == []


def test_register_reports_callbacks_still_unverified(sandbox: Sandbox, credentials: str) -> None:
    sandbox.state.behaviour.webhook_attempts = 1
    result = webhooks(
        "register",
        "--public-url",
        "http://127.0.0.1:9",
        "--credentials",
        credentials,
        "--event",
        "invoice",
        "--wait",
        "0",
    )

    assert result.exit_code == 0, result.output
    assert "1 callback(s) not verified yet" in result.output


def test_invalid_public_url(credentials: str) -> None:
    result = webhooks("register", "--public-url", "hooks.example.com", "--credentials", credentials)
    assert_one_line_error(result, "not an absolute http(s) address")


def test_missing_block(prefect) -> None:
    result = webhooks("list", "--credentials", "no-such-block")
    assert_one_line_error(result, "no FreshBooks credentials block named 'no-such-block'")


def test_not_authorised(credentials: str) -> None:
    EncryptedFileTokenStore(credentials).path.unlink()
    for args in (["list"], ["unregister"], ["serve"]):
        result = webhooks(*args, "--credentials", credentials)
        assert_one_line_error(result, "not authorised", "auth url")


def test_freshbooks_unreachable(credentials: str, sandbox: Sandbox) -> None:
    with socket.create_server(("127.0.0.1", 0)) as closed:
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}"
    info = sandbox.info
    FreshBooksCredentials(
        client_id=info.client_id,
        client_secret=SecretStr(info.client_secret),
        redirect_uri=info.redirect_uri,
        account_id=info.account_id,
        api_url=dead,
        auth_url=f"{dead}/oauth/authorize",
    ).save(credentials, overwrite=True)

    result = webhooks("list", "--credentials", credentials)

    assert_one_line_error(result, "got no answer from FreshBooks")
