"""EDI remittances in, judged and acknowledged: 820s and REMADVs against the sandbox over real
HTTP, a real SQLite store, and a local folder as the partner's server."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pytest

from connector.errors import ConfigurationError
from connector.formats import edifact, x12
from connector.jobs.inbound_payments import receive_payments
from connector.partners import MAPPINGS_DIR
from connector.transport import RemoteFolderMissing
from tests.jobs.inbound_support import client_for, open_invoices, our_payments, partner_run


def isa(control: int, *, ack_requested: str = "0") -> str:
    return (
        "ISA*00*          *00*          *ZZ*ACMEDIST       *ZZ*SELLERCO       "
        f"*260301*1200*U*00401*{control:09d}*{ack_requested}*P*>~\n"
    )


def remittance(control: str, trace: str, *paid: tuple[str, str], bpr03: str = "C") -> str:
    total = sum(float(amount) for _, amount in paid)
    body = [
        f"BPR*C*{total:.2f}*{bpr03}*ACH*CTX*01*999999999*DA*123456***01*888888888*DA*654321*20260301",
        f"TRN*1*{trace}",
        "N1*PR*ACME DISTRIBUTION",
        "ENT*1",
        *(f"RMR*IV*{number}**{amount}" for number, amount in paid),
    ]
    return "".join(f"{s}~\n" for s in [f"ST*820*{control}", *body, f"SE*{len(body) + 2}*{control}"])


def interchange(control: int, *sets: str, ack_requested: str = "0", iea: int | None = None) -> str:
    return (
        isa(control, ack_requested=ack_requested)
        + f"GS*RA*ACMEDIST*SELLERCO*20260301*1200*{control}*X*004010~\n"
        + "".join(sets)
        + f"GE*{len(sets)}*{control}~\nIEA*1*{iea or control:09d}~\n"
    )


@pytest.fixture
def root(tmp_path):
    return tmp_path / "partner"


@pytest.fixture
def client(sandbox):
    with client_for(sandbox) as opened:
        yield opened


@pytest.fixture
def acme(client, store, root):
    return partner_run(MAPPINGS_DIR / "acme_x12.map", client, store, root)


def drop(root, name: str, text: str) -> None:
    (root / "outbound" / name).write_text(text)


def replies(root, prefix: str) -> list:
    """Our acknowledgments in the partner's inbound folder, read back by our reader."""
    found = sorted((root / "inbound").glob(f"{prefix}_*"))
    read = edifact.read_interchanges if prefix == "CONTRL" else x12.read_interchanges
    return [interchange for path in found for interchange in read(path.read_bytes(), path.name)]


def segments(interchange, tag: str) -> list[list[str]]:
    found = [s for t in interchange.transactions for s in t.segments if s.tag == tag]
    return [s.elements for s in found]


def test_an_820_posts_its_payments_and_a_997_accepting_it_goes_back(acme, sandbox, root, store):
    first, second = open_invoices(sandbox, 2)
    drop(
        root,
        "ACME_820_1.x12",
        interchange(
            31,
            remittance(
                "0001",
                "T-1",
                (first["invoice_number"], "10.00"),
                (second["invoice_number"], "5.00"),
            ),
        ),
    )

    [outcome] = receive_payments(acme)

    assert outcome.status == "processed" and outcome.posted == 2
    assert len(our_payments(sandbox, first["id"])) == len(our_payments(sandbox, second["id"])) == 1
    [ack] = replies(root, "997")
    assert outcome.acknowledgments == [str(root / "inbound" / f"997_{ack.header.raw(13)}.x12")]
    assert segments(ack, "AK1") == [["RA", "31"]]
    assert segments(ack, "AK2") == [["820", "0001"]] and segments(ack, "AK5") == [["A"]]
    assert segments(ack, "AK9") == [["A", "1", "1", "1"]]
    assert ack.header.raw(6).strip() == "SELLERCO" and ack.header.raw(8).strip() == "ACMEDIST"
    sent = [
        row for row in store.audit.list(partner="acme") if row.document_kind == "acknowledgment"
    ]
    assert {row.source_id: row.message for row in sent}["ACME_820_1.x12#820 0001"] == (
        "997 AK5*A: accepted"
    )
    assert (root / "outbound" / "processed" / "ACME_820_1.x12").exists()


def test_a_set_that_breaks_the_spec_is_rejected_and_only_the_others_post(
    acme, sandbox, root, store
):
    good, bad = open_invoices(sandbox, 2)
    drop(
        root,
        "ACME_820_2.x12",
        interchange(
            32,
            remittance("0001", "T-1", (good["invoice_number"], "10.00")),
            remittance("0002", "T-2", (bad["invoice_number"], "4.00"), bpr03="Z"),
        ),
    )

    [outcome] = receive_payments(acme)

    assert (outcome.status, outcome.posted, outcome.rejected) == ("error", 1, 1)
    assert len(our_payments(sandbox, good["id"])) == 1
    assert our_payments(sandbox, bad["id"]) == [], "nothing of a rejected set is posted"
    [ack] = replies(root, "997")
    assert segments(ack, "AK2") == [["820", "0001"], ["820", "0002"]]
    assert segments(ack, "AK5") == [["A"], ["R", "5"]]
    assert segments(ack, "AK3") == [["BPR", "2", "", "8"]]
    assert segments(ack, "AK4")[0][2:] == ["7", "Z"], "BPR03 holds an invalid code"
    assert segments(ack, "AK9") == [["P", "2", "2", "1"]]
    report = json.loads((root / "outbound" / "error" / "ACME_820_2.x12.error.json").read_text())
    [refused] = report["rejected"]
    assert refused["row_number"] == 15 and refused["column"] == "ST.02"
    assert refused["message"].startswith("transaction set 820 0002 was rejected, so nothing")
    assert refused["message"].endswith("segment 2 (BPR), element 03: 'Z' is not one of C, D")
    [audited] = [row for row in store.audit.list(partner="acme") if row.status == "rejected"]
    assert audited.row_number == 15 and "820 0002 was rejected" in audited.message


def test_an_interchange_with_a_broken_envelope_posts_nothing_and_gets_a_ta1(acme, sandbox, root):
    [invoice] = open_invoices(sandbox, 1)
    drop(
        root,
        "ACME_820_3.x12",
        interchange(33, remittance("0001", "T-1", (invoice["invoice_number"], "3.00")), iea=34),
    )

    [outcome] = receive_payments(acme)

    assert (outcome.status, outcome.posted, outcome.rejected) == ("error", 0, 1)
    assert our_payments(sandbox, invoice["id"]) == []
    assert replies(root, "997") == []
    [ta1] = replies(root, "TA1")
    [answer] = ta1.service_segments
    assert answer.elements == ["000000033", "260301", "1200", "R", "001"]
    assert ta1.groups == []


def test_isa14_asks_for_a_ta1_which_travels_with_the_997(acme, sandbox, root):
    [invoice] = open_invoices(sandbox, 1)
    text = interchange(
        35, remittance("0001", "T-1", (invoice["invoice_number"], "2.00")), ack_requested="1"
    )
    drop(root, "ACME_820_4.x12", text)

    [outcome] = receive_payments(acme)

    assert outcome.status == "processed"
    [ack] = replies(root, "997")
    assert [s.elements[3:] for s in ack.service_segments] == [["A", "000"]]
    assert segments(ack, "AK9") == [["A", "1", "1", "1"]]


def test_the_997_goes_out_before_the_file_moves_and_a_failed_upload_puts_it_back(
    acme, sandbox, root
):
    [invoice] = open_invoices(sandbox, 1)
    drop(
        root,
        "ACME_820_5.x12",
        interchange(36, remittance("0001", "T-1", (invoice["invoice_number"], "6.00"))),
    )
    shutil.rmtree(root / "inbound")

    with pytest.raises(RemoteFolderMissing):
        receive_payments(acme)

    assert (root / "outbound" / "ACME_820_5.x12").exists(), "back for the next run"
    assert not (root / "outbound" / "processed").exists()
    assert len(our_payments(sandbox, invoice["id"])) == 1
    (root / "inbound").mkdir()

    [again] = receive_payments(acme)

    assert (again.status, again.posted, again.duplicates) == ("processed", 0, 1)
    assert len(our_payments(sandbox, invoice["id"])) == 1, "posted once"
    [ack] = replies(root, "997")
    assert segments(ack, "AK9") == [["A", "1", "1", "1"]]


def test_each_interchange_of_a_file_gets_its_own_997_with_numbers_never_reused(
    acme, sandbox, root, store
):
    first, second = open_invoices(sandbox, 2)
    drop(
        root,
        "ACME_820_8.x12",
        interchange(38, remittance("0001", "T-1", (first["invoice_number"], "1.00")))
        + interchange(39, remittance("0001", "T-2", (second["invoice_number"], "1.00"))),
    )

    [outcome] = receive_payments(acme)

    assert (outcome.status, outcome.posted, len(outcome.acknowledgments)) == ("processed", 2, 2)
    answers = replies(root, "997")
    assert sorted(segments(ack, "AK1")[0][1] for ack in answers) == ["38", "39"]
    isa13 = {ack.header.raw(13) for ack in answers}
    gs06 = {ack.groups[0].header.raw(6) for ack in answers}
    st02 = {t.control_number for ack in answers for t in ack.transactions}
    assert len(isa13) == len(gs06) == len(st02) == 2
    assert store.control_numbers.last_issued("acme", "x12", "interchange") == max(map(int, isa13))


def test_a_file_that_is_not_edi_goes_to_error_unanswered(acme, root):
    drop(root, "ACME_820_6.x12", "Invoice,Amount\n0000142,10.00\n")

    [outcome] = receive_payments(acme)

    assert outcome.status == "error" and outcome.acknowledgments == []
    report = json.loads((root / "outbound" / "error" / "ACME_820_6.x12.error.json").read_text())
    assert "ISA" in report["error"]
    assert list((root / "inbound").iterdir()) == []


def test_a_set_of_a_version_without_a_spec_is_posted_with_a_warning(acme, sandbox, root, store):
    [invoice] = open_invoices(sandbox, 1)
    text = interchange(37, remittance("0001", "T-1", (invoice["invoice_number"], "1.00"))).replace(
        "*X*004010~", "*X*003040~"
    )
    drop(root, "ACME_820_7.x12", text)

    [outcome] = receive_payments(acme)

    assert (outcome.status, outcome.posted, outcome.warnings) == ("processed", 1, 1)
    [warning] = [row for row in store.audit.list(partner="acme") if row.status == "warning"]
    assert "820 0001 was not checked against a spec" in warning.message
    assert "003040" in warning.message


# EDIFACT


def remadv(control: int, currency: str, *paid: tuple[str, str], ack: str = "1") -> str:
    total = sum(float(amount) for _, amount in paid)
    body = [
        "BGM+481+RA-1+9",
        "DTM+137:20260301:102",
        "NAD+PR+5499999000012::9++Globex Corporation",
        f"CUX+2:{currency}:11",
        *(f"DOC+380+{number}'MOA+9:{amount}" for number, amount in paid),
        "UNS+S",
        f"MOA+12:{total:.2f}",
    ]
    count = sum(part.count("'") + 1 for part in body) + 2
    return (
        "UNA:+.? '"
        f"UNB+UNOC:3+5499999000012:14+5412345000013:14+260301:1200+{control}++REMADV++{ack}'"
        "UNH+1+REMADV:D:96A:UN'" + "".join(f"{part}'" for part in body) + f"UNT+{count}+1'"
        f"UNZ+1+{control}'"
    )


@pytest.fixture
def globex(client, store, root):
    return partner_run(MAPPINGS_DIR / "globex_edifact.map", client, store, root)


def test_a_remadv_asking_for_acknowledgment_gets_a_contrl(globex, sandbox, root, store):
    [invoice] = open_invoices(sandbox, 1)
    drop(root, "GLOBEX_REMADV_1.edi", remadv(77, "USD", (invoice["invoice_number"], "8.00")))

    [outcome] = receive_payments(globex)

    assert outcome.status == "processed" and outcome.posted == 1
    [contrl] = replies(root, "CONTRL")
    [message] = contrl.transactions
    assert message.code == "CONTRL"
    [uci] = [s for s in message.segments if s.tag == "UCI"]
    assert (uci.value(1), uci.value(2), uci.value(3), uci.value(4)) == (
        "77",
        "5499999000012",
        "5412345000013",
        "7",
    )
    [ucm] = [s for s in message.segments if s.tag == "UCM"]
    assert (ucm.value(1), ucm.value(2), ucm.value(3)) == ("1", "REMADV", "7")
    assert contrl.header.value(2) == "5412345000013", "we answer as the receiver"


def test_a_remadv_without_the_request_gets_a_contrl_only_when_the_partner_wants_one(
    globex, sandbox, root
):
    first, second = open_invoices(sandbox, 2)
    drop(root, "GLOBEX_REMADV_2.edi", remadv(78, "USD", (first["invoice_number"], "1.00"), ack=""))

    [outcome] = receive_payments(globex)

    assert outcome.status == "processed" and outcome.acknowledgments == []
    always = globex.partner.model_copy(update={"send_contrl": True})
    drop(root, "GLOBEX_REMADV_3.edi", remadv(79, "USD", (second["invoice_number"], "1.00"), ack=""))

    [answered] = receive_payments(replace(globex, partner=always))

    assert len(answered.acknowledgments) == 1
    [contrl] = replies(root, "CONTRL")
    assert contrl.transactions[0].segments[0].value(1) == "79"


def test_a_remadv_that_breaks_the_spec_posts_nothing_and_its_contrl_says_why(
    globex, sandbox, root, store
):
    [invoice] = open_invoices(sandbox, 1)
    text = remadv(80, "USD", (invoice["invoice_number"], "2.00")).replace("BGM+481+RA-1+9'", "")
    drop(root, "GLOBEX_REMADV_4.edi", text.replace("UNT+10+1", "UNT+9+1"))

    [outcome] = receive_payments(globex)

    assert (outcome.status, outcome.posted, outcome.rejected) == ("error", 0, 1)
    assert our_payments(sandbox, invoice["id"]) == []
    [contrl] = replies(root, "CONTRL")
    body = contrl.transactions[0].segments
    [ucm] = [s for s in body if s.tag == "UCM"]
    assert (ucm.value(1), ucm.value(3)) == ("1", "4"), "the message is rejected"
    assert [s.value(2) for s in body if s.tag == "UCS"] == ["13"], "a mandatory segment missing"
    [refused] = [row for row in store.audit.list(partner="acme") if row.status == "rejected"]
    assert "message REMADV 1 was rejected" in refused.message and "BGM" in refused.message


def test_the_partner_s_implementation_guide_narrows_the_standard(acme, sandbox, root, tmp_path):
    guide = tmp_path / "acme_820_guide.toml"
    guide.write_text(
        'name = "Acme 820 guide: cheques only"\n'
        "[segments.BPR]\n"
        'elements = [{ pos = 4, codes = ["CHK"] }]\n'
    )
    partner = acme.partner.model_copy(update={"edi_guides": {"820": str(guide)}})
    [invoice] = open_invoices(sandbox, 1)
    drop(
        root,
        "ACME_820_9.x12",
        interchange(39, remittance("0001", "T-9", (invoice["invoice_number"], "5.00"))),
    )

    [outcome] = receive_payments(replace(acme, partner=partner))

    assert (outcome.status, outcome.posted) == ("error", 0)
    [ack] = replies(root, "997")
    assert segments(ack, "AK5") == [["R", "5"]]
    assert segments(ack, "AK4")[0][2:] == ["7", "ACH"], "ACH is standard, not in Acme's guide"


def test_a_guide_that_is_not_there_is_a_configuration_error(acme):
    partner = acme.partner.model_copy(update={"edi_guides": {"820": "no_such_guide.toml"}})
    with pytest.raises(ConfigurationError, match=r"820 guide 'no_such_guide\.toml' of partner"):
        partner.guide_paths()


def test_an_acknowledgment_file_is_left_for_the_acks_flow_even_when_the_section_matches_it(
    acme, sandbox, root
):
    broad = acme.partner.model_copy(update={"ack_file_patterns": ["ACME_820_997*"]})
    [invoice] = open_invoices(sandbox, 1)
    drop(
        root,
        "ACME_820_997_1.x12",
        interchange(41, remittance("0001", "T-41", (invoice["invoice_number"], "5.00"))),
    )

    assert receive_payments(replace(acme, partner=broad)) == []
    assert (root / "outbound" / "ACME_820_997_1.x12").exists(), "still there for the acks flow"


def test_a_guide_that_does_not_load_stops_the_run_instead_of_switching_checks_off(
    acme, sandbox, root, tmp_path
):
    guide = tmp_path / "acme_820_guide.toml"
    guide.write_text('[segments.BPR]\nelements = [{ pos = 4, colour = "red" }]\n')
    partner = acme.partner.model_copy(update={"edi_guides": {"820": str(guide)}})
    [invoice] = open_invoices(sandbox, 1)
    drop(
        root,
        "ACME_820_8.x12",
        interchange(38, remittance("0001", "T-8", (invoice["invoice_number"], "5.00"))),
    )

    with pytest.raises(ConfigurationError, match=r"acme_820_guide\.toml"):
        receive_payments(replace(acme, partner=partner))
    assert our_payments(sandbox, invoice["id"]) == []


def test_a_finding_the_partner_tolerates_is_posted_and_acknowledged_with_errors(
    acme, sandbox, root
):
    lenient = acme.partner.model_copy(update={"ack_tolerated": ["element:7"]})
    [invoice] = open_invoices(sandbox, 1)
    drop(
        root,
        "ACME_820_6.x12",
        interchange(36, remittance("0001", "T-6", (invoice["invoice_number"], "4.00"), bpr03="Z")),
    )

    [outcome] = receive_payments(replace(acme, partner=lenient))

    assert (outcome.status, outcome.posted) == ("processed", 1)
    [ack] = replies(root, "997")
    assert segments(ack, "AK5") == [["E", "5"]]
    assert segments(ack, "AK4")[0][2:] == ["7", "Z"], "the finding is still reported"
    assert segments(ack, "AK9") == [["E", "1", "1", "1"]]


def test_a_tolerated_finding_must_name_a_level_and_a_code(acme):
    with pytest.raises(ValueError, match="ack_tolerated"):
        type(acme.partner).model_validate({**acme.partner.model_dump(), "ack_tolerated": ["7"]})
