"""The ``ml-connector`` command: one entry point; sub-commands live beside the code they drive."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from connector import __version__
from connector.errors import ConnectorError

app = typer.Typer(
    name="ml-connector",
    help="FreshBooks to SFTP trading partners: invoices out, remittances in.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
_err = Console(stderr=True)


@app.callback()
def _root() -> None:
    """FreshBooks to SFTP trading partners: invoices out, remittances in."""


@app.command()
def version() -> None:
    """Print the installed version."""
    typer.echo(__version__)


def main() -> None:
    """Run the command; expected failures print their message and hint, never a traceback."""
    try:
        app()
    except ConnectorError as error:
        _err.print(f"[bold red]error:[/] {error}", highlight=False)
        sys.exit(1)
