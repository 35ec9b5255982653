"""Reading fixed-width fields: padding, zero fill, signs and implied decimals, field by field."""

import pytest

from connector.formats import FieldLayout, FileFormatError, RecordLayout
from connector.formats.fixed_width import FixedWidthFormat, FixedWidthOptions

FW = FixedWidthFormat()
OPTIONS = FixedWidthOptions()


def _read(field: FieldLayout, *values: str) -> list[str | None]:
    """Each value as the only field of a line after a two-letter record type."""
    record = RecordLayout("detail", (FieldLayout("Type", 2, 1), field), "DT", 1)
    data = "".join(f"DT{value}\n" for value in values).encode()
    return FW.read_records(data, [record], OPTIONS)[f"detail.{field.name}"].to_list()


MONEY = FieldLayout("Amount", 12, 3, "right", "0", 2)
WIDE_MONEY = FieldLayout("Amount", 20, 3, "right", "0", 2)


@pytest.mark.parametrize(
    ("raw", "read"),
    [
        ("000000001234", "12.34"),
        ("000000000005", "0.05"),
        ("000000000000", "0.00"),
        ("-00000000005", "-0.05"),
        ("-00000000000", "-0.00"),
        ("+00000001234", "12.34"),
        ("0000000012X4", "12X4"),
        ("000000012.34", "12.34"),
        ("000000 12   ", "0.12"),
        ("            ", None),
        ("0000012", "0.12"),  # the line ends inside the field
        ("", None),  # the line ends before the field
    ],
)
def test_right_aligned_zero_padded_amounts_get_their_point_back(raw, read):
    assert _read(MONEY, raw) == [read]


@pytest.mark.parametrize(
    ("raw", "read"),
    [
        ("00000000000000001234", "12.34"),
        ("-0000000000000000005", "-0.05"),
        ("00000000000000000000", "0.00"),
        ("0000000000000012X.4 ", "12X.4"),
    ],
)
def test_fields_wider_than_an_int64_move_the_point_as_text(raw, read):
    assert _read(WIDE_MONEY, raw) == [read]


@pytest.mark.parametrize(
    ("field", "raw", "read"),
    [
        (FieldLayout("Name", 6, 3), "ABC   ", "ABC"),
        (FieldLayout("Name", 6, 3), "  AB  ", "  AB"),
        (FieldLayout("Name", 6, 3, pad="*"), "AB****", "AB"),
        (FieldLayout("Name", 6, 3), "      ", None),
        (FieldLayout("Qty", 6, 3, "right"), "   123", "123"),
        (FieldLayout("Qty", 6, 3, "right", "0"), "000123", "123"),
        (FieldLayout("Qty", 6, 3, "right", "0"), "000000", "0"),
        (FieldLayout("Qty", 6, 3, "right", "0"), "000   ", None),
        (FieldLayout("Qty", 6, 3, "right", "0", 3), "001234", "1.234"),
    ],
)
def test_padding_is_taken_off_by_alignment(field, raw, read):
    assert _read(field, raw) == [read]


def test_lines_keep_their_numbers_across_blank_lines_and_crlf():
    record = RecordLayout("detail", (FieldLayout("Type", 2, 1), FieldLayout("Name", 4, 3)), "DT", 1)
    frame = FW.read_records(b"DTab\r\n\r\n   \r\nDTcd  \r\n", [record], OPTIONS)
    assert frame["__line"].to_list() == [1, 4]
    assert frame["detail.Name"].to_list() == ["ab", "cd"]


def test_each_record_type_reads_its_own_fields_in_line_order():
    header = RecordLayout("header", (FieldLayout("Type", 2, 1), FieldLayout("Batch", 4, 3)), "HD")
    detail = RecordLayout("detail", (FieldLayout("Type", 2, 1), FieldLayout("Name", 3, 3)), "DT")
    frame = FW.read_records(b"HD0007\nDTabc\nHD0008\nDTdef\n", [header, detail], OPTIONS)
    assert frame.rows() == [
        (1, "header", "HD", "0007", None, None),
        (2, "detail", None, None, "DT", "abc"),
        (3, "header", "HD", "0008", None, None),
        (4, "detail", None, None, "DT", "def"),
    ]
    assert frame.columns == [
        "__line",
        "__type",
        "header.Type",
        "header.Batch",
        "detail.Type",
        "detail.Name",
    ]


def test_a_record_type_away_from_the_start_is_found_where_it_is():
    record = RecordLayout("detail", (FieldLayout("Name", 3, 1), FieldLayout("Kind", 2, 4)), "DT", 4)
    frame = FW.read_records(b"abcDT\n", [record], OPTIONS)
    assert frame["detail.Name"].to_list() == ["abc"]


def test_a_file_of_blank_lines_is_empty():
    with pytest.raises(FileFormatError, match="the file is empty"):
        FW.read_records(b"\n  \r\n", [RecordLayout("detail", (FieldLayout("A", 2, 1),))], OPTIONS)


def test_a_line_that_is_no_record_type_is_quoted():
    record = RecordLayout("detail", (FieldLayout("Type", 2, 1),), "DT", 1)
    with pytest.raises(FileFormatError, match=r"line 3 is no known record type .*'XYZ'"):
        FW.read_records(b"DT\n\nXYZ\n", [record], OPTIONS)
