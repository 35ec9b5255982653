"""`ml-connector auth`: connect a FreshBooks business once, then check the connection.

Tokens never reach the terminal: they go straight to the encrypted local store named after the
credentials block, where every flow on the machine finds them. When FreshBooks has refused the
grant, `status` says so (when and why) and `exchange` is what lifts the stop.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import typer

from connector.freshbooks import EncryptedFileTokenStore, FreshBooksClient
from connector.freshbooks.oauth import authorization_url, exchange_code

app = typer.Typer(no_args_is_help=True)


def freshbooks_config(credentials: str):
    """Imported on use: Prefect (for the block) is slow to import for every other command."""
    from connector.jobs.resolve import freshbooks_config as from_block

    return from_block(credentials)


CREDENTIALS = typer.Option("freshbooks", help="Name of the FreshBooks credentials block.")


@app.command("url")
def url(credentials: str = CREDENTIALS) -> None:
    """Print the address where the business owner grants access (with a fresh state value)."""
    config = freshbooks_config(credentials)
    typer.echo(authorization_url(config, secrets.token_urlsafe(16)))


@app.command("exchange")
def exchange(
    code: str = typer.Argument(..., help="The code FreshBooks added to the redirect URI."),
    credentials: str = CREDENTIALS,
) -> None:
    """Trade the authorization code for tokens and store them encrypted; flows may run again."""
    token = exchange_code(
        freshbooks_config(credentials), code, EncryptedFileTokenStore(credentials)
    )
    expires = datetime.fromtimestamp(token.expires_at, UTC)
    typer.echo(f"connected; tokens stored for {credentials!r}, access valid until {expires:%c} UTC")
    typer.echo("flows on this connection may run (any re-authorisation stop is lifted)")


@app.command("status")
def status(credentials: str = CREDENTIALS) -> None:
    """Show whether the connection works, which business it reaches, scopes and expiry.

    A connection FreshBooks refused is reported from the store alone: asking the API again
    would only be refused again. Tokens are never shown.
    """
    store = EncryptedFileTokenStore(credentials)
    mark = store.reauthorization()
    if mark is not None:
        since = datetime.fromtimestamp(mark.since, UTC)
        typer.echo(f"state:      NEEDS RE-AUTHORISATION since {since:%Y-%m-%d %H:%M:%S} UTC")
        typer.echo(
            f"            every flow on {credentials!r} is stopped until the app is re-authorised"
        )
        typer.echo(f"reason:     {mark.reason}")
        typer.echo(
            f"to fix:     run `ml-connector auth url --credentials {credentials}`, open it as the "
            f"business owner, then `ml-connector auth exchange CODE --credentials {credentials}`"
        )
        raise typer.Exit(1)
    token = store.load()
    if token is None:
        typer.echo(f"not connected: no tokens for {credentials!r}; run `ml-connector auth url`")
        raise typer.Exit(1)
    with FreshBooksClient(freshbooks_config(credentials), store) as client:
        business = client.business
        token = store.load() or token  # a refresh on the way re-saved it
    expires = datetime.fromtimestamp(token.expires_at, UTC)
    typer.echo("state:      connected")
    typer.echo(f"business:   {business.get('name')} (business_id {business.get('id')})")
    typer.echo(f"account_id: {business.get('account_id')}")
    typer.echo(f"scopes:     {token.scope or '(the application defaults)'}")
    typer.echo(f"expires:    {expires:%Y-%m-%d %H:%M:%S} UTC (refreshed automatically)")
