"""Expressions to polars, once per section, with every mistake reported at its position.

Compiling and checking are one walk: an expression that compiles has been type-checked, and a
mistake yields a Problem plus None so that one error does not cascade into many. Scopes say what
names mean (FreshBooks fields going out, partner columns and assigned fields coming in).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

import polars as pl
from lark import UnexpectedInput

from connector.mapping import nodes as ast
from connector.mapping.functions import Arguments, Function, FunctionRegistry, Param
from connector.mapping.parser import parse_expression
from connector.mapping.values import (
    DECIMAL,
    Compiled,
    Kind,
    RowCheck,
    as_decimal,
    as_text,
    literal,
    merged_checks,
    source_of,
)

Report = Callable[[ast.Pos, str], None]
NUMERIC = {Kind.NUMBER, Kind.MONEY}


class Scope(Protocol):
    """What field paths and `col(...)` mean in one section."""

    def field(self, node: ast.FieldPath, report: Report) -> Compiled | None: ...

    def column(self, node: ast.ColumnRef, report: Report) -> Compiled | None: ...

    def element(self, node: ast.ElementRef, report: Report) -> Compiled | None:
        """`BPR.02`, `N1[PR].02`: an element of an EDI file's segments."""

    def wants_money_parts(self, node: ast.FieldPath, parts: frozenset[str]) -> None:
        """A function reads these parts of a money field (e.g. its currency code)."""

    def aggregate(
        self, node: ast.Call, compile_arg: Callable[[ast.Expr], Compiled | None], report: Report
    ) -> Compiled | None: ...


AGGREGATES = ("sum", "count", "min", "max")
_NOT_CONSTANT = object()  # a constant argument that was reported as wrong


@dataclass(frozen=True)
class LookupTable:
    """A lookup ready to compile: keys and values as text, and what a missing key gives.

    `default` is the value for a missing key (`else ->` or `if missing use`); `missing` is the
    declared behaviour ("reject" with `message`, "use", "empty"), None when each use must say.
    """

    name: str
    keys: tuple[str, ...]
    values: tuple[str, ...]
    default: str | None
    missing: str | None = None
    message: str | None = None


def did_you_mean(name: str, candidates) -> str:
    guess = difflib.get_close_matches(name, list(candidates), n=1)
    return f"; did you mean {guess[0]!r}?" if guess else ""


def _article(kind: Kind) -> str:
    return {Kind.TEXT: "text", Kind.NULL: "nothing", Kind.MONEY: "a money value"}.get(
        kind, f"a {kind}"
    )


class ExpressionCompiler:
    def __init__(
        self,
        scope: Scope,
        lookups: dict[str, LookupTable | None],
        functions: FunctionRegistry,
        report: Report,
    ) -> None:
        self.scope = scope
        self.lookups = lookups
        self.functions = functions
        self.report = report

    def compile(self, node: ast.Expr, *, missing_handled: bool = False) -> Compiled | None:
        match node:
            case ast.Literal():
                return self._literal(node)
            case ast.BadLiteral():
                self.report(node.pos, node.reason)
                return None
            case ast.FieldPath():
                return self.scope.field(node, self.report)
            case ast.ColumnRef():
                return self.scope.column(node, self.report)
            case ast.ElementRef():
                return self.scope.element(node, self.report)
            case ast.Call():
                return self._call(node)
            case ast.LookupIndex():
                return self._lookup(node, missing_handled)
            case ast.Binary(op="and" | "or"):
                return self._logical(node)
            case ast.Binary(op="~"):
                return self._concat(node)
            case ast.Binary(op="??"):
                return self._coalesce(node)
            case ast.Binary(op="+" | "-" | "*" | "/"):
                return self._arithmetic(node)
            case ast.Binary():
                return self._compare(node)
            case ast.Not():
                operand = self._expect(node.operand, {Kind.BOOLEAN}, "not")
                return operand and operand.with_expr(~operand.expr, Kind.BOOLEAN, pl.Boolean)
            case ast.Negate():
                operand = self._expect(node.operand, NUMERIC, "-")
                return operand and operand.with_expr(-as_decimal(operand), Kind.NUMBER, DECIMAL)
            case ast.IfElse():
                return self._if_else(node)
            case ast.Case():
                return self._case(node)
            case ast.OrReject():
                return self._or_reject(node)
        raise TypeError(f"no compiler for {type(node).__name__}")

    # -- leaves
    def _literal(self, node: ast.Literal) -> Compiled:
        value = node.value
        if isinstance(value, bool):
            return literal(value, Kind.BOOLEAN)
        if isinstance(value, Decimal):
            return literal(value, Kind.NUMBER)
        if isinstance(value, str):
            return literal(value, Kind.TEXT)
        return literal(value, Kind.DATE)

    def _call(self, node: ast.Call) -> Compiled | None:
        if node.name in AGGREGATES:
            return self.scope.aggregate(node, self.compile, self.report)
        function = self.functions.get(node.name)
        if function is None:
            if node.name in self.lookups:
                self.report(node.pos, f"{node.name} is a lookup: write {node.name}[key]")
            else:
                hint = did_you_mean(node.name, self.functions.names())
                self.report(node.pos, f"unknown function {node.name!r}{hint}")
            return None
        bound = self._bind(function, node)
        if bound is None:
            return None
        values, constants, repeated = bound
        problem = function.validate(constants)
        if problem:
            self.report(node.pos, f"{node.name}: {problem}")
            return None
        return function.compile(Arguments(values, constants, repeated))

    def _bind(self, function: Function, node: ast.Call):
        """Arguments to parameters: by position, then by name; a variadic last one takes the rest.

        Every mistake in the call is reported, so one check shows them all.
        """
        variadic = function.variadic
        fixed = function.params[:-1] if variadic else function.params
        if variadic is None and len(node.args) > len(fixed):
            self.report(
                node.args[len(fixed)].pos,
                f"{function.name} takes at most {len(fixed)} argument(s): {function.signature()}",
            )
            return None
        given: dict[str, tuple[ast.Expr, ast.Pos]] = {}
        for param, arg in zip(fixed, node.args, strict=False):
            given[param.name] = (arg, arg.pos)
        repeated = node.args[len(fixed) :]
        ok = self._bind_named(function, node, given)
        if variadic is not None and variadic.required and not repeated:
            self.report(
                node.pos,
                f"{function.name} needs at least one {variadic.name!r} value: "
                f"{function.signature()}",
            )
            ok = False
        values: dict[str, Compiled] = {}
        constants: dict[str, object] = {}
        for param in fixed:
            if param.name not in given:
                if param.required:
                    self.report(
                        node.pos,
                        f"{function.name} needs its {param.name!r} argument: "
                        f"{function.signature()}",
                    )
                    ok = False
                else:
                    constants[param.name] = param.default
                continue
            arg, pos = given[param.name]
            if param.constant:
                constant = self._constant(function, param, arg, pos)
                ok = ok and constant is not _NOT_CONSTANT
                constants[param.name] = None if constant is _NOT_CONSTANT else constant
                continue
            compiled = self._argument(function, param, arg, pos)
            if compiled is None:
                ok = False
            else:
                values[param.name] = compiled
        more = [self._argument(function, variadic, arg, arg.pos) for arg in repeated]
        if None in more:
            ok = False
        return (values, constants, tuple(more)) if ok else None

    def _bind_named(self, function: Function, node: ast.Call, given: dict) -> bool:
        names = [param.name for param in function.params]
        variadic = function.variadic
        ok = True
        for name, arg, pos in node.named:
            if variadic is not None and name == variadic.name:
                self.report(
                    pos, f"{function.name}: give the {name!r} values by position, without a name"
                )
                ok = False
            elif name not in names:
                self.report(
                    pos, f"{function.name} has no argument {name!r}{did_you_mean(name, names)}"
                )
                ok = False
            elif name in given:
                self.report(pos, f"{function.name}: argument {name!r} is given twice")
                ok = False
            else:
                given[name] = (arg, pos)
        return ok

    def _constant(self, function: Function, param: Param, arg: ast.Expr, pos: ast.Pos):
        """The literal's Python value, or _NOT_CONSTANT (reported) when it cannot be one."""
        if not isinstance(arg, ast.Literal):
            self.report(pos, f"{function.name}: {param.name} must be written as a constant value")
            return _NOT_CONSTANT
        kind = self._literal(arg).kind
        if kind not in param.kinds:
            self.report(pos, self._kind_message(function, param.name, param.kinds, kind))
            return _NOT_CONSTANT
        return arg.value

    def _argument(
        self, function: Function, param: Param, arg: ast.Expr, pos: ast.Pos
    ) -> Compiled | None:
        if param.money_parts and isinstance(arg, ast.FieldPath):
            self.scope.wants_money_parts(arg, param.money_parts)
        compiled = self.compile(arg)
        if compiled is None:
            return None
        if compiled.kind not in param.kinds:
            self.report(pos, self._kind_message(function, param.name, param.kinds, compiled.kind))
            return None
        return compiled

    @staticmethod
    def _kind_message(function: Function, param: str, kinds, got: Kind) -> str:
        names = [_article(k) for k in sorted(kinds, key=str) if k is not Kind.NULL]
        wanted = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        return f"{function.name} expects {param} to be {wanted}, got {_article(got)}"

    def _lookup(self, node: ast.LookupIndex, missing_handled: bool) -> Compiled | None:
        if node.lookup in self.lookups and self.lookups[node.lookup] is None:
            return None  # the table itself is broken, and reported where it is declared
        table = self.lookups.get(node.lookup)
        if table is None:
            self.report(
                node.pos,
                f"unknown lookup {node.lookup!r}{did_you_mean(node.lookup, self.lookups)}",
            )
            return None
        key = self.compile(node.key)
        if key is None:
            return None
        if table.default is None and table.missing is None and not missing_handled:
            self.report(
                node.pos,
                f"{node.lookup}[...] does not say what happens when the key is missing: "
                f'add `or reject "..."` or `?? <default>` after it, or `if missing ...` to '
                f"the lookup",
            )
            return None
        default = pl.lit(table.default, dtype=pl.String)
        expr = as_text(key).replace_strict(
            list(table.keys), list(table.values), default=default, return_dtype=pl.String
        )
        if table.missing != "reject" or missing_handled:
            return key.with_expr(expr, Kind.TEXT, pl.String)
        before, placeholder, after = (table.message or "").partition("{key}")
        shown = as_text(key)
        parts = [pl.lit(before), shown.fill_null("")] if placeholder else [pl.lit(before)]
        message = pl.concat_str([*parts, pl.lit(after)])
        check = RowCheck(expr.is_null(), message, source_of(key), shown)
        return key.with_expr(expr, Kind.TEXT, pl.String, check)

    # -- operators
    def _expect(self, node: ast.Expr, kinds: set[Kind], op: str) -> Compiled | None:
        compiled = self.compile(node)
        if compiled is None:
            return None
        if compiled.kind not in kinds:
            got = _article(compiled.kind)
            if kinds == {Kind.BOOLEAN}:
                self.report(
                    node.pos,
                    f"{op!r} needs a condition (true or false), got {got}: compare the value, "
                    f'like x == "..." or x > 0',
                )
                return None
            wanted = " or ".join(sorted(_article(k) for k in kinds))
            hint = ""
            if compiled.kind is Kind.TEXT and kinds & NUMERIC:
                hint = ": read the text as a number with number(...) or money(...)"
            self.report(node.pos, f"{op!r} needs {wanted}, got {got}{hint}")
            return None
        return compiled

    def _logical(self, node: ast.Binary) -> Compiled | None:
        left = self._expect(node.left, {Kind.BOOLEAN}, node.op)
        right = self._expect(node.right, {Kind.BOOLEAN}, node.op)
        if left is None or right is None:
            return None
        expr = left.expr & right.expr if node.op == "and" else left.expr | right.expr
        return Compiled(
            expr, Kind.BOOLEAN, pl.Boolean, merged_checks(left, right), source_of(left, right)
        )

    def _concat(self, node: ast.Binary) -> Compiled | None:
        left, right = self.compile(node.left), self.compile(node.right)
        if left is None or right is None:
            return None
        expr = pl.concat_str([as_text(left), as_text(right)], ignore_nulls=True)
        return Compiled(
            expr, Kind.TEXT, pl.String, merged_checks(left, right), source_of(left, right)
        )

    def _coalesce(self, node: ast.Binary) -> Compiled | None:
        left = self.compile(node.left, missing_handled=True)
        right = self.compile(node.right)
        if left is None or right is None:
            return None
        unified = self._unify(node, left, right, op="??")
        if unified is None:
            return None
        kind, dtype, exprs = unified
        return Compiled(
            pl.coalesce(exprs), kind, dtype, merged_checks(left, right), source_of(left, right)
        )

    def _unify(self, node: ast.Node, *values: Compiled, op: str = ""):
        """One kind and dtype for values that meet (??, if/else, case branches)."""
        kinds = {v.kind for v in values} - {Kind.NULL}
        if kinds <= NUMERIC and kinds:
            # Amounts of one scale (money(...) branches) keep it; others meet at full precision.
            scales = {v.dtype for v in values if v.kind is not Kind.NULL}
            dtype = scales.pop() if len(scales) == 1 else DECIMAL
            if not isinstance(dtype, pl.Decimal):
                dtype = DECIMAL
            return Kind.NUMBER, dtype, [as_decimal(v).cast(dtype) for v in values]
        if len(kinds) > 1:
            names = " and ".join(sorted(_article(k) for k in kinds))
            self.report(node.pos, f"{op or 'the branches'} mix {names}: make them the same kind")
            return None
        kind = kinds.pop() if kinds else Kind.NULL
        dtypes = {v.dtype for v in values if v.kind is not Kind.NULL}
        dtype = dtypes.pop() if len(dtypes) == 1 else pl.String
        exprs = [v.expr if v.kind is not Kind.NULL else pl.lit(None, dtype=dtype) for v in values]
        return kind, dtype, exprs

    def _arithmetic(self, node: ast.Binary) -> Compiled | None:
        left = self._expect(node.left, NUMERIC, node.op)
        right = self._expect(node.right, NUMERIC, node.op)
        if left is None or right is None:
            return None
        a, b = as_decimal(left), as_decimal(right)
        expr = {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[node.op]
        checks, source = merged_checks(left, right), source_of(left, right)
        return Compiled(expr.cast(DECIMAL), Kind.NUMBER, DECIMAL, checks, source)

    def _compare(self, node: ast.Binary) -> Compiled | None:
        left, right = self.compile(node.left), self.compile(node.right)
        if left is None or right is None:
            return None
        kinds = {left.kind, right.kind} - {Kind.NULL}
        if kinds <= NUMERIC:
            a, b = as_decimal(left), as_decimal(right)
        elif len(kinds) == 1 and (node.op in ("==", "!=") or kinds != {Kind.BOOLEAN}):
            a, b = left.expr, right.expr
        else:
            names = " with ".join(_article(k) for k in (left.kind, right.kind))
            hint = ""
            if Kind.TEXT in kinds and kinds & NUMERIC:
                hint = ": read the text as a number with number(...) or money(...)"
            elif Kind.TEXT in kinds and Kind.DATE in kinds:
                hint = ": read the text as a date with parse_date(...)"
            else:
                hint = ": compare values of the same kind"
            self.report(node.pos, f"cannot compare {names}{hint}")
            return None
        expr = {
            "==": a == b,
            "!=": a != b,
            "<": a < b,
            "<=": a <= b,
            ">": a > b,
            ">=": a >= b,
        }[node.op]
        return Compiled(
            expr, Kind.BOOLEAN, pl.Boolean, merged_checks(left, right), source_of(left, right)
        )

    def _if_else(self, node: ast.IfElse) -> Compiled | None:
        condition = self._expect(node.condition, {Kind.BOOLEAN}, "if")
        then, otherwise = self.compile(node.then), self.compile(node.otherwise)
        if condition is None or then is None or otherwise is None:
            return None
        unified = self._unify(node, then, otherwise, op="if/else")
        if unified is None:
            return None
        kind, dtype, (a, b) = unified
        expr = pl.when(condition.expr).then(a).otherwise(b)
        return Compiled(expr, kind, dtype, merged_checks(condition, then, otherwise))

    def _case(self, node: ast.Case) -> Compiled | None:
        subject = self.compile(node.subject) if node.subject is not None else None
        if node.subject is not None and subject is None:
            return None
        conditions, results = [], []
        for test, result in node.arms:
            if subject is None:
                condition = self._expect(test, {Kind.BOOLEAN}, "when")
            else:
                condition = self._compare(ast.Binary(test.pos, "==", node.subject, test))
            value = self.compile(result)
            if condition is None or value is None:
                return None
            conditions.append(condition)
            results.append(value)
        default = (
            self.compile(node.default) if node.default is not None else literal(None, Kind.NULL)
        )
        if default is None:
            return None
        unified = self._unify(node, *results, default, op="case")
        if unified is None:
            return None
        kind, dtype, exprs = unified
        chain = pl.when(conditions[0].expr).then(exprs[0])
        for condition, expr in zip(conditions[1:], exprs[1:-1], strict=True):
            chain = chain.when(condition.expr).then(expr)
        checks = merged_checks(*conditions, *results, default)
        return Compiled(chain.otherwise(exprs[-1]), kind, dtype, checks)

    def _or_reject(self, node: ast.OrReject) -> Compiled | None:
        value = self.compile(node.value, missing_handled=True)
        message = self.template(node.message)
        if value is None or message is None:
            return None
        shown = value
        if isinstance(node.value, ast.LookupIndex):
            shown = self.compile(node.value.key) or value
        check = RowCheck(
            failed=value.expr.is_null(),
            message=message,
            column=source_of(shown),
            value=as_text(shown),
        )
        return value.with_expr(value.expr, value.kind, value.dtype, check)

    # -- messages
    def template(self, node: ast.Template) -> pl.Expr | None:
        """A message with `{expr}` placeholders as one text expression ({{ and }} are braces)."""
        parts: list[pl.Expr] = []
        text, i, literal_run = node.text, 0, []
        ok = True
        while i < len(text):
            char = text[i]
            if text.startswith("{{", i) or text.startswith("}}", i):
                literal_run.append(char)
                i += 2
                continue
            if char != "{":
                literal_run.append(char)
                i += 1
                continue
            end = text.find("}", i)
            origin = ast.Pos(node.pos.line, node.pos.column + 1 + i + 1)
            if end == -1:
                self.report(origin, "'{' is not closed with '}' (write {{ for a brace)")
                return None
            if literal_run:
                parts.append(pl.lit("".join(literal_run)))
                literal_run = []
            compiled = self._placeholder(text[i + 1 : end], origin)
            if compiled is None:
                ok = False
            else:
                parts.append(as_text(compiled).fill_null(""))
            i = end + 1
        if literal_run:
            parts.append(pl.lit("".join(literal_run)))
        if not ok:
            return None
        return pl.concat_str(parts) if parts else pl.lit("")

    def _placeholder(self, source: str, origin: ast.Pos) -> Compiled | None:
        try:
            expr = parse_expression(source, origin)
        except UnexpectedInput:
            self.report(origin, f"{{{source}}} is not a field or expression")
            return None
        return self.compile(expr, missing_handled=True)
