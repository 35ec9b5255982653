"""The ``ml-connector`` command: one entry point; sub-commands live beside the code they drive."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from connector import __version__
from connector.auth_cli import app as auth_app
from connector.edi_cli import app as edi_app
from connector.errors import ConnectorError
from connector.mapping.cli import app as mapping_app
from connector.sandbox.cli import app as sandbox_app
from connector.transfers_cli import app as transfers_app
from connector.webhooks.cli import app as webhooks_app

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


app.add_typer(auth_app, name="auth", help="Connect to a FreshBooks business and check it.")
app.add_typer(edi_app, name="edi", help="EDI control numbers: look at them, or continue another's.")
app.add_typer(mapping_app, name="mapping", help="Check, run and preview mapping files.")
app.add_typer(sandbox_app, name="sandbox", help="The local FreshBooks sandbox and SFTP server.")
app.add_typer(transfers_app, name="transfers", help="Files sent and received, with their audit.")
app.add_typer(webhooks_app, name="webhooks", help="Receive FreshBooks webhooks.")


@app.command()
def demo() -> None:
    """Run the whole path once against the local sandbox and show what moved."""
    from connector.demo import run_demo

    run_demo()


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


if __name__ == "__main__":
    main()
