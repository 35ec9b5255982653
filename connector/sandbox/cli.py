"""``ml-connector sandbox serve``: run the sandbox in the foreground for the demo or a person.

The first line printed is the info JSON on one line, so a parent process (the demo, a test)
reads addresses and credentials from it and then leaves the sandbox running until it sends
SIGINT or SIGTERM.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from connector import settings
from connector.sandbox.runner import Sandbox
from connector.sandbox.seed import SeedPlan

app = typer.Typer(
    name="sandbox",
    help="A local FreshBooks-compatible API and SFTP server.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def sandbox() -> None:
    """A local FreshBooks-compatible API and SFTP server, for the demo and for trying mappings."""


@app.command()
def serve(
    api_port: Annotated[int, typer.Option(help="API port; 0 picks a free one.")] = 0,
    sftp_port: Annotated[int, typer.Option(help="SFTP port; 0 picks a free one.")] = 0,
    root: Annotated[
        Path | None,
        typer.Option(
            help="Folder the SFTP user sees as /; default <ML_CONNECTOR_HOME>/sandbox/sftp.",
            file_okay=False,
        ),
    ] = None,
    seed: Annotated[bool, typer.Option(help="Start with demo clients and invoices.")] = True,
) -> None:
    """Serve until interrupted; the first output line is the connection info as JSON."""
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with Sandbox(
            root=root or settings.home() / "sandbox" / "sftp",
            api_port=api_port,
            sftp_port=sftp_port,
            seed_plan=SeedPlan() if seed else None,
        ) as sandbox:
            typer.echo(sandbox.info.as_json())
            stop.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
