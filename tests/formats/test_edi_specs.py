"""The shipped spec tables load, say what the standards say, and partner guides override them."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.formats.edi_specs import SpecError, available_specs, load_spec


@pytest.mark.parametrize(("standard", "version", "code"), available_specs())
def test_every_shipped_spec_loads(standard: str, version: str, code: str) -> None:
    spec = load_spec(standard, version, code)
    assert spec.positions and spec.code == code
    loops = [position.loop for position in spec.positions if position.loop]
    assert len(loops) == len(set(loops))


def test_the_shipped_set_covers_the_issue() -> None:
    shipped = set(available_specs())
    for version in ("004010", "005010"):
        for code in ("810", "850", "820", "997"):
            assert ("x12", version, code) in shipped
    assert ("x12", "005010", "999") in shipped
    for directory in ("D96A", "D01B"):
        for code in ("INVOIC", "ORDERS", "REMADV"):
            assert ("edifact", directory, code) in shipped
    assert ("edifact", "D3", "CONTRL") in shipped
    assert ("edifact", "41", "CONTRL") in shipped


def test_810_table_follows_the_standard() -> None:
    spec = load_spec("x12", "004010", "810")
    first = spec.positions[0]
    assert (first.tag, first.required, first.max_use) == ("BIG", True, 1)
    it1 = next(p for p in spec.positions if p.loop == "IT1")
    assert (it1.required, it1.repeat) == (False, 200000)
    tds = next(p for p in spec.positions if p.tag == "TDS")
    assert tds.required and tds.parent is None
    big = spec.segments["BIG"].elements[0]
    assert (big.required, big.type, big.min_length, big.max_length) == (True, "DT", 8, 8)


def test_invoic_groups_are_numbered_as_in_the_directory() -> None:
    spec = load_spec("edifact", "D96A", "INVOIC")
    by_loop = {p.loop: p for p in spec.positions if p.loop}
    assert by_loop["SG25"].tag == "LIN"
    assert by_loop["SG48"].tag == "MOA" and by_loop["SG48"].required
    assert by_loop["SG50"].tag == "TAX"


@pytest.mark.parametrize(
    ("code", "groups"),
    [
        ("INVOIC", {"SG1": "RFF", "SG13": "EQD", "SG26": "LIN", "SG49": "GIS", "SG50": "MOA"}),
        ("ORDERS", {"SG9": "MOA", "SG26": "DGS", "SG28": "LIN", "SG60": "ALC"}),
        ("REMADV", {"SG2": "RFF", "SG5": "DOC", "SG10": "DLI", "SG14": "ALC"}),
    ],
)
def test_d01b_groups_are_numbered_as_in_the_directory(code: str, groups: dict[str, str]) -> None:
    spec = load_spec("edifact", "D01B", code)
    by_loop = {p.loop: p for p in spec.positions if p.loop}
    assert {loop: by_loop[loop].tag for loop in groups} == groups
    numbers = [int(loop[2:]) for loop in by_loop]
    assert numbers == list(range(1, len(numbers) + 1)), "groups numbered in order of appearance"


def test_d01b_mandatory_positions() -> None:
    invoic = load_spec("edifact", "D01B", "INVOIC")
    required = [(p.tag, p.loop, p.parent) for p in invoic.positions if p.required]
    assert required == [
        ("BGM", None, None),
        ("DTM", None, None),
        ("UNS", None, None),
        ("MOA", "SG50", None),
    ]
    remadv = load_spec("edifact", "D01B", "REMADV")
    assert [(p.tag, p.parent) for p in remadv.positions if p.required] == [
        ("BGM", None),
        ("DTM", None),
        ("MOA", "SG5"),
        ("UNS", None),
        ("MOA", None),
    ]
    orders = load_spec("edifact", "D01B", "ORDERS")
    assert [(p.tag, p.parent) for p in orders.positions if p.required][-1] == ("MOA", "SG60")


def test_d01b_directory_changes_d96a_where_the_directories_differ() -> None:
    d96a = load_spec("edifact", "D96A", "INVOIC").segments
    d01b = load_spec("edifact", "D01B", "INVOIC").segments
    assert d96a["RFF"].elements[0].components[1].max_length == 35
    assert d01b["RFF"].elements[0].components[1].max_length == 70
    quantity = d01b["QTY"].elements[0].components[1]
    assert (quantity.type, quantity.max_length) == ("an", 35)
    assert d01b["MOA"].elements[0].components[1].max_length == 35
    assert d01b["BGM"] == d96a["BGM"] and d01b["UNS"] == d96a["UNS"]


def test_syntax_4_contrl_differs_from_syntax_3_in_its_segments() -> None:
    syntax3 = load_spec("edifact", "D3", "CONTRL")
    syntax4 = load_spec("edifact", "41", "CONTRL")
    assert [(p.tag, p.loop, p.parent) for p in syntax4.positions] == [
        (p.tag, p.loop, p.parent) for p in syntax3.positions
    ]
    assert (syntax3.segments["UCI"].size, syntax4.segments["UCI"].size) == (7, 9)
    assert (syntax3.segments["UCM"].size, syntax4.segments["UCM"].size) == (6, 10)
    assert [e.required for e in syntax3.segments["UCM"].elements] == [True, True, True]
    assert [e.required for e in syntax4.segments["UCM"].elements] == [False, False, True]
    s011 = syntax4.segments["UCD"].elements[1].components
    assert [(c.position, c.required, c.max_length) for c in s011] == [
        (1, True, 3),
        (2, False, 3),
        (3, False, 6),
    ]
    assert syntax4.segments["UCI"].elements[3].codes == frozenset({"4", "7", "8"})


def test_005010_997_has_no_ctx_the_999_has() -> None:
    ack = load_spec("x12", "005010", "997")
    assert [(p.tag, p.parent) for p in ack.positions] == [
        ("AK1", None),
        ("AK2", None),
        ("AK3", "AK2"),
        ("AK4", "AK2/AK3"),
        ("AK5", "AK2"),
        ("AK9", None),
    ]
    implementation = load_spec("x12", "005010", "999")
    assert [p.parent for p in implementation.positions if p.tag == "CTX"] == [
        "AK2/IK3",
        "AK2/IK3/IK4",
    ]


def test_005010_directory_extends_004010() -> None:
    spec = load_spec("x12", "005010", "997")
    ak1 = spec.segments["AK1"]
    assert [e.position for e in ak1.elements] == [1, 2, 3] and ak1.size == 3
    assert "BIG" in spec.segments


def test_unknown_spec_names_the_shipped_ones() -> None:
    with pytest.raises(SpecError, match="no spec for x12 003010 810") as raised:
        load_spec("x12", "003010", "810")
    assert raised.value.hint and "x12/004010/810" in raised.value.hint


GUIDE = """
name = "ACME 810 guide"
code = "810"
structure = [
  { seg = "REF", in = "N1", req = "M" },
  { seg = "NTE", max = 5 },
  { seg = "IT1", loop = "IT1", repeat = 500, req = "M" },
]

[segments.BIG]
elements = [{ pos = 7, req = "M", type = "ID", min = 2, max = 2, codes = ["DR", "CR"] }]

[segments.N1]
elements = [{ pos = 1, codes = ["BT", "ST", "RE"] }]
"""


def test_guide_tightens_and_relaxes(tmp_path: Path) -> None:
    guide = tmp_path / "acme.toml"
    guide.write_text(GUIDE)
    spec = load_spec("x12", "004010", "810", guide=guide)
    assert spec.guide == "ACME 810 guide"
    ref = next(p for p in spec.positions if p.tag == "REF" and p.parent == "N1")
    assert ref.required
    assert next(p for p in spec.positions if p.tag == "NTE").max_use == 5
    it1 = next(p for p in spec.positions if p.loop == "IT1")
    assert (it1.required, it1.repeat) == (True, 500)
    big7 = next(e for e in spec.segments["BIG"].elements if e.position == 7)
    assert big7.required and big7.codes == frozenset({"DR", "CR"})
    n101 = spec.segments["N1"].elements[0]
    # the guide only added a code list: the standard's requirement, type and length stay
    assert (n101.required, n101.type, n101.max_length) == (True, "ID", 3)
    assert n101.codes == frozenset({"BT", "ST", "RE"})
    # the standard spec itself is untouched
    assert not next(
        p for p in load_spec("x12", "004010", "810").positions if p.loop == "IT1"
    ).required


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('structure = [{ seg = "ZZZ" }]', "no position ZZZ"),
        ('structure = [{ seg = "REF", in = "IT1/PID" }]', "no position REF in IT1/PID"),
        ('structure = [{ seg = "BIG", colour = "red" }]', "unknown key"),
        ('structure = [{ seg = "BIG", req = "Maybe" }]', "req must be"),
        ('structure = [{ seg = "BIG", max = 0 }]', "max must be"),
        ('structure = [{ seg = "NTE", repeat = 3 }]', "repeat only applies"),
        ('structure = [{ seg = "N1", loop = "N1", max = 3 }]', "use repeat"),
        ('code = "850"', "guide is for code '850'"),
        ('[segments.BIG]\nelements = [{ pos = 1, type = "XX" }]', "type 'XX'"),
        ('[segments.BIG]\nelements = [{ pos = 1, codes = "DR" }]', "codes must be"),
        ("structure = [", "not valid TOML"),
    ],
)
def test_bad_guides_are_refused_with_the_reason(tmp_path: Path, text: str, message: str) -> None:
    guide = tmp_path / "bad.toml"
    guide.write_text(text)
    with pytest.raises(SpecError, match=message):
        load_spec("x12", "004010", "810", guide=guide)


def test_missing_guide_file_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="does not exist"):
        load_spec("x12", "004010", "810", guide=tmp_path / "absent.toml")
