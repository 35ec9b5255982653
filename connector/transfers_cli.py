"""`ml-connector transfers`: what moved, from the state store, for operators and analysts."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from connector.errors import ConfigurationError
from connector.store import Store

app = typer.Typer(no_args_is_help=True)


@app.command("list")
def list_transfers(
    partner: str | None = typer.Option(None, help="Only this partner's transfers."),
    limit: int = typer.Option(50, min=1, help="How many, newest first."),
) -> None:
    """List files sent and received, newest first."""
    console = Console()
    table = Table(title="Transfers")
    for column in (
        "id",
        "partner",
        "direction",
        "document",
        "file",
        "status",
        "started",
        "message",
    ):
        table.add_column(column)
    with Store.open() as store:
        for transfer in store.transfers.list(partner=partner, limit=limit):
            table.add_row(
                str(transfer.id),
                transfer.partner,
                transfer.direction,
                transfer.document_kind,
                transfer.file_name,
                transfer.status,
                f"{transfer.started_at:%Y-%m-%d %H:%M:%S}",
                transfer.message or "",
            )
    console.print(table)


@app.command("show")
def show_transfer(transfer_id: int = typer.Argument(..., help="The transfer's id.")) -> None:
    """Show one transfer and its audit trail: every record it moved, and what became of it."""
    console = Console()
    with Store.open() as store:
        transfer = store.transfers.get(transfer_id)
        if transfer is None:
            raise ConfigurationError(
                f"no transfer {transfer_id}", hint="`ml-connector transfers list` shows the ids"
            )
        rows = store.audit.for_transfer(transfer_id)
    console.print(
        f"[bold]{transfer.file_name}[/] {transfer.direction} {transfer.document_kind} for "
        f"{transfer.partner}: {transfer.status}"
        + (f" ({transfer.message})" if transfer.message else "")
    )
    console.print(f"sha256 {transfer.sha256}  size {transfer.size}  archive {transfer.archive_url}")
    table = Table(title=f"Audit trail of transfer {transfer_id}")
    for column in ("row", "source", "target", "status", "message"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            "" if row.row_number is None else str(row.row_number),
            row.source_id or "",
            row.target_id or "",
            row.status,
            row.message or "",
        )
    console.print(table)
