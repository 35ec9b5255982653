"""The 997s, TA1s and CONTRLs we send, written by our writers and read back by our ack reader."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from connector.edi.ack_reader import Acknowledgment, read_acknowledgments
from connector.edi.acknowledgments import (
    contrl,
    contrl_reply_envelope,
    contrl_wanted,
    functional_acks,
    judge,
    ta1,
    ta1_wanted,
    x12_reply_envelope,
)
from connector.formats import edifact, x12
from connector.formats.edi import Interchange, TransactionSet
from connector.formats.edi_check import Problem, SpecProblem
from connector.store.interchanges import AckStatus

MOMENT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _x12(*sets: str, ack_requested: str = "0", group_count: str = "", iea_control: str = "") -> str:
    body = "".join(sets)
    isa13 = "000000042"
    return (
        "ISA*00*          *00*          *ZZ*ACMEDIST       *ZZ*SELLERCO       "
        f"*260301*1200*U*00401*{isa13}*{ack_requested}*P*>~\n"
        "GS*RA*ACMEDIST*SELLERCO*20260301*1200*7*X*004010~\n"
        f"{body}GE*{group_count or len(sets)}*7~\nIEA*1*{iea_control or isa13}~\n"
    )


def _remittance(control: str, trace: str, segment_count: str = "4") -> str:
    return f"ST*820*{control}~\nBPR*C*1000*C*ACH~\nTRN*1*{trace}~\nSE*{segment_count}*{control}~\n"


TWO_REMITTANCES = _x12(_remittance("0001", "T-1"), _remittance("0002", "T-2"))


def _read_x12(text: str) -> Interchange:
    [interchange] = x12.read_interchanges(text.encode(), "inbound.x12")
    return interchange


def _problems(by_control: dict[str, list[SpecProblem]]):
    def check(transaction: TransactionSet) -> list[SpecProblem]:
        return by_control.get(transaction.control_number, [])

    return check


MISSING_N1 = SpecProblem(Problem.MANDATORY_SEGMENT_MISSING, "3", "N1 missing", 3, "N1", "N1")
BAD_CODE = SpecProblem(
    Problem.INVALID_CODE, "7", "N101 bad", 3, "N1", element=1, component=None, value="X~Y"
)
TOO_LONG = SpecProblem(Problem.ELEMENT_TOO_LONG, "5", "BPR02 long", 2, "BPR", element=2)


def _write_997s(interchange: Interchange, judgment) -> bytes:
    sets = functional_acks(judgment)
    return x12.write_interchange(
        x12_reply_envelope(interchange),
        sets,
        interchange_control=5,
        group_control=3,
        first_set_control=1,
        moment=MOMENT,
    ).data


def _pyx12_accepts(data: bytes) -> bool:
    import pyx12.params
    import pyx12.x12n_document

    return pyx12.x12n_document.x12n_document(
        pyx12.params.ParamsBase(), io.StringIO(data.decode()), None, None
    )


def _read_back(data: bytes) -> Acknowledgment:
    """The one 997 in ``data``, after pyx12 accepted it."""
    assert _pyx12_accepts(data)
    [ack] = read_acknowledgments(data)
    return ack


def _body(data: bytes) -> list[str]:
    [interchange] = x12.read_interchanges(data)
    [transaction] = interchange.transactions
    return ["*".join([segment.tag, *segment.elements]) for segment in transaction.segments]


def test_an_accepted_group_gets_a_997_accepting_every_set():
    interchange = _read_x12(TWO_REMITTANCES)
    judgment = judge(interchange)

    data = _write_997s(interchange, judgment)

    assert _body(data) == [
        "AK1*RA*7",
        "AK2*820*0001",
        "AK5*A",
        "AK2*820*0002",
        "AK5*A",
        "AK9*A*2*2*2",
    ]
    assert [t.control_number for t in judgment.accepted_sets()] == ["0001", "0002"]
    ack = _read_back(data)
    assert (ack.kind, ack.control, ack.status) == ("997", "7", AckStatus.ACCEPTED)


def test_the_997_comes_from_the_receiver_to_the_sender():
    interchange = _read_x12(_x12(_remittance("0001", "T-1")))
    envelope = x12_reply_envelope(interchange)

    assert (envelope.sender_qualifier, envelope.sender_id) == ("ZZ", "SELLERCO")
    assert (envelope.receiver_qualifier, envelope.receiver_id) == ("ZZ", "ACMEDIST")
    assert (envelope.application_sender, envelope.application_receiver) == ("SELLERCO", "ACMEDIST")
    assert (envelope.functional_id, envelope.version, envelope.release) == ("FA", "00401", "004010")


def test_tolerated_problems_accept_the_set_with_errors_noted():
    interchange = _read_x12(TWO_REMITTANCES)
    judgment = judge(
        interchange,
        _problems({"0002": [TOO_LONG]}),
        tolerated=lambda problem: problem.problem is Problem.ELEMENT_TOO_LONG,
    )

    data = _write_997s(interchange, judgment)

    assert _body(data)[-3:] == ["AK4*2**5", "AK5*E*5", "AK9*E*2*2*2"]
    assert len(judgment.accepted_sets()) == 2
    ack = _read_back(data)
    assert ack.status is AckStatus.ACCEPTED_WITH_ERRORS


def test_a_group_with_a_rejected_set_is_partially_accepted_with_the_faults_located():
    interchange = _read_x12(TWO_REMITTANCES)
    judgment = judge(interchange, _problems({"0002": [MISSING_N1, BAD_CODE]}))

    data = _write_997s(interchange, judgment)

    assert _body(data) == [
        "AK1*RA*7",
        "AK2*820*0001",
        "AK5*A",
        "AK2*820*0002",
        "AK3*N1*3*N1*3",
        "AK4*1**7*X Y",  # the bad value's delimiter was cleaned by the writer
        "AK5*R*5",
        "AK9*P*2*2*1",
    ]
    assert [t.control_number for t in judgment.accepted_sets()] == ["0001"]
    ack = _read_back(data)
    assert ack.status is AckStatus.PARTIALLY_ACCEPTED
    assert ack.sets[1].reasons == [
        "segment N1 at position 3: 3 (required segment missing)",
        "segment N1 at position 3, element 1: 7 (invalid code value) (value 'X Y')",
        "5 (one or more segments in error)",
    ]


def test_envelope_faults_reject_sets_and_groups_with_their_codes():
    interchange = _read_x12(
        _x12(_remittance("0001", "T-1", segment_count="9"), _remittance("0002", "T-2"))
    )
    wrong_count = _read_x12(_x12(_remittance("0001", "T-1"), group_count="3"))

    partial = _body(_write_997s(interchange, judge(interchange)))
    rejected_data = _write_997s(wrong_count, judge(wrong_count))

    assert partial[1:3] == ["AK2*820*0001", "AK5*R*4"]
    assert partial[-1] == "AK9*P*2*2*1"
    assert _body(rejected_data)[-1] == "AK9*R*3*1*1*5"
    assert judge(wrong_count).accepted_sets() == []
    assert _pyx12_accepts(rejected_data)


def test_a_group_of_functional_acknowledgments_is_never_acknowledged():
    text = _x12(_remittance("0001", "T-1")).replace("GS*RA*", "GS*FA*")
    assert functional_acks(judge(_read_x12(text))) == []


def test_a_ta1_answers_when_isa14_asks():
    interchange = _read_x12(_x12(_remittance("0001", "T-1"), ack_requested="1"))
    judgment = judge(interchange)

    assert ta1_wanted(judgment)
    assert ta1(judgment) == ("TA1", ["000000042", "260301", "1200", "A", "000"])
    assert not ta1_wanted(judge(_read_x12(_x12(_remittance("0001", "T-1")))))


def test_interchange_faults_reject_everything_with_a_ta1_and_no_997():
    interchange = _read_x12(_x12(_remittance("0001", "T-1"), iea_control="000000043"))
    judgment = judge(interchange)

    assert judgment.rejected and ta1_wanted(judgment)
    assert ta1(judgment)[1][3:] == ["R", "001"]
    assert functional_acks(judgment) == []
    assert judgment.accepted_sets() == []


# EDIFACT


def _edifact(ack_request: str = "1", unz_count: str = "2") -> bytes:
    return (
        "UNA:+.? '"
        f"UNB+UNOC:3+BUYER:14+SELLER:14+260301:1200+77++INVOIC++{ack_request}'"
        "UNH+1+INVOIC:D:96A:UN'BGM+380+INV-1'UNT+3+1'"
        "UNH+2+INVOIC:D:96A:UN'BGM+380+INV-2'DTM+137:20260301:102'UNT+4+2'"
        f"UNZ+{unz_count}+77'"
    ).encode()


def _read_edifact(data: bytes) -> Interchange:
    [interchange] = edifact.read_interchanges(data, "inbound.edi")
    return interchange


def _write_contrl(interchange: Interchange, judgment) -> bytes:
    code, segments = contrl(judgment)
    return edifact.write_interchange(
        contrl_reply_envelope(interchange),
        [edifact.OutgoingMessage(code, segments)],
        interchange_control=9,
        first_message_ref=1,
        moment=MOMENT,
    ).data


MISSING_DTM = SpecProblem(Problem.MANDATORY_SEGMENT_MISSING, "13", "DTM missing", 2, "DTM")
BAD_DOCUMENT = SpecProblem(Problem.INVALID_CODE, "12", "BGM01", 2, "BGM", element=1, component=1)


def test_a_contrl_acknowledges_each_message_and_locates_the_faults():
    interchange = _read_edifact(_edifact())
    judgment = judge(interchange, _problems({"1": [MISSING_DTM, BAD_DOCUMENT]}))

    assert contrl_wanted(judgment)
    data = _write_contrl(interchange, judgment)

    text = data.decode()
    assert "UNB+UNOC:3+SELLER:14+BUYER:14+" in text, "sender and receiver swapped"
    assert "UNH+1+CONTRL:D:3:UN'" in text
    assert "UCI+77+BUYER:14+SELLER:14+7'" in text
    assert "UCM+1+INVOIC:D:96A:UN+4'UCS+2+13'UCD+12+1:1'UCM+2+INVOIC:D:96A:UN+7'" in text
    assert [t.control_number for t in judgment.accepted_sets()] == ["2"]
    [ack] = read_acknowledgments(data)
    assert (ack.kind, ack.control, ack.status) == ("CONTRL", "77", AckStatus.ACCEPTED)
    assert [(s.control, s.status) for s in ack.sets] == [
        ("1", AckStatus.REJECTED),
        ("2", AckStatus.ACCEPTED),
    ]
    assert ack.sets[0].reasons == [
        "segment at position 2: 13 (missing)",
        "segment at position 2, element 1-1: 12 (invalid value)",
    ]


def test_an_interchange_fault_rejects_the_whole_interchange_in_the_uci():
    interchange = _read_edifact(_edifact(unz_count="5"))
    judgment = judge(interchange)

    text = _write_contrl(interchange, judgment).decode()

    assert "UCI+77+BUYER:14+SELLER:14+4+29'" in text
    assert "UCM" not in text
    assert judgment.accepted_sets() == []


def test_a_contrl_goes_back_only_when_asked_or_the_partner_wants_one():
    judgment = judge(_read_edifact(_edifact(ack_request="")))

    assert not contrl_wanted(judgment)
    assert contrl_wanted(judgment, partner_wants_contrl=True)


@pytest.mark.parametrize("syntax", ["3", "4"])
def test_the_contrl_version_follows_the_syntax_version(syntax):
    data = _edifact().replace(b"UNOC:3", f"UNOC:{syntax}".encode())
    envelope = contrl_reply_envelope(_read_edifact(data))

    expected = ("D", "3", "UN") if syntax == "3" else ("4", "1", "UN")
    assert (envelope.message_version, envelope.message_release, envelope.controlling_agency) == (
        expected
    )
