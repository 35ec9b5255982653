"""Mapping text to the AST, with syntax errors an analyst can act on.

The grammar lives in the repository's ``grammar/`` folder; an installed wheel carries a copy inside
this package, so the repository's file wins when both exist (edits show up without a reinstall).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from lark import (
    Lark,
    Token,
    Transformer,
    UnexpectedCharacters,
    UnexpectedInput,
    UnexpectedToken,
    v_args,
)

from connector.mapping import nodes as ast
from connector.mapping.problems import Problem

_GRAMMAR_NAME = "mapping.lark"
_REPO_GRAMMAR = Path(__file__).resolve().parents[2] / "grammar" / _GRAMMAR_NAME
_PACKAGED_GRAMMAR = Path(__file__).resolve().parent / "grammar" / _GRAMMAR_NAME

SETTING_KEYWORDS = (
    "file",
    "files",
    "delimiter",
    "encoding",
    "quote",
    "quoting",
    "header",
    "rows",
    "newline",
    "where",
    "escape",
    "root",
    "element",
    "namespace",
)
STATEMENT_KEYWORDS = (
    *SETTING_KEYWORDS,
    "reject",
    "warn",
    "require",
    "record",
    "envelope",
    "segment",
)

# How the grammar's pattern terminals read to someone who has never seen the grammar; keyword and
# punctuation terminals are shown as their text.
_TERMINAL_WORDS = {
    "STRING": 'a text in double quotes ("...")',
    "NAME": "a name",
    "NUMBER": "a number",
    "DATE": "a date (YYYY-MM-DD)",
    "BOOLEAN": "true or false",
    "DIRECTION": "outbound or inbound",
    "PREPOSITION": "to or from",
    "SWITCH": "yes or no",
    "ALIGN": "left or right",
    "RULE_SCOPE": "file or set",
    "LINE_END": "crlf or lf",
    "QUOTING": "necessary or always",
    "MATCH_KIND": "glob or regex",
    "RULE_KIND": "reject or warn",
    "ENVELOPE_WORD": "an envelope setting (sender, receiver, version, usage, ack, charset)",
    "SETTING_WORD": "a setting (file, delimiter, encoding, quote, escape, root, element)",
    "COMPARE": "a comparison (== != < <= > >=)",
    "PLUS": '"+"',
    "MINUS": '"-"',
    "MUL": "* or /",
}


def grammar_path() -> Path:
    """The grammar file in use: the repository's, else the copy packaged into the wheel."""
    return _REPO_GRAMMAR if _REPO_GRAMMAR.exists() else _PACKAGED_GRAMMAR


@cache
def _parser() -> Lark:
    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        start=["start", "expr"],
        propagate_positions=True,
        maybe_placeholders=False,
    )


def parse(text: str, file: str) -> ast.MappingFile | list[Problem]:
    """Parse a whole mapping; a syntax error gives one problem (later ones would be noise)."""
    try:
        tree = _parser().parse(text, start="start")
    except UnexpectedInput as error:
        return [syntax_problem(error, text, file)]
    return _ToAst().transform(tree)


def parse_expression(text: str, origin: ast.Pos) -> ast.Expr:
    """Parse a `{...}` placeholder as an expression positioned where it sits in the mapping."""
    tree = _parser().parse(text, start="expr")
    return _ToAst(origin).transform(tree)


def syntax_problem(error: UnexpectedInput, text: str, file: str) -> Problem:
    lines = text.splitlines()
    line = max(getattr(error, "line", 1) or 1, 1)
    column = max(getattr(error, "column", 1) or 1, 1)
    message = _describe(error)
    if isinstance(error, UnexpectedToken):
        misspelt = _misspelt_statement(error)
        if misspelt is not None:
            (line, column), message = misspelt
        elif error.token.type == "$END":
            opened = _unclosed_brace(text)
            if opened is not None:
                line, column = opened
                message = "the file ends before this '{' is closed: add '}' where it ends"
    elif isinstance(error, UnexpectedCharacters) and error.char == '"':
        # A text's closing quote must be on its own line, so a '"' the lexer refuses opens one.
        message = 'this text is not closed: add the closing " before the end of the line'
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    return Problem(file, line, column, message, source_line)


def _describe(error: UnexpectedInput) -> str:
    if isinstance(error, UnexpectedToken):
        found = "end of file" if error.token.type == "$END" else repr(str(error.token))
        guess = _closest_keyword(str(error.token), error.expected)
        if error.token.type != "$END" and guess:
            expected = _expected(error.expected)
            return f"unexpected {found}; did you mean {guess!r}? (expected {expected})"
        return f"unexpected {found}; expected {_expected(error.expected)}"
    if isinstance(error, UnexpectedCharacters):
        return (
            f"unexpected character {error.char!r}: it has no meaning here; remove it, or write "
            "it inside a text in double quotes"
        )
    return "unexpected end of file: a section or a lookup is not closed with '}'"


def _misspelt_statement(error: UnexpectedToken) -> tuple[tuple[int, int], str] | None:
    """`rejct when ...`, `delimeter ","`: a misspelt statement word reads as a field name, so the
    parser stumbles on the word after it; point at the misspelling instead."""
    previous = (getattr(error, "token_history", None) or [None])[-1]
    if not (isinstance(previous, Token) and previous.type == "NAME" and "EQUAL" in error.expected):
        return None
    guess = difflib.get_close_matches(str(previous), STATEMENT_KEYWORDS, n=1)
    if not guess:
        return None
    what = "the setting " if guess[0] in SETTING_KEYWORDS else ""
    message = (
        f"unknown statement {str(previous)!r}: did you mean {what}{guess[0]!r}? "
        f"(a field assignment would need '=')"
    )
    return (previous.line, previous.column), message


def _closest_keyword(found: str, terminals) -> str | None:
    """The keyword the parser expected that the token is a misspelling of, if any."""
    if not found.isidentifier():
        return None
    words = [word for terminal in terminals for word in _keyword_words(terminal)]
    guess = difflib.get_close_matches(found, words, n=1)
    return guess[0] if guess else None


def _keyword_words(terminal: str) -> list[str]:
    try:
        pattern = _parser().get_terminal(terminal).pattern
    except KeyError:
        return []
    if pattern.type == "str":
        return [pattern.value] if pattern.value.isidentifier() else []
    alternatives = re.fullmatch(r"\(([a-z_|]+)\)\\b", pattern.value)
    return alternatives.group(1).split("|") if alternatives else []


def _unclosed_brace(text: str) -> tuple[int, int] | None:
    """Where the last '{' left open starts, skipping texts in quotes and comments."""
    opened: list[tuple[int, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        i, quoted = 0, False
        while i < len(line):
            char = line[i]
            if quoted:
                if char == "\\":
                    i += 1
                elif char == '"':
                    quoted = False
            elif char == '"':
                quoted = True
            elif char == "#":
                break
            elif char == "{":
                opened.append((number, i + 1))
            elif char == "}" and opened:
                opened.pop()
            i += 1
    return opened[-1] if opened else None


def _expected(terminals: set[str] | frozenset[str]) -> str:
    words = sorted({_TERMINAL_WORDS.get(t, _keyword(t)) for t in terminals if t != "$END"})
    if "$END" in terminals:
        words.append("the end of the file")
    if len(words) > 8:
        words = [*words[:8], "..."]
    return ", ".join(words) if words else "something else"


def _keyword(terminal: str) -> str:
    try:
        pattern = _parser().get_terminal(terminal).pattern
    except KeyError:
        return terminal
    return f'"{pattern.value}"'


def _qualifier_text(node: ast.Expr) -> str | None:
    """`N1[PR]`, `DTM[097]`, `REF["IV"]`: the qualifier as written; "" when it is no code."""
    if isinstance(node, ast.FieldPath) and len(node.parts) == 1:
        return node.parts[0]
    if isinstance(node, ast.Literal) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Literal) and isinstance(node.value, Decimal):
        return node.written or str(node.value)
    return ""


def _unquote(token: Token | str) -> str:
    body = str(token)[1:-1]
    return body.encode("latin-1", "backslashreplace").decode("unicode_escape")


@dataclass(frozen=True)
class _Rows:
    value: str


@dataclass(frozen=True)
class _Qualifier:
    text: str


@dataclass(frozen=True)
class _Composite:
    parts: tuple


@dataclass(frozen=True)
class _Tag:
    text: str
    at: Decimal
    pos: ast.Pos


class _ToAst(Transformer):
    """Lark tree to AST nodes; positions shift by `origin` for placeholders inside a message."""

    def __init__(self, origin: ast.Pos | None = None) -> None:
        super().__init__()
        self._origin = origin

    def _pos(self, item: Token) -> ast.Pos:
        line, column = item.line, item.column
        if self._origin is None:
            return ast.Pos(line, column)
        if line == 1:
            return ast.Pos(self._origin.line, self._origin.column + column - 1)
        return ast.Pos(self._origin.line + line - 1, column)

    # -- top level
    def start(self, children):
        name = None
        lookups, sections = [], []
        for child in children:
            if isinstance(child, str):
                name = child
            elif isinstance(child, ast.Section):
                sections.append(child)
            else:
                lookups.append(child)
        return ast.MappingFile(name, tuple(lookups), tuple(sections))

    def mapping_name(self, children):
        return _unquote(children[0])

    def file_lookup(self, children):
        name, path, key, value, *missing = children
        return ast.FileLookup(
            self._pos(name), str(name), _unquote(path), str(key), str(value), *missing
        )

    def inline_lookup(self, children):
        name, *rest = children
        entries = tuple(entry for entry in rest if isinstance(entry, tuple))
        default = next((item for item in rest if isinstance(item, str)), None)
        missing = next((item for item in rest if isinstance(item, ast.Missing)), None)
        return ast.InlineLookup(self._pos(name), str(name), entries, default, missing)

    def missing_reject(self, children):
        return ast.Missing(self._pos(children[0]), "reject", _unquote(children[0]))

    def missing_use(self, children):
        return ast.Missing(self._pos(children[0]), "use", _unquote(children[0]))

    def missing_empty(self, children):
        return ast.Missing(self._origin or ast.Pos(1, 1), "empty")

    def lookup_entry(self, children):
        key, value = children
        return (_unquote(key), _unquote(value), self._pos(key))

    def lookup_default(self, children):
        return _unquote(children[0])

    def section(self, children):
        direction, document, preposition, fmt, *rest = children
        layout = tuple(str(item) for item in rest if isinstance(item, Token))
        statements = tuple(item for item in rest if not isinstance(item, Token))
        return ast.Section(
            self._pos(direction),
            str(direction),
            str(preposition),
            str(document),
            str(fmt),
            layout,
            statements,
            self._pos(fmt),
        )

    # -- statements
    def text_setting(self, children):
        word, value = children
        return ast.Setting(self._pos(word), str(word), _unquote(value))

    def files_setting(self, children):
        *kind, pattern = children
        qualifier = str(kind[0]) if kind else "glob"
        return ast.Setting(self._pos(pattern), "files", _unquote(pattern), qualifier)

    def _word_setting(self, name, children):
        return ast.Setting(self._pos(children[0]), name, str(children[0]))

    def header_setting(self, children):
        return self._word_setting("header", children)

    def rows_setting(self, children):
        return self._word_setting("rows", children)

    def newline_setting(self, children):
        return self._word_setting("newline", children)

    def quoting_setting(self, children):
        return self._word_setting("quoting", children)

    def where_setting(self, children):
        return ast.Setting(children[0].pos, "where", children[0])

    def column_assignment(self, children):
        target, expr = children
        return ast.Assignment(self._pos(target), _unquote(target), "column", expr)

    def field_assignment(self, children):
        target, expr = children
        return ast.Assignment(self._pos(target), str(target), "field", expr)

    def rule(self, children):
        kind, *scope, condition, message = children
        return ast.Rule(
            self._pos(kind),
            str(kind),
            condition,
            self._template(message),
            str(scope[0]) if scope else "row",
        )

    def namespace_setting(self, children):
        *prefix, uri = children
        name = f"namespace {prefix[0]}" if prefix else "namespace"
        return ast.Setting(self._pos(uri), name, _unquote(uri))

    # -- records
    def record(self, children):
        name, *rest = children
        rows = next((item for item in rest if isinstance(item, _Rows)), None)
        tag = next((item for item in rest if isinstance(item, _Tag)), None)
        fields = tuple(item for item in rest if isinstance(item, ast.FieldSpec))
        return ast.Record(
            self._pos(name),
            str(name),
            rows.value if rows else None,
            (tag.text, tag.at, tag.pos) if tag else None,
            fields,
        )

    def rows_once(self, children):
        return _Rows("once")

    def rows_per(self, children):
        return _Rows(str(children[0]))

    def record_match(self, children):
        text, at = children
        return _Tag(_unquote(text), Decimal(str(at)), self._pos(text))

    def field_spec(self, children):
        name, *rest = children
        options: dict[str, object] = {}
        expr = None
        for item in rest:
            if isinstance(item, tuple):
                options[item[0]] = item[1]
            else:
                expr = item
        return ast.FieldSpec(self._pos(name), _unquote(name), expr=expr, **options)

    def width_option(self, children):
        return ("width", Decimal(str(children[0])))

    def at_option(self, children):
        return ("at", Decimal(str(children[0])))

    def align_option(self, children):
        return ("align", str(children[0]))

    def pad_option(self, children):
        return ("pad", _unquote(children[0]))

    def implied_option(self, children):
        return ("implied", Decimal(str(children[0])))

    # -- EDI layouts
    @v_args(meta=True)
    def envelope(self, meta, children):
        return ast.Envelope(ast.Pos(meta.line, meta.column), tuple(children))

    def envelope_entry(self, children):
        word, *values = children
        return ast.EnvelopeEntry(
            self._pos(word),
            str(word),
            tuple(_unquote(v) if v.type == "STRING" else str(v) for v in values),
        )

    def segment(self, children):
        tag, *rest = children
        qualifier = next((item for item in rest if isinstance(item, _Qualifier)), None)
        elements = tuple(item for item in rest if isinstance(item, ast.ElementSpec))
        return ast.SegmentSpec(
            self._pos(tag), str(tag), qualifier.text if qualifier else None, elements
        )

    def qualifier(self, children):
        token = children[0]
        return _Qualifier(_unquote(token) if token.type == "STRING" else str(token))

    def element(self, children):
        position, *rest = children
        options = [item for item in rest if isinstance(item, tuple) and len(item) == 2]
        value = rest[-1]
        implied = next((v for name, v in options if name == "implied"), None)
        others = tuple(name for name, _ in options if name != "implied")
        if isinstance(value, _Composite):
            return ast.ElementSpec(
                self._pos(position), str(position), None, value.parts, implied, others
            )
        return ast.ElementSpec(self._pos(position), str(position), value, (), implied, others)

    def composite(self, children):
        return _Composite(tuple(children))

    def loop(self, children):
        over, *body = children
        return ast.Loop(self._pos(over), str(over), tuple(body))

    def require(self, children):
        return ast.Require(self._pos(children[0]), tuple((str(t), self._pos(t)) for t in children))

    def _template(self, token: Token) -> ast.Template:
        return ast.Template(self._pos(token), _unquote(token))

    # -- expressions
    def if_else(self, children):
        condition, then, otherwise = children
        return ast.IfElse(condition.pos, condition, then, otherwise)

    def or_reject(self, children):
        value, message = children
        return ast.OrReject(value.pos, value, self._template(message))

    def _binary(self, op, children):
        left, right = children
        return ast.Binary(left.pos, op, left, right)

    def or_(self, children):
        return self._binary("or", children)

    def and_(self, children):
        return self._binary("and", children)

    def not_(self, children):
        return ast.Not(children[0].pos, children[0])

    def compare(self, children):
        left, op, right = children
        return ast.Binary(self._pos(op), str(op), left, right)

    def arithmetic(self, children):
        return self.compare(children)

    def concat(self, children):
        return self._binary("~", children)

    def coalesce(self, children):
        return self._binary("??", children)

    def negate(self, children):
        return ast.Negate(children[0].pos, children[0])

    def string(self, children):
        return ast.Literal(self._pos(children[0]), _unquote(children[0]))

    def number(self, children):
        token = children[0]
        return ast.Literal(self._pos(token), Decimal(str(token)), str(token))

    def element_ref(self, children):
        tag, *middle, position = children
        qualifier = None
        if middle:
            [picked] = middle
            qualifier = _qualifier_text(picked)
        return ast.ElementRef(self._pos(tag), str(tag), qualifier, str(position))

    def date(self, children):
        token = children[0]
        try:
            return ast.Literal(self._pos(token), dt.date.fromisoformat(str(token)))
        except ValueError as error:
            return ast.BadLiteral(self._pos(token), f"{token} is not a date: {error}")

    def boolean(self, children):
        return ast.Literal(self._pos(children[0]), str(children[0]) == "true")

    def field(self, children):
        parts = tuple(_unquote(c) if c.type == "STRING" else str(c) for c in children)
        return ast.FieldPath(self._pos(children[0]), parts)

    def column(self, children):
        token = children[0]
        column = int(str(token)) if token.type == "NUMBER" else _unquote(token)
        return ast.ColumnRef(self._pos(token), column)

    def call(self, children):
        name, *arguments = children
        args = tuple(value for kind, value, _ in arguments if kind is None)
        named = tuple((kind, value, pos) for kind, value, pos in arguments if kind is not None)
        return ast.Call(self._pos(name), str(name), args, named)

    def positional(self, children):
        return (None, children[0], children[0].pos)

    def named(self, children):
        name, value = children
        return (str(name), value, self._pos(name))

    def lookup(self, children):
        name, key = children
        return ast.LookupIndex(self._pos(name), str(name), key)

    def case_value(self, children):
        subject, *arms = children
        return self._case(subject, arms, subject.pos)

    def case_when(self, children):
        return self._case(None, children, children[0][0].pos)

    def _case(self, subject, arms, pos):
        default = next((arm for arm in arms if not isinstance(arm, tuple)), None)
        pairs = tuple(arm for arm in arms if isinstance(arm, tuple))
        return ast.Case(pos, subject, pairs, default)

    def case_arm(self, children):
        return (children[0], children[1])

    def when_arm(self, children):
        return (children[0], children[1])

    def case_default(self, children):
        return children[0]
