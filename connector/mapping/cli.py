"""`ml-connector mapping`: check a mapping, or run one section on local files (no network)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from connector.errors import ConnectorError
from connector.mapping import RunContext, check_mapping, load_mapping

app = typer.Typer(
    name="mapping",
    help="Check and try partner mappings on local files.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.command()
def check(file: Annotated[Path, typer.Argument(help="the mapping file (.map)")]) -> None:
    """Report every problem with its line and column; exit 1 if there is any."""
    problems = check_mapping(file)
    for problem in problems:
        typer.echo(problem.render())
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {file}", err=True)
        raise typer.Exit(1)
    typer.echo(f"OK: {file} is ready to use")


@app.command()
def run(
    file: Annotated[Path, typer.Argument(help="the mapping file (.map)")],
    document: Annotated[str, typer.Option(help="invoice, payment, ...")],
    input: Annotated[
        Path, typer.Option("--input", help="JSON records (out) or a partner file (in)")
    ],
    output: Annotated[Path, typer.Option(help="the partner file (out) or JSON lines (in)")],
    direction: Annotated[
        str | None, typer.Option(help="in or out; inferred when unambiguous")
    ] = None,
    partner: Annotated[str, typer.Option(help="partner name for the file name template")] = "local",
    seq: Annotated[int, typer.Option(help="sequence number for the file name template")] = 1,
    date: Annotated[
        dt.datetime | None, typer.Option(help="run date for the file name (default: now)")
    ] = None,
) -> None:
    """Run one section on local files, as the flow would, without touching FreshBooks or SFTP."""
    try:
        mapping = load_mapping(file)
        way = direction or _infer_direction(mapping, document)
        if way == "out":
            _run_outbound(
                mapping,
                document,
                input,
                output,
                RunContext(date or dt.datetime.now(), seq, partner),
            )
        elif way == "in":
            _run_inbound(mapping, document, input, output)
        else:
            raise typer.BadParameter("direction must be `in` or `out`", param_hint="--direction")
    except ConnectorError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error


def _infer_direction(mapping, document: str) -> str:
    found = [
        way
        for way, sections in (("out", mapping.outbound_sections), ("in", mapping.inbound_sections))
        if document in sections
    ]
    if len(found) == 1:
        return found[0]
    if not found:
        mapping.outbound(document)  # raises the named error listing what the mapping has
    raise typer.BadParameter(
        f"{document} is mapped both ways: say --direction in or --direction out",
        param_hint="--direction",
    )


def _run_outbound(mapping, document: str, source: Path, output: Path, run: RunContext) -> None:
    try:
        records = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise typer.BadParameter(f"{source}: not a readable JSON list ({error})") from error
    if not isinstance(records, list):
        raise typer.BadParameter(f"{source}: expected a JSON list of {document} records")
    result = mapping.outbound(document).render(records, run)
    target = output / result.name if output.is_dir() else output
    target.write_bytes(result.content)
    for problem in (*result.rejected, *result.warnings):
        typer.echo(str(problem), err=True)
    typer.echo(f"wrote {target}: {result.rows} row(s), {len(result.rejected)} record(s) refused")
    if result.rejected:
        raise typer.Exit(1)


def _run_inbound(mapping, document: str, source: Path, output: Path) -> None:
    section = mapping.inbound(document)
    batch = section.parse(source.read_bytes(), source.name)
    with output.open("w", encoding="utf-8") as sink:
        for record in batch.records:
            values = {"row_number": record.row_number, **record.values}
            sink.write(json.dumps(values, default=_json_value) + "\n")
    for problem in (*batch.rejected, *batch.warnings):
        severity = "rejected" if problem in batch.rejected else "warning"
        typer.echo(f"{severity}: {problem}", err=True)
    typer.echo(f"wrote {output}: {len(batch.records)} record(s), {len(batch.rejected)} rejected")
    if batch.rejected:
        sys.stderr.flush()
        raise typer.Exit(1)


def _json_value(value: Any) -> str:
    if isinstance(value, Decimal | dt.date):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
