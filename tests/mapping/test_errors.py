"""Every kind of mistake `check` reports, with its exact message and position.

Each case is a whole mapping as an analyst would write it, with one mistake; the expected problems
are (line, column, message). Messages say what is wrong, where, and what to do.
"""

from __future__ import annotations

import pytest

from connector.mapping import check_mapping

NAME = 'mapping "Errors"\n'
LOOKUP = 'lookup numbers from "acme_customers.csv" key freshbooks_id value acme_number\n'
PAYMENT = (
    ' invoice_number = col("Invoice")\n'
    ' amount = money(col("Amount"))\n'
    ' date = parse_date(col("Date"), "%Y-%m-%d")\n'
)


def outbound(body: str, settings: str = ' file "X.csv"\n rows per line\n') -> str:
    return f"{NAME}outbound invoice to csv {{\n{settings}{body}\n}}\n"


def inbound(body: str, settings: str = ' files "R*.csv"\n') -> str:
    return f"{NAME}inbound payment from csv {{\n{settings}{PAYMENT}{body}\n}}\n"


def fixed_width(records: str) -> str:
    return f'{NAME}outbound invoice to fixed_width {{\n file "X.txt"\n{records}}}\n'


def fixed_width_in(records: str, body: str = "") -> str:
    fields = (
        " invoice_number = detail.Invoice\n"
        " amount = money(detail.Amount)\n"
        ' date = parse_date(detail.Date, "%Y%m%d")\n'
    )
    return (
        f'{NAME}inbound payment from fixed_width {{\n files "P*.txt"\n{records}{fields}{body}}}\n'
    )


DETAIL_IN = (
    ' record detail when "DT" at 1 { "Type" width 2 "Invoice" width 8 "Amount" width 8 '
    '"Date" width 8 }\n'
)

SYNTAX = {
    "missing closing brace": (
        f'{NAME}outbound invoice to csv {{\n file "X.csv"\n "A" = invoice.id\n',
        [(2, 25, "the file ends before this '{' is closed: add '}' where it ends")],
    ),
    "missing = after a column": (
        outbound('"A" invoice.id'),
        [(5, 5, "unexpected 'invoice'; expected \"=\"")],
    ),
    "missing = after a field": (
        f'{NAME}inbound payment from csv {{\n amount money(col("A"))\n}}\n',
        [(3, 9, "unexpected 'money'; expected \"=\"")],
    ),
    "unterminated string": (
        outbound('"A" = "SELLERCO'),
        [(5, 7, 'this text is not closed: add the closing " before the end of the line')],
    ),
    "misspelt section keyword": (
        f'{NAME}outbond invoice to csv {{\n "A" = invoice.id\n}}\n',
        [
            (
                2,
                1,
                "unexpected 'outbond'; did you mean 'outbound'? "
                '(expected "lookup", outbound or inbound)',
            )
        ],
    ),
    "misspelt rule keyword": (
        outbound('"A" = invoice.id\n rejct when invoice.id > 1: "x"'),
        [
            (
                6,
                2,
                "unknown statement 'rejct': did you mean 'reject'? "
                "(a field assignment would need '=')",
            )
        ],
    ),
    "misspelt setting": (
        outbound('"A" = invoice.id', settings=' file "X.csv"\n delimeter ";"\n'),
        [
            (
                4,
                2,
                "unknown statement 'delimeter': did you mean the setting 'delimiter'? "
                "(a field assignment would need '=')",
            )
        ],
    ),
    "misspelt when": (
        inbound(' reject wen amount > 1: "x"'),
        [(7, 9, "unexpected 'wen'; did you mean 'when'? (expected \"when\", file or set)")],
    ),
    "missing colon before a rule's message": (
        inbound(' reject when amount > 1 "x"'),
        [(7, 25, 'unexpected \'"x"\'; expected ":"')],
    ),
    "missing comma between arguments": (
        outbound('"A" = concat(invoice.id "x")'),
        [(5, 25, 'unexpected \'"x"\'; expected ")", ","')],
    ),
    "stray character": (
        outbound('"A" = 1 $ 2'),
        [
            (
                5,
                9,
                "unexpected character '$': it has no meaning here; remove it, or write it "
                "inside a text in double quotes",
            )
        ],
    ),
}

NAMES = {
    "unknown field": (
        outbound('"A" = invoice.invoice_nubmer'),
        [(5, 7, "invoice has no field 'invoice_nubmer'; did you mean 'invoice_number'?")],
    ),
    "unknown nested field": (
        f'{NAME}outbound bill to csv {{\n file "B.csv"\n "A" = bill.vendor.vendor_nme\n}}\n',
        [(4, 8, "bill.vendor has no field 'vendor_nme'; did you mean 'vendor_name'?")],
    ),
    "unknown inbound field": (
        inbound(" note = notte"),
        [(7, 9, "unknown field 'notte'; did you mean 'note'?")],
    ),
    "unknown function": (
        outbound('"A" = uper(line.name)'),
        [(5, 7, "unknown function 'uper'; did you mean 'upper'?")],
    ),
    "unknown lookup": (
        NAME + LOOKUP + outbound('"A" = number[invoice.customerid] ?? ""').removeprefix(NAME),
        [(6, 7, "unknown lookup 'number'; did you mean 'numbers'?")],
    ),
    "unknown record in count": (
        fixed_width(
            ' record detail per line { "A" width 4 = "x" }\n'
            ' record trailer once { "C" width 4 = count(detial) }\n'
        ),
        [
            (
                5,
                38,
                "count(detial): no record 'detial'; did you mean 'detail'? "
                "(records: detail, trailer)",
            )
        ],
    ),
    "unknown record field": (
        fixed_width_in(DETAIL_IN, " note = detail.Invoce\n"),
        [
            (
                8,
                9,
                "record detail has no field 'Invoce'; did you mean detail.Invoice? "
                "(fields: Type, Invoice, Amount, Date)",
            )
        ],
    ),
    "unknown record field, quoted name": (
        fixed_width_in(
            DETAIL_IN.replace('"Date"', '"Paid On"'), ' note = detail."Paid  On"\n'
        ).replace("detail.Date", 'detail."Paid On"'),
        [
            (
                8,
                9,
                "record detail has no field 'Paid  On'; did you mean detail.\"Paid On\"? "
                '(fields: Type, Invoice, Amount, "Paid On")',
            )
        ],
    ),
    "unknown section setting": (
        outbound('"A" = invoice.id', settings=' file "X.csv"\n root "Invoices"\n'),
        [
            (
                4,
                2,
                "root is not a setting of outbound csv sections (settings here: delimiter, "
                "encoding, escape, file, header, newline, quote, quoting, rows, where)",
            )
        ],
    ),
    "setting of the other direction": (
        outbound('"A" = invoice.id', settings=' file "X.csv"\n files "X*.csv"\n'),
        [(4, 8, "files is a setting of inbound sections, not of outbound ones")],
    ),
    "unknown run field": (
        outbound('"A" = run.sq'),
        [(5, 7, "run has no field 'sq'; did you mean 'seq'? (it has date, seq, partner)")],
    ),
    "unknown file name placeholder": (
        outbound('"A" = invoice.id', settings=' file "X_{run.sq}.csv"\n'),
        [
            (
                3,
                2,
                "unknown placeholder {run.sq} in the file name; use run.date, run.seq, run.partner",
            )
        ],
    ),
    "unknown message placeholder": (
        NAME
        + LOOKUP
        + outbound('"A" = numbers[invoice.customerid] or reject "no {run.sq}"').removeprefix(NAME),
        [(6, 50, "run has no field 'sq'; did you mean 'seq'? (it has date, seq, partner)")],
    ),
    "unknown document": (
        f'{NAME}outbound invoices to csv {{\n file "X.csv"\n "A" = 1\n}}\n',
        [
            (
                2,
                1,
                "unknown outbound document 'invoices'; did you mean 'invoice'? "
                "(outbound documents: invoice, bill, customer, vendor)",
            )
        ],
    ),
}

TYPES = {
    "formatting a date as money": (
        outbound('"A" = money(invoice.create_date)'),
        [(5, 13, "money expects value to be a money value, a number or text, got a date")],
    ),
    "adding text to a number": (
        outbound('"A" = invoice.invoice_number + 1'),
        [
            (
                5,
                7,
                "'+' needs a money value or a number, got text: read the text as a number "
                "with number(...) or money(...)",
            )
        ],
    ),
    "comparing a date with a number": (
        outbound('"A" = invoice.id\n where invoice.create_date > 5'),
        [(6, 28, "cannot compare a date with a number: compare values of the same kind")],
    ),
    "a where that is not a condition": (
        outbound('"A" = invoice.id\n where invoice.invoice_number'),
        [(6, 8, "where needs a condition that is true or false")],
    ),
    "an if that is not a condition": (
        outbound('"A" = if invoice.id then "a" else "b"'),
        [
            (
                5,
                10,
                "'if' needs a condition (true or false), got a number: compare the value, "
                'like x == "..." or x > 0',
            )
        ],
    ),
    "a case when that is not a condition": (
        outbound('"A" = case { when line.name -> "a" }'),
        [
            (
                5,
                19,
                "'when' needs a condition (true or false), got text: compare the value, "
                'like x == "..." or x > 0',
            )
        ],
    ),
    "branches of different kinds": (
        outbound('"A" = if true then invoice.id else "x"'),
        [(5, 10, "if/else mix a number and text: make them the same kind")],
    ),
    "summing text": (
        outbound('"A" = sum(line.name)'),
        [(5, 11, "sum adds numbers or money, got text: read text with number(...)")],
    ),
    "summing a document field": (
        outbound('"A" = sum(invoice.amount)'),
        [
            (
                5,
                7,
                "sum goes over the lines of each invoice: give it line fields only, like "
                "sum(line.amount)",
            )
        ],
    ),
    "an inbound field of the wrong kind": (
        f'{NAME}inbound vendor from csv {{\n files "V*.csv"\n'
        ' vendor_name = col("Name")\n is_1099 = col("1099")\n}\n',
        [
            (
                5,
                16,
                'is_1099 must be true/false, got text: use a comparison such as col("1099") == "Y"',
            )
        ],
    ),
    "an impossible date": (
        outbound('"A" = invoice.id\n where invoice.create_date > 2024-02-30'),
        [(6, 30, "2024-02-30 is not a date: day is out of range for month")],
    ),
}

REQUIRED = {
    "payment": (
        f'{NAME}inbound payment from csv {{\n files "R*.csv"\n note = col("N")\n}}\n',
        [
            (2, 1, "payment needs amount: assign it in this section"),
            (2, 1, "payment needs date: assign it in this section"),
            (2, 1, "payment needs invoice_number: assign it in this section"),
        ],
    ),
    "bill_payment": (
        f'{NAME}inbound bill_payment from csv {{ files "x" note = col("N") }}\n',
        [
            (2, 1, "bill_payment needs amount: assign it in this section"),
            (2, 1, "bill_payment needs bill_number: assign it in this section"),
            (2, 1, "bill_payment needs paid_date: assign it in this section"),
        ],
    ),
    "vendor": (
        f'{NAME}inbound vendor from csv {{ files "x" note = col("N") }}\n',
        [(2, 1, "vendor needs vendor_name: assign it in this section")],
    ),
    "customer": (
        f'{NAME}inbound customer from csv {{ files "x" note = col("N") }}\n',
        [(2, 1, "a customer needs one of organization, fname, lname, email")],
    ),
    "journal_entry": (
        f'{NAME}inbound journal_entry from csv {{ files "x" name = col("N") }}\n',
        [
            (2, 1, "journal_entry needs account_number: assign it in this section"),
            (2, 1, "journal_entry needs date: assign it in this section"),
            (2, 1, "journal_entry needs entry: assign it in this section"),
        ],
    ),
    "a field named by require": (
        inbound(" require note"),
        [(2, 1, "payment needs note: assign it in this section")],
    ),
    "an outbound record field without a value": (
        fixed_width(' record detail per line {\n  "A" width 4 = "x"\n  "B" width 3\n }\n'),
        [(6, 3, 'B needs a value going out: "B" ... = value')],
    ),
    "an outbound section without columns": (
        f'{NAME}outbound invoice to csv {{\n file "X.csv"\n}}\n',
        [(2, 1, 'an outbound section needs at least one column: "Name" = expression')],
    ),
    "an outbound section without a file name": (
        f'{NAME}outbound invoice to csv {{\n "A" = invoice.id\n}}\n',
        [(2, 1, 'an outbound section needs a file name: add `file "NAME_{run.seq}.csv"`')],
    ),
}

LAYOUTS = {
    "overlapping fixed-width positions": (
        fixed_width(
            ' record detail per line {\n  "A" width 4 = "x"\n  "B" width 4 at 3 = "y"\n }\n'
        ),
        [(6, 3, "record detail: B (positions 3-6) overlaps A (positions 1-4)")],
    ),
    "a record tag wider than its field": (
        fixed_width_in(DETAIL_IN.replace('"DT"', '"DTL"')),
        [
            (
                4,
                9,
                "record detail: record type 'DTL' at 1 is wider than its field Type "
                "(positions 1-2)",
            )
        ],
    ),
    "a once record using line fields": (
        fixed_width(
            ' record header once { "A" width 10 = line.name }\n'
            ' record detail per line { "B" width 4 = "x" }\n'
        ),
        [
            (
                4,
                38,
                "line.name differs from row to row, and this record is written once per file: "
                "use an aggregate such as sum(...), count(...), min(...) or max(...)",
            )
        ],
    ),
    "a literal wider than its field": (
        fixed_width(' record detail per line { "B" width 2 = "xyz" }\n'),
        [
            (
                4,
                41,
                "'xyz' is 3 characters; the field B is 2 wide: shorten the text or widen the field",
            )
        ],
    ),
    "no repeating record": (
        fixed_width(' record header once { "B" width 4 = "x" }\n'),
        [
            (
                2,
                1,
                "one record must repeat (`per line` or `per document`); the others are "
                "written `once`",
            )
        ],
    ),
    "a record without rows": (
        fixed_width(' record detail { "B" width 4 = "x" }\n'),
        [(4, 9, "record detail needs `once`, `per line` or `per document`")],
    ),
    "inbound records that cannot be told apart": (
        fixed_width_in(' record header { "Type" width 2 }\n' + DETAIL_IN),
        [(4, 9, 'record header needs `when "TYPE" at N` to be told from the others')],
    ),
    "records in a csv file": (
        outbound("", settings=' file "X.csv"\n record detail per line { "B" width 4 = "x" }\n'),
        [(4, 27, "record detail: B: width, at, align, pad are for fixed-width files")],
    ),
    "a fixed-width field without a width": (
        fixed_width(' record detail per line { "B" = "x" }\n'),
        [(4, 27, "record detail: B needs a width: add `width N`")],
    ),
}

DUPLICATES = {
    "column names": (
        outbound('"A" = invoice.id\n "A" = invoice.invoice_number'),
        [(6, 2, "column 'A' is assigned twice")],
    ),
    "record field names": (
        fixed_width(' record detail per line { "B" width 4 = "x" "B" width 2 = "y" }\n'),
        [(4, 45, "record detail: field 'B' appears twice")],
    ),
    "inbound fields": (
        inbound(' amount = money(col("B"))'),
        [(7, 2, "amount is assigned twice")],
    ),
    "settings": (
        outbound('"A" = invoice.id', settings=' file "X.csv"\n file "Y.csv"\n'),
        [(4, 2, "file is set twice in this section (first at line 3): keep one")],
    ),
    "sections": (
        outbound('"A" = invoice.id') + outbound('"A" = invoice.id').removeprefix(NAME),
        [
            (
                7,
                1,
                "a second `outbound invoice` section (the first is at line 2): merge them or "
                "remove one",
            )
        ],
    ),
    "lookups": (
        f'{NAME}lookup t {{ "a" -> "b" }}\nlookup t {{ "a" -> "c" }}\n',
        [(3, 8, "lookup 't' is defined twice (first at line 2): rename or remove one")],
    ),
    "lookup keys": (
        f'{NAME}lookup t {{\n "a" -> "b"\n "a" -> "c"\n}}\n',
        [(4, 2, "lookup t: key 'a' appears twice: keep one entry")],
    ),
}

LOOKUPS = {
    "a lookup file that is missing": (
        f'{NAME}lookup numbers from "nowhere.csv" key a value b\n',
        [
            (
                2,
                8,
                "lookup numbers: cannot read 'nowhere.csv': No such file or directory "
                "(a lookup file is read from the mapping's folder, {folder}: put it there or "
                "fix the name)",
            )
        ],
    ),
    "a lookup file without the key column": (
        f'{NAME}lookup numbers from "acme_customers.csv" key fb_id value acme_number\n',
        [
            (
                2,
                8,
                "lookup numbers: acme_customers.csv has no column 'fb_id' "
                "(columns: freshbooks_id, acme_number)",
            )
        ],
    ),
    "a lookup file without the value column": (
        f'{NAME}lookup numbers from "acme_customers.csv" key freshbooks_id value acme_no\n',
        [
            (
                2,
                8,
                "lookup numbers: acme_customers.csv has no column 'acme_no'; did you mean "
                "'acme_number'? (columns: freshbooks_id, acme_number)",
            )
        ],
    ),
    "a broken lookup is reported once, not again where it is used": (
        f'{NAME}lookup numbers from "acme_customers.csv" key fb_id value acme_number\n'
        + outbound('"A" = numbers[invoice.customerid] ?? ""').removeprefix(NAME),
        [
            (
                2,
                8,
                "lookup numbers: acme_customers.csv has no column 'fb_id' "
                "(columns: freshbooks_id, acme_number)",
            )
        ],
    ),
    "a lookup without a declared miss": (
        NAME + LOOKUP + outbound('"A" = numbers[invoice.customerid]').removeprefix(NAME),
        [
            (
                6,
                7,
                "numbers[...] does not say what happens when the key is missing: add "
                '`or reject "..."` or `?? <default>` after it, or `if missing ...` to the '
                "lookup",
            )
        ],
    ),
    "a lookup called like a function": (
        NAME + LOOKUP + outbound('"A" = numbers(invoice.customerid)').removeprefix(NAME),
        [(6, 7, "numbers is a lookup: write numbers[key]")],
    ),
    "a lookup with both else and if missing": (
        f'{NAME}lookup t {{ "a" -> "b" else -> "c" }} if missing empty\n',
        [(2, 8, "lookup t has both `else ->` and `if missing`: keep one")],
    ),
}


def _cases(*groups: dict) -> list:
    return [
        pytest.param(text, expected, id=name)
        for group in groups
        for name, (text, expected) in group.items()
    ]


@pytest.mark.parametrize(
    ("text", "expected"), _cases(SYNTAX, NAMES, TYPES, REQUIRED, LAYOUTS, DUPLICATES, LOOKUPS)
)
def test_each_mistake_is_reported_exactly(write_mapping, tmp_path, text, expected):
    path = write_mapping(text, header="")
    problems = check_mapping(path)
    found = [(p.line, p.column, p.message) for p in problems]
    assert found == [
        (line, column, message.replace("{folder}", str(tmp_path)))
        for line, column, message in expected
    ]
    lines = text.splitlines()
    for problem in problems:
        assert problem.source_line == lines[problem.line - 1]


def test_a_syntax_error_renders_file_line_column_the_line_and_a_caret(write_mapping):
    path = write_mapping(outbound('"A" invoice.id'), header="")
    (problem,) = check_mapping(path)
    assert problem.render().splitlines() == [
        f"{path}:5:5: unexpected 'invoice'; expected \"=\"",
        '    "A" invoice.id',
        "        ^",
    ]
