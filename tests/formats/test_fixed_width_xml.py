"""Fixed-width and XML formats: layouts, round trips, and refusing unsafe XML."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.formats import FieldLayout, FileFormatError, RecordLayout
from connector.formats.fixed_width import FixedWidthFormat, FixedWidthOptions
from connector.formats.xml import XmlFormat

FW = FixedWidthFormat()
DETAIL = RecordLayout(
    "detail",
    (
        FieldLayout("Type", 2, 1),
        FieldLayout("Name", 10, 3),
        FieldLayout("Amount", 12, 13, "right", "0", 2),
        FieldLayout("Date", 8, 25),
    ),
    "DT",
    1,
)


def test_overlapping_fields_and_wide_record_type_are_layout_problems():
    record = RecordLayout(
        "detail", (FieldLayout("A", 2, 1), FieldLayout("B", 5, 2)), tag="DTX", tag_at=1
    )
    assert FW.layout_problems(record) == [
        ("B", "B (positions 2-6) overlaps A (positions 1-2)"),
        (None, "record type 'DTX' at 1 is wider than its field A (positions 1-2)"),
    ]


def test_a_value_too_wide_names_its_line():
    frame = pl.DataFrame({"Type": ["DT"], "Name": ["x" * 11], "Amount": ["1"], "Date": ["d"]})
    with pytest.raises(FileFormatError, match=r"detail line 1: Name 'xxxxxxxxxxx' is wider"):
        FW.write_records([(DETAIL, frame)], FixedWidthOptions())


def test_an_unknown_record_type_refuses_the_file():
    with pytest.raises(FileFormatError, match="line 2 is no known record type"):
        FW.read_records(b"DTa\nZZb\n", [DETAIL], FixedWidthOptions())


names = st.text(alphabet="ABCDEFGHIJ xyz&<>", min_size=1, max_size=10).map(str.strip).filter(bool)
amounts = st.decimals(min_value=-(10**8), max_value=10**8, places=2, allow_nan=False)
dates = st.dates().map(lambda d: d.strftime("%Y%m%d"))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(names, amounts, dates), min_size=1, max_size=5))
def test_fixed_width_round_trip_keeps_money_and_dates_exactly(rows):
    frame = pl.DataFrame(
        {
            "Type": ["DT"] * len(rows),
            "Name": [r[0] for r in rows],
            "Amount": [str(r[1]) for r in rows],
            "Date": [r[2] for r in rows],
        }
    )
    data = FW.write_records([(DETAIL, frame)], FixedWidthOptions())
    back = FW.read_records(data, [DETAIL], FixedWidthOptions())
    assert back["detail.Name"].to_list() == [r[0] for r in rows]
    assert back["detail.Amount"].to_list() == [f"{r[1]:.2f}" for r in rows]
    assert back["detail.Date"].to_list() == [r[2] for r in rows]


XML = XmlFormat()
XML_OPTIONS = XML.options({"root": "p:Rows", "element": "p:Row", "namespace p": "urn:p"})


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(names, amounts, dates), min_size=1, max_size=5))
def test_xml_round_trip_keeps_values_exactly(rows):
    frame = pl.DataFrame(
        {
            "@name": [r[0] for r in rows],
            "p:Amount": [str(r[1]) for r in rows],
            "p:Amount/@date": [r[2] for r in rows],
        }
    )
    back = XML.read(XML.write(frame, XML_OPTIONS), XML_OPTIONS)
    assert back.select(frame.columns).equals(frame)


def test_billion_laughs_is_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<p:Rows xmlns:p='urn:p'><p:Row>&lol2;</p:Row></p:Rows>"
    )
    with pytest.raises(FileFormatError, match="declares a DTD or entities"):
        XML.read(bomb, XML_OPTIONS)


def test_external_entity_is_refused():
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<p:Rows xmlns:p='urn:p'><p:Row a='1'>&x;</p:Row></p:Rows>"
    )
    with pytest.raises(FileFormatError, match="declares a DTD or entities"):
        XML.read(xxe, XML_OPTIONS)


def test_undeclared_prefix_is_an_option_error():
    with pytest.raises(Exception, match="prefix 'q' in 'q:Rows' is not declared"):
        XML.options({"root": "q:Rows"})
