"""Every kind of mistake `check` catches, with its message and position."""

import pytest

from connector.mapping import MappingError, check_mapping, load_mapping
from tests.mapping.conftest import ACME, outbound


def only(problems):
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_shipped_acme_mapping_is_clean():
    assert check_mapping(ACME) == []


def test_unknown_field_with_did_you_mean(write_mapping):
    problem = only(check_mapping(write_mapping(outbound('"No" = invoice.invoice_nubmer'))))
    assert (problem.line, problem.column) == (6, 8)
    assert (
        problem.message == "invoice has no field 'invoice_nubmer'; did you mean 'invoice_number'?"
    )
    assert problem.source_line == '"No" = invoice.invoice_nubmer'


def test_unknown_root_and_money_part(write_mapping):
    problems = check_mapping(
        write_mapping(outbound('"A" = invoce.id\n "B" = invoice.amount.cents'))
    )
    assert [p.message for p in problems] == [
        "unknown name 'invoce'; did you mean 'invoice'?",
        "invoice.amount has no part 'cents' (a money value has amount, code)",
    ]


def test_unknown_function_with_did_you_mean(write_mapping):
    problem = only(check_mapping(write_mapping(outbound('"A" = uper(line.name)'))))
    assert problem.message == "unknown function 'uper'; did you mean 'upper'?"
    assert (problem.line, problem.column) == (6, 7)


def test_unknown_lookup_with_did_you_mean(write_mapping):
    body = outbound('"A" = customer_number[invoice.customerid] or reject "none"')
    problem = only(check_mapping(write_mapping(body)))
    assert problem.message == "unknown lookup 'customer_number'; did you mean 'customer_numbers'?"


def test_lookup_must_declare_what_a_missing_key_does(write_mapping):
    problem = only(
        check_mapping(write_mapping(outbound('"A" = customer_numbers[invoice.customerid]')))
    )
    assert "does not say what happens when the key is missing" in problem.message
    assert (
        check_mapping(write_mapping(outbound('"A" = customer_numbers[invoice.customerid] ?? ""')))
        == []
    )


def test_wrong_argument_types_and_names(write_mapping):
    problems = check_mapping(
        write_mapping(
            outbound(
                '"A" = format_date(invoice.invoice_number, "%Y")\n'
                ' "B" = money(line.unit_cost, place: 2)\n'
                ' "C" = money(line.unit_cost, places: 9)\n'
                ' "D" = format_date(invoice.create_date)\n'
                ' "E" = format_date(invoice.create_date, invoice.invoice_number)\n'
                ' "F" = format_date(invoice.create_date, "YYYY")'
            )
        )
    )
    assert [p.message for p in problems] == [
        "format_date expects value to be a date or a date and time, got text",
        "money has no argument 'place'; did you mean 'places'?",
        "money: places must be a whole number from 0 to 6, got 9",
        "format_date needs its 'format' argument: format_date(value: date or date and time or "
        "nothing, format: text) -> text",
        "format_date: format must be written as a constant value",
        "format_date: date format 'YYYY' has no %-directive (for example \"%Y-%m-%d\")",
    ]


def test_operators_check_their_operands(write_mapping):
    problems = check_mapping(
        write_mapping(
            outbound('"A" = invoice.invoice_number + 1\n where invoice.create_date > "x"')
        )
    )
    assert [p.message for p in problems] == [
        "'+' needs a money value or a number, got text: read the text as a number with "
        "number(...) or money(...)",
        "cannot compare a date with text: read the text as a date with parse_date(...)",
    ]


def test_line_fields_need_rows_per_line(write_mapping):
    body = outbound('"A" = line.name', settings='file "X.csv"\n')
    problem = only(check_mapping(write_mapping(body)))
    assert problem.message == (
        "line fields need one row per line: add `rows per line`, or add them up with sum(...)"
    )


def test_section_settings_are_checked(write_mapping):
    body = outbound('"A" = invoice.id', settings='file "X_{run.sequence}.csv"\n')
    problem = only(check_mapping(write_mapping(body)))
    assert problem.message == (
        "unknown placeholder {run.sequence} in the file name; use run.date, run.seq, run.partner"
    )
    body = outbound('"A" = invoice.id', settings='file "X.csv"\n delimiter ";;"\n')
    problem = only(check_mapping(write_mapping(body)))
    assert problem.message == "delimiter must be exactly one character, got ';;'"
    assert (problem.line, problem.column) == (5, 2)
    body = outbound('"A" = invoice.id', settings="rows per line\n")
    assert "needs a file name" in only(check_mapping(write_mapping(body))).message
    body = 'inbound payment from csv { files "R*.csv" rows per line amount = money(col("A")) }'
    messages = [p.message for p in check_mapping(write_mapping(body))]
    assert "rows per ... names a record; declare records" in messages


def test_unknown_format_and_document(write_mapping):
    problems = check_mapping(write_mapping('outbound invoice to cvs { file "x" "A" = invoice.id }'))
    assert only(problems).message.startswith("unknown file format 'cvs'; did you mean 'csv'?")
    problem = only(check_mapping(write_mapping('outbound bil to csv { file "x" }')))
    assert problem.message == (
        "unknown outbound document 'bil'; did you mean 'bill'? "
        "(outbound documents: invoice, bill, customer, vendor)"
    )
    problem = only(check_mapping(write_mapping("inbound paymnet from csv { }")))
    assert problem.message == (
        "unknown inbound document 'paymnet'; did you mean 'payment'? "
        "(inbound documents: payment, bill_payment, customer, vendor, journal_entry)"
    )


def test_missing_required_inbound_fields(write_mapping):
    body = 'inbound payment from csv {\n files "R*.csv"\n invoice_number = col("Inv")\n}'
    problems = check_mapping(write_mapping(body))
    assert [p.message for p in problems] == [
        "payment needs amount: assign it in this section",
        "payment needs date: assign it in this section",
    ]
    assert all((p.line, p.column) == (3, 1) for p in problems)


def test_inbound_field_names_kinds_and_order(write_mapping):
    body = (
        "inbound payment from csv {\n"
        ' ammount = money(col("A"))\n'
        ' amount = col("A")\n'
        ' date = parse_date(col("D"), "%Y-%m-%d")\n'
        ' invoice_number = col("I")\n'
        ' reject when amont > 0: "x"\n'
        ' warn when note == "x": "y"\n'
        "}"
    )
    assert [p.message for p in check_mapping(write_mapping(body))] == [
        "payment needs amount: assign it in this section",
        "payment has no field 'ammount'; did you mean 'amount'?",
        "amount must be number, got text: use money(...) or number(...)",
        "unknown field 'amont'; did you mean 'amount'?",
        "note is used before it is assigned: assign it above this line",
    ]


def test_message_placeholders_are_checked(write_mapping):
    body = outbound('"A" = customer_numbers[invoice.customerid] or reject "no {invoice.custid}"')
    problem = only(check_mapping(write_mapping(body)))
    assert problem.message == "invoice has no field 'custid'; did you mean 'customerid'?"
    assert (problem.line, problem.column) == (6, 59)


def test_lookup_file_problems(write_mapping, tmp_path):
    header = 'mapping "x"\nlookup numbers from "acme_customers.csv" key fb_id value acme_number\n'
    problem = only(check_mapping(write_mapping(outbound('"A" = invoice.id'), header=header)))
    assert problem.message.startswith("lookup numbers: acme_customers.csv has no column 'fb_id'")
    header = 'mapping "x"\nlookup numbers from "nowhere.csv" key a value b\n'
    problem = only(check_mapping(write_mapping(outbound('"A" = invoice.id'), header=header)))
    assert "cannot read" in problem.message and (problem.line, problem.column) == (2, 8)
    (tmp_path / "dupes.csv").write_text("a,b\n1,x\n1,y\n")
    header = 'mapping "x"\nlookup numbers from "dupes.csv" key a value b\n'
    problem = only(check_mapping(write_mapping(outbound('"A" = invoice.id'), header=header)))
    assert problem.message == "lookup numbers: key '1' appears more than once in dupes.csv"


def test_load_mapping_raises_with_every_problem(write_mapping):
    path = write_mapping(outbound('"A" = nope(1)\n "B" = invoice.nope'))
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    assert len(caught.value.problems) == 2
    assert f"{path}:6:7: unknown function 'nope'" in str(caught.value)


def test_missing_mapping_name_and_file(write_mapping, tmp_path):
    problem = only(check_mapping(write_mapping(outbound('"A" = invoice.id'), header="")))
    assert problem.message.startswith("a mapping starts with its name")
    assert "cannot read the mapping" in only(check_mapping(tmp_path / "none.map")).message


def test_asking_for_a_section_that_is_not_there():
    from connector.mapping import SectionNotFoundError

    mapping = load_mapping(ACME)
    with pytest.raises(SectionNotFoundError, match="has no `outbound bill` section"):
        mapping.outbound("bill")
