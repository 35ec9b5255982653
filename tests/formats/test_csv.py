"""The CSV format plugin on its own: options, reading, writing, discovery."""

import polars as pl
import pytest

from connector.formats import (
    FileFormatError,
    FormatOptionError,
    UnknownFormatError,
    available_formats,
    load_format,
)
from connector.formats.csv import CsvFormat, CsvOptions

CSV = CsvFormat()


def test_discovered_by_name():
    assert "csv" in available_formats()
    assert isinstance(load_format("csv"), CsvFormat)
    with pytest.raises(UnknownFormatError, match="did you mean 'csv'"):
        load_format("cvs")


def test_options_are_validated():
    assert CSV.options({}) == CsvOptions()
    options = CSV.options(
        {
            "delimiter": ";",
            "header": "no",
            "newline": "lf",
            "encoding": "latin-1",
            "quoting": "always",
        }
    )
    assert (options.delimiter, options.header, options.newline, options.encoding) == (
        ";",
        False,
        "\n",
        "iso8859-1",
    )
    with pytest.raises(FormatOptionError, match="exactly one character") as caught:
        CSV.options({"quote": "''"})
    assert caught.value.setting == "quote"
    with pytest.raises(FormatOptionError, match="unknown encoding 'klingon'"):
        CSV.options({"encoding": "klingon"})
    with pytest.raises(FormatOptionError, match="must differ from the delimiter"):
        CSV.options({"quote": ","})


def test_reads_everything_as_text_with_bom_crlf_and_quotes():
    data = '\ufeff Amount ,Note\r\n001.50,"a, ""b"""\r\n,\r\n'.encode()
    frame = CSV.read(data, CsvOptions())
    assert frame.columns == ["Amount", "Note"]
    assert frame.schema == {"Amount": pl.String, "Note": pl.String}
    assert frame.rows() == [("001.50", 'a, "b"'), (None, None)]


def test_reads_without_header_and_in_legacy_encodings():
    frame = CSV.read(
        "1;Café\n".encode("cp1252"), CsvOptions(delimiter=";", header=False, encoding="cp1252")
    )
    assert frame.columns == ["1", "2"] and frame.row(0) == ("1", "Café")


def test_read_errors():
    with pytest.raises(FileFormatError, match="the file is empty"):
        CSV.read(b"  \n", CsvOptions())
    with pytest.raises(FileFormatError, match="not valid utf-8") as caught:
        CSV.read(b"a\nb\n\xff\n", CsvOptions())
    assert caught.value.line == 3
    with pytest.raises(FileFormatError, match="not readable as CSV"):
        CSV.read(b"a,b\n1,2,3\n", CsvOptions())


def test_writes_crlf_quoting_and_bom():
    frame = pl.DataFrame({"A": ["x,y", 'say "hi"', None], "B": ["1", "2", "3"]})
    assert CSV.write(frame, CsvOptions()) == b'A,B\r\n"x,y",1\r\n"say ""hi""",2\r\n,3\r\n'
    always = CSV.write(frame.head(1), CsvOptions(quoting="always", newline="\n", header=False))
    assert always == b'"x,y","1"\n'
    assert CSV.write(frame.head(1), CsvOptions(encoding="utf-8-sig")).startswith(b"\xef\xbb\xbfA,B")


def test_formula_protection_spares_plain_numbers():
    cells = ["=HYPERLINK(1)", "+1+1", "-1", "-1.5", "+2", "@x", "\rx", ".5", "-", "ok"]
    written = CSV.write(pl.DataFrame({"A": cells}), CsvOptions(newline="\n", quoting="always"))
    assert written.decode().split("\n")[1:-1] == [
        '"\'=HYPERLINK(1)"',
        '"\'+1+1"',
        '"-1"',
        '"-1.5"',
        '"+2"',
        '"\'@x"',
        '"\'\rx"',
        '".5"',
        '"\'-"',
        '"ok"',
    ]


def test_empty_text_is_an_empty_field_and_clean_columns_pass_unchanged():
    frame = pl.DataFrame({"A": ["", "x", None], "B": ["1.50", "ITEM", "05/31/2024"]})
    assert CSV.write(frame, CsvOptions(newline="\n")) == b"A,B\n,1.50\nx,ITEM\n,05/31/2024\n"
    assert CSV.write(frame.clear(), CsvOptions(newline="\n")) == b"A,B\n"
