"""``ml-connector webhooks``: serve the receiver; register, list and remove its callbacks.

Failures an operator can fix (no credentials, not authorised, FreshBooks unreachable, a bad
public URL) print one line and a hint and exit with 1; none of them is a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from connector.errors import ConfigurationError, ConnectorError
from connector.freshbooks import (
    EncryptedFileTokenStore,
    FreshBooksClient,
    FreshBooksConfig,
    RetryPolicy,
)
from connector.store import Store
from connector.webhooks.app import create_app
from connector.webhooks.registration import (
    RECEIVER_EVENTS,
    CallbackStatus,
    check_public_url,
    confirming_handler,
    register,
    status,
    unregister,
    wait_until_verified,
)

app = typer.Typer(
    name="webhooks",
    help="Receive FreshBooks webhooks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# An operator at a terminal wants an answer within seconds, not a flow's patient retries.
INTERACTIVE_RETRY = RetryPolicy(max_attempts=3)

Credentials = Annotated[
    str, typer.Option(help="Name of the FreshBooks credentials block (tokens: `auth exchange`).")
]


class NotAuthorised(ConfigurationError):
    """No tokens are stored for the credentials block yet."""


@app.callback()
def webhooks() -> None:
    """Receive FreshBooks webhooks: verified, and committed to the state store before the 200."""


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    credentials: Annotated[
        str | None,
        typer.Option(help="FreshBooks credentials block; with it, handshakes are confirmed."),
    ] = None,
) -> None:
    """Serve until interrupted; the store is the one ML_CONNECTOR_DATABASE_URL or HOME names."""
    with _reported(), Store.open() as store:
        on_verifier = None
        if credentials is not None:
            config = _config(credentials)
            _tokens(credentials)

            def connect() -> FreshBooksClient:
                return _client(config, credentials)

            on_verifier = confirming_handler(connect, store)
        receiver = create_app(store, on_verifier=on_verifier)
        uvicorn.run(receiver, host=host, port=port, log_level="info")


@app.command("register")
def register_command(
    public_url: Annotated[
        str, typer.Option(help="Where FreshBooks reaches `webhooks serve`, e.g. https://hooks.x")
    ],
    credentials: Credentials = "freshbooks",
    event: Annotated[
        list[str] | None, typer.Option(help="An event to register (repeatable).")
    ] = None,
    wait: Annotated[
        float, typer.Option(min=0, help="Seconds to wait for FreshBooks' handshakes.")
    ] = 30.0,
) -> None:
    """Create the callbacks (invoice, bill, payment, client, bill_vendor) and show their state."""
    with _reported():
        check_public_url(public_url)
        with _connected(credentials) as client, Store.open() as store:
            register(client, store, public_url, event or RECEIVER_EVENTS)
            current = wait_until_verified(client, store, wait)
        _show(current, "Webhook callbacks")
        waiting = [c for c in current if c.in_freshbooks and not c.verified]
        if waiting:
            Console().print(
                f"[yellow]{len(waiting)} callback(s) not verified yet:[/] is `ml-connector "
                f"webhooks serve` reachable at {public_url}? Run `webhooks list` to check again."
            )


@app.command("unregister")
def unregister_command(credentials: Credentials = "freshbooks") -> None:
    """Remove the callbacks from FreshBooks and from the state store."""
    with _reported(), _connected(credentials) as client, Store.open() as store:
        removed = unregister(client, store)
    _show(removed, "Removed webhook callbacks")


@app.command("list")
def list_command(credentials: Credentials = "freshbooks") -> None:
    """Show each callback: known to FreshBooks, verifier received, verified."""
    with _reported(), _connected(credentials) as client, Store.open() as store:
        current = status(client, store)
    _show(current, "Webhook callbacks")


@contextmanager
def _reported() -> Iterator[None]:
    try:
        yield
    except ConnectorError as error:
        err = Console(stderr=True)
        err.print(f"[bold red]error:[/] {error.message}", highlight=False)
        if error.hint:
            err.print(f"  hint: {error.hint}", highlight=False)
        raise typer.Exit(1) from None


def _config(credentials: str) -> FreshBooksConfig:
    """Imported on use: Prefect (for the block) is slow to import for every other command."""
    from connector.jobs.resolve import freshbooks_config

    try:
        return freshbooks_config(credentials)
    except ValueError:
        raise ConfigurationError(
            f"there is no FreshBooks credentials block named {credentials!r}",
            hint="create it in the Prefect UI (ml-connector FreshBooks Credentials) or pass "
            "--credentials with the name of an existing one",
        ) from None


def _tokens(credentials: str) -> EncryptedFileTokenStore:
    tokens = EncryptedFileTokenStore(credentials)
    if tokens.load() is None:
        raise NotAuthorised(
            f"FreshBooks is not authorised for {credentials!r}: no tokens are stored",
            hint=f"run `ml-connector auth url --credentials {credentials}`, then `auth exchange`",
        )
    return tokens


def _client(config: FreshBooksConfig, credentials: str) -> FreshBooksClient:
    return FreshBooksClient(config, _tokens(credentials), retry=INTERACTIVE_RETRY)


@contextmanager
def _connected(credentials: str) -> Iterator[FreshBooksClient]:
    with _client(_config(credentials), credentials) as client:
        yield client


def _show(callbacks: list[CallbackStatus], title: str) -> None:
    table = Table(title=title)
    for column in ("event", "callback id", "in FreshBooks", "verifier received", "verified"):
        table.add_column(column)
    table.add_column("note")
    for callback in callbacks:
        table.add_row(
            callback.event,
            "" if callback.callback_id is None else str(callback.callback_id),
            _yes(callback.in_freshbooks),
            _yes(callback.verifier_received),
            _yes(callback.verified),
            callback.note,
        )
    Console().print(table)
    if not callbacks:
        Console().print("no webhook callbacks are registered")


def _yes(value: bool) -> str:
    return "yes" if value else "no"
