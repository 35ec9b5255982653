from decimal import Decimal

from connector.mapping import nodes as ast
from connector.mapping.parser import grammar_path, parse
from tests.mapping.conftest import ACME


def test_grammar_comes_from_the_repository():
    assert grammar_path() == ACME.parents[1] / "grammar" / "mapping.lark"


def test_acme_mapping_parses_into_sections_and_lookups():
    mapping = parse(ACME.read_text(), "acme.map")
    assert mapping.name == "Acme Distribution"
    assert [lookup.name for lookup in mapping.lookups] == ["customer_numbers", "payment_types"]
    out, inbound = mapping.sections
    assert (out.direction, out.document, out.format) == ("outbound", "invoice", "csv")
    assert (inbound.direction, inbound.document, inbound.format) == ("inbound", "payment", "csv")
    inline = mapping.lookups[1]
    assert inline.default == "Other"
    assert inline.entries[0][:2] == ("CHK", "Check")


def _expr(source: str):
    mapping = parse(f'mapping "x"\noutbound invoice to csv {{ "A" = {source} }}', "x.map")
    return mapping.sections[0].statements[0].expr


def test_precedence_reads_as_an_accountant_expects():
    expr = _expr('"a" ~ invoice.po_number ?? "" ~ "b"')
    assert isinstance(expr, ast.Binary) and expr.op == "~"
    assert expr.left.op == "~" and expr.left.right.op == "??"
    sum_ = _expr("1 + 2 * 3")
    assert sum_.op == "+" and sum_.right.op == "*"
    assert _expr("not 1 < 2 and true").op == "and"


def test_or_reject_spans_lines_and_keeps_its_message():
    expr = _expr(
        'customer_numbers[invoice.customerid]\n   or reject "no number {invoice.customerid}"'
    )
    assert isinstance(expr, ast.OrReject)
    assert expr.message.text == "no number {invoice.customerid}"
    assert expr.message.pos.line == 3


def test_literals_calls_with_named_arguments_case_and_if():
    call = _expr("money(line.unit_cost, places: 2)")
    assert call.name == "money" and call.named[0][0] == "places"
    assert call.named[0][1].value == Decimal("2")
    assert _expr("2024-05-31").value.isoformat() == "2024-05-31"
    assert isinstance(_expr("2024-02-30"), ast.BadLiteral)
    case = _expr('case invoice.v3_status { "paid" -> "P" else -> "O" }')
    assert case.subject is not None and len(case.arms) == 1 and case.default is not None
    assert isinstance(_expr('if true then "a" else "b"'), ast.IfElse)
    assert _expr('col("Amount Paid")').column == "Amount Paid"


def test_syntax_error_has_position_caret_and_expectation():
    text = 'mapping "x"\noutbound invoice to csv {\n  "A" = (1 +\n}\n'
    (problem,) = parse(text, "x.map")
    assert (problem.line, problem.column) == (4, 1)
    assert "unexpected '}'" in problem.message and "a number" in problem.message
    assert problem.render().splitlines()[1:] == ["    }", "    ^"]


def test_misspelled_setting_suggests_the_right_one():
    (problem,) = parse('mapping "x"\noutbound invoice to csv {\n  delimeter ","\n}', "x.map")
    assert problem.line == 3
    assert problem.message == (
        "unknown statement 'delimeter': did you mean the setting 'delimiter'? "
        "(a field assignment would need '=')"
    )
    assert (problem.line, problem.column) == (3, 3)


def test_unclosed_section_and_stray_character():
    (problem,) = parse('mapping "x"\noutbound invoice to csv {\n "A" = 1', "x.map")
    assert problem.message == "the file ends before this '{' is closed: add '}' where it ends"
    assert (problem.line, problem.column) == (2, 25)
    (problem,) = parse('mapping "x"\noutbound invoice to csv {\n "A" = 1 $ 2\n}', "x.map")
    assert (problem.line, problem.column) == (3, 10)
    assert "unexpected character '$'" in problem.message
