"""Formats read a local file in batches: the same rows as reading it whole, line numbers counted
across batches, and the same errors."""

import polars as pl
import pytest

from connector.formats import FieldLayout, FileFormatError, RecordLayout, load_format

CSV_TEXT = 'Name ,Amount\r\n"Smith, J",1.50\r\n"say ""hi""",\r\nÉmile,3\r\n"two\nlines",4\r\n'
RECORDS = (
    RecordLayout("header", (FieldLayout("Type", 2, 1), FieldLayout("Batch", 4, 3)), "HD", 1),
    RecordLayout(
        "detail",
        (FieldLayout("Type", 2, 1), FieldLayout("Amount", 6, 3, "right", "0", 2)),
        "DT",
        1,
    ),
)


def batches(fmt, path, options, size):
    return list(fmt.iter_read(path, options, size))


@pytest.mark.parametrize("size", [1, 2, 3, 100])
@pytest.mark.parametrize(
    "settings,encoding",
    [({}, "utf-8"), ({"encoding": "cp1252"}, "cp1252"), ({"encoding": "utf-8-sig"}, "utf-8-sig")],
)
def test_csv_batches_equal_the_whole_read(tmp_path, size, settings, encoding):
    fmt = load_format("csv")
    options = fmt.options(settings)
    path = tmp_path / "in.csv"
    path.write_bytes(CSV_TEXT.encode(encoding))
    whole = fmt.read(path.read_bytes(), options)
    parts = batches(fmt, path, options, size)
    assert all(part.height <= size for part in parts)
    assert [row for part in parts for row in part.rows()] == whole.rows()
    assert parts[0].columns == whole.columns == ["Name", "Amount"]


@pytest.mark.parametrize("size", [1, 2, 100])
def test_csv_with_escaped_quotes_streams_through_python_csv(tmp_path, size):
    fmt = load_format("csv")
    options = fmt.options({"escape": "\\", "delimiter": ";"})
    path = tmp_path / "in.csv"
    path.write_text('A;B\n"x\\"y";1\nz;\n')
    whole = fmt.read(path.read_bytes(), options)
    parts = batches(fmt, path, options, size)
    assert (
        [row for part in parts for row in part.rows()]
        == whole.rows()
        == [('x"y', "1"), ("z", None)]
    )


def test_csv_without_header_numbers_its_columns(tmp_path):
    fmt = load_format("csv")
    options = fmt.options({"header": "no"})
    path = tmp_path / "in.csv"
    path.write_text("a,b\nc,d\n")
    (part,) = batches(fmt, path, options, 10)
    assert part.columns == ["1", "2"] and part.rows() == [("a", "b"), ("c", "d")]


@pytest.mark.parametrize("content", [b"", b"  \r\n", b"\xef\xbb\xbf\r\n"])
def test_an_empty_csv_is_refused_before_any_batch(tmp_path, content):
    fmt = load_format("csv")
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    with pytest.raises(FileFormatError, match="the file is empty"):
        batches(fmt, path, fmt.options({}), 10)


def test_a_bad_byte_in_a_legacy_encoding_names_its_line(tmp_path):
    fmt = load_format("csv")
    path = tmp_path / "in.csv"
    path.write_bytes(b"A,B\r\n1,2\r\n3,\x81\r\n")
    with pytest.raises(FileFormatError, match="not valid cp1252"):
        batches(fmt, path, fmt.options({"encoding": "cp1252"}), 1)


def test_invalid_utf8_is_a_file_format_error(tmp_path):
    fmt = load_format("csv")
    path = tmp_path / "in.csv"
    path.write_bytes(b"A,B\r\n1,\xff\xfe\r\n")
    with pytest.raises(FileFormatError, match="not readable as utf-8 CSV"):
        batches(fmt, path, fmt.options({}), 1)


def test_an_overlong_row_names_its_line_in_the_file(tmp_path):
    fmt = load_format("csv")
    path = tmp_path / "in.csv"
    path.write_bytes(b"A,B\r\n1,2\r\n3,4\r\n5,6,7\r\n")
    with pytest.raises(FileFormatError, match="line 4 has 3 fields"):
        batches(fmt, path, fmt.options({"encoding": "latin-1"}), 1)


FIXED = "HDB001\nDT000150\n\nDT-00020\r\nDT00012X\nHDB002\nDT000001\n"


@pytest.mark.parametrize("size", [1, 2, 3, 4, 100])
def test_fixed_width_batches_equal_the_whole_read(tmp_path, size):
    fmt = load_format("fixed_width")
    options = fmt.options({})
    path = tmp_path / "in.txt"
    path.write_text(FIXED, newline="")
    whole = fmt.read_records(path.read_bytes(), RECORDS, options)
    parts = list(fmt.iter_read_records(path, RECORDS, options, size))
    assert [row for part in parts for row in part.rows()] == whole.rows()
    assert whole["detail.Amount"].to_list() == [None, "1.50", "-0.20", "12X", None, "0.01"]
    assert whole["__line"].to_list() == [1, 2, 4, 5, 6, 7]


def test_fixed_width_errors_name_the_line_in_the_file(tmp_path):
    fmt = load_format("fixed_width")
    options = fmt.options({"encoding": "latin-1"})
    path = tmp_path / "in.txt"
    path.write_text("HDB001\nDT000150\nZZ\n")
    with pytest.raises(FileFormatError, match="line 3 is no known record type"):
        list(fmt.iter_read_records(path, RECORDS, options, 2))
    path.write_bytes(b"HDB001\nDT000150\nDT\xff00150\n")
    with pytest.raises(FileFormatError, match="on line 3 is not valid utf-8"):
        list(fmt.iter_read_records(path, RECORDS, fmt.options({}), 2))
    path.write_text("\n \n")
    with pytest.raises(FileFormatError, match="the file is empty"):
        list(fmt.iter_read_records(path, RECORDS, options, 1))


def test_a_format_that_cannot_stream_hands_over_slices_of_the_whole_read(tmp_path):
    fmt = load_format("xml")
    path = tmp_path / "in.xml"
    path.write_text("<rows><row><id>1</id></row><row><id>2</id></row><row><id>3</id></row></rows>")
    options = fmt.options({"root": "rows", "element": "row"})
    parts = list(fmt.iter_read(path, options, 2))
    assert [part.height for part in parts] == [2, 1]
    assert pl.concat(parts).equals(fmt.read(path.read_bytes(), options))
