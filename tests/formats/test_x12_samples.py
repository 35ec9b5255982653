"""Every public X12 sample in ../shared/edi-samples: the interchange, group and set counts (each
verified by reading the file; several differ from SOURCES.md's tool-detected column, which
failed on squeezed ISAs and on mailbag01's eight interchanges), no envelope problems in the
positive ones, and each invalid/ file refused or carrying the precise problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.formats.edi import EdiSyntaxError, Interchange
from connector.formats.x12 import read_interchanges

SAMPLES = Path(__file__).parents[2] / ".." / "shared" / "edi-samples"

# file -> (interchanges, GS groups, transaction sets)
COUNTS = {
    "x12-810/EDI.Net__x12.810a.edi": (1, 1, 1),
    "x12-810/EdiWeave__X12_810_00204_CR.txt": (1, 1, 1),
    "x12-810/EdiWeave__X12_810_00204_MultipleGroups.txt": (1, 2, 2),
    "x12-810/EdiWeave__X12_810_00204_MultipleInterchanges.txt": (2, 2, 2),
    "x12-810/EdiWeave__X12_810_00204_MultipleMessages.txt": (1, 1, 2),
    "x12-810/EdiWeave__X12_810_00204_NonDefaultSeparators.txt": (1, 1, 1),
    "x12-810/EdiWeave__X12_810_00204_RepetitionSeparator.txt": (1, 1, 1),
    "x12-810/EdiWeave__X12_810_00204_SegmentSeparatorCR.txt": (1, 1, 1),
    "x12-810/EdiWeave__X12_810_00204_SegmentSeparatorLF.txt": (1, 1, 1),
    "x12-810/EdiWeave__X12_810_00204_TrailingSeparator.txt": (1, 1, 1),
    "x12-810/X12.NET__Invoice.txt": (1, 1, 1),
    "x12-810/bots-plugins__810-004010-01.x12": (1, 1, 2),
    "x12-810/bots-plugins__810-004030VICS-01.x12": (1, 1, 2),
    "x12-810/bots-plugins__810_1.x12": (1, 1, 1),
    "x12-810/bots-plugins__810_3.x12": (1, 1, 2),
    "x12-810/staedi__simple810.edi": (1, 1, 2),
    "x12-810/stupidedi__basic-invoice.edi": (1, 1, 1),
    "x12-820/EDI.Net__x12.820.issue140.edi": (1, 1, 1),
    "x12-820/EdiWeave__X12_820_00204.txt": (1, 1, 1),
    "x12-820/X12.NET__PaymentOrderRemittanceAdvice.txt": (1, 1, 1),
    "x12-820/bots-plugins__820-004010-01.x12": (1, 1, 1),
    "x12-820/bots-plugins__820-004010UCS-01.x12": (1, 1, 1),
    "x12-820/bots-plugins__820-004010VICS-03.x12": (1, 1, 1),
    "x12-820/bots-plugins__820-004030-03.x12": (1, 1, 2),
    "x12-820/bots-plugins__820-004030VICS-01.x12": (1, 1, 1),
    "x12-820/bots-plugins__testx12013.x12.txt": (1, 1, 1),
    "x12-820/stupidedi__1.edi": (1, 1, 1),
    "x12-820/stupidedi__different-types-of-payment-made-by-the-hix.edi": (1, 1, 1),
    "x12-820/stupidedi__list-bill-payment.edi": (1, 1, 1),
    "x12-820/stupidedi__list-bill-payment.edi.997": (1, 1, 1),
    "x12-850/EdiEngine__850.OK.edi": (1, 1, 1),
    "x12-850/X12.NET__DuplicateGroup.txt": (1, 2, 2),
    "x12-850/X12.NET__PurchaseOrders.txt": (1, 1, 2),
    "x12-850/bots-plugins__850-004010-01.x12": (1, 1, 1),
    "x12-850/bots-plugins__850-004010-ascii-lf.x12": (1, 1, 1),
    "x12-850/bots-plugins__850-004010-ascii-st.x12": (1, 1, 1),
    "x12-850/bots-plugins__850-004030VICS-01.x12": (1, 1, 1),
    "x12-850/bots-plugins__ebcdic.x12": (1, 1, 1),
    "x12-850/node-x12__850_2.edi": (1, 1, 1),
    "x12-850/node-x12__850_fat.edi": (2, 2, 2),
    "x12-850/stupidedi__basic-po.edi": (1, 1, 1),
    "x12-850/vscode-edi-support__850-lineBreak.x12": (1, 1, 1),
    "x12-997/X12.NET__997.txt": (1, 1, 1),
    "x12-997/bots-plugins__997_6.x12": (1, 1, 4),
    "x12-997/bots-plugins__testx12001.x12.base": (1, 1, 1),
    "x12-997/bots-plugins__testx12002.x12.base": (1, 1, 1),
    "x12-997/bots-plugins__testx12003.x12.base": (1, 1, 1),
    "x12-997/bots-plugins__testx12005.x12.base": (1, 1, 8),
    "x12-997/bots-plugins__testx12011.x12.base": (1, 1, 1),
    "x12-997/bots-plugins__testx12012.x12.base": (1, 1, 1),
    "x12-997/staedi__empty997.edi": (1, 1, 1),
    "x12-997/staedi__extraDelimiter997.edi": (1, 1, 1),
    "x12-997/staedi__simple997-multiple-interchanges.edi": (3, 3, 3),
    "x12-997/staedi__simple997.edi": (1, 1, 1),
    "x12-997/stupidedi__1.edi": (1, 1, 1),
    "x12-997/stupidedi__response-to-functional-group-containing-837s.edi": (1, 1, 1),
    "x12-999/pyx12__834_ls_le_ls_5010.999.txt": (1, 1, 1),
    "x12-999/pyx12__834_lui_id_5010.999.txt": (1, 2, 4),
    "x12-999/staedi__simple999.edi": (1, 1, 1),
    "x12-999/stupidedi__response-to-functional-group-containing-3-837s.edi": (1, 1, 1),
    "x12-mixed/X12.NET__MixedTransactions.txt": (1, 2, 2),
    "x12-mixed/bots-plugins__mailbag01.x12": (8, 9, 14),
    "x12-mixed/staedi__invoice810_po850_dual.edi": (1, 2, 3),
}


def sample(name: str) -> bytes:
    if not SAMPLES.is_dir():
        pytest.skip(f"the EDI samples folder {SAMPLES.resolve()} is absent (kept outside the repo)")
    return (SAMPLES / name).read_bytes()


def problems(interchanges: list[Interchange]) -> dict[str, list]:
    return {
        "interchange": [p.code for i in interchanges for p in i.problems],
        "groups": [p.code for i in interchanges for g in i.groups for p in g.problems],
        "sets": [[p.code for p in t.problems] for i in interchanges for t in i.transactions],
    }


def test_every_positive_sample_is_listed() -> None:
    if not SAMPLES.is_dir():
        pytest.skip(f"the EDI samples folder {SAMPLES.resolve()} is absent (kept outside the repo)")
    found = {
        path.relative_to(SAMPLES).as_posix() for path in SAMPLES.glob("x12-*/*") if path.is_file()
    }
    assert found == set(COUNTS)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_positive_samples_parse_with_their_counts(name: str) -> None:
    interchanges = read_interchanges(sample(name), name)
    counted = (
        len(interchanges),
        sum(1 for i in interchanges for g in i.groups if g.header is not None),
        sum(len(i.transactions) for i in interchanges),
    )
    assert counted == COUNTS[name]
    found = problems(interchanges)
    assert found["interchange"] == [] and found["groups"] == []
    assert all(codes == [] for codes in found["sets"])


def test_features_of_particular_samples() -> None:
    (ebcdic,) = read_interchanges(sample("x12-850/bots-plugins__ebcdic.x12"))
    assert ebcdic.delimiters.segment == "\x85"  # EBCDIC NL (0x15)
    assert ebcdic.transactions[0].segments[0].raw(3) == "12345678"
    (repeated,) = read_interchanges(
        sample("x12-810/EdiWeave__X12_810_00204_RepetitionSeparator.txt")
    )
    ref = repeated.transactions[0].segments[6]
    assert ref.tag == "REF" and ref.value(1, repeat=2) == "62"
    (squeezed,) = read_interchanges(sample("x12-810/EDI.Net__x12.810a.edi"))
    assert squeezed.header.raw(6) == "ABCMUSICSUPPLY "
    assert squeezed.transactions[0].segments[0].value(2) == "DO091003TESTINV01"
    mailbag = read_interchanges(sample("x12-mixed/bots-plugins__mailbag01.x12"))
    assert len({i.delimiters for i in mailbag}) > 2
    extra = read_interchanges(sample("x12-997/staedi__extraDelimiter997.edi"))
    ak4 = extra[0].transactions[0].segments[3]
    assert ak4.value(4, component=2, repeat=2) == "AK404-R2-COMP2"


def test_invalid_trailers_sample_is_refused_for_the_text_after_its_iea() -> None:
    name = "x12-810/invalid/EdiWeave__X12_810_00204_InvalidTrailers.txt"
    with pytest.raises(EdiSyntaxError, match="line 50: expected an ISA interchange header"):
        read_interchanges(sample(name), name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "x12-810/invalid/EdiWeave__X12_810_00204_MissingGroupTrailer.txt",
            {"interchange": [], "groups": ["3"], "sets": [[]]},
        ),
        (
            "x12-810/invalid/EdiWeave__X12_810_00204_MissingInterchangeTrailer.txt",
            {"interchange": ["023"], "groups": [], "sets": [[]]},
        ),
        (
            # GE01 says 1 of 5; the first SE01 miscounts; the last two sets have no SE.
            "x12-810/invalid/EdiWeave__X12_810_00204_MultipleInvalidMessages.txt",
            {"interchange": [], "groups": ["5"], "sets": [["4"], [], [], ["2"], ["2"]]},
        ),
        (
            "x12-999/invalid/staedi__invalid999.edi",
            {"interchange": [], "groups": [], "sets": [["4"]]},
        ),
    ],
)
def test_invalid_samples_carry_precise_problems(name: str, expected: dict) -> None:
    assert problems(read_interchanges(sample(name), name)) == expected


@pytest.mark.parametrize(
    ("name", "tag", "elements"),
    [
        # REF has at most 4 elements; this one has 7.
        ("x12-810/invalid/EdiWeave__X12_810_00204_InvalidSegment.txt", "REF", 7),
        # AK1*HC NOT IN CODESET: a code outside its list.
        ("x12-997/invalid/staedi__invalid997.edi", "AK1", 2),
    ],
)
def test_content_faults_pass_the_envelope_for_the_spec_checks(
    name: str, tag: str, elements: int
) -> None:
    """These are invalid in their content, not their envelope: the tokenizer reads them
    whole and the segment checks (edi_check) reject them."""
    interchanges = read_interchanges(sample(name), name)
    assert problems(interchanges)["interchange"] == []
    assert any(
        s.tag == tag and len(s.elements) == elements
        for t in interchanges[0].transactions
        for s in t.segments
    )
