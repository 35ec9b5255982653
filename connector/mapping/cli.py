"""`ml-connector mapping`: check a mapping, try it on local files, preview it, test its examples.

Nothing here touches FreshBooks or SFTP: every command works on files on the analyst's machine, so a
mapping can be written and proven before it is scheduled.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from connector.errors import ConnectorError
from connector.mapping import RunContext, check_mapping, load_mapping
from connector.mapping.functions import default_registry
from connector.mapping.golden import inbound_lines, run_cases
from connector.mapping.preview import preview_inbound, preview_outbound
from connector.mapping.reference import functions_markdown, functions_table

app = typer.Typer(
    name="mapping",
    help="Check and try partner mappings on local files.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

MappingFile = Annotated[Path, typer.Argument(help="the mapping file (.map)")]
Direction = Annotated[
    str | None,
    typer.Option(help="in (inbound) or out (outbound); inferred when the mapping has only one"),
]
Document = Annotated[str, typer.Option(help="invoice, payment, ...")]
Sample = Annotated[Path, typer.Option("--input", help="JSON records (out) or a partner file (in)")]
Partner = Annotated[str, typer.Option(help="partner name for the file name template")]
Seq = Annotated[int, typer.Option(help="sequence number for the file name template")]
RunDate = Annotated[
    dt.datetime | None, typer.Option(help="run date for the file name (default: now)")
]
_DIRECTIONS = {"in": "in", "inbound": "in", "out": "out", "outbound": "out"}


def _fail(error: ConnectorError) -> typer.Exit:
    typer.echo(f"error: {error}", err=True)
    return typer.Exit(1)


@app.command()
def check(file: MappingFile) -> None:
    """Report every problem with its line and column; exit 1 if there is any."""
    try:
        problems = check_mapping(file)
    except ConnectorError as error:  # a broken plugin: nothing can be checked until it is fixed
        raise _fail(error) from error
    for problem in problems:
        typer.echo(problem.render())
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {file}", err=True)
        raise typer.Exit(1)
    typer.echo(f"OK: {file} is ready to use")


@app.command()
def run(
    file: MappingFile,
    document: Document,
    input: Sample,
    output: Annotated[Path, typer.Option(help="the partner file (out) or JSON lines (in)")],
    direction: Direction = None,
    partner: Partner = "local",
    seq: Seq = 1,
    date: RunDate = None,
) -> None:
    """Run one section on local files, as the flow would, without touching FreshBooks or SFTP.

    Inbound output is JSON lines in the golden examples' form, so it can become an expected file.
    """
    try:
        mapping = load_mapping(file)
        if _direction(mapping, document, direction) == "out":
            run_context = RunContext(date or dt.datetime.now(), seq, partner)
            _run_outbound(mapping, document, input, output, run_context)
        else:
            _run_inbound(mapping, document, input, output)
    except ConnectorError as error:
        raise _fail(error) from error


@app.command()
def preview(
    file: MappingFile,
    document: Document,
    input: Sample,
    direction: Direction = None,
    rows: Annotated[int, typer.Option(min=1, help="how many rows to show")] = 20,
    all_rows: Annotated[bool, typer.Option("--all", help="show every row")] = False,
    partner: Partner = "local",
    seq: Seq = 1,
    date: RunDate = None,
) -> None:
    """Show what a section makes of a sample: the partner file's rows, or the records to post."""
    console = Console()
    limit = None if all_rows else rows
    try:
        mapping = load_mapping(file)
        if _direction(mapping, document, direction) == "out":
            records = _records(input, document)
            run_context = RunContext(date or dt.datetime.now(), seq, partner)
            shown = preview_outbound(mapping.outbound(document), records, run_context, limit)
        else:
            shown = preview_inbound(mapping.inbound(document), input, limit)
    except ConnectorError as error:
        raise _fail(error) from error
    for renderable in shown:
        console.print(renderable)


@app.command("test")
def test_examples(file: MappingFile) -> None:
    """Run the golden examples in NAME.tests/cases.toml; show a diff for each failure."""
    try:
        results = run_cases(file)
    except ConnectorError as error:
        raise _fail(error) from error
    console = Console(highlight=False)
    for result in results:
        if result.passed:
            console.print(f"[green]passed[/green]  {escape(result.case.name)}")
            continue
        console.print(f"[red]FAILED[/red]  {escape(result.case.name)}")
        if result.error:
            console.print(f"        error: {escape(result.error)}")
        else:
            console.print(escape(result.diff), end="")
    failed = sum(not result.passed for result in results)
    console.print(f"{len(results) - failed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)


@app.command()
def functions(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="print the reference as Markdown")
    ] = False,
) -> None:
    """List every function a mapping can call, with its parameters, result and purpose."""
    try:
        registry = default_registry()
    except ConnectorError as error:
        raise _fail(error) from error
    if markdown:
        typer.echo(functions_markdown(registry), nl=False)
    else:
        Console().print(functions_table(registry))


def _direction(mapping, document: str, given: str | None) -> str:
    if given is not None:
        if given not in _DIRECTIONS:
            raise typer.BadParameter(
                "direction must be `in` or `out` (or inbound, outbound)", param_hint="--direction"
            )
        return _DIRECTIONS[given]
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


def _records(source: Path, document: str) -> list[Any]:
    try:
        records = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise typer.BadParameter(f"{source}: not a readable JSON list ({error})") from error
    if not isinstance(records, list):
        raise typer.BadParameter(f"{source}: expected a JSON list of {document} records")
    return records


def _run_outbound(mapping, document: str, source: Path, output: Path, run: RunContext) -> None:
    result = mapping.outbound(document).render(_records(source, document), run)
    target = output / result.name if output.is_dir() else output
    target.write_bytes(result.content)
    for problem in (*result.rejected, *result.warnings):
        typer.echo(str(problem), err=True)
    typer.echo(f"wrote {target}: {result.rows} row(s), {len(result.rejected)} record(s) refused")
    if result.rejected:
        raise typer.Exit(1)


def _run_inbound(mapping, document: str, source: Path, output: Path) -> None:
    try:
        data = source.read_bytes()
    except OSError as error:
        raise typer.BadParameter(f"{source}: cannot be read ({error})") from error
    batch = mapping.inbound(document).parse(data, source.name)
    output.write_text(inbound_lines(batch), encoding="utf-8")
    for problem in batch.rejected:
        typer.echo(f"rejected: {problem}", err=True)
    for problem in batch.warnings:
        typer.echo(f"warning: {problem}", err=True)
    typer.echo(f"wrote {output}: {len(batch.records)} record(s), {len(batch.rejected)} rejected")
    if batch.rejected:
        raise typer.Exit(1)
