"""EDI layouts in the mapping language: segments out, elements in, every mistake at its place."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from connector.formats import ControlNumbers
from connector.formats.edifact import read_interchanges as read_edifact
from connector.formats.x12 import read_interchanges as read_x12
from connector.mapping import RunContext, check_mapping, load_mapping
from connector.mapping.inbound import InboundFileError

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / ".." / "shared" / "edi-samples"
RUN = RunContext(dt.datetime(2024, 5, 31, 9, 30), 5, "acme")
ENVELOPE = 'envelope { sender ZZ "SELLERCO" receiver ZZ "ACMEDIST" }'
INVOICES = [
    {
        "id": 1,
        "invoice_number": "INV*1~",
        "create_date": "2024-05-02",
        "po_number": None,
        "organization": "Café ~ Bar",
        "amount": {"amount": "12.35", "code": "USD"},
        "lines": [
            {"lineid": 1, "qty": "2", "name": "A:B", "unit_cost": {"amount": "1.5", "code": "X"}},
            {"lineid": 2, "qty": "1", "name": "C", "unit_cost": {"amount": "9.35", "code": "X"}},
        ],
    },
    {
        "id": 2,
        "invoice_number": "INV2",
        "create_date": "2024-05-03",
        "po_number": "PO9",
        "organization": "Z",
        "amount": {"amount": "1", "code": "USD"},
        "lines": [
            {"lineid": 1, "qty": "1", "name": "D", "unit_cost": {"amount": "1", "code": "X"}}
        ],
    },
]


def _mapping(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "edi.map"
    path.write_text(f'mapping "EDI test"\n\n{body}\n', encoding="utf-8")
    return path


def _problems(tmp_path: Path, body: str) -> list[str]:
    return [f"{p.line}:{p.column}: {p.message}" for p in check_mapping(_mapping(tmp_path, body))]


X12_810 = f"""
outbound invoice to x12 810 {{
    file "I_{{run.seq}}.x12"
    {ENVELOPE}
    segment BIG     {{ 01 = format_date(invoice.create_date, "%Y%m%d") 02 = invoice.invoice_number
                      04 = invoice.po_number }}
    segment REF[PO] {{ 02 = invoice.po_number }}
    segment N1[BT]  {{ 02 = invoice.organization }}
    for each line {{
        segment IT1 {{ 01 = line.lineid 02 = line.qty 04 = money(line.unit_cost) 07 = line.name }}
    }}
    segment TDS     {{ 01 implied 2 = money(invoice.amount) }}
    segment CTT     {{ 01 = count(lines) }}
}}
"""


def test_an_810_per_invoice_reads_back_with_the_same_values(tmp_path):
    section = load_mapping(_mapping(tmp_path, X12_810)).outbound("invoice")
    written = section.render(INVOICES, RUN)
    assert (written.name, written.rows) == ("I_5.x12", 2)
    assert [source.source_id for source in written.sources] == ["1", "2"]
    [interchange] = read_x12(written.content, written.name)
    assert interchange.header.value(13) == "000000005"
    first, second = interchange.transactions
    assert [s.tag for s in first.segments] == ["BIG", "N1", "IT1", "IT1", "TDS", "CTT"]
    assert [s.tag for s in second.segments] == ["BIG", "REF", "N1", "IT1", "TDS", "CTT"]
    big, n1, it1, _, tds, ctt = first.segments
    # Delimiters in data are replaced, and each replacement is reported.
    assert big.value(2) == "INV 1 " and n1.value(2) == "Café   Bar"
    assert len(written.warnings) == 2
    assert (it1.value(1), it1.value(2), it1.value(4), it1.value(7)) == ("1", "2", "1.50", "A:B")
    assert (tds.value(1), ctt.value(1)) == ("1235", "2")
    assert second.segments[1].elements == ["PO", "PO9"]
    assert first.problems == [] and second.problems == []


def test_control_numbers_come_from_the_run_when_the_store_allocated_them(tmp_path):
    section = load_mapping(_mapping(tmp_path, X12_810)).outbound("invoice")
    run = RunContext(RUN.date, 5, "acme", ControlNumbers(interchange=41, group=42, first_set=7))
    [interchange] = read_x12(section.render(INVOICES, run).content)
    assert interchange.header.value(13) == "000000041"
    assert interchange.groups[0].header.value(6) == "42"
    assert [t.control_number for t in interchange.transactions] == ["0007", "0008"]


def test_no_records_write_no_interchange(tmp_path):
    written = load_mapping(_mapping(tmp_path, X12_810)).outbound("invoice").render([], RUN)
    assert (written.content, written.rows) == (b"", 0)


def test_an_invoic_escapes_data_and_writes_composites(tmp_path):
    body = """
outbound invoice to edifact INVOIC {
    file "I.edi"
    envelope { sender 14 "5412345000013" receiver "ACME" version "D:01B" usage test }
    segment BGM      { 01 = "380" 02 = invoice.invoice_number }
    segment DTM[137] { 01.2 = format_date(invoice.create_date, "%Y%m%d") 01.3 = "102" }
    for each line {
        segment LIN  { 01 = line.lineid }
        segment IMD  { 01 = "F" 03 = ("", "", "", line.name) }
    }
    segment MOA[86]  { 01.2 = money(invoice.amount) }
}
"""
    written = load_mapping(_mapping(tmp_path, body)).outbound("invoice").render(INVOICES, RUN)
    [interchange] = read_edifact(written.content)
    assert interchange.header.value(11) == "1"  # test indicator
    message = interchange.transactions[0]
    assert message.header.value(2, 3) == "01B"
    bgm, dtm, _, imd, *_, moa = message.segments
    assert bgm.value(2) == "INV*1~"
    assert (dtm.value(1, 1), dtm.value(1, 2), dtm.value(1, 3)) == ("137", "20240502", "102")
    assert imd.value(3, 4) == "A:B"
    assert (moa.value(1, 1), moa.value(1, 2)) == ("86", "12.35")


REMIT = (
    "ISA*00*          *00*          *ZZ*ACMEDIST       *ZZ*SELLERCO       *240601*1200*U*00401*"
    "000000031*0*P*>~GS*RA*ACMEDIST*SELLERCO*20240601*1200*31*X*004010~"
    "ST*820*0001~BPR*C*30*C*CHK************20240601~TRN*1*T1~N1*PR*ACME~"
    "RMR*IV*A1**10~DTM*097*20240510~RMR*IV*A2**20~SE*8*0001~"
    "ST*997*0002~AK1*IN*1~AK9*A*1*1*1~SE*4*0002~"
    "ST*820*0003~BPR*C*5*C*ACH************20240602~TRN*1*T2~RMR*IV*A3**5~SE*5*0003~"
    "GE*3*31~IEA*1*000000031~"
)
X12_820 = """
inbound payment from x12 820 {
    rows per RMR
    invoice_number = RMR[IV].02
    amount         = money(RMR.04)
    date           = parse_date(DTM[097].02 ?? BPR.16, "%Y%m%d")
    note           = TRN.02 ~ "/" ~ (N1[PR].02 ?? "-") ~ "/" ~ GS.06
    reject when amount > 15: "too much: {amount}"
    reject file when count(RMR) > 3: "too many"
}
"""


def test_one_payment_per_rmr_with_its_loop_and_its_heading(tmp_path):
    section = load_mapping(_mapping(tmp_path, X12_820)).inbound("payment")
    batch = section.parse(REMIT.encode(), "r.x12")
    values = [
        (r.row_number, r.values["invoice_number"], str(r.values["date"]), r.values["note"])
        for r in batch.records
    ]
    # RMR A2 has no DTM of its own: it reads the BPR date, not A1's DTM; the 997 is skipped.
    assert values == [
        (7, "A1", "2024-05-10", "T1/ACME/31"),
        (18, "A3", "2024-06-02", "T2/-/31"),
    ]
    [refused] = batch.rejected
    assert (refused.row_number, refused.column, refused.value) == (9, "RMR.04", "20")


def test_a_file_rule_over_the_rows_and_reading_in_batches(tmp_path):
    body = X12_820.replace("count(RMR) > 3", "count(RMR) > 2")
    section = load_mapping(_mapping(tmp_path, body)).inbound("payment")
    path = tmp_path / "r.x12"
    path.write_bytes(REMIT.encode())
    with pytest.raises(InboundFileError, match="too many"):
        section.check_file_rules(path)
    good = load_mapping(_mapping(tmp_path, X12_820)).inbound("payment")
    [batch] = list(good.iter_batches(path))
    assert [r.values["invoice_number"] for r in batch.records] == ["A1", "A3"]


def test_a_file_that_is_not_edi_is_refused_with_where(tmp_path):
    section = load_mapping(_mapping(tmp_path, X12_820)).inbound("payment")
    with pytest.raises(InboundFileError, match=r"r\.x12"):
        section.parse(b"Invoice,Amount\n1,2\n", "r.x12")


def test_remadv_summary_after_uns_is_read_by_every_doc(tmp_path):
    body = """
inbound payment from edifact REMADV {
    rows per DOC
    invoice_number = DOC.02
    amount = money(MOA[9].01.2)
    date = parse_date(DTM[137].01.2, "%Y%m%d")
    note = MOA[12].01.2 ~ " " ~ RFF[ON].01.2
}
"""
    data = (
        "UNB+UNOC:3+S+R+240601:1200+7'UNH+1+REMADV:D:96A:UN'BGM+481+R1'DTM+137:20240601:102'"
        "RFF+ON:heading'DOC+380+A?+1'MOA+9:10'RFF+ON:own'DOC+380+A2'MOA+9:5'UNS+S'MOA+12:15'"
        "UNT+12+1'UNZ+1+7'"
    )
    batch = load_mapping(_mapping(tmp_path, body)).inbound("payment").parse(data.encode(), "r")
    assert [(r.values["invoice_number"], r.values["note"]) for r in batch.records] == [
        ("A+1", "15 own"),
        ("A2", "15 heading"),
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            X12_810.replace("segment CTT", "segment XYZ"),
            "XYZ is not a segment of the x12 810 (Invoice) in 004010",
        ),
        (
            X12_810.replace("02 = invoice.organization", "09 = invoice.organization"),
            "there is no N109",
        ),
        (
            X12_810.replace("02 = invoice.organization", "0 = invoice.organization"),
            "0 is not an element position",
        ),
        (
            X12_810.replace("segment N1[BT]  { 02", "segment N1[BT]  { 01"),
            "element 01 holds the qualifier BT already",
        ),
        (
            X12_810.replace(
                "segment CTT     { 01 = count(lines) }", "segment CTT { 01 = line.qty }"
            ),
            "line fields differ from line to line",
        ),
        (X12_810.replace("01 implied 2", "01 width 4"), "EDI elements take only `implied N`"),
        (
            X12_810.replace("01 implied 2 = money(invoice.amount)", "01 implied 2 = invoice.fname"),
            "implied 2 writes a number without its point",
        ),
        (X12_810.replace(ENVELOPE, ""), "needs its envelope"),
        (X12_810.replace('sender ZZ "SELLERCO"', 'sender "SELLERCO"'), "sender takes an id"),
        (
            X12_810.replace("receiver ZZ", 'receiver ZZ "X" version "4010" receiver ZZ'),
            "receiver is set twice",
        ),
        (X12_810.replace("x12 810", "x12 811"), "name the X12 transaction set after x12"),
        (X12_810.replace("segment BIG", "segment big"), "big is not a segment tag"),
        (X12_810.replace("segment BIG", "segment SE"), "SE is written by the envelope"),
        (X12_810.replace("for each line", "for each item"), "has no 'item' to loop over"),
        (
            X12_810.replace("to x12 810", "to csv").replace(ENVELOPE, ""),
            "the csv format has no segments",
        ),
        (X12_820.replace("rows per RMR", ""), "which segment makes a record?"),
        (X12_820.replace("DTM[097].02", "DTM[097].08"), "there is no DTM08"),
        (X12_820.replace("N1[PR].02", "N1[invoice.x].02"), "N1[...] takes a qualifier code"),
        (
            X12_820.replace("rows per RMR", f"rows per RMR {ENVELOPE}"),
            "an envelope says how we write",
        ),
        (X12_820.replace("x12 820", "csv"), "reads an EDI segment; this file is not EDI"),
        (X12_820.replace("TRN.02", 'col("A")'), "this file is EDI: read its elements"),
        (X12_810.replace("invoice.invoice_number\n", "BIG.02\n", 1), "it belongs in inbound"),
        (
            X12_810.replace("x12 810", "edifact INVOIC").replace(
                ENVELOPE, 'envelope { sender "A" receiver "B" charset "UNOZ" }'
            ),
            "syntax identifier 'UNOZ'",
        ),
    ],
)
def test_check_reports_each_mistake_at_its_place(tmp_path, body, expected):
    problems = _problems(tmp_path, body)
    assert any(expected in problem for problem in problems), problems


def _x12_envelope(entries: str) -> str:
    return X12_810.replace(ENVELOPE, f'envelope {{ sender ZZ "SELLERCO" {entries} }}')


def _edifact_envelope(entries: str) -> str:
    return f"""
outbound invoice to edifact INVOIC {{
    file "I.edi"
    envelope {{ sender 14 "5412345000013" receiver "BUYER" {entries} }}
    segment BGM {{ 01 = "380" 02 = invoice.invoice_number }}
}}
"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (_x12_envelope(""), "the envelope needs the receiver: receiver ZZ"),
        (_x12_envelope('receiver ZZ "A" charset "UNOC"'), "charset is not an X12 envelope setting"),
        (_x12_envelope('receiver ZZ "A" version "004010" "005010"'), "version takes one value"),
        (_x12_envelope('receiver ZZ "A" version "4010"'), "'4010' is not an X12 release"),
        (_x12_envelope('receiver ZZ "A" usage "staging"'), "usage is production or test"),
        (_x12_envelope('receiver ZZ "A" usage "test" "production"'), "usage takes one value"),
        (_x12_envelope('receiver ZZ "A" ack "always"'), "ack is requested or none"),
        (_x12_envelope('receiver ZZ "A" ack "requested" "none"'), "ack takes one value"),
        (_x12_envelope('receiver ZZZ "A"'), "receiver takes an id qualifier of 2 characters"),
        (_x12_envelope(f'receiver ZZ "{"A" * 16}"'), "an id of 1 to 15"),
        (_edifact_envelope('version "96A"'), "'96A' is not a directory"),
        (_edifact_envelope('charset "UNOC" "UNOW"'), "charset takes one value"),
        (_edifact_envelope('usage "live"'), "usage is production or test"),
        (_edifact_envelope('ack "yes"'), "ack is requested or none"),
        (
            _edifact_envelope("").replace('receiver "BUYER"', f'receiver "{"B" * 36}"'),
            "receiver takes an id of 1 to 35 characters",
        ),
        (
            _edifact_envelope("").replace('receiver "BUYER"', ""),
            'the envelope needs the receiver: receiver 14 "5412345000013"',
        ),
    ],
)
def test_each_bad_envelope_entry_is_reported(tmp_path, body, expected):
    problems = _problems(tmp_path, body)
    assert any(expected in problem for problem in problems), problems


def test_envelope_entries_reach_the_interchange(tmp_path):
    body = _x12_envelope('receiver ZZ "ACMEDIST" version "005010" usage "test" ack "requested"')
    written = load_mapping(_mapping(tmp_path, body)).outbound("invoice").render(INVOICES, RUN)
    [interchange] = read_x12(written.content, written.name)
    isa = interchange.header
    assert (isa.value(12), isa.value(14), isa.value(15)) == ("00501", "1", "T")
    assert interchange.groups[0].header.value(8) == "005010"
    edifact = _edifact_envelope('usage "test" ack "requested" charset "UNOW"')
    written = load_mapping(_mapping(tmp_path, edifact)).outbound("invoice").render(INVOICES, RUN)
    [interchange] = read_edifact(written.content, written.name)
    unb = interchange.header
    assert (unb.value(1, 1), unb.value(9), unb.value(11)) == ("UNOW", "1", "1")


def test_shipped_820_sample_reads_one_payment_per_rmr(tmp_path):
    sample = SAMPLES / "x12-820" / "X12.NET__PaymentOrderRemittanceAdvice.txt"
    if not sample.is_file():
        pytest.skip(f"the shared EDI samples are not at {SAMPLES.resolve()}")
    body = X12_820.replace("reject when amount > 15", "warn when amount > 15")
    body = body.replace("count(RMR) > 3", "count(RMR) > 1000")
    batch = (
        load_mapping(_mapping(tmp_path, body))
        .inbound("payment")
        .parse(sample.read_bytes(), sample.name)
    )
    rmr = sample.read_text().count("RMR*")
    assert len(batch.records) + len(batch.rejected) == rmr > 0


def test_the_shipped_examples_read_their_own_output(tmp_path):
    """What our 810 writes, an 820 reader of the same mapping language reads back."""
    mapping = load_mapping(REPO / "mappings" / "acme_x12.map")
    invoices = json.loads((REPO / "mappings" / "acme_x12.tests" / "invoices.json").read_text())
    written = mapping.outbound("invoice").render(invoices, RUN)
    body = """
inbound payment from x12 810 {
    rows per IT1
    invoice_number = BIG.02
    amount = money(IT1.04)
    date = parse_date(BIG.01, "%Y%m%d")
}
"""
    read = load_mapping(_mapping(tmp_path, body)).inbound("payment").parse(written.content, "f")
    assert [(r.values["invoice_number"], str(r.values["amount"])) for r in read.records][:2] == [
        ("0000142", "100.00"),
        ("0000142", "86.67"),
    ]
