"""The analyst's guide (docs/mapping-language.md) is checked against the connector itself.

Every mapping in the guide must pass `check`; every mistake shown on purpose must give exactly the
message printed under it; every command shown must print what the guide says; and every keyword,
setting, document, format and function the code knows must appear in the guide's reference, so a
change to the language fails here until the guide says it too.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from lark import Lark
from lark.lexer import PatternRE, PatternStr
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from connector.cli import app
from connector.formats import BUILTIN_FORMATS, available_formats
from connector.mapping import check_mapping
from connector.mapping.compiler import AGGREGATES
from connector.mapping.functions import builtin_registry
from connector.mapping.parser import grammar_path
from connector.mapping.schema import INBOUND_DOCUMENTS, MONEY_PARTS, OUTBOUND_DOCUMENTS
from connector.mapping.sections import SECTION_SETTINGS
from connector.mapping.templates import RUN_FIELDS

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
GUIDE = DOCS / "mapping-language.md"
MAPPINGS = REPO / "mappings"
# The guide's rule: a block without a `mapping "..."` line is a piece of a mapping file.
WRAPPER = 'mapping "Guide example"\n\n'
ERROR_FILE = "example.map"
# Wide enough that preview tables print without cutting their cells.
TERMINAL = {"COLUMNS": "120"}


@dataclass(frozen=True)
class Block:
    info: str
    text: str
    line: int


def _tokens():
    return MarkdownIt("commonmark").enable("table").parse(GUIDE.read_text(encoding="utf-8"))


def _blocks() -> list[Block]:
    return [
        Block(token.info.strip(), token.content, token.map[0] + 1)
        for token in _tokens()
        if token.type == "fence"
    ]


def _blocks_of(info: str) -> list[Block]:
    return [block for block in _blocks() if block.info == info]


def _ids(blocks: list[Block]) -> list[str]:
    return [f"line {block.line}" for block in blocks]


def _part(title: str) -> list:
    """The tokens of one top-level part of the guide (`# Reference`), up to the next part."""
    tokens = _tokens()
    inside, kept = False, []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            inside = tokens[index + 1].content == title
        if inside:
            kept.append(token)
    assert kept, f"the guide has no part '# {title}'"
    return kept


def _code(tokens) -> tuple[set[str], str]:
    """The inline code spans of these tokens, and all their code (spans and blocks) as one text."""
    spans = {
        child.content
        for token in tokens
        if token.type == "inline"
        for child in token.children or ()
        if child.type == "code_inline"
    }
    blocks = [token.content for token in tokens if token.type == "fence"]
    return spans, "\n".join([*spans, *blocks])


def _section(title: str) -> list:
    """The tokens under one heading, up to the next heading of the same or a higher level."""
    tokens = _tokens()
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and tokens[index + 1].content == title:
            level = token.tag
            rest = tokens[index + 1 :]
            end = next(
                (i for i, t in enumerate(rest) if t.type == "heading_open" and t.tag <= level),
                len(rest),
            )
            return rest[:end]
    raise AssertionError(f"the guide has no section {title!r}")


def _folder(tmp_path: Path) -> Path:
    """A folder like the mappings folder: every lookup CSV the guide's examples may name."""
    for table in MAPPINGS.glob("*.csv"):
        shutil.copy(table, tmp_path / table.name)
    return tmp_path


def _whole(text: str) -> str:
    return text if re.search(r'^\s*mapping\s+"', text, re.MULTILINE) else WRAPPER + text


@pytest.mark.parametrize("block", _blocks_of("mapping"), ids=_ids(_blocks_of("mapping")))
def test_every_mapping_in_the_guide_passes_check(block: Block, tmp_path: Path) -> None:
    path = _folder(tmp_path) / ERROR_FILE
    path.write_text(_whole(block.text), encoding="utf-8")
    problems = check_mapping(path)
    assert problems == [], "\n".join(problem.render() for problem in problems)


def _error_cases() -> list[tuple[Block, str]]:
    blocks = _blocks()
    cases = []
    for index, block in enumerate(blocks):
        if block.info != "mapping-error":
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        assert following is not None and following.info == "text", (
            f"guide line {block.line}: a mapping-error block is followed by a text block "
            "holding the message check prints"
        )
        cases.append((block, following.text))
    return cases


@pytest.mark.parametrize(
    ("block", "expected"), _error_cases(), ids=_ids([block for block, _ in _error_cases()])
)
def test_every_mistake_in_the_guide_gives_the_message_shown(
    block: Block, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_folder(tmp_path))
    Path(ERROR_FILE).write_text(_whole(block.text), encoding="utf-8")
    problems = check_mapping(Path(ERROR_FILE))
    assert problems, f"guide line {block.line}: this mapping is shown as wrong, but check passes"
    assert "\n".join(problem.render() for problem in problems) == expected.rstrip("\n")


def _commands(block: Block) -> list[tuple[str, str]]:
    """(command, what it prints) for each `$ ml-connector ...` line of a console block."""
    commands: list[tuple[str, list[str]]] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        else:
            assert commands, f"guide line {block.line}: a console block starts with '$ '"
            commands[-1][1].append(line)
    return [(command, "\n".join(output)) for command, output in commands]


def _console_cases() -> list[tuple[str, str]]:
    return [case for block in _blocks_of("console") for case in _commands(block)]


def _trimmed(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.rstrip("\n").splitlines())


@pytest.mark.parametrize(
    ("command", "expected"), _console_cases(), ids=[c for c, _ in _console_cases()]
)
def test_every_command_in_the_guide_prints_what_it_shows(
    command: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(MAPPINGS, tmp_path / "mappings")
    monkeypatch.chdir(tmp_path)
    program, *arguments = shlex.split(command)
    assert program == "ml-connector"
    result = CliRunner().invoke(app, arguments, env=TERMINAL)
    assert _trimmed(result.output) == _trimmed(expected)


def _grammar_words() -> tuple[set[str], set[str]]:
    """The grammar's keywords and its punctuation, read from its terminals."""
    parser = Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", start="start")
    literals: set[str] = set()
    for terminal in parser.terminals:
        pattern = terminal.pattern
        if isinstance(pattern, PatternStr):
            literals.add(pattern.value)
        elif isinstance(pattern, PatternRE):
            # Keyword terminals are alternatives of plain words: `(outbound|inbound)\b`.
            choice = re.fullmatch(
                r"\((?:\?:)?((?:[^()\[\]\\]|\\.)*)\)(?:\\b)?|(\w+)\\b", pattern.value
            )
            if choice:
                body = choice.group(1) or choice.group(2)
                literals.update(re.sub(r"\\(.)", r"\1", alt) for alt in body.split("|"))
    words = {literal for literal in literals if re.fullmatch(r"\w+", literal)}
    return words, literals - words


def test_every_keyword_of_the_grammar_is_in_the_reference() -> None:
    _, code = _code(_part("Reference"))
    words, symbols = _grammar_words()
    assert {"outbound", "mapping", "reject", "implied"} <= words  # the reading itself works
    missing = sorted(word for word in words if not re.search(rf"\b{word}\b", code))
    missing += sorted(symbol for symbol in symbols if symbol not in code)
    assert not missing, f"the guide's reference does not show: {', '.join(missing)}"


def test_every_setting_is_in_the_reference() -> None:
    spans, _ = _code(_part("Reference"))
    settings = set().union(*SECTION_SETTINGS.values())
    for entry in BUILTIN_FORMATS:
        settings |= available_formats()[entry.name].load().settings
    missing = sorted(setting for setting in settings if setting not in spans)
    assert not missing, f"the guide's reference has no entry for the settings: {missing}"


def test_every_document_format_and_run_field_is_in_the_reference() -> None:
    spans, _ = _code(_part("Reference"))
    expected = {
        *OUTBOUND_DOCUMENTS,
        *INBOUND_DOCUMENTS,
        *(entry.name for entry in BUILTIN_FORMATS),
        *RUN_FIELDS,
        *(f".{part}" for part in MONEY_PARTS),
    }
    missing = sorted(name for name in expected if name not in spans)
    assert not missing, f"the guide's reference does not name: {missing}"


def test_aggregates_are_in_the_reference() -> None:
    spans, _ = _code(_section("Aggregates"))
    assert set(AGGREGATES) <= spans


def test_functions_at_a_glance_lists_exactly_the_registry() -> None:
    spans, _ = _code(_section("Functions at a glance"))
    listed = {span for span in spans if re.fullmatch(r"\w+", span)}
    registered = set(builtin_registry().names())
    assert listed == registered, (
        f"missing from the guide: {sorted(registered - listed)}; "
        f"no longer functions: {sorted(listed - registered)}"
    )


def test_the_guide_links_the_generated_function_reference() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert "](functions.md)" in text
    assert (DOCS / "functions.md").is_file()


def _reference_tables():
    spec = importlib.util.spec_from_file_location("reference_tables", DOCS / "reference_tables.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_field_tables_match_the_document_schemas() -> None:
    tables = _reference_tables()
    current = tables.generated_block(GUIDE.read_text(encoding="utf-8"))
    assert current == tables.document_tables().strip(), (
        "the field tables are stale: run .venv/bin/python docs/reference_tables.py"
    )


def test_field_tables_name_every_field() -> None:
    spans, _ = _code(_section("Fields of each document"))
    for document in OUTBOUND_DOCUMENTS.values():
        assert {f"{document.name}.{name}" for name in document.fields} <= spans
        assert {f"line.{name}" for name in document.line_fields} <= spans
    for document in INBOUND_DOCUMENTS.values():
        assert set(document.fields) <= spans


def _slug(title: str) -> str:
    """The anchor a Markdown viewer gives a heading, as GitHub makes it."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def test_links_inside_the_guide_lead_to_headings() -> None:
    tokens = _tokens()
    anchors = {
        _slug(tokens[index + 1].content)
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
    }
    targets = {
        child.attrs["href"][1:]
        for token in tokens
        if token.type == "inline"
        for child in token.children or ()
        if child.type == "link_open" and str(child.attrs["href"]).startswith("#")
    }
    assert targets, "the guide links its own sections"
    assert not targets - anchors, f"links to no heading: {sorted(targets - anchors)}"


# The operator's guide and the README name commands in prose and in shell blocks; each must exist.
OPERATOR_DOCS = (DOCS / "operations.md", REPO / "README.md")
# A lower-case word after the name: `ml-connector SFTP Credentials` is a block type, not a command.
_NAMED_COMMAND = re.compile(r"ml-connector(?= [a-z])((?: +[^\s`|)]+)*)")


def _named_commands() -> list[tuple[str, list[str]]]:
    return [
        (f"{doc.name}: ml-connector{match.group(1)}", match.group(1).split())
        for doc in OPERATOR_DOCS
        for match in _NAMED_COMMAND.finditer(doc.read_text(encoding="utf-8"))
        if match.group(1).strip()
    ]


@pytest.mark.parametrize(("named", "words"), _named_commands(), ids=lambda v: str(v))
def test_every_command_in_the_operator_docs_exists(named: str, words: list[str]) -> None:
    """Sub-commands resolve in the real command tree, options named after them exist, and
    `--help` on the path answers."""
    command = typer.main.get_command(app)
    path: list[str] = []
    rest = list(words)
    while rest and rest[0] in getattr(command, "commands", {}):
        path.append(rest.pop(0))
        command = command.commands[path[-1]]
    assert path, f"{named}: names no ml-connector command"
    if hasattr(command, "commands"):  # a group: whatever follows must be one of its commands
        assert not rest, f"{named}: {rest[0]!r} is not a command of `ml-connector {' '.join(path)}`"
    options = {opt for param in command.params for opt in param.opts}
    unknown = [word for word in rest if word.startswith("--") and word not in options]
    assert not unknown, f"{named}: no such option {unknown}"
    result = CliRunner().invoke(app, [*path, "--help"], env=TERMINAL)
    assert result.exit_code == 0, result.output


def _anchors(path: Path) -> set[str]:
    tokens = MarkdownIt("commonmark").enable("table").parse(path.read_text(encoding="utf-8"))
    return {
        _slug(tokens[index + 1].content)
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
    }


def _doc_links() -> list[tuple[Path, str]]:
    """(document, link) for every link of the operator docs that stays inside the checkout."""
    found = []
    for doc in OPERATOR_DOCS:
        tokens = MarkdownIt("commonmark").enable("table").parse(doc.read_text(encoding="utf-8"))
        for token in tokens:
            for child in token.children or ():
                href = str(child.attrs.get("href", "")) if child.type == "link_open" else ""
                if href and not re.match(r"[a-z]+:", href):
                    found.append((doc, href))
    return found


@pytest.mark.parametrize(
    ("doc", "href"), _doc_links(), ids=[f"{d.name}: {h}" for d, h in _doc_links()]
)
def test_links_of_the_operator_docs_lead_to_files_and_headings(doc: Path, href: str) -> None:
    path, _, anchor = href.partition("#")
    target = (doc.parent / path).resolve() if path else doc
    assert target.exists(), f"{doc.name} links to {path}, which does not exist"
    if anchor:
        assert anchor in _anchors(target), f"{doc.name} links to #{anchor}, no heading of {path}"
