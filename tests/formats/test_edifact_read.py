"""Reading EDIFACT: delimiters, release characters, line breaks, envelopes, character sets, and
every kind of input the reader refuses."""

import re

import pytest

from connector.formats.edi import EdiSyntaxError
from connector.formats.edifact import read_interchanges

BODY = "UNH+1+INVOIC:D:96A:UN'BGM+380+INV1+9'UNT+3+1'"


def one(text: str, encoding: str = "latin-1"):
    (interchange,) = read_interchanges(text.encode(encoding), "test.edi")
    return interchange


def all_codes(interchange):
    return (
        [p.code for p in interchange.problems]
        + [p.code for g in interchange.groups for p in g.problems]
        + [p.code for t in interchange.transactions for p in t.problems]
    )


def test_defaults_without_una():
    interchange = one(f"UNB+UNOC:3+SENDER:14+RECV:14+240301:1200+42'{BODY}UNZ+1+42'")
    assert interchange.standard == "edifact"
    assert (interchange.delimiters.segment, interchange.delimiters.release) == ("'", "?")
    assert interchange.delimiters.repetition is None
    (message,) = interchange.transactions
    assert (message.code, message.control_number) == ("INVOIC", "1")
    assert [s.tag for s in message.segments] == ["BGM"]
    assert message.trailer is not None and interchange.trailer is not None
    assert interchange.header.value(2, 2) == "14"
    assert all_codes(interchange) == []
    assert interchange.groups[0].header is None


def test_una_declares_every_delimiter_and_decimal_mark():
    text = (
        "UNA|=,! ~UNB=UNOC|3=S=R=240301|1200=7~UNH=1=INVOIC|D|96A|UN~MOA=77|12,5~"
        "FTX=AAI===a!~b!=c!|d!!~UNT=4=1~UNZ=1=7~"
    )
    interchange = one(text)
    d = interchange.delimiters
    assert (d.component, d.element, d.decimal, d.release, d.repetition, d.segment) == (
        "|",
        "=",
        ",",
        "!",
        None,
        "~",
    )
    moa, ftx = interchange.transactions[0].segments
    assert moa.components(1) == ["77", "12,5"]
    assert ftx.value(4) == "a~b=c|d!"
    assert all_codes(interchange) == []


@pytest.mark.parametrize(
    ("raw", "value"),
    [("D?'OR", "D'OR"), ("A??B", "A?B"), ("1?+1", "1+1"), ("X?:Y", "X:Y"), ("END??", "END?")],
)
def test_release_character(raw, value):
    interchange = one(
        f"UNB+UNOC:3+S+R+240301:1200+1'UNH+1+INVOIC:D:96A:UN'FTX+AAI+++{raw}'UNT+3+1'UNZ+1+1'"
    )
    (ftx,) = interchange.transactions[0].segments
    assert ftx.value(4) == value
    assert len(ftx.elements) == 4


def test_released_terminator_at_segment_end_and_escaped_release_before_terminator():
    interchange = one(
        "UNB+UNOC:3+S+R+240301:1200+1'UNH+1+INVOIC:D:96A:UN'FTX+AAI+++A?''"
        "FTX+AAI+++B??'UNT+4+1'UNZ+1+1'"
    )
    first, second = interchange.transactions[0].segments
    assert (first.value(4), second.value(4)) == ("A'", "B?")
    assert all_codes(interchange) == []


def test_bom_crlf_and_line_numbers():
    text = (
        "\ufeffUNB+UNOC:3+S+R+240301:1200+1'\r\nUNH+1+INVOIC:D:96A:UN'\r\nBGM+380+X'\r\n"
        "UNT+3+1'\r\nUNZ+1+1'\r\n"
    )
    interchange = one(text, "utf-8")
    bgm = interchange.transactions[0].segments[0]
    assert (bgm.tag, bgm.line, bgm.number) == ("BGM", 3, 3)
    assert interchange.trailer.line == 5


def test_wrapped_lines_split_segments_and_release_pairs():
    text = (
        "UNB+UNOC:3+S+R+24\n0301:1200+1'UNH+1+INVOIC:D:9\n6A:UN'FTX+AAI+++A?\n'B?\n?C'UN\n"
        "T+3+1'UNZ+1+1'"
    )
    interchange = one(text)
    (ftx,) = interchange.transactions[0].segments
    assert ftx.value(4) == "A'B?C"
    assert interchange.header.value(4, 1) == "240301"
    assert (ftx.line, interchange.trailer.line) == (3, 6)
    assert all_codes(interchange) == []


def test_newline_terminator_declared_in_una():
    text = (
        "UNA:+.? \nUNB+UNOC:3+S+R+240301:1200+1\r\nUNH+1+INVOIC:D:96A:UN\nBGM+380+X\n"
        "UNT+3+1\nUNZ+1+1\n"
    )
    interchange = one(text)
    assert interchange.delimiters.segment == "\n"
    assert interchange.transactions[0].segments[0].line == 4
    assert all_codes(interchange) == []


def test_several_interchanges_each_with_its_own_una():
    text = (
        f"UNA:+.? 'UNB+UNOC:3+S+R+240301:1200+1'{BODY}UNZ+1+1'\n"
        "UNA:|,! ~UNB|UNOC:3|S|R|240301:1200|2~UNH|5|ORDERS:D:96A:UN~BGM|220|A!~B~"
        "UNT|3|5~UNZ|1|2~\n"
        f"UNB+UNOC:3+S+R+240301:1200+3'{BODY}UNZ+1+3'"
    )
    first, second, third = read_interchanges(text.encode())
    assert second.delimiters.element == "|" and second.delimiters.release == "!"
    assert second.transactions[0].segments[0].value(2) == "A~B"
    assert third.delimiters.element == "+"
    assert [i.header.value(5) for i in (first, second, third)] == ["1", "2", "3"]


def test_syntax_four_without_una_uses_the_repetition_separator():
    interchange = one(
        "UNB+UNOC:4+S+R+20240301:1200+1'UNH+1+INVOIC:D:96A:UN'COM+1:TE*2:FX'UNT+3+1'UNZ+1+1'"
    )
    assert interchange.delimiters.repetition == "*"
    (com,) = interchange.transactions[0].segments
    assert [com.value(1, 1, repeat) for repeat in (1, 2)] == ["1", "2"]


def test_groups_and_the_implicit_group():
    text = (
        "UNB+UNOC:3+S+R+240301:1200+1'"
        "UNG+INVOIC+S+R+240301:1200+10+UN+D:96A'" + BODY + BODY.replace("+1", "+2") + "UNE+2+10'"
        "UNG+ORDERS+S+R+240301:1200+11+UN+D:96A'" + BODY.replace("+1", "+3") + "UNE+1+11'"
        "UNZ+2+1'"
    )
    interchange = one(text)
    assert [len(g.transactions) for g in interchange.groups] == [2, 1]
    assert [g.header.value(5) for g in interchange.groups] == ["10", "11"]
    assert all_codes(interchange) == []


def test_messages_beside_groups_are_reported():
    text = (
        "UNB+UNOC:3+S+R+240301:1200+1'"
        + BODY
        + "UNG+INVOIC+S+R+240301:1200+10+UN+D:96A'"
        + BODY.replace("+1", "+2")
        + "UNE+1+10'"
        "UNZ+1+1'"
    )
    interchange = one(text)
    assert [p.code for p in interchange.problems] == ["30"]
    assert interchange.groups[0].header is None and interchange.groups[1].header is not None


@pytest.mark.parametrize(
    ("text", "level", "code", "message"),
    [
        (
            "UNB+UNOC:3+S+R+240301:1200+1'UNH+1+INVOIC:D:96A:UN'BGM+380'UNT+4+1'UNZ+1+1'",
            "message",
            "29",
            "UNT at line 1 counts 4 segments, but 3 were received",
        ),
        (
            "UNB+UNOC:3+S+R+240301:1200+1'UNH+1+INVOIC:D:96A:UN'BGM+380'UNT+3+2'UNZ+1+1'",
            "message",
            "28",
            "UNT at line 1 names message reference '2', but its UNH",
        ),
        (
            "UNB+UNOC:3+S+R+240301:1200+1'UNH+1+INVOIC:D:96A:UN'BGM+380'UNZ+1+1'",
            "message",
            "13",
            "message '1' (UNH at line 1) has no UNT trailer",
        ),
        (
            f"UNB+UNOC:3+S+R+240301:1200+1'{BODY}UNZ+2+1'",
            "interchange",
            "29",
            "UNZ at line 1 counts 2 messages, but 1 were received",
        ),
        (
            f"UNB+UNOC:3+S+R+240301:1200+1'{BODY}UNZ+1+9'",
            "interchange",
            "28",
            "UNZ at line 1 names interchange reference '9', but its UNB",
        ),
        (
            f"UNB+UNOC:3+S+R+240301:1200+1'{BODY}",
            "interchange",
            "13",
            "interchange '1' (UNB at line 1) has no UNZ trailer",
        ),
        (
            f"UNB+UNOC:3+S+R+240301:1200+1'UNG+INVOIC+S+R+240301:1200+5+UN+D:96A'{BODY}"
            "UNE+2+5'UNZ+1+1'",
            "group",
            "29",
            "UNE at line 1 counts 2 messages, but 1 were received",
        ),
        (
            f"UNB+UNOC:3+S+R+240301:1200+1'UNG+INVOIC+S+R+240301:1200+5+UN+D:96A'{BODY}"
            "UNE+1+6'UNZ+1+1'",
            "group",
            "28",
            "UNE at line 1 names group reference '6', but its UNG",
        ),
        (
            f"UNB+UNOC:3+S+R+240301:1200+1'UNG+INVOIC+S+R+240301:1200+5+UN+D:96A'{BODY}UNZ+1+1'",
            "group",
            "13",
            "group '5' (UNG at line 1) has no UNE trailer",
        ),
        (
            f"UNB+UNOC:3+S+R+240301:1200+1'{BODY}BGM+380'UNZ+1+1'",
            "interchange",
            "33",
            "BGM segment 5 (line 1) sits in the interchange outside any",
        ),
        (
            f"UNB+UNOC:3+S+R+240301:1200+1'{BODY}UNT+3+1'UNZ+1+1'",
            "interchange",
            "33",
            "UNT at line 1 closes no message",
        ),
        (
            f"UNB+UNOC:3+S+R+240301:1200+1'{BODY}UNE+1+1'UNZ+1+1'",
            "interchange",
            "33",
            "UNE at line 1 closes no group",
        ),
        (
            f"UNB+UNOB+S+R+240301:1200+1'{BODY}UNZ+1+1'",
            "interchange",
            "13",
            "UNB at line 1: S001 UNOB lacks the syntax version number",
        ),
        (
            f"UNB+UNOC:7+S+R+240301:1200+1'{BODY}UNZ+1+1'",
            "interchange",
            "2",
            "UNB at line 1 names syntax version '7'",
        ),
        (
            f"UNB+KECA:3+S+R+240301:1200+1'{BODY}UNZ+1+1'",
            "interchange",
            "2",
            "UNB at line 1 names the syntax identifier 'KECA'",
        ),
        (
            f"UNB+UNOC:3+S+R+240301:1200'{BODY}UNZ+1'",
            "interchange",
            "13",
            "UNB at line 1 lacks the interchange control reference",
        ),
    ],
)
def test_envelope_problems(text, level, code, message):
    interchange = one(text)
    problems = {
        "interchange": interchange.problems,
        "group": [p for g in interchange.groups for p in g.problems],
        "message": [p for t in interchange.transactions for p in t.problems],
    }[level]
    assert [p.code for p in problems] == [code]
    assert problems[0].message.startswith(message)
    assert problems[0].segment is not None


@pytest.mark.parametrize(
    ("identifier", "data", "encoding", "expected"),
    [
        ("UNOC", "Müller", "latin-1", "Müller"),
        ("UNOW", "Müller €", "utf-8", "Müller €"),
        ("UNOY", "Ωmega", "utf-8", "Ωmega"),
        ("UNOD", "Łódź", "iso-8859-2", "Łódź"),
        ("UNOE", "Москва", "iso-8859-5", "Москва"),
        ("UNOA", 'A-Z 0.9 (/=!"%&*;<>)', "ascii", 'A-Z 0.9 (/=!"%&*;<>)'),
        ("UNOB", "lower {case} ~ok", "ascii", "lower {case} ~ok"),
    ],
)
def test_character_sets_decode_clean_data(identifier, data, encoding, expected):
    interchange = one(
        f"UNB+{identifier}:3+S+R+240301:1200+1'UNH+1+INVOIC:D:96A:UN'FTX+AAI+++{data}'"
        "UNT+3+1'UNZ+1+1'",
        encoding,
    )
    assert interchange.transactions[0].segments[0].value(4) == expected
    assert all_codes(interchange) == []


@pytest.mark.parametrize(
    ("identifier", "data", "bad"),
    [
        ("UNOA", "Lower", "'o' (U+006F)"),
        ("UNOA", "AT@HOME", "'@' (U+0040)"),
        ("UNOB", "Müller".encode().decode("latin-1"), "'ü' (U+00FC)"),
        ("UNOB", "Müller", "'ü' (U+00FC)"),
        ("UNOB", "tab\there", "'\\t' (U+0009)"),
        ("UNOC", "bell\x07", "'\\x07' (U+0007)"),
        ("UNOW", "\xff", "'�' (U+FFFD)"),
    ],
)
def test_characters_outside_the_repertoire(identifier, data, bad):
    interchange = one(
        f"UNB+{identifier}:3+S+R+240301:1200+1'UNH+1+INVOIC:D:96A:UN'FTX+AAI+++{data}'"
        "UNT+3+1'UNZ+1+1'"
    )
    (problem,) = interchange.transactions[0].problems
    assert problem.code == "21"
    assert problem.message.startswith(f"FTX element 04 (segment 3, line 1): {bad} is not in")
    assert problem.segment.tag == "FTX"


def test_character_problem_in_the_interchange_header():
    interchange = one(f"UNB+UNOA:3+sender+R+240301:1200+1'{BODY}UNZ+1+1'")
    (problem,) = interchange.problems
    assert problem.code == "21" and problem.message.startswith("UNB element 02")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file holds no EDIFACT interchange"),
        (b"\r\n  \r\n", "the file holds no EDIFACT interchange"),
        (b"ISA*00*", "expected an interchange header (UNB) but found 'ISA*00*'"),
        (b"UNA:+.", "the UNA service string advice is cut short"),
        (b"UNA::.? 'UNB", "declares the same character twice"),
        (b"UNA:+.?A'UNB", "a letter or digit"),
        (b"UNB+UNOC:3+S+R+240301:1200+1\nUNH+1", 'no segment terminator "\'"'),
        (b"UNB+UNOC:3+S+R+240301:1200+1'UNH+1+INVOIC:D:96A:UN'BGM+38", "ends inside a segment"),
        (b"UNB+UNOC:3+S+R+240301:1200+1'bgm+380'UNZ+0+1'", "'bgm' is not a segment tag"),
        (b"UNB+UNOC:3+S+R+240301:1200+1'UNZ+0+1'BGM+1'", "BGM segment after the interchange"),
        (
            b"UNB+UNOC:3+S+R+240301:1200+1'UNZ+0+1'\nhello",
            "the file ends inside a segment ('hello'",
        ),
    ],
)
def test_unreadable_input_raises_with_location(data, message):
    with pytest.raises(EdiSyntaxError, match=re.escape(message)) as err:
        read_interchanges(data, "in.edi")
    assert err.value.file == "in.edi"
    assert err.value.hint


def test_error_names_segment_and_line():
    data = b"UNB+UNOC:3+S+R+240301:1200+1'\nUNH+1+INVOIC:D:96A:UN'\nB-M+1'"
    with pytest.raises(EdiSyntaxError) as err:
        read_interchanges(data, "in.edi")
    assert (err.value.segment, err.value.line) == (3, 3)
    assert str(err.value).startswith("in.edi, segment 3, line 3: 'B-M' is not a segment tag")


def test_reads_in_several_threads_leave_the_garbage_collector_as_they_found_it():
    import gc
    import threading

    from connector.formats.edi import collection_paused

    assert gc.isenabled()
    inside = threading.Event()
    release = threading.Event()

    def long_read():
        with collection_paused():
            inside.set()
            release.wait(5)

    reader = threading.Thread(target=long_read)
    reader.start()
    inside.wait(5)
    with collection_paused():
        assert not gc.isenabled()
    assert not gc.isenabled(), "the other read is still going"
    release.set()
    reader.join(5)
    assert gc.isenabled()
