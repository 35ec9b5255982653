"""EDI out: control numbers from the store, our own output checked before it goes, and every
interchange sent recorded for the partner's acknowledgment. The sandbox over real HTTP, a real
SQLite store, a local folder as the partner's server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connector.formats import edifact, x12
from connector.formats.x12_format import X12Format
from connector.jobs.edi_acks import OwnFileUnreadable, check_written
from connector.jobs.outbound_documents import send_documents
from connector.partners import MAPPINGS_DIR
from connector.store.interchanges import AckStatus
from tests.jobs.conftest import open_run

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SOON = T0 + timedelta(minutes=5)

# Acme's 810 with BIG02 (the invoice number, mandatory) left empty for one invoice.
BLANK_BIG02 = """
mapping "Acme 810 missing one invoice number"

outbound invoice to x12 810 {{
    file  "ACME_810_{{run.seq:04}}.x12"
    where invoice.v3_status != "draft"
    envelope {{ sender ZZ "SELLERCO"  receiver ZZ "ACMEDIST"  version "004010" }}

    segment BIG {{ 01 = format_date(invoice.create_date, "%Y%m%d")
                  02 = if invoice.invoice_number == "{blank}" then "" else invoice.invoice_number }}
    for each line {{
        segment IT1 {{ 01 = line.lineid  02 = line.qty  03 = "EA"  04 = money(line.unit_cost) }}
    }}
    segment TDS {{ 01 implied 2 = money(invoice.amount) }}
}}
"""


@pytest.fixture
def acme(store, freshbooks, partner_root):
    return open_run(str(MAPPINGS_DIR / "acme_x12.map"), store, freshbooks, partner_root)


def _sent(partner_root, name: str):
    [interchange] = x12.read_interchanges((partner_root / "inbound" / name).read_bytes(), name)
    return interchange


def _numbers(interchange) -> tuple[int, int, list[int]]:
    [group] = interchange.groups
    return (
        int(interchange.header.raw(13)),
        int(group.header.raw(6)),
        [int(t.control_number) for t in group.transactions],
    )


def _non_drafts(sandbox) -> list:
    return [i for i in sandbox.state.invoices if i.statuses()["v3_status"] != "draft"]


def test_control_numbers_come_from_the_store_never_repeat_and_are_recorded(
    acme, archive, sandbox, deliver, store, partner_root
):
    first = send_documents(acme, archive, "invoice", now=T0)
    changed = _non_drafts(sandbox)[:2]
    for invoice in changed:
        sandbox.state.touch_invoice(invoice.id)
        deliver("invoice.update", invoice.id)
    second = send_documents(acme, archive, "invoice", now=SOON)

    one, two = _sent(partner_root, first.file_name), _sent(partner_root, second.file_name)
    (isa1, gs1, sets1), (isa2, gs2, sets2) = _numbers(one), _numbers(two)
    assert isa1 != isa2 and gs1 != gs2 and not set(sets1) & set(sets2)
    assert len(sets2) == 2 and sets2 == sorted(sets2)
    assert store.control_numbers.last_issued("acme", "x12", "interchange") == isa2
    for interchange, result in ((one, first), (two, second)):
        isa13, gs06, sets = _numbers(interchange)
        recorded = store.sent_interchanges.by_interchange("acme", "x12", isa13)
        assert recorded.transfer_id == result.transfer_id
        assert (recorded.group_control, recorded.functional_code) == (gs06, "IN")
        assert [(s.control, s.code) for s in recorded.sets] == [(n, "810") for n in sets]
        assert recorded.verdict.status is AckStatus.PENDING
    assert one.header.raw(14) == "1", "acme_x12.map asks Acme for acknowledgments"


def test_a_set_that_breaks_the_spec_is_refused_and_the_rest_go_out(
    store, freshbooks, partner_root, archive, sandbox, tmp_path
):
    blank = _non_drafts(sandbox)[0]
    mapping = tmp_path / "blank.map"
    mapping.write_text(BLANK_BIG02.format(blank=blank.invoice_number))
    run = open_run(str(mapping), store, freshbooks, partner_root)

    result = send_documents(run, archive, "invoice", now=T0)

    interchange = _sent(partner_root, result.file_name)
    written = [t.segments[0].value(2) for t in interchange.transactions]
    assert blank.invoice_number not in written and len(written) == result.rows
    isa13, _, sets = _numbers(interchange)
    assert sets == list(range(sets[0], sets[0] + len(sets))), "the sets numbered without a gap"
    [refused] = [
        row
        for row in store.audit.list(partner="acme")
        if row.status == "rejected" and row.source_id == str(blank.id)
    ]
    assert refused.message.startswith("not sent: the x12 810 written for it breaks the spec")
    assert "segment 2 (BIG), element 02" in refused.message
    assert store.cursors.get("acme", "invoices.refused") == f"[{blank.id}]", "retried next run"
    recorded = store.sent_interchanges.by_interchange("acme", "x12", isa13)
    assert [s.control for s in recorded.sets] == sets


def test_an_edifact_interchange_is_recorded_without_a_group(
    store, freshbooks, partner_root, archive
):
    run = open_run(str(MAPPINGS_DIR / "globex_edifact.map"), store, freshbooks, partner_root)

    result = send_documents(run, archive, "invoice", now=T0)

    path = partner_root / "inbound" / result.file_name
    [interchange] = edifact.read_interchanges(path.read_bytes(), path.name)
    control = int(interchange.header.raw(5))
    recorded = store.sent_interchanges.by_interchange("acme", "edifact", control)
    assert (recorded.group_control, recorded.functional_code) == (None, None)
    assert [s.code for s in recorded.sets] == ["INVOIC"] * result.rows
    assert [str(s.control) for s in recorded.sets] == [
        t.control_number for t in interchange.transactions
    ]


def test_our_own_file_with_a_broken_envelope_is_refused_whole():
    broken = (
        "ISA*00*          *00*          *ZZ*SELLERCO       *ZZ*ACMEDIST       "
        "*260302*0900*U*00401*000000005*0*P*>~GS*IN*SELLERCO*ACMEDIST*20260302*0900*5*X*004010~"
        "ST*810*0001~BIG*20260302*INV-1~TDS*100~SE*4*0001~GE*2*5~IEA*1*000000005~"
    )

    with pytest.raises(OwnFileUnreadable, match=r"envelope faults: .*code 5"):
        check_written(X12Format(), broken.encode(), "ACME_810_0001.x12")
    with pytest.raises(OwnFileUnreadable, match="does not read back"):
        check_written(X12Format(), b"not an interchange", "ACME_810_0002.x12")


def test_data_cleaned_of_a_delimiter_is_sent_and_audited_as_a_warning(
    acme, archive, sandbox, store, partner_root
):
    invoice = _non_drafts(sandbox)[0]
    client = sandbox.state.client(invoice.customerid)
    sandbox.state.update_client(client.id, {"organization": "Stars*Stripes~Co"})
    sandbox.state.update_invoice(invoice.id, {"customerid": client.id})

    result = send_documents(acme, archive, "invoice", now=T0)

    interchange = _sent(partner_root, result.file_name)
    names = [s.value(2) for t in interchange.transactions for s in t.segments if s.tag == "N1"]
    assert "Stars Stripes Co" in names, "the delimiters are replaced, the rest kept"
    warned = [row for row in store.audit.list(partner="acme") if row.status == "warning"]
    assert warned and all(row.transfer_id == result.transfer_id for row in warned)
    [message] = [row.message for row in warned]
    assert "segment 4 (N102): delimiter '~*' replaced by ' '" in message
