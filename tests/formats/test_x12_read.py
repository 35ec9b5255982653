"""The X12 reader on hand-made interchanges: every layout issue 5 lists, each envelope fault as
a problem with its 997/TA1 code, and unreadable input refused with where it went wrong."""

from __future__ import annotations

import pytest

from connector.formats.edi import EdiSyntaxError, Interchange
from connector.formats.x12 import read_interchanges

ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    "*240601*1200*U*00401*000000001*0*P*>~"
)
BODY = (
    "GS*IN*SENDER*RECEIVER*20240601*1200*1*X*004010~"
    "ST*810*0001~BIG*20240601*INV-1~TDS*1000~SE*4*0001~"
    "GE*1*1~IEA*1*000000001~"
)


def read_one(text: str | bytes) -> Interchange:
    data = text.encode() if isinstance(text, str) else text
    (interchange,) = read_interchanges(data, "test.x12")
    return interchange


def codes(interchange: Interchange) -> dict[str, list[str]]:
    return {
        "interchange": [p.code for p in interchange.problems],
        "groups": [p.code for g in interchange.groups for p in g.problems],
        "sets": [p.code for t in interchange.transactions for p in t.problems],
    }


CLEAN = {"interchange": [], "groups": [], "sets": []}


def test_a_plain_interchange_nests_groups_and_sets() -> None:
    interchange = read_one(ISA + BODY)
    assert interchange.standard == "x12"
    assert interchange.header.raw(6) == "SENDER         "
    assert interchange.header.raw(16) == ">"
    (group,) = interchange.groups
    assert group.header is not None and group.header.value(6) == "1"
    (transaction,) = group.transactions
    assert transaction.code == "810" and transaction.control_number == "0001"
    assert [s.tag for s in transaction.segments] == ["BIG", "TDS"]
    assert transaction.trailer is not None and interchange.trailer is not None
    assert codes(interchange) == CLEAN
    delimiters = interchange.delimiters
    assert (delimiters.segment, delimiters.element, delimiters.component) == ("~", "*", ">")
    assert delimiters.repetition is None  # 00401: ISA11 is the standards id "U"


def test_segments_are_numbered_through_the_file() -> None:
    interchange = read_one(ISA + BODY)
    transaction = interchange.transactions[0]
    assert interchange.header.number == 1
    assert transaction.header.number == 3
    big = transaction.segments[0]
    assert big.number - transaction.header.number + 1 == 2  # its AK3 position


@pytest.mark.parametrize(
    "layout",
    [
        pytest.param(lambda t: "\ufeff" + t, id="BOM"),
        pytest.param(lambda t: t.replace("~", "~\r\n"), id="tilde-CRLF"),
        pytest.param(lambda t: t.replace("~", "~\n\t  "), id="pretty-printed"),
        pytest.param(lambda t: t.replace("~", "\n"), id="newline-terminator"),
        pytest.param(lambda t: t.replace("~", "\r"), id="CR-terminator"),
        pytest.param(lambda t: t.replace("~", "\x15\r\n"), id="0x15-CRLF"),
        pytest.param(lambda t: t.replace("*", "|").replace(">", "`"), id="bar-separator"),
        pytest.param(lambda t: t + "\x1a", id="DOS-EOF-mark"),
        pytest.param(
            lambda t: t.replace("*          *", "* *").replace("SENDER         ", "SENDER"),
            id="squeezed-ISA",
        ),
    ],
)
def test_layouts_real_files_use(layout) -> None:
    interchange = read_one(layout(ISA + BODY))
    assert codes(interchange) == CLEAN
    assert [s.tag for s in interchange.transactions[0].segments] == ["BIG", "TDS"]
    assert interchange.transactions[0].segments[0].value(2) == "INV-1"


def test_line_numbers_follow_the_file() -> None:
    text = (ISA + BODY).replace("~", "~\r\n")
    transaction = read_one(text).transactions[0]
    assert transaction.header.line == 3
    assert [s.line for s in transaction.segments] == [4, 5]
    single_line = read_one(ISA + BODY).transactions[0]
    assert {s.line for s in single_line.segments} == {1}
    newline_terminated = read_one((ISA + BODY).replace("~", "\n")).transactions[0]
    assert [s.line for s in newline_terminated.segments] == [4, 5]


def test_repetition_separator_from_00402_and_punctuation_in_older_isa11() -> None:
    text = (ISA + BODY).replace("*U*00401*", "*^*00501*").replace("INV-1", "A^B")
    big = read_one(text).transactions[0].segments[0]
    assert big.delimiters.repetition == "^"
    assert big.value(2, repeat=2) == "B"
    older = read_one((ISA + BODY).replace("*U*00401*", "*!*00204*"))
    assert older.delimiters.repetition == "!"


def test_several_interchanges_each_with_its_own_delimiters() -> None:
    second = (ISA + BODY).replace("*", "|").replace("~", "'").replace("000000001", "000000002")
    interchanges = read_interchanges(((ISA + BODY) + "\n" + second).encode())
    assert [i.delimiters.element for i in interchanges] == ["*", "|"]
    assert [i.header.raw(13) for i in interchanges] == ["000000001", "000000002"]
    assert all(codes(i) == CLEAN for i in interchanges)
    assert interchanges[1].header.number == 9  # eight segments in the first


def test_several_groups_in_one_interchange() -> None:
    group_two = BODY.split("IEA")[0].replace("*1*X", "*2*X").replace("GE*1*1", "GE*1*2")
    text = ISA + BODY.split("IEA")[0] + group_two + "IEA*2*000000001~"
    interchange = read_one(text)
    assert [g.header.value(6) for g in interchange.groups if g.header] == ["1", "2"]
    assert codes(interchange) == CLEAN


@pytest.mark.parametrize("codec", ["cp037", "cp500"])
def test_ebcdic_interchanges(codec: str) -> None:
    text = (ISA + BODY).replace("*U*00401*", "*^*00501*").replace("~", "\x85")
    interchange = read_one(text.encode(codec))
    assert interchange.delimiters.repetition == "^"
    assert interchange.delimiters.segment == "\x85"
    assert interchange.transactions[0].segments[0].value(2) == "INV-1"


def test_ta1_sits_in_the_interchange_outside_any_group() -> None:
    text = ISA + "TA1*000000007*240601*1200*A*000~IEA*0*000000001~"
    interchange = read_one(text)
    assert [s.tag for s in interchange.service_segments] == ["TA1"]
    assert interchange.groups == []
    assert codes(interchange) == CLEAN


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("SE*4*0001", "SE*5*0001"), {"sets": ["4"]}),
        (("SE*4*0001", "SE*4*0002"), {"sets": ["3"]}),
        (("SE*4*0001~", ""), {"sets": ["2"]}),
        (("ST*810*0001", "ST*810*"), {"sets": ["7", "3"]}),
        (("ST*810*0001", "ST**0001"), {"sets": ["6"]}),
        (("GE*1*1", "GE*2*1"), {"groups": ["5"]}),
        (("GE*1*1", "GE*1*9"), {"groups": ["4"]}),
        (("GE*1*1~", ""), {"groups": ["3"]}),
        (("*1*X*004010", "*A*X*004010"), {"groups": ["6", "4"]}),
        (("IEA*1*", "IEA*3*"), {"interchange": ["021"]}),
        (("IEA*1*000000001", "IEA*1*000000002"), {"interchange": ["001"]}),
        (("IEA*1*000000001~", ""), {"interchange": ["023"]}),
        (("*000000001*0*P", "*00000000A*0*P"), {"interchange": ["018", "001"]}),
        (("*000000001*0*P", "*000000001*2*P"), {"interchange": ["019"]}),
        (("*000000001*0*P", "*000000001*0*X"), {"interchange": ["020"]}),
        (("GE*1*1~", "GE*1*1~NTE*ZZ*stray~"), {"interchange": ["022"]}),
        (("SE*4*0001~GE", "SE*4*0001~SE*4*0001~GE"), {"interchange": ["022"]}),
        (
            ("GS*IN*SENDER*RECEIVER*20240601*1200*1*X*004010~", ""),
            {"interchange": ["024", "022", "021"]},
        ),
    ],
)
def test_envelope_faults_carry_their_acknowledgment_codes(change, expected) -> None:
    old, new = change
    assert old in ISA + BODY
    interchange = read_one((ISA + BODY).replace(old, new))
    assert codes(interchange) == CLEAN | expected


def test_problems_say_what_and_where() -> None:
    interchange = read_one((ISA + BODY).replace("SE*4*0001", "SE*5*0001").replace("~", "~\n"))
    (problem,) = interchange.transactions[0].problems
    assert problem.message == "SE01 of transaction set 0001 says '5' segments, the set has 4"
    assert problem.segment is not None and problem.segment.line == 6


def test_a_set_without_se_ends_where_the_next_set_starts() -> None:
    text = (ISA + BODY).replace("SE*4*0001~", "ST*810*0002~BIG*1*2~SE*3*0002~")
    interchange = read_one(text.replace("GE*1*1", "GE*2*1"))
    first, second = interchange.transactions
    assert [p.code for p in first.problems] == ["2"]
    assert "ends at ST on line 1" in first.problems[0].message
    assert [s.tag for s in first.segments] == ["BIG", "TDS"]
    assert second.problems == []


def test_an_interchange_cut_short_before_the_next_isa() -> None:
    cut = (ISA + BODY).replace("IEA*1*000000001~", "")
    interchanges = read_interchanges((cut + ISA + BODY).encode())
    assert [codes(i)["interchange"] for i in interchanges] == [["023"], []]
    assert len(interchanges[0].transactions) == 1


@pytest.mark.parametrize(
    ("data", "complaint"),
    [
        (b"", "holds no interchange"),
        (b" \r\n ", "holds no interchange"),
        (b"UNB+UNOA:1+X+Y'", "expected an ISA interchange header"),
        (b"\x00\x01garbage", "expected an ISA interchange header"),
        (ISA[:60].encode(), "cut short"),
        (b"ISA", "cannot be an element separator"),
        (b"ISA1" + ISA[4:].encode(), "cannot be an element separator"),
        (ISA.replace("*U*", "*U*X*").encode() + BODY.encode(), "ISA12 is 'X'"),
        (ISA.replace("*0*P*", "*0*P*X*").encode() + BODY.encode(), "cannot be a segment"),
        ((ISA + BODY + "1r\n").encode(), "line 1: expected an ISA interchange header"),
        (ISA.replace("*U*", "~U*").encode(), "cut short: 15 of 16 elements"),
        ((ISA + BODY).replace("*U*", "*U~*").encode(), "ISA11 holds the segment terminator"),
        (("ISA*00*          *00*" + "¢" * 200).encode("cp037"), "cut short"),
    ],
)
def test_unreadable_input_is_refused_with_where_and_what(data: bytes, complaint: str) -> None:
    with pytest.raises(EdiSyntaxError, match=complaint) as raised:
        read_interchanges(data, "in.x12")
    assert raised.value.file == "in.x12"
    assert raised.value.hint


def test_a_read_leaves_its_segments_in_the_oldest_generation_unscanned() -> None:
    """The collector is back on after a read without a pending young collection that would
    scan every segment just made."""
    import gc

    assert gc.isenabled()
    interchange = read_one(ISA + BODY)
    assert gc.isenabled()
    assert gc.get_count()[0] < 50  # the young count was reset, not left at the read's total
    segment = interchange.transactions[0].segments[0]
    assert any(obj is segment for obj in gc.get_objects(generation=2))


def test_a_read_leaves_objects_frozen_by_someone_else_frozen() -> None:
    import gc

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        read_one(ISA + BODY)
        assert gc.get_freeze_count() == frozen
        assert gc.isenabled()
    finally:
        gc.unfreeze()


@pytest.mark.parametrize(
    ("text", "elements"),
    [
        pytest.param(BODY.replace("TDS*1000~", "TDS~"), [], id="tag-alone"),
        pytest.param(BODY.replace("TDS*1000~", "TDS*~"), [""], id="one-empty-element"),
        pytest.param(BODY.replace("TDS*1000~", "TDS*1000~~\r\n~"), ["1000"], id="empty-segments"),
    ],
)
def test_segments_without_elements_and_empty_segments(text: str, elements: list[str]) -> None:
    transaction = read_one(ISA + text).transactions[0]
    assert [s.tag for s in transaction.segments] == ["BIG", "TDS"]
    assert transaction.segments[1].elements == elements


def test_line_numbers_count_breaks_inside_segments_too() -> None:
    text = (ISA + BODY.replace("INV-1", "INV\n-1")).replace("~", "~\r\n")
    transaction = read_one(text).transactions[0]
    assert [s.line for s in transaction.segments] == [4, 6]
    assert transaction.trailer is not None and transaction.trailer.line == 7
