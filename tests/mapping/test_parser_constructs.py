"""Every construct of the grammar parses into the AST node the compiler expects."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connector.mapping import nodes as ast
from connector.mapping.parser import parse


def _mapping(text: str) -> ast.MappingFile:
    parsed = parse(text, "x.map")
    assert isinstance(parsed, ast.MappingFile), [str(p) for p in parsed]
    return parsed


def _section(body: str, header: str = "outbound invoice to csv") -> ast.Section:
    return _mapping(f'mapping "x"\n{header} {{\n{body}\n}}\n').sections[0]


def _statement(body: str, header: str = "outbound invoice to csv"):
    (statement,) = _section(body, header).statements
    return statement


def _expr(source: str) -> ast.Expr:
    return _statement(f'"A" = {source}').expr


def test_sections_name_direction_document_format_and_layout():
    mapping = _mapping(
        'mapping "Many"\n'
        "outbound invoice to csv { }\n"
        "inbound payment from fixed_width { }\n"
        'outbound invoice to x12 810 "004010" { }\n'
    )
    assert mapping.name == "Many"
    shapes = [
        (s.direction, s.document, s.preposition, s.format, s.layout) for s in mapping.sections
    ]
    assert shapes == [
        ("outbound", "invoice", "to", "csv", ()),
        ("inbound", "payment", "from", "fixed_width", ()),
        ("outbound", "invoice", "to", "x12", ("810", '"004010"')),
    ]
    assert mapping.sections[1].format_pos == ast.Pos(3, 22)


@pytest.mark.parametrize(
    ("source", "name", "value", "qualifier"),
    [
        ('file "OUT_{run.seq}.csv"', "file", "OUT_{run.seq}.csv", None),
        ('delimiter ";"', "delimiter", ";", None),
        ('encoding "cp1252"', "encoding", "cp1252", None),
        ('quote "\'"', "quote", "'", None),
        ('escape "\\\\"', "escape", "\\", None),
        ('root "gx:Bills"', "root", "gx:Bills", None),
        ('element "gx:Bill"', "element", "gx:Bill", None),
        ('files "REMIT_*.csv"', "files", "REMIT_*.csv", "glob"),
        ('files glob "REMIT_*.csv"', "files", "REMIT_*.csv", "glob"),
        ('files regex "R_\\\\d+\\\\.csv"', "files", "R_\\d+\\.csv", "regex"),
        ("header yes", "header", "yes", None),
        ("header no", "header", "no", None),
        ("rows per line", "rows", "line", None),
        ("rows per document", "rows", "document", None),
        ("newline crlf", "newline", "crlf", None),
        ("newline lf", "newline", "lf", None),
        ("quoting always", "quoting", "always", None),
        ("quoting necessary", "quoting", "necessary", None),
        ('namespace "urn:default"', "namespace", "urn:default", None),
        ('namespace gx "urn:globex:bills:1"', "namespace gx", "urn:globex:bills:1", None),
    ],
)
def test_every_setting(source, name, value, qualifier):
    setting = _statement(source)
    assert isinstance(setting, ast.Setting)
    assert (setting.name, setting.value, setting.qualifier) == (name, value, qualifier)


def test_where_setting_holds_an_expression():
    setting = _statement('where invoice.v3_status != "draft"')
    assert setting.name == "where" and isinstance(setting.value, ast.Binary)
    assert setting.value.op == "!="


def test_column_and_field_assignments():
    column = _statement('"Invoice No" = invoice.invoice_number')
    assert (column.target, column.target_kind) == ("Invoice No", "column")
    field = _statement('amount = money(col("Amount"))', "inbound payment from csv")
    assert (field.target, field.target_kind) == ("amount", "field")
    assert field.pos == ast.Pos(3, 1)


def test_rules_by_kind_and_scope():
    body = (
        'reject when amount <= 0: "amount must be positive, got {amount}"\n'
        'warn when date > today(): "payment dated in the future"\n'
        'reject file when count(detail) != 3: "the trailer disagrees"\n'
    )
    rules = _section(body, "inbound payment from csv").statements
    assert [(r.kind, r.scope) for r in rules] == [
        ("reject", "row"),
        ("warn", "row"),
        ("reject", "file"),
    ]
    assert rules[0].message.text == "amount must be positive, got {amount}"
    assert rules[0].message.pos == ast.Pos(3, 26)


def test_require_lists_fields_with_positions():
    require = _statement("require account_number, note", "inbound vendor from csv")
    assert require.fields == (("account_number", ast.Pos(3, 9)), ("note", ast.Pos(3, 25)))


def test_outbound_records_once_per_line_per_document_with_field_options():
    body = (
        'record header once { "Type" width 2 = "HD" }\n'
        "record detail per line {\n"
        '  "Amount" width 12 at 3 align right pad "0" implied 2 = money(line.amount)\n'
        "}\n"
        'record summary per document { "Lines" width 3 = count(lines) }\n'
    )
    header, detail, summary = _section(body, "outbound invoice to fixed_width").statements
    assert (header.name, header.rows, header.tag) == ("header", "once", None)
    assert (detail.rows, summary.rows) == ("line", "document")
    (amount,) = detail.fields
    assert (amount.name, amount.width, amount.at, amount.align, amount.pad, amount.implied) == (
        "Amount",
        Decimal(12),
        Decimal(3),
        "right",
        "0",
        Decimal(2),
    )
    assert isinstance(amount.expr, ast.Call) and amount.expr.name == "money"


def test_inbound_records_matched_by_tag_and_position():
    body = 'record detail when "DT" at 1 { "Type" width 2 "Paid On" width 8 }'
    record = _statement(body, "inbound payment from fixed_width")
    assert record.rows is None
    assert record.tag == ("DT", Decimal(1), ast.Pos(3, 20))
    assert [(f.name, f.width, f.expr) for f in record.fields] == [
        ("Type", Decimal(2), None),
        ("Paid On", Decimal(8), None),
    ]


def test_record_field_paths_may_quote_names_with_spaces():
    expr = _expr('header."Paid On"')
    assert isinstance(expr, ast.FieldPath)
    assert expr.parts == ("header", "Paid On")
    assert expr.written == 'header."Paid On"'
    assert _expr("header.Batch").written == "header.Batch"
    assert _expr('detail."Say \\"hi\\""').parts == ("detail", 'Say "hi"')
    assert _expr('detail."Say \\"hi\\""').written == 'detail."Say \\"hi\\""'


def test_inline_lookup_with_entries_default_and_each_missing_behaviour():
    mapping = _mapping(
        'mapping "x"\n'
        'lookup a { "CHK" -> "Check"  "ACH" -> "ACH"  else -> "Other" }\n'
        'lookup b { "x" -> "y" } if missing reject "no code for {key}"\n'
        'lookup c { "x" -> "y" } if missing use "ZZ"\n'
        'lookup d { "x" -> "y" } if missing empty\n'
        "lookup e { }\n"
    )
    a, b, c, d, e = mapping.lookups
    assert [entry[:2] for entry in a.entries] == [("CHK", "Check"), ("ACH", "ACH")]
    assert (a.default, a.missing) == ("Other", None)
    assert (b.missing.action, b.missing.text) == ("reject", "no code for {key}")
    assert (c.missing.action, c.missing.text) == ("use", "ZZ")
    assert (d.missing.action, d.missing.text) == ("empty", None)
    assert (e.entries, e.default, e.missing) == ((), None, None)


def test_file_lookup_with_each_missing_behaviour():
    mapping = _mapping(
        'mapping "x"\n'
        'lookup a from "codes.csv" key k value v\n'
        'lookup b from "codes.csv" key k value v if missing reject "none for {key}"\n'
        'lookup c from "codes.csv" key k value v if missing use "ZZ"\n'
        'lookup d from "codes.csv" key k value v if missing empty\n'
    )
    a, b, c, d = mapping.lookups
    assert (a.path, a.key, a.value, a.missing) == ("codes.csv", "k", "v", None)
    assert [x.missing.action for x in (b, c, d)] == ["reject", "use", "empty"]
    assert a.pos == ast.Pos(2, 8)


def test_lookup_use_or_reject_and_coalesce():
    expr = _expr('codes[line.name] or reject "no code for {line.name}"')
    assert isinstance(expr, ast.OrReject) and isinstance(expr.value, ast.LookupIndex)
    assert (expr.value.lookup, expr.value.key.dotted) == ("codes", "line.name")
    fallback = _expr('codes[line.name] ?? "none"')
    assert fallback.op == "??" and isinstance(fallback.left, ast.LookupIndex)


def test_case_with_a_subject_and_case_when():
    value = _expr('case invoice.v3_status { "paid" -> "P"  "sent" -> "S"  else -> "O" }')
    assert isinstance(value, ast.Case) and value.subject.dotted == "invoice.v3_status"
    assert [(a.value, b.value) for a, b in value.arms] == [("paid", "P"), ("sent", "S")]
    assert value.default.value == "O"
    when = _expr('case { when invoice.id > 5 -> "big"  when true -> "small" }')
    assert when.subject is None and when.default is None and len(when.arms) == 2


def test_if_then_else_nests():
    expr = _expr('if invoice.id > 1 then "a" else if invoice.id > 0 then "b" else "c"')
    assert isinstance(expr, ast.IfElse) and isinstance(expr.otherwise, ast.IfElse)


@pytest.mark.parametrize("function", ["sum", "count", "min", "max"])
def test_aggregates_are_calls(function):
    expr = _expr(f"{function}(line.amount)")
    assert isinstance(expr, ast.Call) and expr.name == function
    assert expr.args[0].dotted == "line.amount"


def test_literals_columns_and_operators():
    assert _expr('"a \\"b\\""').value == 'a "b"'
    assert _expr("12.50").value == Decimal("12.50")
    assert _expr("true").value is True and _expr("false").value is False
    assert _expr("col(3)").column == 3
    assert _expr('col("Amount Paid")').column == "Amount Paid"
    negated = _expr("-line.qty")
    assert isinstance(negated, ast.Negate)
    assert isinstance(_expr("not true"), ast.Not)
    ops = {_expr(f"1 {op} 2").op for op in ("+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=")}
    assert ops == {"+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">="}
    assert _expr("true or false and true").op == "or"
    assert _expr('"a" ~ "b"').op == "~"


def test_comments_and_newlines_carry_no_meaning():
    section = _section(
        '# the invoice number\n"A" =\n   invoice.invoice_number  # trailing note\n"B" = 1'
    )
    assert [s.target for s in section.statements] == ["A", "B"]


def test_xml_namespaces_and_paths():
    body = (
        'root "gx:Bills"\nelement "gx:Bill"\nnamespace gx "urn:globex:bills:1"\n'
        '"gx:Line/@index" = line.list_index'
    )
    root, element, namespace, column = _section(body, "outbound bill to xml").statements
    assert (root.value, element.value) == ("gx:Bills", "gx:Bill")
    assert (namespace.name, namespace.value) == ("namespace gx", "urn:globex:bills:1")
    assert column.target == "gx:Line/@index"
