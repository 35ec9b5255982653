"""Writing EDIFACT: envelopes and counts, escaping, decimal marks, refusals, round trips through
our reader, a property test over any text, and mock-edi's independent verdict."""

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.formats.edi import Delimiters
from connector.formats.edifact import (
    EdifactEnvelope,
    EdifactEnvelopeError,
    EdifactGroup,
    EdifactWriteError,
    OutgoingMessage,
    read_interchanges,
    write_interchange,
)

MOMENT = datetime(2024, 3, 1, 12, 30)
ENVELOPE = EdifactEnvelope(
    sender_id="5790000274017",
    receiver_id="5708601000836",
    sender_qualifier="14",
    receiver_qualifier="14",
)


def write(messages, envelope=ENVELOPE, **kwargs):
    options = {"interchange_control": 17, "first_message_ref": 1, "moment": MOMENT} | kwargs
    return write_interchange(envelope, messages, **options)


def invoic(number: str = "INV-1001", total: Decimal = Decimal("25.00")) -> OutgoingMessage:
    return OutgoingMessage(
        "INVOIC",
        [
            ("BGM", ["380", number, "9"]),
            ("DTM", [["137", "20240301", "102"]]),
            ("NAD", ["SU", ["5790000274017", "", "9"]]),
            ("NAD", ["BY", ["5708601000836", "", "9"]]),
            ("CUX", [["2", "EUR", "4"]]),
            ("LIN", ["1", "", ["4000862141404", "EN"]]),
            ("QTY", [["47", Decimal("2")]]),
            ("MOA", [["203", total]]),
            ("PRI", [["AAA", Decimal("12.50")]]),
            ("UNS", ["S"]),
            ("MOA", [["77", total]]),
        ],
    )


def test_envelope_counts_and_references():
    written = write([invoic(), invoic("INV-1002")], interchange_control=17, first_message_ref=40)
    text = written.data.decode("latin-1")
    assert text.startswith("UNA:+.? 'UNB+UNOC:3+5790000274017:14+5708601000836:14+240301:1230+17'")
    assert "UNH+40+INVOIC:D:96A:UN'" in text and "UNT+13+40'" in text and "UNT+13+41'" in text
    assert text.endswith("UNZ+2+17'")
    assert written.interchange_control == "17"
    assert written.message_references == ("40", "41")
    assert written.segment_count == 2 + 2 * 13
    (interchange,) = read_interchanges(written.data)
    assert [t.control_number for t in interchange.transactions] == ["40", "41"]
    assert interchange.problems == [] and all(not t.problems for t in interchange.transactions)


def test_unb_options_and_syntax_four():
    envelope = replace(
        ENVELOPE,
        syntax_identifier="UNOW",
        syntax_version="4",
        test=True,
        acknowledgment_requested=True,
        application_reference="INVOIC",
        message_release="01B",
        association_code="EAN011",
        write_una=False,
    )
    text = write([invoic()], envelope).data.decode("utf-8")
    assert text.startswith(
        "UNB+UNOW:4+5790000274017:14+5708601000836:14+20240301:1230+17++INVOIC++1++1'"
    )
    assert "UNH+1+INVOIC:D:01B:UN:EAN011'" in text
    assert envelope.delimiters.repetition == "*"


def test_data_is_escaped_never_cleaned():
    message = OutgoingMessage("INVOIC", [("FTX", ["AAI", "", "", ["O'Brien + Sons: 50% ?", "*"]])])
    text = write([message], replace(ENVELOPE, syntax_version="4")).data.decode()
    assert "FTX+AAI+++O?'Brien ?+ Sons?: 50% ??:?*'" in text
    (interchange,) = read_interchanges(text.encode())
    (ftx,) = interchange.transactions[0].segments
    assert ftx.components(4) == ["O'Brien + Sons: 50% ?", "*"]


def test_trailing_empty_elements_and_components_are_trimmed():
    message = OutgoingMessage("INVOIC", [("NAD", ["BY", ["123", "", "9", ""], "", ["", ""]])])
    text = write([message]).data.decode()
    assert "NAD+BY+123::9'" in text
    assert "UNH+1+INVOIC:D:96A:UN'" in text  # the empty association code left no ':'


def test_decimal_mark_follows_una():
    envelope = replace(ENVELOPE, delimiters=replace(ENVELOPE.delimiters, decimal=","))
    text = write([invoic(total=Decimal("1234.5"))], envelope).data.decode()
    assert text.startswith("UNA:+,? '")
    assert "MOA+77:1234,5'" in text and "PRI+AAA:12,50'" in text
    (interchange,) = read_interchanges(text.encode())
    assert interchange.delimiters.decimal == ","


def test_custom_delimiters_and_line_breaks():
    delimiters = Delimiters(segment="~", element="|", component="^", release="!")
    envelope = replace(ENVELOPE, delimiters=delimiters, line_break="\r\n")
    text = write([invoic("A|B~C")], envelope).data.decode()
    assert text.startswith("UNA^|.! ~\r\nUNB|UNOC^3|")
    assert "BGM|380|A!|B!~C|9~\r\n" in text
    (interchange,) = read_interchanges(text.encode())
    assert interchange.transactions[0].segments[0].value(2) == "A|B~C"


def test_group_around_messages():
    group = EdifactGroup(reference=9, application_sender_id="APP", application_recipient_id="ERP")
    written = write([invoic(), invoic("INV-2")], group=group)
    text = written.data.decode()
    assert "UNG+INVOIC+APP+ERP+240301:1230+9+UN+D:96A'" in text
    assert text.endswith("UNE+2+9'UNZ+1+17'")
    assert written.group_reference == "9"
    (interchange,) = read_interchanges(written.data)
    (read_group,) = interchange.groups
    assert read_group.header is not None and len(read_group.transactions) == 2
    assert not interchange.problems and not read_group.problems


def test_a_group_holds_one_message_type():
    orders = OutgoingMessage("ORDERS", [("BGM", ["220", "PO1", "9"])])
    with pytest.raises(EdifactWriteError, match="one message type"):
        write([invoic(), orders], group=EdifactGroup(reference=1))


@pytest.mark.parametrize(
    ("identifier", "value", "message"),
    [
        ("UNOA", "Widget Co", "BGM (segment 3) element 02: 'i' (U+0069) cannot be written in UNOA"),
        ("UNOB", "Müller", "BGM (segment 3) element 02: 'ü' (U+00FC) cannot be written in UNOB"),
        ("UNOC", "5 €", "BGM (segment 3) element 02: '€' (U+20AC) cannot be written in UNOC"),
        ("UNOW", "two\nlines", "BGM (segment 3) element 02: '\\n' (U+000A) cannot be written"),
        ("UNOC", "tab\there", "BGM (segment 3) element 02: '\\t' (U+0009) cannot be written"),
    ],
)
def test_characters_outside_the_charset_are_refused(identifier, value, message):
    envelope = replace(ENVELOPE, syntax_identifier=identifier)
    with pytest.raises(EdifactWriteError) as err:
        write([invoic(value)], envelope)
    assert str(err.value).startswith(message)
    assert "UNOW" in (err.value.hint or "")


def test_charsets_that_hold_the_text_write_it():
    for identifier, value, encoding in [
        ("UNOC", "Müller", "latin-1"),
        ("UNOW", "Müller 5 €", "utf-8"),
        ("UNOE", "Москва", "iso-8859-5"),
        ("UNOA", "WIDGET CO.", "ascii"),
    ]:
        envelope = replace(ENVELOPE, syntax_identifier=identifier)
        data = write([invoic(value)], envelope).data
        assert value.encode(encoding) in data
        (interchange,) = read_interchanges(data)
        assert interchange.transactions[0].segments[0].value(2) == value
        assert not interchange.transactions[0].problems


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"syntax_identifier": "UNOZ"}, "syntax identifier 'UNOZ'"),
        ({"syntax_version": "5"}, "syntax version '5'"),
        (
            {"delimiters": Delimiters(segment="'", element="'", component=":", release="?")},
            "cannot be written",
        ),
        ({"delimiters": Delimiters(segment="'", element="+", component=":")}, "cannot be written"),
        (
            {"delimiters": Delimiters(segment="'", element="A", component=":", release="?")},
            "cannot be written",
        ),
        ({"delimiters": replace(ENVELOPE.delimiters, decimal=";")}, "decimal mark ';'"),
        (
            {
                "delimiters": Delimiters(segment="~", element="+", component=":", release="?"),
                "write_una": False,
            },
            "needs a UNA",
        ),
        ({"line_break": "\t"}, "line break"),
    ],
)
def test_envelope_settings_are_checked(changes, message):
    with pytest.raises(EdifactEnvelopeError, match=message):
        replace(ENVELOPE, **changes)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"interchange_control": 0}, "interchange control reference 0 is outside"),
        ({"first_message_ref": 10**14}, "first message reference"),
        ({"first_message_ref": 10**14 - 1}, "last message reference"),
    ],
)
def test_references_must_fit(kwargs, message):
    with pytest.raises(EdifactWriteError, match=message):
        write([invoic(), invoic()], **kwargs)


def test_nothing_to_write_and_bad_tags_are_refused():
    with pytest.raises(EdifactWriteError, match="at least one message"):
        write([])
    with pytest.raises(EdifactWriteError, match="'bgm' is not a segment tag"):
        write([OutgoingMessage("INVOIC", [("bgm", ["380"])])])


def test_round_trip_gives_the_same_values():
    message = invoic("INV/2024-0001")
    (interchange,) = read_interchanges(write([message]).data)
    (read,) = interchange.transactions
    assert read.code == "INVOIC"
    for (tag, elements), segment in zip(message.segments, read.segments, strict=True):
        assert segment.tag == tag
        for position, element in enumerate(elements, start=1):
            components = [element] if isinstance(element, str | Decimal) else element
            for index, component in enumerate(components, start=1):
                assert segment.value(position, index) == str(component)


_DELIMITER_HEAVY = st.sampled_from(list("'+:?*!|~^ ,."))
_TEXT = st.text(
    alphabet=st.one_of(
        _DELIMITER_HEAVY, st.characters(blacklist_categories=("Cc", "Cs"), max_codepoint=0x2FFF)
    ),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(st.lists(_TEXT, min_size=1, max_size=3), min_size=1, max_size=4),
    syntax_version=st.sampled_from(["3", "4"]),
    custom=st.booleans(),
)
def test_any_text_survives_write_and_read(values, syntax_version, custom):
    delimiters = (
        Delimiters(segment="~", element="|", component="^", release="!", repetition="*")
        if custom
        else replace(ENVELOPE.delimiters)
    )
    envelope = replace(
        ENVELOPE, syntax_identifier="UNOW", syntax_version=syntax_version, delimiters=delimiters
    )
    message = OutgoingMessage("INVOIC", [("FTX", ["AAI", *values])])
    (interchange,) = read_interchanges(write([message], envelope).data)
    (ftx,) = interchange.transactions[0].segments
    written = [["AAI"], *values]
    # The writer trims trailing empties; everything before them must come back exactly.
    for position, components in enumerate(written, start=1):
        read = ftx.components(position)
        trimmed = list(components)
        while trimmed and not trimmed[-1]:
            trimmed.pop()
        assert read[: len(trimmed)] == trimmed
        assert all(not extra for extra in read[len(trimmed) :])
    assert not interchange.transactions[0].problems


# -- mock-edi, an independent validator (dev-only dependency)


def _mock_edi_verdicts(data: bytes):
    mockedi = pytest.importorskip("mockedi", reason="mock-edi is a dev-only test dependency")
    from mockedi import charsets, validate
    from mockedi import edifact as mock_edifact

    assert mockedi
    view = data.decode(charsets.BYTES)
    reports = []
    for part in mock_edifact.split(view):
        raw = part.encode(charsets.BYTES)
        text = charsets.decode(raw, charsets.declared("EDIFACT", raw))
        reports.append(validate.validate(mock_edifact.parse(text)))
    return reports


ORDERS = OutgoingMessage(
    "ORDERS",
    [
        ("BGM", ["220", "PO-77", "9"]),
        ("DTM", [["137", "20240301", "102"]]),
        ("NAD", ["BY", ["5708601000836", "", "9"]]),
        ("NAD", ["SU", ["5790000274017", "", "9"]]),
        ("LIN", ["1", "", ["4000862141404", "EN"]]),
        ("QTY", [["21", Decimal("10")]]),
        ("PRI", [["AAA", Decimal("12.50")]]),
        ("UNS", ["S"]),
        ("CNT", [["2", "1"]]),
    ],
)
REMADV = OutgoingMessage(
    "REMADV",
    [
        ("BGM", ["481", "RA-5", "9"]),
        ("DTM", [["137", "20240301", "102"]]),
        ("NAD", ["PR", ["5708601000836", "", "9"]]),
        ("NAD", ["PE", ["5790000274017", "", "9"]]),
        ("CUX", [["2", "EUR", "11"]]),
        ("DOC", [["380"], ["INV-1001"]]),
        ("MOA", [["12", Decimal("25.00")]]),
        ("UNS", ["S"]),
        ("MOA", [["12", Decimal("25.00")]]),
    ],
)
CONTRL = OutgoingMessage(
    "CONTRL",
    [
        ("UCI", ["17", ["5790000274017", "14"], ["5708601000836", "14"], "7"]),
        ("UCM", ["1", ["INVOIC", "D", "96A", "UN"], "7"]),
    ],
)


@pytest.mark.parametrize(
    ("message", "envelope"),
    [
        (invoic(), ENVELOPE),
        (ORDERS, ENVELOPE),
        (REMADV, ENVELOPE),
        (CONTRL, replace(ENVELOPE, message_release="3")),
        (invoic("O'Brien+Sons"), replace(ENVELOPE, line_break="\n")),
    ],
    ids=["INVOIC", "ORDERS", "REMADV", "CONTRL", "INVOIC-escaped"],
)
def test_mock_edi_accepts_what_we_write(message, envelope):
    written = write([message, message._replace(segments=list(message.segments))], envelope)
    (report,) = _mock_edi_verdicts(written.data)
    assert [m.summary() for m in report.messages] == ["accepted", "accepted"]
    assert report.clean and all(m.accepted for m in report.messages)
