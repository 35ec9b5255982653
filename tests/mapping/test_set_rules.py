"""`reject set when ...`: rules decided for each transaction set (EDIFACT message) of an EDI file,
the other sets of the file going on; and refused wherever a file has no sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.formats.x12_format import X12Format
from connector.mapping import check_mapping, load_mapping
from connector.mapping.edi import set_identity
from connector.mapping.inbound import InboundFileError
from connector.mapping.nodes import Pos
from connector.mapping.parser import parse


def _mapping(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "sets.map"
    path.write_text(f'mapping "Set rules"\n{body}\n', encoding="utf-8")
    return path


def _section(tmp_path: Path, body: str):
    return load_mapping(_mapping(tmp_path, body)).inbound("payment")


def _problems(tmp_path: Path, body: str) -> list[str]:
    return [f"{p.line}:{p.column}: {p.message}" for p in check_mapping(_mapping(tmp_path, body))]


X12_820 = """inbound payment from x12 820 {{
    rows per RMR
    invoice_number = RMR.02
    amount         = money(RMR.04)
    date           = parse_date(BPR.16, "%Y%m%d")
    {rules}
}}"""
BALANCE = (
    "reject set when sum(money(RMR.04)) != money(BPR.02):\n"
    '        "pays {money(BPR.02)}, invoices add up to {sum(money(RMR.04))}"'
)


def _set(control: str, total: str, *paid: tuple[str, str]) -> str:
    body = [f"BPR*C*{total}*C*ACH************20240601", *(f"RMR*IV*{n}**{a}" for n, a in paid)]
    return "".join(f"{s}~" for s in [f"ST*820*{control}", *body, f"SE*{len(body) + 2}*{control}"])


def _interchange(control: int, *sets: str) -> str:
    return (
        "ISA*00*          *00*          *ZZ*ACMEDIST       *ZZ*SELLERCO       "
        f"*240601*1200*U*00401*{control:09d}*0*P*>~"
        f"GS*RA*ACMEDIST*SELLERCO*20240601*1200*{control}*X*004010~"
        + "".join(sets)
        + f"GE*{len(sets)}*{control}~IEA*1*{control:09d}~"
    )


def _outcome(batch) -> tuple[list[tuple[int, str]], list[tuple[int, str | None, str | None, str]]]:
    kept = [(r.row_number, r.values["invoice_number"]) for r in batch.records]
    refused = [(p.row_number, p.column, p.value, p.message) for p in batch.rejected]
    return kept, refused


def test_a_set_that_does_not_balance_is_refused_and_the_others_are_kept(tmp_path):
    section = _section(tmp_path, X12_820.format(rules=BALANCE))
    text = _interchange(
        7,
        _set("0001", "15.00", ("A1", "10.00"), ("A2", "5.00")),
        _set("0002", "9.00", ("B1", "4.00"), ("B2", "4.00")),
        _set("0003", "3.00", ("C1", "3.00")),
    )

    kept, refused = _outcome(section.parse(text.encode(), "r.x12"))

    # Segments: ISA 1, GS 2, set 0001 at 3-7, set 0002 at 8-12 (RMRs 10, 11), set 0003 13-16.
    assert kept == [(5, "A1"), (6, "A2"), (15, "C1")]
    message = "pays 9.00, invoices add up to 8"
    assert refused == [(10, "ST.02", "0002", message), (11, "ST.02", "0002", message)]


def test_a_file_rule_of_the_same_condition_refuses_all_of_it(tmp_path):
    """What `reject set` is for: weighed over the file, every set's RMRs meet one BPR."""
    section = _section(tmp_path, X12_820.format(rules=BALANCE.replace("set", "file", 1)))
    text = _interchange(
        7, _set("0001", "15.00", ("A1", "15.00")), _set("0002", "3.00", ("B1", "3.00"))
    )
    with pytest.raises(InboundFileError, match=r"r\.x12: pays 15\.00, invoices add up to 18"):
        section.parse(text.encode(), "r.x12")


def test_sets_are_told_apart_by_interchange_and_group_too(tmp_path):
    """ST02 need only be unique in its group: two interchanges may both carry a set 0001."""
    section = _section(tmp_path, X12_820.format(rules=BALANCE))
    text = _interchange(7, _set("0001", "15.00", ("A1", "15.00"))) + _interchange(
        8, _set("0001", "5.00", ("B1", "4.00"))
    )

    kept, refused = _outcome(section.parse(text.encode(), "r.x12"))

    assert kept == [(5, "A1")]
    assert refused == [(13, "ST.02", "0001", "pays 5.00, invoices add up to 4")]


def test_one_row_a_set_rule_holds_for_refuses_its_whole_set(tmp_path):
    rules = 'reject set when amount <= 0: "{invoice_number} pays {amount}: the remittance is held"'
    section = _section(tmp_path, X12_820.format(rules=rules))
    text = _interchange(
        7,
        _set("0001", "5.00", ("A1", "6.00"), ("A2", "-1.00")),
        _set("0002", "4.00", ("B1", "4.00")),
    )

    kept, refused = _outcome(section.parse(text.encode(), "r.x12"))

    assert kept == [(10, "B1")]
    message = "A2 pays -1.00: the remittance is held"
    assert refused == [(5, "ST.02", "0001", message), (6, "ST.02", "0001", message)]


def test_a_set_rule_may_read_assigned_fields_and_iter_batches_decides_it_too(tmp_path):
    rules = 'reject set when sum(amount) > 10: "the set pays {sum(amount)}"'
    section = _section(tmp_path, X12_820.format(rules=rules))
    path = tmp_path / "r.x12"
    path.write_text(
        _interchange(
            7, _set("0001", "11.00", ("A1", "11.00")), _set("0002", "4.00", ("B1", "4.00"))
        )
    )

    [batch] = list(section.iter_batches(path))

    kept, refused = _outcome(batch)
    assert kept == [(9, "B1")]
    assert refused == [(5, "ST.02", "0001", "the set pays 11")]


def test_a_set_rule_beside_a_row_rule_and_a_set_control_the_mapping_reads(tmp_path):
    rules = 'note = ST.02\n    reject when amount > 5: "too much"\n    ' + BALANCE
    section = _section(tmp_path, X12_820.format(rules=rules))
    text = _interchange(
        7,
        _set("0001", "9.00", ("A1", "6.00"), ("A2", "3.00")),
        _set("0002", "2.00", ("B1", "1.00")),
    )

    batch = section.parse(text.encode(), "r.x12")

    assert [(r.row_number, r.values["note"]) for r in batch.records] == [(6, "0001")]
    assert [(p.row_number, p.message) for p in batch.rejected] == [
        (5, "too much"),
        (10, "pays 2.00, invoices add up to 1"),
    ]


REMADV = """inbound payment from edifact REMADV {
    rows per DOC
    invoice_number = DOC.02
    amount         = money(MOA[9].01.2)
    date           = parse_date(DTM[137].01.2, "%Y%m%d")
    reject set when sum(amount) != money(MOA[12].01.2):
        "the advice totals {money(MOA[12].01.2)} but its documents add up to {sum(amount)}"
}"""


def _message(reference: str, total: str, *paid: tuple[str, str]) -> str:
    body = [
        "BGM+481+RA-1+9",
        "DTM+137:20240601:102",
        *(f"DOC+380+{number}'MOA+9:{amount}" for number, amount in paid),
        "UNS+S",
        f"MOA+12:{total}",
    ]
    count = sum(part.count("'") + 1 for part in body) + 2
    return (
        f"UNH+{reference}+REMADV:D:96A:UN'"
        + "".join(f"{p}'" for p in body)
        + (f"UNT+{count}+{reference}'")
    )


def test_each_remadv_message_is_weighed_on_its_own(tmp_path):
    section = _section(tmp_path, REMADV)
    text = (
        "UNB+UNOC:3+5499999000012:14+5412345000013:14+240601:1200+78'"
        + _message("M1", "7.00", ("A1", "3.00"), ("A2", "4.00"))
        + _message("M2", "5.00", ("B1", "4.50"))
        + "UNZ+2+78'"
    )

    kept, refused = _outcome(section.parse(text.encode(), "r.edi"))

    assert kept == [(5, "A1"), (7, "A2")]
    message = "the advice totals 5.00 but its documents add up to 4.5"
    assert refused == [(15, "UNH.01", "M2", message)]


def test_reject_set_is_parsed_with_its_scope():
    parsed = parse(
        'mapping "m"\ninbound payment from x12 820 {\n    reject set when true: "no"\n}\n', "m"
    )
    [section] = parsed.sections
    [rule] = section.statements
    assert (rule.kind, rule.scope) == ("reject", "set")


CSV_PAYMENTS = """inbound payment from csv {{
    invoice_number = col("Invoice")
    amount         = money(col("Amount"))
    date           = parse_date(col("Date"), "%Y-%m-%d")
    {rule}
}}"""
CSV_INVOICES = """outbound invoice to csv {{
    file "I_{{run.seq}}.csv"
    "Number" = invoice.invoice_number
    {rule}
}}"""
EDI_INVOICES = """outbound invoice to x12 810 {{
    file "I_{{run.seq}}.x12"
    envelope {{ sender ZZ "SELLERCO" receiver ZZ "ACMEDIST" }}
    segment BIG {{ 01 = "20240601"  02 = invoice.invoice_number }}
    {rule}
}}"""
SET_RULE = 'reject set when true: "no"'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            CSV_PAYMENTS.format(rule=SET_RULE),
            "6:5: reject set is decided per transaction set of an EDI file; a csv file has none: "
            "write reject file when ... for the whole file, or reject when ... per row",
        ),
        (CSV_INVOICES.format(rule=SET_RULE), "5:5: reject set belongs in inbound sections"),
        (EDI_INVOICES.format(rule=SET_RULE), "6:5: this belongs in inbound sections"),
        (
            X12_820.format(rules='warn set when amount > 1: "big"'),
            "7:5: warn set is not a rule: use reject set, or warn per row",
        ),
        (
            X12_820.format(rules='reject set when sum(amount): "no"'),
            "7:21: reject set when needs a condition",
        ),
        (
            X12_820.format(rules='reject set when count(RMR) > 1: "{nosuch}"'),
            "7:39: unknown field 'nosuch'",
        ),
    ],
)
def test_check_refuses_a_set_rule_where_it_cannot_be(tmp_path, body, expected):
    problems = _problems(tmp_path, body)
    assert any(problem.startswith(expected) for problem in problems), problems


class _PluginX12(X12Format):
    """A segment format installed as a plugin: nothing here knows its control numbers."""

    name = "x12-plugin"


def test_a_segment_format_whose_sets_cannot_be_told_apart_refuses_set_rules():
    reported: list[tuple[Pos, str]] = []
    elements: dict = {}
    at = Pos(7, 5)

    found = set_identity(
        _PluginX12(), elements, {}, at, lambda pos, text: reported.append((pos, text))
    )

    assert found is None and elements == {}
    [(pos, text)] = reported
    assert pos == at and "x12-plugin format's transaction sets apart" in text
    assert text.endswith("use reject file when ... instead")
