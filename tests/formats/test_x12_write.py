"""The X12 writer: a fixed-width ISA, padded control numbers, counts that add up, data that
never carries a delimiter; read back by our reader, and accepted by ansi-x12 and mock-edi."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.formats.edi import Delimiters
from connector.formats.x12 import (
    OutgoingSegment,
    X12Envelope,
    X12EnvelopeError,
    X12WriteError,
    read_interchanges,
    write_interchange,
)

MOMENT = datetime(2024, 6, 1, 9, 5)
ENVELOPE = X12Envelope(
    sender_qualifier="ZZ",
    sender_id="SELLERCO",
    receiver_qualifier="01",
    receiver_id="123456789",
    functional_id="IN",
    application_sender="SELLERCO",
    application_receiver="BUYER",
)


def invoice(number: str, lines: int = 2) -> list[OutgoingSegment]:
    segments: list[OutgoingSegment] = [
        ("BIG", ["20240601", number, "", "PO-77"]),
        ("N1", ["BT", "Acme Corp", "92", "C-1"]),
    ]
    for line in range(1, lines + 1):
        segments.append(("IT1", [str(line), "2", "EA", "19.99", "", "VP", f"SKU{line}"]))
        segments.append(("PID", ["F", "", "", "", f"Widget {line}"]))
    segments.append(("TDS", [str(3998 * lines)]))
    segments.append(("CTT", [str(lines)]))
    return segments


def write(envelope: X12Envelope = ENVELOPE, sets=None, **controls: int):
    numbers = {"interchange_control": 42, "group_control": 7, "first_set_control": 1}
    numbers.update(controls)
    return write_interchange(
        envelope,
        sets if sets is not None else [("810", invoice("INV-1")), ("810", invoice("INV-2", 3))],
        moment=MOMENT,
        **numbers,
    )


def test_the_isa_is_fixed_width_with_padded_control_numbers() -> None:
    written = write()
    text = written.data.decode()
    isa = text[: text.index("~")]
    assert len(isa) == 105  # 106 with its terminator
    assert isa == (
        "ISA*00*          *00*          *ZZ*SELLERCO       *01*123456789      "
        "*240601*0905*U*00401*000000042*0*P*>"
    )
    assert written.interchange_control == "000000042"
    assert written.group_control == "7"
    assert written.set_controls == ("0001", "0002")
    assert "GS*IN*SELLERCO*BUYER*20240601*0905*7*X*004010~" in text
    assert "ST*810*0001~" in text and "ST*810*0002~" in text


def test_trailers_count_what_was_written() -> None:
    text = write().data.decode()
    assert "SE*10*0001~" in text  # ST + BIG N1 + 2x(IT1 PID) + TDS CTT + SE
    assert "SE*12*0002~" in text
    assert text.endswith("GE*2*7~IEA*1*000000042~")


def test_round_trip_gives_back_every_value() -> None:
    sets = [("810", invoice("INV-1")), ("810", invoice("INV-2", 3))]
    (interchange,) = read_interchanges(write(sets=sets).data)
    assert not interchange.problems
    (group,) = interchange.groups
    assert not group.problems
    assert group.header is not None and group.header.value(1) == "IN"
    for (code, segments), transaction in zip(sets, group.transactions, strict=True):
        assert transaction.code == code and not transaction.problems
        read = [(s.tag, s.elements) for s in transaction.segments]
        assert read == [(tag, list(elements)) for tag, elements in segments]


def test_trailing_empty_elements_and_components_are_trimmed() -> None:
    sets = [("810", [("BIG", ["20240601", "INV-1", "", "", ""]), ("MEA", ["", ["A", "", ""], ""])])]
    text = write(sets=sets).data.decode()
    assert "~BIG*20240601*INV-1~" in text
    assert "~MEA**A~" in text


def test_composites_and_repetitions_are_written_with_their_separators() -> None:
    envelope = replace(ENVELOPE, version="00501", release="005010")
    sets = [("810", [("BIG", ["20240601", "INV-1"]), ("REF", ["ZZ", "X", ["A", "B"]])])]
    written = write(envelope, sets=sets)
    text = written.data.decode()
    assert "*^*00501*" in text  # ISA11 carries the repetition separator from 00402 on
    assert "~REF*ZZ*X*A>B~" in text
    (interchange,) = read_interchanges(written.data)
    ref = interchange.transactions[0].segments[1]
    assert ref.value(3, 2) == "B"


def test_delimiters_in_data_are_replaced_and_reported() -> None:
    sets = [
        ("810", [("BIG", ["20240601", "INV*1~2"]), ("N1", ["BT", ["Acme>Co", "x^y"]])]),
    ]
    envelope = replace(ENVELOPE, version="00501", release="005010")
    written = write(envelope, sets=sets)
    (interchange,) = read_interchanges(written.data)
    big, n1 = interchange.transactions[0].segments
    assert big.elements == ["20240601", "INV 1 2"]
    assert n1.value(2, 1) == "Acme Co" and n1.value(2, 2) == "x y"
    assert [(w.tag, w.element, w.component, w.characters) for w in written.warnings] == [
        ("BIG", 2, None, "~*"),
        ("N1", 2, 1, ">"),
        ("N1", 2, 2, "^"),
    ]
    assert str(written.warnings[0]) == (
        "transaction set 0001, segment 2 (BIG02): delimiter '~*' replaced by ' '"
    )


def test_line_breaks_after_segments_and_other_delimiters() -> None:
    delimiters = Delimiters(segment="'", element="|", component=":", repetition=None)
    envelope = replace(ENVELOPE, delimiters=delimiters, line_break_after_segment=True)
    written = write(envelope)
    assert written.data.decode().startswith("ISA|00|")
    assert b"'\nGS|IN|" in written.data
    (interchange,) = read_interchanges(written.data)
    assert interchange.delimiters == delimiters
    assert [s.line for s in interchange.transactions[0].segments[:2]] == [4, 5]


def test_ebcdic_output_reads_back() -> None:
    written = write(replace(ENVELOPE, encoding="cp037"))
    assert written.data.startswith("ISA".encode("cp037"))
    (interchange,) = read_interchanges(written.data)
    assert interchange.transactions[1].segments[0].value(2) == "INV-2"


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"sender_id": "A" * 16}, "sender id (ISA06)"),
        ({"sender_qualifier": "Z"}, "sender qualifier (ISA05)"),
        ({"receiver_id": "BUY*ER"}, "receiver id (ISA08)"),
        ({"version": "4010"}, "version (ISA12)"),
        ({"version": "0040A"}, "must be 5 digits"),
        ({"functional_id": "INV"}, "functional id (GS01)"),
        ({"usage": "X"}, "usage indicator"),
        ({"delimiters": Delimiters(segment="~", element="~", component=">")}, "distinct"),
        ({"delimiters": Delimiters(segment="~", element="A", component=">")}, "letters"),
    ],
)
def test_envelope_settings_no_partner_could_read_are_refused(change: dict, complaint: str) -> None:
    with pytest.raises(X12EnvelopeError, match=re.escape(complaint)):
        write(replace(ENVELOPE, **change))


@pytest.mark.parametrize(
    ("controls", "name"),
    [
        ({"interchange_control": 0}, "interchange control"),
        ({"interchange_control": 1_000_000_000}, "interchange control"),
        ({"group_control": -1}, "group control"),
        ({"first_set_control": 999_999_999}, "last set control"),
    ],
)
def test_control_numbers_outside_their_fields_are_refused(controls: dict, name: str) -> None:
    with pytest.raises(X12EnvelopeError, match=name):
        write(**controls)


@pytest.mark.parametrize(
    ("sets", "complaint"),
    [
        ([("81", invoice("I"))], "not an X12 transaction set code"),
        ([("810", [("SE", ["1", "0001"])])], "'SE' is not a segment tag"),
        ([("810", [("big", ["1"])])], "'big' is not a segment tag"),
        ([("810", [("BIG", ["Café ☕"])])], "cannot encode"),
    ],
)
def test_segments_that_cannot_be_written_are_refused(sets: list, complaint: str) -> None:
    envelope = replace(ENVELOPE, encoding="latin-1")
    with pytest.raises(X12WriteError, match=re.escape(complaint)):
        write(envelope, sets=sets)


def test_an_empty_interchange_has_a_group_with_no_sets() -> None:
    written = write(sets=[])
    assert written.set_controls == ()
    assert written.data.decode().endswith("~GE*0*7~IEA*1*000000042~")


# Any text a FreshBooks field could hold (no surrogates: they cannot be encoded at all).
ELEMENT_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)


@settings(max_examples=150, deadline=None)
@given(
    elements=st.lists(ELEMENT_TEXT, min_size=1, max_size=6),
    components=st.lists(ELEMENT_TEXT, min_size=1, max_size=3),
)
def test_any_text_survives_a_write_and_a_read(elements: list[str], components: list[str]) -> None:
    envelope = replace(ENVELOPE, version="00501", release="005010")
    delimiters = envelope.resolved_delimiters()
    marks = {delimiters.segment, delimiters.element, delimiters.component, delimiters.repetition}
    written = write(envelope, sets=[("810", [("REF", elements), ("MEA", ["X", components])])])
    (interchange,) = read_interchanges(written.data)
    ref, mea = interchange.transactions[0].segments

    def cleaned(text: str) -> str:
        return "".join(" " if char in marks else char for char in text)

    expected = [cleaned(text) for text in elements]
    while expected and not expected[-1]:
        expected.pop()
    assert ref.elements == expected  # delimiters never split an element
    expected_components = [cleaned(text) for text in components]
    while expected_components and not expected_components[-1]:
        expected_components.pop()
    if expected_components:
        assert mea.components(2) == expected_components
    replaced = any(char in marks for text in elements + components for char in text)
    assert bool(written.warnings) == replaced


def test_ansi_x12_accepts_what_we_write() -> None:
    ansi_x12 = pytest.importorskip("x12", reason="ansi-x12 (dev-only) is not installed")
    for envelope in (ENVELOPE, replace(ENVELOPE, version="00501", release="005010")):
        data = write(envelope).data
        interchange = ansi_x12.parse_x12_interchange(ansi_x12.tokenize_x12(data))
        assert interchange.control_number == b"000000042"
        (group,) = interchange.groups
        assert len(group.transactions) == 2


def test_mock_edi_accepts_what_we_write() -> None:
    mock_x12 = pytest.importorskip("mockedi.x12", reason="mock-edi (dev-only) is not installed")
    from mockedi.validate import validate

    for envelope in (ENVELOPE, replace(ENVELOPE, version="00501", release="005010")):
        report = validate(mock_x12.parse(write(envelope).data.decode()))
        assert report.clean, [m.summary() for m in report.messages] + [
            f.note for f in report.interchange_findings
        ]
        assert report.group_code == "A" and report.accepted == 2


def test_a_ta1_travels_alone_between_isa_and_iea_and_reads_back_as_a_service_segment():
    ta1 = ("TA1", ["000000905", "240601", "0905", "R", "021"])
    written = write_interchange(
        ENVELOPE,
        [],
        interchange_control=77,
        group_control=1,
        first_set_control=1,
        moment=MOMENT,
        service_segments=[ta1],
    )

    text = written.data.decode()
    assert re.search(r"~TA1\*000000905\*240601\*0905\*R\*021~IEA\*0\*000000077~$", text)
    assert "GS*" not in text and written.set_controls == ()
    [interchange] = read_interchanges(written.data)
    assert interchange.problems == [] and interchange.groups == []
    [segment] = interchange.service_segments
    assert (segment.tag, segment.value(4), segment.value(5)) == ("TA1", "R", "021")


def test_only_service_segments_may_stand_outside_the_group():
    with pytest.raises(X12WriteError, match="'BIG' is not a service segment"):
        write_interchange(
            ENVELOPE,
            [],
            interchange_control=77,
            group_control=1,
            first_set_control=1,
            moment=MOMENT,
            service_segments=[("BIG", ["20240601", "INV-1"])],
        )
