"""EDI end to end through a real Prefect: sandbox FreshBooks, a real sshd, the state store.

An 820 posts and is answered with a 997; a REMADV asking for it gets a CONTRL; an 810 goes out
under numbers from the store and the partner's 997 for it, read by the acks flow, settles it.
"""

from __future__ import annotations

import pytest

from connector.formats import edifact, x12
from connector.store.interchanges import AckStatus
from flows.acks import acks
from flows.inbound_payments import inbound_payments
from flows.outbound_invoices import outbound_invoices
from tests.jobs.inbound_support import open_invoices, our_payments


@pytest.fixture
def acme_x12(partner):
    """Acme trading X12, under its own name: its own counters, and artifacts of its own (the
    acks flow's table artifacts are keyed by partner)."""
    return partner.model_copy(update={"name": "acme-x12", "mapping": "acme_x12.map"})


def _remittance(control: int, *paid: tuple[str, str]) -> str:
    total = sum(float(amount) for _, amount in paid)
    body = [
        f"BPR*C*{total:.2f}*C*ACH*CTX*01*999999999*DA*123456***01*888888888*DA*654321*20260301",
        f"TRN*1*CHK{control}",
        "N1*PR*ACME DISTRIBUTION",
        "ENT*1",
        *(f"RMR*IV*{number}**{amount}" for number, amount in paid),
    ]
    segments = ["ST*820*0001", *body, f"SE*{len(body) + 2}*0001"]
    return (
        "ISA*00*          *00*          *ZZ*ACMEDIST       *ZZ*SELLERCO       "
        f"*260301*1200*U*00401*{control:09d}*0*P*>~\r\n"
        f"GS*RA*ACMEDIST*SELLERCO*20260301*1200*{control}*X*004010~\r\n"
        + "".join(f"{segment}~\r\n" for segment in segments)
        + f"GE*1*{control}~\r\nIEA*1*{control:09d}~\r\n"
    )


def _read(path, reader=x12.read_interchanges):
    [interchange] = reader(path.read_bytes(), path.name)
    return interchange


def _elements(interchange, tag: str) -> list[list[str]]:
    return [s.elements for t in interchange.transactions for s in t.segments if s.tag == tag]


def test_an_820_posts_and_its_997_lands_in_the_partners_folder(
    acme_x12, sandbox, store, incoming, outgoing
):
    first, second = open_invoices(sandbox, 2)
    (incoming / "ACME_820_20260301.x12").write_text(
        _remittance(501, (first["invoice_number"], "20.00"), (second["invoice_number"], "7.50"))
    )

    [outcome] = inbound_payments(acme_x12)

    assert (outcome["status"], outcome["posted"]) == ("processed", 2)
    assert len(our_payments(sandbox, first["id"])) == 1
    [path] = outgoing.glob("997_*.x12")
    [remote] = outcome["acknowledgments"]
    assert remote.endswith(f"/inbound/{path.name}")
    ack = _read(path)
    assert _elements(ack, "AK1") == [["RA", "501"]]
    assert _elements(ack, "AK9") == [["A", "1", "1", "1"]]
    assert (incoming / "processed" / "ACME_820_20260301.x12").exists()
    transfers = {t.document_kind: t for t in store.transfers.list(partner="acme-x12")}
    sent, remittance = transfers["acknowledgment"], transfers["payment"]
    assert (sent.status, sent.file_name) == ("uploaded", path.name)
    assert sent.finished_at <= remittance.finished_at, "the 997 was up before the 820 moved"


def test_a_remadv_asking_for_acknowledgment_is_answered_with_a_contrl(
    partner, sandbox, incoming, outgoing
):
    globex = partner.model_copy(update={"mapping": "globex_edifact.map"})
    [invoice] = open_invoices(sandbox, 1)
    (incoming / "GLOBEX_REMADV_1.edi").write_text(
        "UNA:+.? 'UNB+UNOC:3+5499999000012:14+5412345000013:14+260301:1200+88++REMADV++1'"
        "UNH+1+REMADV:D:96A:UN'BGM+481+RA-1+9'DTM+137:20260301:102'CUX+2:USD:11'"
        f"DOC+380+{invoice['invoice_number']}'MOA+9:3.00'UNS+S'MOA+12:3.00'UNT+9+1'UNZ+1+88'"
    )

    [outcome] = inbound_payments(globex)

    assert (outcome["status"], outcome["posted"]) == ("processed", 1)
    [path] = outgoing.glob("CONTRL_*.edi")
    contrl = _read(path, edifact.read_interchanges)
    [uci] = [s for s in contrl.transactions[0].segments if s.tag == "UCI"]
    assert (uci.value(1), uci.value(4)) == ("88", "7")


def test_an_810_sent_is_settled_by_the_partners_997(acme_x12, sandbox, store, incoming, outgoing):
    result = outbound_invoices(acme_x12)

    sent = _read(outgoing / result["file_name"])
    isa13 = int(sent.header.raw(13))
    [group] = sent.groups
    recorded = store.sent_interchanges.by_interchange("acme-x12", "x12", isa13)
    assert recorded.transfer_id == result["transfer_id"]
    assert recorded.verdict.status is AckStatus.PENDING
    gs06 = group.header.raw(6)
    answers = "".join(f"AK2*810*{t.control_number}~AK5*A~" for t in group.transactions)
    count = len(group.transactions)
    (incoming / "ACK_997_1.x12").write_text(
        "ISA*00*          *00*          *ZZ*ACMEDIST       *ZZ*SELLERCO       "
        "*260302*0800*U*00401*000000900*0*P*>~GS*FA*ACMEDIST*SELLERCO*20260302*0800*900*X*004010~"
        f"ST*997*0001~AK1*IN*{gs06}~{answers}AK9*A*{count}*{count}*{count}~"
        f"SE*{3 + 2 * count}*0001~GE*1*900~IEA*1*000000900~"
    )

    outcome = acks(acme_x12)

    assert outcome["overdue"] == [] and outcome["files"][0]["settled"] == 1
    settled = store.sent_interchanges.get(recorded.id)
    assert settled.verdict.status is AckStatus.ACCEPTED
    assert {s.verdict.status for s in settled.sets} == {AckStatus.ACCEPTED}
