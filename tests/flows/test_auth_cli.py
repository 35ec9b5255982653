"""`ml-connector auth` against the sandbox: authorise once, then a status that shows no token."""

from urllib.parse import parse_qs, urlsplit

import httpx
from typer.testing import CliRunner

from connector.cli import app
from connector.demo_setup import FRESHBOOKS_BLOCK, save_credentials
from connector.freshbooks import EncryptedFileTokenStore

runner = CliRunner(env={"COLUMNS": "200"})


def test_url_exchange_and_status(prefect, sandbox):
    save_credentials(sandbox)
    EncryptedFileTokenStore(FRESHBOOKS_BLOCK).path.unlink()  # the app is known, not yet authorised

    missing = runner.invoke(app, ["auth", "status", "--credentials", FRESHBOOKS_BLOCK])
    assert missing.exit_code == 1 and "not connected" in missing.output

    url = runner.invoke(app, ["auth", "url", "--credentials", FRESHBOOKS_BLOCK]).output.strip()
    assert url.startswith(sandbox.info.auth_url) and "state=" in url
    granted = httpx.get(url, follow_redirects=False)
    code = parse_qs(urlsplit(granted.headers["location"]).query)["code"][0]

    exchanged = runner.invoke(app, ["auth", "exchange", code, "--credentials", FRESHBOOKS_BLOCK])
    assert exchanged.exit_code == 0, exchanged.output
    status = runner.invoke(app, ["auth", "status", "--credentials", FRESHBOOKS_BLOCK])

    assert status.exit_code == 0, status.output
    assert f"account_id: {sandbox.info.account_id}" in status.output
    token = EncryptedFileTokenStore(FRESHBOOKS_BLOCK).load()
    assert token.access_token not in status.output and token.refresh_token not in status.output
