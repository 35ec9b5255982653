"""`ml-connector auth` after FreshBooks refused the grant: status shows it, exchange lifts it."""

from urllib.parse import parse_qs, urlsplit

import httpx
from typer.testing import CliRunner

from connector.cli import app
from connector.demo_setup import FRESHBOOKS_BLOCK, save_credentials
from connector.freshbooks import EncryptedFileTokenStore, MemoryTokenStore, ReauthorizationRequired
from connector.freshbooks.oauth import TokenKeeper, oauth_session
from tests.freshbooks.conftest import sandbox_config

runner = CliRunner(env={"COLUMNS": "200"})


def auth(*args):
    return runner.invoke(app, ["auth", *args, "--credentials", FRESHBOOKS_BLOCK])


def spend_elsewhere(sandbox, token):
    """A stale copy of the store uses the refresh token; the access token then dies."""
    config = sandbox_config(sandbox.info)
    with oauth_session(config) as session:
        TokenKeeper(config, MemoryTokenStore(token), session).refresh(token)
    sandbox.state.tokens.revoke(token.access_token)


def secrets_in(output, *tokens):
    return [
        secret
        for token in tokens
        for secret in (token.access_token, token.refresh_token)
        if secret in output
    ]


def test_status_shows_the_stop_and_exchange_lifts_it(prefect, sandbox):
    save_credentials(sandbox)
    store = EncryptedFileTokenStore(FRESHBOOKS_BLOCK)
    refused = store.load()
    spend_elsewhere(sandbox, refused)

    first = auth("status")  # finds out on its refresh, and marks the connection
    assert isinstance(first.exception, ReauthorizationRequired)
    token_calls = len(sandbox.requests.entries(path_regex="/auth/oauth/token"))

    stopped = auth("status")
    assert stopped.exit_code == 1
    assert "state:      NEEDS RE-AUTHORISATION since " in stopped.output
    assert "reason:     FreshBooks refused the grant (invalid_grant" in stopped.output
    assert f"`ml-connector auth url --credentials {FRESHBOOKS_BLOCK}`" in stopped.output
    assert secrets_in(stopped.output, refused) == []
    assert len(sandbox.requests.entries(path_regex="/auth/oauth/token")) == token_calls

    url = auth("url").output.strip()
    granted = httpx.get(url, follow_redirects=False)
    code = parse_qs(urlsplit(granted.headers["location"]).query)["code"][0]
    exchanged = auth("exchange", code)
    assert exchanged.exit_code == 0, exchanged.output
    assert "re-authorisation stop is lifted" in exchanged.output
    assert store.reauthorization() is None

    connected = auth("status")
    assert connected.exit_code == 0, connected.output
    assert "state:      connected" in connected.output
    assert f"account_id: {sandbox.info.account_id}" in connected.output
    assert secrets_in(connected.output + exchanged.output, refused, store.load()) == []
