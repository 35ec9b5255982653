"""Segment order, occurrence and element checks against the spec tables, with standard codes."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from connector.edi.acknowledgments import contrl, contrl_reply_envelope, judge
from connector.formats import edifact, x12
from connector.formats.edi import Delimiters, EdiSyntaxError, Segment, TransactionSet
from connector.formats.edi_check import Problem, SpecProblem, check_segment, check_transaction
from connector.formats.edi_specs import Spec, available_specs, load_spec

X12 = Delimiters(segment="~", element="*", component=":", repetition="^")
EDIFACT = Delimiters(segment="'", element="+", component=":", release="?", decimal=".")
SAMPLES = Path(__file__).parents[2] / ".." / "shared" / "edi-samples"


def transaction(
    body: str, delimiters: Delimiters = X12, header: str = "ST*810*0001"
) -> TransactionSet:
    """A set from inline text: segments split on the terminator, elements on the separator."""
    segments = []
    for number, text in enumerate(filter(None, body.split(delimiters.segment)), start=2):
        tag, *elements = text.split(delimiters.element)
        segments.append(Segment(tag, elements, number, number, delimiters))
    tag, *elements = header.split(delimiters.element)
    return TransactionSet(header=Segment(tag, elements, 1, 1, delimiters), segments=segments)


def found(problems: list[SpecProblem]) -> list[tuple[str, str, int, int | None]]:
    return [(p.tag, p.code, p.segment_number, p.element) for p in problems]


GOOD_810 = (
    "BIG*20240115*INV-1001**PO-7~CUR*SE*USD~REF*IA*123~N1*BT*Acme*92*1~N3*1 Main St~"
    "N4*Springfield*IL*62701~N1*ST*Acme DC~IT1*1*2*EA*10.50**VP*SKU-1~PID*F****Widget~"
    "IT1*2*1*EA*4**VP*SKU-2~TDS*2500~SAC*C*D240***500~CTT*2~"
)


def test_a_well_formed_810_passes() -> None:
    assert check_transaction(transaction(GOOD_810), load_spec("x12", "004010", "810")) == []


def test_mandatory_segment_missing_is_ak304_3() -> None:
    body = GOOD_810.replace("TDS*2500~", "")
    problems = check_transaction(transaction(body), load_spec("x12", "004010", "810"))
    # SAC then belongs to the last IT1 loop (IT1/SAC), so the gap shows at CTT, segment 13
    assert found(problems) == [("TDS", "3", 13, None)]
    assert problems[0].problem is Problem.MANDATORY_SEGMENT_MISSING


def test_missing_first_segment_and_missing_at_the_end() -> None:
    spec = load_spec("x12", "004010", "810")
    problems = check_transaction(transaction("N1*BT*Acme~"), spec)
    assert found(problems) == [("BIG", "3", 2, None), ("TDS", "3", 3, None)]


def test_segment_out_of_order_is_ak304_7() -> None:
    body = GOOD_810.replace("CUR*SE*USD~REF*IA*123~", "REF*IA*123~CUR*SE*USD~")
    problems = check_transaction(transaction(body), load_spec("x12", "004010", "810"))
    assert found(problems) == [("CUR", "7", 4, None)]
    # the walk goes on from where it was: nothing after the misplaced segment is blamed


def test_segment_not_in_set_and_unrecognized() -> None:
    body = GOOD_810.replace("CUR*SE*USD~", "CUR*SE*USD~ZZ9*X~b@d*1~")
    problems = check_transaction(transaction(body), load_spec("x12", "004010", "810"))
    assert found(problems) == [("ZZ9", "6", 4, None), ("b@d", "1", 5, None)]


def test_unexpected_segment_from_another_loop_is_ak304_2() -> None:
    # LQ exists only inside the LM loop; here it stands on its own in the heading
    body = GOOD_810.replace("CUR*SE*USD~", "CUR*SE*USD~LQ*0*X~")
    problems = check_transaction(transaction(body), load_spec("x12", "004010", "810"))
    assert found(problems) == [("LQ", "2", 4, None)]


def test_max_use_exceeded_is_ak304_5() -> None:
    body = GOOD_810.replace("CUR*SE*USD~", "CUR*SE*USD~CUR*SE*EUR~")
    problems = check_transaction(transaction(body), load_spec("x12", "004010", "810"))
    assert found(problems) == [("CUR", "5", 4, None)]


def test_repeated_loops_within_their_maximum_pass() -> None:
    lines = "".join(f"AK2*810*{n:04d}~AK5*A~" for n in range(3))
    spec = load_spec("x12", "004010", "997")
    body = f"AK1*IN*1~{lines}AK9*A*3*3*3~"
    assert check_transaction(transaction(body, header="ST*997*1"), spec) == []


def test_loop_over_maximum_with_a_guide(tmp_path: Path) -> None:
    guide = tmp_path / "guide.toml"
    guide.write_text('structure = [{ seg = "N1", loop = "N1", repeat = 1 }]\n')
    spec = load_spec("x12", "004010", "810", guide=guide)
    problems = check_transaction(transaction(GOOD_810), spec)
    assert found(problems) == [("N1", "4", 8, None)]
    assert problems[0].loop == "N1"


def test_guide_making_a_segment_mandatory_inside_a_loop(tmp_path: Path) -> None:
    guide = tmp_path / "guide.toml"
    guide.write_text('structure = [{ seg = "REF", in = "N1", req = "M" }]\n')
    spec = load_spec("x12", "004010", "810", guide=guide)
    problems = check_transaction(transaction(GOOD_810), spec)
    # both N1 occurrences lack their REF: reported when each occurrence closes
    assert found(problems) == [("REF", "3", 8, None), ("REF", "3", 9, None)]


def test_mandatory_loop_missing_in_850() -> None:
    spec = load_spec("x12", "004010", "850")
    problems = check_transaction(
        transaction("BEG*00*SA*PO1**20240101~CTT*0~", header="ST*850*1"), spec
    )
    assert found(problems) == [("PO1", "3", 3, None)]


@pytest.mark.parametrize(
    ("big", "expected"),
    [
        ("BIG**INV-1", [("BIG", "1", 2, 1)]),
        ("BIG*2024011*INV-1", [("BIG", "4", 2, 1), ("BIG", "8", 2, 1)]),
        ("BIG*20240230*INV-1", [("BIG", "8", 2, 1)]),
        ("BIG*20240115*" + "X" * 23, [("BIG", "5", 2, 2)]),
        ("BIG*20240115*INV**2*3*4*5*6*7*8*9", [("BIG", "3", 2, 11)]),
    ],
)
def test_element_errors_carry_ak403_codes(big: str, expected: list[tuple]) -> None:
    body = GOOD_810.replace("BIG*20240115*INV-1001**PO-7", big)
    problems = check_transaction(transaction(body), load_spec("x12", "004010", "810"))
    assert found(problems) == expected
    assert all(not p.is_segment_level for p in problems)


def test_numeric_code_and_time_errors() -> None:
    spec = load_spec("x12", "004010", "810")
    body = GOOD_810.replace("TDS*2500", "TDS*25.00").replace("SAC*C", "SAC*Q")
    body = body.replace("N1*ST*Acme DC~", "N1*ST*Acme DC~DTM*011*20240115*2561~")
    problems = check_transaction(transaction(body), spec)
    assert found(problems) == [("DTM", "9", 9, 3), ("TDS", "6", 13, 1), ("SAC", "7", 14, 1)]
    assert problems[2].value == "Q"


def test_composite_component_missing_in_997() -> None:
    spec = load_spec("x12", "004010", "997")
    body = "AK1*IN*1~AK2*810*0001~AK3*N1*8**8~AK4*:3*98*7~AK5*R*5~AK9*R*1*1*0~"
    problems = check_transaction(transaction(body, header="ST*997*1"), spec)
    assert [(p.tag, p.code, p.element, p.component) for p in problems] == [("AK4", "1", 1, 1)]


def test_ta1_segment_check() -> None:
    spec = load_spec("x12", "004010", "810")
    good = Segment("TA1", ["000000001", "240115", "1200", "A", "000"], 1, 1, X12)
    assert check_segment(good, spec) == []
    bad = Segment("TA1", ["1", "240115", "2500", "Q", "000"], 1, 1, X12)
    assert [p.code for p in check_segment(bad, spec)] == ["4", "9", "7"]


GOOD_INVOIC = (
    "BGM+380+INV1+9'DTM+137:20240115:102'NAD+BY+5412345000013::9'NAD+SU+4012345500004::9'"
    "CUX+2:EUR:4'LIN+1++4000862141404:SRS'QTY+47:10'MOA+203:100.5'PRI+AAA:10.05'"
    "UNS+S'CNT+2:1'MOA+77:119.6'TAX+7+VAT+++:::19+S'MOA+124:19.1'"
)


def test_a_well_formed_invoic_passes() -> None:
    spec = load_spec("edifact", "D96A", "INVOIC")
    assert check_transaction(transaction(GOOD_INVOIC, EDIFACT, "UNH+1+INVOIC:D:96A:UN"), spec) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("DTM+137:20240115:102'", ""), [("DTM", "13", 2, None)]),
        (("QTY+47:10'", "QTY+47:1x'"), [("QTY", "37", 8, 1)]),
        (("QTY+47:10'", "QTY+47'"), [("QTY", "13", 8, 1)]),
        (("UNS+S'", "UNS+X'"), [("UNS", "12", 11, 1)]),
        (("CUX+2:EUR:4'", "CUX+2:EUR:4'BGM+380'"), [("BGM", "15", 7, None)]),
        (("NAD+BY+5412345000013::9'", "NAD+" + "B" * 4 + "'"), [("NAD", "39", 4, 1)]),
    ],
)
def test_invoic_problems_carry_contrl_codes(change: tuple[str, str], expected: list[tuple]) -> None:
    spec = load_spec("edifact", "D96A", "INVOIC")
    body = GOOD_INVOIC.replace(*change)
    problems = check_transaction(transaction(body, EDIFACT, "UNH+1+INVOIC:D:96A:UN"), spec)
    assert found(problems) == expected


def test_edifact_missing_segment_points_at_the_last_one_processed() -> None:
    spec = load_spec("edifact", "D96A", "INVOIC")
    body = GOOD_INVOIC.replace("UNS+S'", "")
    problems = check_transaction(transaction(body, EDIFACT, "UNH+1+INVOIC:D:96A:UN"), spec)
    # UNS was due before CNT (segment 11): the last segment processed before it is 10
    assert found(problems) == [("UNS", "13", 10, None)]


def test_group_repetition_over_maximum_is_36(tmp_path: Path) -> None:
    guide = tmp_path / "guide.toml"
    guide.write_text('structure = [{ seg = "NAD", loop = "SG2", repeat = 1 }]\n')
    spec = load_spec("edifact", "D96A", "INVOIC", guide=guide)
    problems = check_transaction(transaction(GOOD_INVOIC, EDIFACT, "UNH+1+INVOIC:D:96A:UN"), spec)
    assert found(problems) == [("NAD", "36", 5, None)]


D01B_INVOIC = "UNH+1+INVOIC:D:01B:UN:EAN011"


def test_a_well_formed_d01b_invoic_passes() -> None:
    spec = load_spec("edifact", "D01B", "INVOIC")
    body = GOOD_INVOIC.replace("'NAD+BY", "'LOC+91+DE'GIS+37'NAD+BY")  # heading LOC, GIS: D.01B
    assert check_transaction(transaction(body, EDIFACT, D01B_INVOIC), spec) == []
    d96a = load_spec("edifact", "D96A", "INVOIC")
    assert found(check_transaction(transaction(body, EDIFACT, D01B_INVOIC), d96a)) == [
        ("LOC", "15", 4, None),
        ("GIS", "15", 5, None),
    ]


@pytest.mark.parametrize(
    ("change", "d96a", "d01b"),
    [
        # 6060 quantity: n..15 in D.96A, an..35 in D.01B
        (("QTY+47:10'", "QTY+47:10x'"), [("QTY", "37", 8, 1)], []),
        (("QTY+47:10'", "QTY+47:" + "9" * 36 + "'"), [("QTY", "39", 8, 1)], [("QTY", "39", 8, 1)]),
        # 1154 reference: an..35 in D.96A, an..70 in D.01B
        (
            ("DTM+137:20240115:102'", "DTM+137:20240115:102'RFF+ON:" + "R" * 36 + "'"),
            [("RFF", "39", 4, 1)],
            [],
        ),
        (
            ("DTM+137:20240115:102'", "DTM+137:20240115:102'RFF+ON:" + "R" * 71 + "'"),
            [("RFF", "39", 4, 1)],
            [("RFF", "39", 4, 1)],
        ),
        # 5004 amount: n..18 in D.96A, n..35 in D.01B
        (("MOA+203:100.5'", "MOA+203:" + "1" * 20 + "'"), [("MOA", "39", 9, 1)], []),
    ],
)
def test_d01b_element_lengths_and_types_follow_its_directory(
    change: tuple[str, str], d96a: list[tuple], d01b: list[tuple]
) -> None:
    body = GOOD_INVOIC.replace(*change)
    message = transaction(body, EDIFACT, D01B_INVOIC)
    assert found(check_transaction(message, load_spec("edifact", "D96A", "INVOIC"))) == d96a
    assert found(check_transaction(message, load_spec("edifact", "D01B", "INVOIC"))) == d01b


GOOD_REMADV = (
    "BGM+481+RA1'DTM+137:20240601:102'NAD+PE+5412345000013::9'RFF+VA:BE123'"
    "CUX+2:EUR:11'DOC+380+INV1'MOA+12:100'AJT+1'MOA+8:-2'QTY+47:1'TAX+7+VAT'MOA+124:1'"
    "DLI+1+1'MOA+203:98'UNS+S'MOA+12:98'ALC+A'MOA+8:2'"
)
D01B_REMADV = "UNH+1+REMADV:D:01B:UN"


def test_a_well_formed_d01b_remadv_passes() -> None:
    spec = load_spec("edifact", "D01B", "REMADV")
    assert check_transaction(transaction(GOOD_REMADV, EDIFACT, D01B_REMADV), spec) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # the remitted document group needs its amount
        (("DOC+380+INV1'MOA+12:100'", "DOC+380+INV1'"), [("MOA", "13", 7, None)]),
        # the summary amount is mandatory
        (("UNS+S'MOA+12:98'", "UNS+S'"), [("MOA", "13", 16, None)]),
        # DLI needs its line number (1082)
        (("DLI+1+1'", "DLI+1'"), [("DLI", "13", 14, 2)]),
        # QTY in the adjustment group is D.01B; after TAX it is out of order
        (("QTY+47:1'TAX+7+VAT'", "TAX+7+VAT'QTY+47:1'"), [("QTY", "15", 12, None)]),
    ],
)
def test_d01b_remadv_problems(change: tuple[str, str], expected: list[tuple]) -> None:
    spec = load_spec("edifact", "D01B", "REMADV")
    body = GOOD_REMADV.replace(*change)
    assert found(check_transaction(transaction(body, EDIFACT, D01B_REMADV), spec)) == expected


def test_d01b_orders_summary_allowance_needs_its_amount() -> None:
    spec = load_spec("edifact", "D01B", "ORDERS")
    body = "BGM+220+PO1+9'DTM+137:20240601:102'PAT+1'MOA+9:10'GIR+3+X'LIN+1'QTY+21:2'UNS+S'"
    header = "UNH+1+ORDERS:D:01B:UN"
    assert check_transaction(transaction(body, EDIFACT, header), spec) == []
    problems = check_transaction(transaction(body + "ALC+A'", EDIFACT, header), spec)
    assert found(problems) == [("MOA", "13", 10, None)]


CONTRL_4 = "UNH+1+CONTRL:4:1:UN"


@pytest.mark.parametrize(
    ("body", "syntax3", "syntax4"),
    [
        # a UCM answering a package leaves out 0062 and S009: only syntax 4 allows that
        (
            "UCI+77+B:14+S:14+7'UCM+++4+23'",
            [("UCM", "13", 3, 1), ("UCM", "13", 3, 2)],
            [],
        ),
        # UCI with its security reference and position: nine elements in syntax 4
        ("UCI+77+B:14+S:14+4+25+UNB+5+SEC1+3'", [("UCI", "16", 2, 8)], []),
        ("UCI+77+B:14+S:14+4+25+UNB+5+SEC1+3+X'", [("UCI", "16", 2, 8)], [("UCI", "16", 2, 10)]),
        # S011 names the repetition (0136): numeric, up to 6 digits
        (
            "UCI+77+B:14+S:14+7'UCM+1+INVOIC:D:96A:UN+4'UCS+2+13'UCD+12+1:1:1234567'",
            [],
            [("UCD", "39", 5, 2)],
        ),
        ("UCI+77+B:14+S:14+9'", [("UCI", "12", 2, 4)], [("UCI", "12", 2, 4)]),
    ],
)
def test_syntax_4_contrl_against_its_own_table(
    body: str, syntax3: list[tuple], syntax4: list[tuple]
) -> None:
    message = transaction(body, EDIFACT, CONTRL_4)
    assert found(check_transaction(message, load_spec("edifact", "D3", "CONTRL"))) == syntax3
    assert found(check_transaction(message, load_spec("edifact", "41", "CONTRL"))) == syntax4


@pytest.mark.parametrize("syntax", ["3", "4"])
def test_the_contrl_we_send_passes_the_table_of_its_version(syntax: str) -> None:
    inbound = (
        f"UNB+UNOC:{syntax}+SELLER:14+BUYER:14+260301:1200+77++++1'UNH+1+INVOIC:D:96A:UN'"
        "BGM+380+1'UNT+3+1'UNH+2+INVOIC:D:96A:UN'BGM+380+2'DTM+137:20260301:102'UNS+S'"
        "MOA+77:10'UNT+6+2'"
        "UNZ+2+77'"
    ).encode()
    [interchange] = edifact.read_interchanges(inbound, "inbound.edi")
    invoic = load_spec("edifact", "D96A", "INVOIC")
    judgment = judge(interchange, lambda message: check_transaction(message, invoic))
    code, segments = contrl(judgment)
    written = edifact.write_interchange(
        contrl_reply_envelope(interchange),
        [edifact.OutgoingMessage(code, segments)],
        interchange_control=9,
        first_message_ref=1,
        moment=datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC),
    ).data
    [reply] = edifact.read_interchanges(written, "contrl.edi")
    [message] = reply.transactions
    version = message.header.value(2, 2) + message.header.value(2, 3)
    assert version == ("D3" if syntax == "3" else "41")
    assert [s.tag for s in message.segments] == ["UCI", "UCM", "UCS", "UCM"]
    assert check_transaction(message, load_spec("edifact", version, "CONTRL")) == []


def test_ctx_is_not_part_of_the_005010_997() -> None:
    # 005010 added CTX to the 999's IK3/IK4 loops, not to the 997: stupidedi's and bots'
    # 005010 997 tables and the 997 Microsoft validates for 5010 have AK3 and AK4 only
    body = "AK1*IN*1*005010~AK2*810*0001~AK3*N1*8**8~CTX*SITUATIONAL TRIGGER*N1*8~AK4*1**1~"
    body += "AK5*R*5~AK9*R*1*1*0~"
    problems = check_transaction(
        transaction(body, header="ST*997*1"), load_spec("x12", "005010", "997")
    )
    assert found(problems) == [("CTX", "6", 5, None)]
    ik = body.replace("AK3", "IK3").replace("AK4", "IK4").replace("AK5", "IK5")
    assert (
        check_transaction(transaction(ik, header="ST*999*1"), load_spec("x12", "005010", "999"))
        == []
    )


def test_checking_ten_thousand_sets_is_cheap() -> None:
    spec = load_spec("x12", "004010", "810")
    sets = [transaction(GOOD_810) for _ in range(10_000)]
    assert all(check_transaction(t, spec) == [] for t in sets)


# --- real samples (read by the project's readers) ---------------------------------------------


def _require_samples() -> None:
    if not SAMPLES.is_dir():
        pytest.skip(
            f"EDI samples not found at {SAMPLES.resolve()} (the ../shared/edi-samples folder)"
        )


def _spec_for(standard: str, version: str, code: str) -> Spec | None:
    shipped = {(s, v, c) for s, v, c in available_specs()}
    return load_spec(standard, version, code) if (standard, version, code) in shipped else None


def _sample_findings(folder: str) -> dict[str, list[tuple[str, list[tuple[str, str]]]]]:
    """Per file: each checked set's control number and its (tag, code) findings."""
    results: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {}
    for path in sorted(p for p in (SAMPLES / folder).iterdir() if p.is_file()):
        if folder.startswith("x12"):
            try:
                interchanges = x12.read_interchanges(path.read_bytes(), file=path.name)
            except EdiSyntaxError:
                continue  # rejected by the reader: the envelope checks' business, not ours
            pairs = []
            for interchange in interchanges:
                for group in interchange.groups:
                    declared = group.header.value(8) if group.header else ""
                    version = "005010" if declared[:6] >= "005010" else "004010"
                    pairs += [(t, _spec_for("x12", version, t.code)) for t in group.transactions]
        else:
            try:
                interchanges = edifact.read_interchanges(path.read_bytes(), file=path.name)
            except EdiSyntaxError:
                continue
            pairs = []
            for interchange in interchanges:
                for t in interchange.transactions:
                    version = t.header.value(2, 2) + t.header.value(2, 3)
                    pairs.append((t, _spec_for("edifact", version, t.code)))
        checked = [
            (t.control_number, [(p.tag, p.code) for p in check_transaction(t, spec)])
            for t, spec in pairs
            if spec is not None
        ]
        if checked:
            results[f"{folder}/{path.name}"] = checked
    return results


# What the samples that do not follow the standard table break, and why. Every other set in
# the sample folders (of a version we ship) passes with no finding.
EXPECTED_FINDINGS: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {
    # 00204 test data: CUR01 carries a free-text "TEST SPACE" (max 3)
    "x12-810/EdiWeave__X12_810_00204_RepetitionSeparator.txt": [("166061414", [("CUR", "5")])],
    # negative sample: an N1 with a seventh element, an empty NTE02 and an unknown NT1 segment
    "x12-810/invalid/EdiWeave__X12_810_00204_MultipleInvalidMessages.txt": [
        ("166061414", [("N1", "3")]),
        ("166061414", []),
        ("166061414", [("NTE", "1"), ("NT1", "6")]),
        ("166061414", []),
        ("166061414", []),
    ],
    # 004030 VICS adds MTX, which 004010 does not have
    "x12-850/bots-plugins__850-004030VICS-01.x12": [("00121001", [("MTX", "2")] * 5)],
    # a trimmed 850 without its mandatory PO1 loop
    "x12-850/vscode-edi-support__850-lineBreak.x12": [("0001", [("PO1", "3")])],
    # an 810 body sent under ST*820 (00204 test data)
    "x12-820/EdiWeave__X12_820_00204.txt": [
        (
            "166061414",
            [
                ("BIG", "6"),
                ("BPR", "3"),
                ("ITD", "6"),
                ("IT1", "2"),
                ("PID", "2"),
                ("TXI", "2"),
                ("TDS", "6"),
                ("CTT", "6"),
            ],
        )
    ],
    # 003010 RA820 (BPS/RMT era) read against the 004010 table
    "x12-820/stupidedi__1.edi": [
        ("0001", [("BPS", "6"), ("BPR", "3"), ("DTM", "4"), ("LS", "6"), ("LE", "6"), ("RMT", "6")])
    ],
    # the retailer (Safeway-style) guides put REF/DTM straight under ENT, where 004010 has none
    "x12-820/bots-plugins__820-004010-01.x12": [("00106001", [("REF", "7"), ("DTM", "7")])],
    "x12-820/bots-plugins__820-004010UCS-01.x12": [("00106001", [("REF", "7"), ("DTM", "7")])],
    "x12-820/bots-plugins__820-004030VICS-01.x12": [("00106001", [("REF", "7"), ("DTM", "7")])],
    "x12-820/bots-plugins__820-004030-03.x12": [
        ("017001511", [("REF", "7")]),
        ("017001512", [("REF", "7")]),
    ],
    # a 997 with no AK1 and no AK9 at all
    "x12-997/staedi__empty997.edi": [("0001", [("AK1", "3"), ("AK9", "3")])],
    # AK3 elements stuffed with labels ("AK302-R1") to test extra delimiters
    "x12-997/staedi__extraDelimiter997.edi": [("0001", [("AK3", "6"), ("AK3", "5"), ("AK3", "7")])],
    # negative samples: bad codes, lengths and types in the acknowledgment segments
    "x12-997/invalid/staedi__invalid997.edi": [
        ("0001", [("AK1", "5"), ("AK4", "5"), ("AK4", "6")])
    ],
    "x12-999/invalid/staedi__invalid999.edi": [
        ("2870001", [("IK5", "2"), ("AK1", "5"), ("AK2", "3"), ("IK5", "7"), ("IK5", "5")])
    ],
    # an 003010 850 sent in a 004010 group: BEG05 has the 6-digit date of 003010
    "x12-mixed/staedi__invoice810_po850_dual.edi": [
        ("000000001", []),
        ("000000002", []),
        ("000191240", [("BEG", "4")]),
    ],
    # EANCOM D.01B order using four-letter units ("GBND", "PACK") where 6411 is an..3
    "edifact-ORDERS/edifact__example_order_ok.edi": [("2019265563", [("QTY", "39")])],
    # generated D.01B order with every segment filled with lorem ipsum: UNS carries "Z"
    "edifact-ORDERS/edireader__ORDERS-D01B-UNOE.edi": [("000001", [("UNS", "12")])],
    # syntax-4 demo ORDERS with only BGM, no DTM, no UNS
    "edifact-ORDERS/vscode-edi-support__syntaxVersion4.edifact": [("1", [("DTM", "13")])],
    "edifact-mixed/vscode-edi-support__EDIFACT-interchanges.edifact": [
        ("001", [("DTM", "13"), ("UNS", "13")]),
        ("003", [("DTM", "13"), ("UNS", "13")]),
    ],
    # generated CONTRL with "X" placeholders where numbers belong
    "edifact-CONTRL/edifact_mapper__contrl.edi": [
        ("GENERATED00001", [("UCS", "37")] * 2 + [("UCD", "37")] * 2)
    ],
}


@pytest.mark.parametrize(
    "folder",
    [
        "x12-810",
        "x12-810/invalid",
        "x12-850",
        "x12-820",
        "x12-997",
        "x12-997/invalid",
        "x12-999",
        "x12-999/invalid",
        "x12-mixed",
        "edifact-INVOIC",
        "edifact-INVOIC/invalid",
        "edifact-ORDERS",
        "edifact-REMADV",
        "edifact-CONTRL",
        "edifact-mixed",
    ],
)
def test_real_samples_pass_or_fail_as_explained(folder: str) -> None:
    _require_samples()
    for name, sets in _sample_findings(folder).items():
        expected = EXPECTED_FINDINGS.get(name)
        if expected is None:
            assert all(not findings for _, findings in sets), (name, sets)
            continue
        assert [(c, sorted(set(f))) for c, f in sets] == [
            (c, sorted(set(f))) for c, f in expected
        ], name


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("edifact-INVOIC", "EdiWeave__Eancom_INVOIC_D01BEAN3.txt"),
        ("edifact-INVOIC", "EDIFACT.NET__Invoice.txt"),
        ("edifact-ORDERS", "edifact__example_order_ok.edi"),
        ("edifact-ORDERS", "edireader__ORDERS-D01B-UNOE.edi"),
        ("edifact-CONTRL", "EDIFACT.NET__CONTRL.txt"),
    ],
)
def test_d01b_and_syntax_4_samples_are_checked_not_skipped(folder: str, name: str) -> None:
    _require_samples()
    checked = _sample_findings(folder)
    assert f"{folder}/{name}" in checked
