"""`ml-connector edi`: the control-number counters an operator looks at or moves over."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from connector.edi.matching import settle_by_hand
from connector.store import Store
from connector.store.control_numbers import ControlKind, EdiStandard
from connector.store.interchanges import AckStatus

app = typer.Typer(no_args_is_help=True)


@app.command("counters")
def show_counters(partner: str = typer.Argument(..., help="The partner's name.")) -> None:
    """Show the last control number issued to a partner, per standard and envelope level."""
    table = Table(title=f"Control numbers issued to {partner}")
    for column in ("standard", "level", "last issued"):
        table.add_column(column)
    with Store.open() as store:
        for standard in EdiStandard:
            for kind in ControlKind:
                last = store.control_numbers.last_issued(partner, standard, kind)
                table.add_row(standard.value, kind.value, "none yet" if last is None else str(last))
    Console().print(table)


@app.command("continue-from")
def continue_from(
    partner: str = typer.Argument(..., help="The partner's name."),
    standard: EdiStandard = typer.Argument(..., help="x12 or edifact."),
    kind: ControlKind = typer.Argument(..., help="interchange, group or set."),
    last_issued: int = typer.Argument(
        ..., min=0, help="The last number the previous translator sent this partner."
    ),
) -> None:
    """Make a partner's numbers follow on from another translator's, so none is sent twice.

    A counter never moves backwards: a smaller number than the one already issued is ignored.
    """
    with Store.open() as store:
        now = store.control_numbers.continue_from(partner, standard, kind, last_issued)
    typer.echo(f"{partner} {standard.value} {kind.value}: next number is {now + 1}")


@app.command("settle")
def settle(
    partner: str = typer.Argument(..., help="The partner's name."),
    standard: EdiStandard = typer.Argument(..., help="x12 or edifact."),
    interchange: int = typer.Argument(..., help="The interchange control number we sent."),
    verdict: AckStatus = typer.Option(
        AckStatus.ACCEPTED, "--as", help="accepted, rejected or received."
    ),
    reason: str = typer.Option(..., help="Why, for the audit trail."),
) -> None:
    """Settle an interchange the partner will never acknowledge, so it stops being overdue."""
    with Store.open() as store:
        settled = settle_by_hand(store, partner, standard, interchange, verdict, reason)
    typer.echo(
        f"{partner} {standard.value} interchange {settled.interchange_control}: "
        f"{settled.verdict.status.value} ({len(settled.sets)} set(s)), {settled.verdict.detail}"
    )
