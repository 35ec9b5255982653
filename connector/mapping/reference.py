"""The function reference: every function a mapping can call, as a terminal table or Markdown.

`docs/functions.md` is this module's Markdown for the built-in functions (a test keeps the two
equal); regenerate it with `python -m connector.mapping.reference > docs/functions.md`.
"""

from __future__ import annotations

from rich.table import Table

from connector.mapping.functions import REQUIRED, Function, FunctionRegistry, builtin_registry

_INTRO = """\
# Mapping functions

Every function a mapping can call, generated from the function registry by
`python -m connector.mapping.reference` (do not edit by hand). `ml-connector mapping functions`
lists the same, plus any function an installed plugin adds.

Parameters marked *constant* must be written as a literal value in the mapping (a format, a number
of places). Positions in text count from 1. Amounts are exact decimals, never floating point.
Times without a zone are read as FreshBooks' zone, America/New_York, unless `tz:` says otherwise.
A value that cannot be read (an amount like `1,000.00`, a date in another form) refuses its row,
and the refusal names the column and the value.
"""


def parameter_text(function: Function) -> str:
    """Parameters as `name: kinds = default`, marked (constant) where a literal is required.

    A repeating last parameter (concat's `more`) reads `more ...: any (any number)`.
    """
    parts: list[str] = []
    for param in function.params:
        name = f"{param.name} ..." if param.variadic else param.name
        text = f"{name}: {param.kinds_text}"
        if param.default not in (REQUIRED, None):
            text += f" = {param.default!r}"
        if param.variadic:
            marks = ["any number"] if param.default is None else ["one or more"]
        else:
            marks = ["optional"] if param.default is None else []
        marks += ["constant"] if param.constant else []
        parts.append(f"{text} ({', '.join(marks)})" if marks else text)
    return ", ".join(parts)


def functions_table(registry: FunctionRegistry) -> Table:
    table = Table(title="Mapping functions", show_lines=False)
    table.add_column("function", style="bold", no_wrap=True)
    table.add_column("parameters")
    table.add_column("result", no_wrap=True)
    table.add_column("what it gives")
    for function in sorted(registry, key=lambda f: f.name):
        table.add_row(
            function.name, parameter_text(function), function.result_text, function.summary
        )
    return table


def functions_markdown(registry: FunctionRegistry) -> str:
    rows = [
        "| function | parameters | result | what it gives |",
        "|---|---|---|---|",
    ]
    for function in sorted(registry, key=lambda f: f.name):
        cells = (
            f"`{function.name}`",
            parameter_text(function),
            function.result_text,
            function.summary,
        )
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return f"{_INTRO}\n" + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(functions_markdown(builtin_registry()), end="")
