"""``ml-connector webhooks serve``: the receiver under uvicorn, over the configured state store."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from connector.store import Store
from connector.webhooks.app import create_app

app = typer.Typer(
    name="webhooks",
    help="Receive FreshBooks webhooks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def webhooks() -> None:
    """Receive FreshBooks webhooks: verified, and committed to the state store before the 200."""


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
) -> None:
    """Serve until interrupted; the store is the one ML_CONNECTOR_DATABASE_URL or HOME names."""
    with Store.open() as store:
        uvicorn.run(create_app(store), host=host, port=port, log_level="info")
