"""Acknowledgments partners send, matched to what we sent and recorded in the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.edi.ack_reader import NotAnAcknowledgment, read_acknowledgments
from connector.edi.matching import record_acknowledgments
from connector.store import Store
from connector.store.interchanges import AckStatus

SAMPLES = Path(__file__).parents[2] / ".." / "shared" / "edi-samples"
ISA = (
    "ISA*00*          *00*          *ZZ*ACMEDIST       *ZZ*SELLERCO       "
    "*260302*0800*U*00401*000000900*0*P*>~"
)


def _997(group: str, status: str, *sets: str, counts: str = "2*2*2") -> bytes:
    return _997_of("AK1*IN*" + group, *sets, f"AK9*{status}*{counts}")


def _997_of(*body: str) -> bytes:
    segments = ["ST*997*0001", *body, f"SE*{len(body) + 2}*0001"]
    return (
        f"{ISA}GS*FA*ACMEDIST*SELLERCO*20260302*0800*900*X*004010~"
        + "~".join(segments)
        + "~GE*1*900~IEA*1*000000900~"
    ).encode()


def _ta1(control: str, status: str, note: str) -> bytes:
    return f"{ISA}TA1*{control}*260301*1200*{status}*{note}~IEA*0*000000900~".encode()


@pytest.fixture
def store(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'state.db'}") as opened:
        yield opened


@pytest.fixture
def sent(store: Store):
    """An 810 interchange (ISA13 42, GS06 7, sets 101 and 102) we sent to acme."""
    transfer_id = store.transfers.start("acme", "outbound", "invoice", "INV_42.x12")
    return store.sent_interchanges.record(
        "acme",
        "x12",
        interchange_control=42,
        group_control=7,
        functional_code="IN",
        sets=[(101, "810"), (102, "810")],
        transfer_id=transfer_id,
    )


def _record(store: Store, data: bytes, name: str = "ack.997"):
    transfer_id = store.transfers.start("acme", "inbound", "acknowledgment", name)
    acks = read_acknowledgments(data, name)
    return record_acknowledgments(store, "acme", acks, transfer_id=transfer_id, file_name=name)


def test_an_accepting_997_settles_the_interchange_and_its_sets(store: Store, sent):
    [matched] = _record(store, _997("7", "A", "AK2*810*0101", "AK5*A", "AK2*810*0102", "AK5*A"))

    assert (matched.outcome, matched.status, matched.interchange_id) == (
        "settled",
        "accepted",
        sent.id,
    )
    now = store.sent_interchanges.get(sent.id)
    assert now.verdict.status is AckStatus.ACCEPTED and now.acked_at is not None
    assert {s.verdict.status for s in now.sets} == {AckStatus.ACCEPTED}
    audit = store.audit.for_transfer(sent.transfer_id)
    assert [(row.status, row.source_id, row.document_kind) for row in audit] == [
        ("accepted", "x12:42/7/101", "810"),
        ("accepted", "x12:42/7/102", "810"),
    ]


def test_a_partial_997_rejects_the_listed_set_with_its_reasons(store: Store, sent):
    data = _997(
        "7",
        "P",
        "AK2*810*102",
        "AK3*N1*4**3",
        "AK3*IT1*6**8",
        "AK4*2**7*XX",
        "AK5*R*5",
        counts="2*2*1",
    )

    [matched] = _record(store, data)

    assert matched.status == "partially_accepted"
    now = store.sent_interchanges.get(sent.id)
    assert now.set(101).verdict.status is AckStatus.ACCEPTED, "unlisted: the group's verdict"
    rejected = now.set(102).verdict
    assert rejected.status is AckStatus.REJECTED
    assert rejected.detail == (
        "segment N1 at position 4: 3 (required segment missing); "
        "segment IT1 at position 6, element 2: 7 (invalid code value) (value 'XX'); "
        "5 (one or more segments in error)"
    )
    rows = {row.source_id: row for row in store.audit.for_transfer(sent.transfer_id)}
    assert rows["x12:42/7/102"].status == "rejected"
    assert "required segment missing" in rows["x12:42/7/102"].message


def test_a_rejected_group_rejects_every_set(store: Store, sent):
    [matched] = _record(store, _997("7", "R", counts="2*2*0*5"))

    assert matched.status == "rejected"
    now = store.sent_interchanges.get(sent.id)
    assert {s.verdict.status for s in now.sets} == {AckStatus.REJECTED}
    assert now.verdict.detail == (
        "5 (number of included transaction sets does not match actual count)"
    )


def test_the_same_verdict_again_is_a_duplicate_and_changes_nothing(store: Store, sent):
    data = _997("7", "A")
    _record(store, data)
    first = store.sent_interchanges.get(sent.id)

    [again] = _record(store, data, "ack-again.997")

    assert again.outcome == "duplicate"
    assert store.sent_interchanges.get(sent.id) == first
    assert store.audit.for_transfer(sent.transfer_id)[-1].status == "duplicate"


def test_a_different_later_verdict_replaces_the_earlier_one(store: Store, sent):
    _record(store, _997("7", "A"))

    [later] = _record(store, _997("7", "R", counts="2*2*0"))

    assert (later.outcome, later.status) == ("replaced", "rejected")
    assert "replaces the earlier verdict: accepted" in later.message


def test_unknown_control_numbers_are_reported_not_raised(store: Store, sent):
    transfer_id = store.transfers.start("acme", "inbound", "acknowledgment", "odd.997")
    data = _997("8", "A") + _997("ABC", "A")
    acks = read_acknowledgments(data, "odd.997")

    matched = record_acknowledgments(
        store, "acme", acks, transfer_id=transfer_id, file_name="odd.997"
    )

    assert [m.outcome for m in matched] == ["unknown", "unknown"]
    assert "answers group 8, which we never sent to acme" in matched[0].message
    warnings = store.audit.for_transfer(transfer_id)
    assert [(row.status, row.source_id) for row in warnings] == [
        ("warning", "8"),
        ("warning", "ABC"),
    ]
    assert store.sent_interchanges.get(sent.id).verdict.status is AckStatus.PENDING


def test_a_listed_set_we_did_not_send_is_reported_beside_the_verdict(store: Store, sent):
    [matched] = _record(store, _997("7", "A", "AK2*810*0555", "AK5*A"))

    assert matched.outcome == "settled"
    warnings = [row for row in store.audit.list("acme") if row.status == "warning"]
    assert [row.source_id for row in warnings] == ["0555"]
    assert "which interchange 42 did not carry" in warnings[0].message


def test_an_unreadable_status_is_reported_as_a_problem(store: Store, sent):
    [matched] = _record(store, _997("7", "Q"))

    assert matched.outcome == "unknown"
    assert "AK901 on line 1 is 'Q', not a status the standard has" in matched.message


CONTRL_HEAD = "UNB+UNOC:3+BUYER:14+SELLER:14+260302:0800+5'UNH+1+CONTRL:D:3:UN'"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (_997("7", "R", "AK3*N1*3**3", "AK2*810*0101"), "AK3 on line 1 is outside any AK2"),
        (_997("7", "R", "AK4*1**7", "AK2*810*0101"), "AK4 on line 1 is outside any AK2"),
        (_997("7", "R", "AK2*810*0101", "AK5*R", "AK5*R"), "AK5 on line 1 is outside any AK2"),
        (_997_of("AK2*810*0101", "AK5*A", "AK9*A*1*1*1"), "997 0001 has no AK1"),
        (_997_of("AK1*IN*7", "AK2*810*0101", "AK5*A"), "997 0001 has no AK9"),
        (f"{CONTRL_HEAD}UCS+3+13'UNT+3+1'UNZ+1+5'".encode(), "UCS on line 1 is outside any UCM"),
        (f"{CONTRL_HEAD}UCM+2+INVOIC:D:96A:UN+7'UNT+3+1'UNZ+1+5'".encode(), "CONTRL 1 has no UCI"),
    ],
)
def test_what_a_sloppy_acknowledgment_gets_wrong_is_kept_as_a_problem(data: bytes, problem: str):
    [ack] = read_acknowledgments(data, "sloppy.ack")

    assert problem in ack.problems, ack.problems


def test_an_accepting_ta1_notes_the_envelope_and_keeps_waiting_for_the_997(store: Store, sent):
    [matched] = _record(store, _ta1("000000042", "A", "000"), "ack.ta1")

    assert matched.outcome == "noted"
    now = store.sent_interchanges.get(sent.id)
    assert now.envelope.status is AckStatus.ACCEPTED
    assert now.verdict.status is AckStatus.PENDING


def test_a_rejecting_ta1_rejects_the_interchange_with_the_note_in_words(store: Store, sent):
    [matched] = _record(store, _ta1("000000042", "R", "006"), "ack.ta1")

    assert (matched.outcome, matched.status) == ("settled", "rejected")
    now = store.sent_interchanges.get(sent.id)
    assert now.set(101).verdict.detail == (
        "interchange rejected: TA1 note 006 (invalid interchange sender ID)"
    )


def test_a_contrl_is_matched_by_interchange_and_message_reference(store: Store):
    transfer_id = store.transfers.start("acme", "outbound", "invoice", "INV.edi")
    sent = store.sent_interchanges.record(
        "acme",
        "edifact",
        interchange_control=77,
        group_control=None,
        functional_code=None,
        sets=[(1, "INVOIC"), (2, "INVOIC")],
        transfer_id=transfer_id,
    )
    data = (
        f"{CONTRL_HEAD}UCI+77+SELLER:14+BUYER:14+7'UCM+2+INVOIC:D:96A:UN+4'UCS+3+13'UNT+5+1'"
        "UNZ+1+5'"
    ).encode()

    [matched] = _record(store, data, "contrl.edi")

    assert matched.status == "partially_accepted"
    now = store.sent_interchanges.get(sent.id)
    assert now.set(1).verdict.status is AckStatus.ACCEPTED
    assert now.set(2).verdict == now.set(2).verdict.__class__(
        AckStatus.REJECTED, "segment at position 3: 13 (missing)"
    )


def test_a_file_without_acknowledgments_is_refused_by_name():
    invoice = (
        f"{ISA}GS*IN*A*B*20260302*0800*1*X*004010~ST*810*0001~BIG*20260302*1~SE*3*0001~"
        "GE*1*1~IEA*1*000000900~"
    ).encode()

    with pytest.raises(NotAnAcknowledgment, match=r"inv\.x12 holds 810, not a 997"):
        read_acknowledgments(invoice, "inv.x12")


SAMPLE_VERDICTS = {
    "x12-997/bots-plugins__testx12003.x12.base": [("TA1", "accepted"), ("997", "accepted")],
    "x12-997/stupidedi__response-to-functional-group-containing-837s.edi": [
        ("997", "partially_accepted")
    ],
    "x12-999/staedi__simple999.edi": [("999", "partially_accepted")],
    "x12-997/bots-plugins__testx12002.x12.base": [("TA1", "rejected"), ("997", "rejected")],
    "edifact-CONTRL/EDIFACT.NET__CONTRL.txt": [("CONTRL", "received"), ("CONTRL", "received")],
}


@pytest.mark.parametrize("name", sorted(SAMPLE_VERDICTS))
def test_real_acknowledgments_read_with_their_verdicts(name):
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"the shared EDI samples are not at {SAMPLES} (see issue 5)")

    acks = read_acknowledgments(path.read_bytes(), path.name)

    assert [(ack.kind, ack.status.value) for ack in acks] == SAMPLE_VERDICTS[name]
    assert all(ack.problems == [] for ack in acks)


def test_every_real_acknowledgment_sample_reads_without_raising():
    folders = [SAMPLES / "x12-997", SAMPLES / "x12-999", SAMPLES / "edifact-CONTRL"]
    if not all(folder.is_dir() for folder in folders):
        pytest.skip(f"the shared EDI samples are not at {SAMPLES} (see issue 5)")
    unreadable = {}
    for path in sorted(p for folder in folders for p in folder.iterdir() if p.is_file()):
        try:
            assert read_acknowledgments(path.read_bytes(), path.name)
        except Exception as error:
            unreadable[path.name] = str(error)
    # Newline-terminated without a UNA saying so: the EDIFACT reader refuses it, by design.
    assert list(unreadable) == ["EDIFACT__contrl_version3_iway.edi"]
    assert "no segment terminator" in unreadable["EDIFACT__contrl_version3_iway.edi"]
