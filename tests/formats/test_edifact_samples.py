"""Every public EDIFACT sample in ../shared/edi-samples, read by our tokenizer.

The expected counts were checked by reading each file, and so was each problem: several samples
from other projects carry real faults (a UNT count one too high, lower case in a UNOA
interchange, UTF-8 in a UNOB one), and the reader must name them rather than pass them quietly.
"""

from collections import Counter
from pathlib import Path

import pytest

from connector.formats.edi import EdiSyntaxError, Interchange
from connector.formats.edifact import read_interchanges

SAMPLES = Path(__file__).parents[2] / ".." / "shared" / "edi-samples"

# file: (interchanges, UNG groups, messages, {problem code: how many})
POSITIVE = {
    "edifact-APERAK/pydifact__aperak.edi": (1, 0, 1, {"21": 1, "29": 1}),
    "edifact-APERAK/pydifact__aperak_rejected.edi": (1, 0, 1, {"21": 1, "29": 1}),
    "edifact-CONTRL/EDIFACT.NET__CONTRL.txt": (1, 0, 2, {"13": 1}),
    "edifact-CONTRL/edifact_mapper__contrl.edi": (1, 0, 1, {}),
    "edifact-INVOIC/EDIFACT.NET__Invoice.txt": (1, 0, 1, {"29": 1}),
    "edifact-INVOIC/EDIFACT__INVOIC_D.03B_Interchange_with_UNA.txt": (1, 0, 1, {}),
    "edifact-INVOIC/EdiWeave__Eancom_INVOIC_D01BEAN3.txt": (1, 0, 1, {}),
    "edifact-INVOIC/EdiWeave__Edifact_INVOIC_D00A_CR.txt": (1, 0, 1, {"21": 1}),
    "edifact-INVOIC/EdiWeave__Edifact_INVOIC_D00A_EscapedEscape.txt": (1, 0, 1, {"21": 1}),
    "edifact-INVOIC/EdiWeave__Edifact_INVOIC_D00A_EscapedSegmentTerminator.txt": (
        1,
        0,
        1,
        {"21": 1},
    ),
    "edifact-INVOIC/EdiWeave__Edifact_INVOIC_D00A_MultipleGroups.txt": (1, 2, 2, {"21": 2}),
    "edifact-INVOIC/EdiWeave__Edifact_INVOIC_D00A_MultipleInterchange.txt": (2, 0, 2, {"21": 2}),
    "edifact-INVOIC/EdiWeave__Edifact_INVOIC_D00A_RepeatingDataElement.txt": (1, 0, 1, {"21": 1}),
    "edifact-INVOIC/bots-plugins__invoic01.edi": (1, 0, 2, {}),
    "edifact-INVOIC/bots-plugins__invoic1.edi": (1, 0, 2, {}),
    "edifact-INVOIC/edireader__tiny-UNOA.edi": (1, 0, 1, {"21": 1}),
    "edifact-INVOIC/pydifact__invoice1.edi": (1, 0, 1, {}),
    "edifact-INVOIC/pydifact__invoice_with_colon_at_end.edi": (1, 0, 1, {}),
    "edifact-INVOIC/smooks-edi-cartridge__invoic.txt": (1, 0, 1, {}),
    "edifact-INVOIC/staedi__invoic_d93a_una.edi": (1, 0, 1, {"21": 5}),
    "edifact-INVOIC/staedi__invoic_d97b.edi": (1, 0, 1, {"21": 1}),
    "edifact-INVOIC/staedi__wrapped_invoic_d97b.edi": (1, 0, 1, {"21": 1}),
    "edifact-ORDERS/EDIFACT.NET__PurchaseOrders.txt": (1, 0, 2, {}),
    "edifact-ORDERS/EDIFACT__ORDERS_D.03B_Interchange.txt": (1, 0, 1, {"21": 5}),
    "edifact-ORDERS/bots-plugins__0T0000000004.edi": (2, 0, 3, {}),
    "edifact-ORDERS/bots-plugins__0T0000000015.edi": (1, 0, 1, {}),
    "edifact-ORDERS/bots-plugins__1.edi": (1, 0, 12, {}),
    "edifact-ORDERS/bots-plugins__orders01.edi": (1, 0, 2, {}),
    "edifact-ORDERS/bots-plugins__orders02.edi": (24, 0, 24, {}),
    "edifact-ORDERS/edifact__example_order_ok.edi": (1, 0, 1, {}),
    "edifact-ORDERS/edireader__ORDERS-D01B-UNOE.edi": (1, 0, 1, {}),
    "edifact-ORDERS/pydifact__order.edi": (1, 0, 1, {"13": 1}),
    "edifact-ORDERS/pydifact__wikipedia_de.edi": (1, 0, 1, {"28": 1}),
    "edifact-ORDERS/vscode-edi-support__bug-edifact-escape.edifact": (1, 0, 1, {}),
    "edifact-ORDERS/vscode-edi-support__sample-orders-minified.edifact": (1, 0, 1, {"21": 3}),
    "edifact-ORDERS/vscode-edi-support__syntaxVersion4.edifact": (1, 0, 1, {}),
    "edifact-REMADV/edifact_mapper__33001.edi": (1, 0, 1, {}),
    "edifact-REMADV/edifact_mapper__33002.edi": (1, 0, 1, {}),
    "edifact-REMADV/edifact_mapper__33003.edi": (1, 0, 1, {}),
    "edifact-REMADV/edifact_mapper__33004.edi": (1, 0, 1, {}),
    "edifact-mixed/EDIFACT.NET__MixedTransactions.txt": (1, 2, 2, {}),
    "edifact-mixed/edireader__ORDERS-D01B-UNOC.edi": (1, 0, 1, {}),
    "edifact-mixed/vscode-edi-support__EDIFACT-interchanges.edifact": (2, 0, 3, {"21": 2}),
}

# Files whose segments end at line breaks with no terminator at all; their source project
# (Effektor/EDIFACT) rejects them for exactly that, and so do we.
NO_TERMINATOR = [
    "edifact-CONTRL/EDIFACT__contrl_version3_iway.edi",
    "edifact-ORDERS/EDIFACT__orders_iway_d97a.edi",
    "edifact-INVOIC/invalid/EDIFACT__invoic_iway_d97a.edi",
]

# invalid/ files that can be read, with the precise problem each carries.
INVALID = {
    "edifact-INVOIC/invalid/EdiWeave__Edifact_INVOIC_D00A_Val_WrongSegmentCount.txt": (
        "29",
        "UNT at line 42 counts 21 segments, but 41 were received",
    ),
    "edifact-INVOIC/invalid/EdiWeave__Edifact_INVOIC_D00A_Val_WrongControlNumber.txt": (
        "28",
        "UNT at line 42 names message reference '509010118', but its UNH at line 2 says "
        "'509010117'",
    ),
    "edifact-INVOIC/invalid/EdiWeave__Edifact_INVOIC_D00A_MissingInterchangeTrailer.txt": (
        "13",
        "interchange '131' (UNB at line 1) has no UNZ trailer",
    ),
}


def _sample(name: str) -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"the shared EDI samples are not here ({SAMPLES.resolve()})")
    return SAMPLES / name


def _codes(interchanges: list[Interchange]) -> Counter[str]:
    codes: Counter[str] = Counter()
    for interchange in interchanges:
        codes.update(problem.code for problem in interchange.problems)
        for group in interchange.groups:
            codes.update(problem.code for problem in group.problems)
            for message in group.transactions:
                codes.update(problem.code for problem in message.problems)
    return codes


def test_every_edifact_sample_is_listed():
    if not SAMPLES.is_dir():
        pytest.skip(f"the shared EDI samples are not here ({SAMPLES.resolve()})")
    found = {
        str(path.relative_to(SAMPLES)) for path in SAMPLES.glob("edifact-*/**/*") if path.is_file()
    }
    assert found == set(POSITIVE) | set(NO_TERMINATOR) | set(INVALID)


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_positive_sample_counts(name):
    interchanges_expected, groups, messages, problems = POSITIVE[name]
    interchanges = read_interchanges(_sample(name).read_bytes(), name)
    assert len(interchanges) == interchanges_expected
    assert sum(1 for i in interchanges for g in i.groups if g.header is not None) == groups
    assert sum(len(i.transactions) for i in interchanges) == messages
    missing_unz = name == "edifact-ORDERS/pydifact__order.edi"
    assert [i.trailer is None for i in interchanges][-1] == missing_unz
    assert _codes(interchanges) == Counter(problems)


@pytest.mark.parametrize("name", NO_TERMINATOR)
def test_files_without_terminators_are_rejected(name):
    with pytest.raises(EdiSyntaxError, match='no segment terminator "\'"') as caught:
        read_interchanges(_sample(name).read_bytes(), name)
    assert caught.value.file == name and caught.value.line == 1


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_sample_carries_its_problem(name):
    code, message = INVALID[name]
    interchanges = read_interchanges(_sample(name).read_bytes(), name)
    problems = [
        problem
        for interchange in interchanges
        for problem in (
            *interchange.problems,
            *(p for t in interchange.transactions for p in t.problems),
        )
        if problem.code == code
    ]
    assert len(problems) == 1
    assert problems[0].message.startswith(message)


def test_missing_trailer_sample_reads_the_next_interchange_with_its_own_una():
    name = "edifact-INVOIC/invalid/EdiWeave__Edifact_INVOIC_D00A_MissingInterchangeTrailer.txt"
    first, second = read_interchanges(_sample(name).read_bytes(), name)
    assert first.trailer is None and first.header.value(5) == "131"
    assert second.delimiters.element == "|"
    assert second.header.value(5) == "132" and second.trailer is not None
    assert second.transactions[0].segments[0].value(2) == "12345678"


def test_release_characters_in_samples():
    terminator = "edifact-INVOIC/EdiWeave__Edifact_INVOIC_D00A_EscapedSegmentTerminator.txt"
    (interchange,) = read_interchanges(_sample(terminator).read_bytes())
    nad = interchange.transactions[0].segments[8]
    assert nad.tag == "NAD"
    assert nad.value(3, 1) == "Schoenstrasse D'Or7"
    assert nad.value(9) == "DE'"
    escaped = "edifact-INVOIC/EdiWeave__Edifact_INVOIC_D00A_EscapedEscape.txt"
    (interchange,) = read_interchanges(_sample(escaped).read_bytes())
    ftx = interchange.transactions[0].segments[3]
    assert (ftx.value(1), ftx.value(4)) == ("AAI?", "Free text Free ?text Free text")
    bang = "edifact-ORDERS/vscode-edi-support__bug-edifact-escape.edifact"
    (interchange,) = read_interchanges(_sample(bang).read_bytes())
    first, second = interchange.transactions[0].segments[1:3]
    assert first.components(4) == ["I've a", "dream that I'll share with you"]
    assert second.value(4) == "I've a:dream that I'll share with you"


def test_wrapped_file_reads_like_the_unwrapped_one():
    wrapped = read_interchanges(
        _sample("edifact-INVOIC/staedi__wrapped_invoic_d97b.edi").read_bytes()
    )
    plain = read_interchanges(_sample("edifact-INVOIC/staedi__invoic_d97b.edi").read_bytes())
    assert [(s.tag, s.elements) for s in wrapped[0].transactions[0].segments] == [
        (s.tag, s.elements) for s in plain[0].transactions[0].segments
    ]
    assert wrapped[0].header.value(5) == "00000000000778"


def test_character_sets_decode_as_declared():
    cyrillic = "edifact-ORDERS/edireader__ORDERS-D01B-UNOE.edi"
    (interchange,) = read_interchanges(_sample(cyrillic).read_bytes())
    text = " ".join(e for s in interchange.transactions[0].segments for e in s.elements)
    assert any("\u0400" <= char <= "\u04ff" for char in text)
    latin = "edifact-mixed/edireader__ORDERS-D01B-UNOC.edi"
    (interchange,) = read_interchanges(_sample(latin).read_bytes())
    text = " ".join(e for s in interchange.transactions[0].segments for e in s.elements)
    assert not text.isascii() and "\ufffd" not in text
    utf8_in_unoa = "edifact-INVOIC/staedi__invoic_d97b.edi"
    (interchange,) = read_interchanges(_sample(utf8_in_unoa).read_bytes())
    (problem,) = interchange.transactions[0].problems
    assert "BÜTTNER" in problem.segment.value(4)
    assert problem.message.startswith("NAD element 04 (segment 7, line 7): 'Ü' (U+00DC)")


def test_syntax_four_samples_split_repetitions():
    name = "edifact-INVOIC/smooks-edi-cartridge__invoic.txt"
    (interchange,) = read_interchanges(_sample(name).read_bytes())
    assert interchange.delimiters.repetition == "*"
    cux = next(s for s in interchange.transactions[0].segments if s.tag == "CUX")
    assert (cux.value(1, repeat=1), cux.value(1, repeat=2)) == ("3", "1")


def test_decimal_comma_from_una():
    (interchange,) = read_interchanges(
        _sample("edifact-INVOIC/staedi__invoic_d93a_una.edi").read_bytes()
    )
    assert interchange.delimiters.decimal == ","
    assert interchange.transactions[0].segments[-4].raw(1) == "79:777,4"
