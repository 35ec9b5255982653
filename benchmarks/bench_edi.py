"""X12 810s and EDIFACT INVOICs: our writers and readers beside mock-edi's, on the same invoices
and the same bytes.

Write: 10,000 FreshBooks-shaped invoices (the JSON the API returns: lines with qty, unit_cost
and taxes) are turned into 810 segments the simple way (a function here) and written as one
interchange; mock-edi builds and renders the same segments. The same invoices also go through the
shipped mapping (mappings/acme_x12.map), the way the outbound flow writes them. Read: the
interchange we wrote (~300,000 segments) is read by our reader and by mock-edi's (split + parse,
decoding included on both sides); both must find the same transaction sets and segment counts.
The same invoices written as one EDIFACT INVOIC interchange are read by both readers too. Each
side runs --repeat times and the median counts.
Goals (issue 5): writing 10,000 invoices in under 2 s; reading at least 10x faster than mock-edi.
Size: `--invoices N` or BENCH_EDI_INVOICES (default 10,000).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mockedi import edifact as mock_edifact  # noqa: E402
from mockedi import x12 as mock_x12  # noqa: E402
from mockedi.envelope import seg as mock_segment  # noqa: E402

from benchmarks.harness import report, timed  # noqa: E402
from connector.formats import ControlNumbers, edifact  # noqa: E402
from connector.formats.x12 import (  # noqa: E402
    OutgoingSegment,
    OutgoingSet,
    X12Envelope,
    read_interchanges,
    write_interchange,
)
from connector.mapping import RunContext, load_mapping  # noqa: E402

ENVELOPE = X12Envelope(
    sender_qualifier="ZZ",
    sender_id="SELLERCO",
    receiver_qualifier="ZZ",
    receiver_id="BUYERCO",
    functional_id="IN",
    application_sender="SELLERCO",
    application_receiver="BUYERCO",
)
MOMENT = datetime(2024, 6, 1, 9, 30)
LINES_PER_INVOICE = 5
MAPPING = REPO / "mappings" / "acme_x12.map"


def make_invoices(count: int) -> list[dict]:
    """Invoices as FreshBooks' API returns them (``/invoices/invoices?include[]=lines``)."""
    invoices = []
    for number in range(count):
        created = date(2024, 1, 1) + timedelta(days=number % 150)
        lines = []
        for position in range(LINES_PER_INVOICE):
            qty = Decimal(1 + (number + position) % 7)
            unit = Decimal(1999 + 37 * position + number % 500) / 100
            lines.append(
                {
                    "lineid": position + 1,
                    "name": f"Widget {position}",
                    "description": f"Blue widget, size {position} (box of 12)",
                    "qty": str(qty),
                    "unit_cost": {"amount": str(unit), "code": "USD"},
                    "amount": {"amount": str(qty * unit), "code": "USD"},
                    "taxName1": "GST" if position % 2 else "",
                    "taxAmount1": "5" if position % 2 else "0",
                }
            )
        total = sum(Decimal(line["amount"]["amount"]) for line in lines)
        invoices.append(
            {
                "invoiceid": 100_000 + number,
                "invoice_number": f"INV-{number:06d}",
                "customerid": 51_000 + number % 300,
                "v3_status": "sent",
                "organization": f"Customer {number % 300} Ltd",
                "fname": "Pat",
                "lname": "Lee",
                "p_street": f"{100 + number % 800} Main Street",
                "p_city": "Springfield",
                "p_province": "IL",
                "p_code": "62701",
                "create_date": created.isoformat(),
                "due_date": (created + timedelta(days=30)).isoformat(),
                "currency_code": "USD",
                "po_number": f"PO-{number % 9000}",
                "amount": {"amount": str(total), "code": "USD"},
                "lines": lines,
            }
        )
    return invoices


def invoice_segments(invoice: dict) -> list[OutgoingSegment]:
    """An 810 body for one invoice: BIG, bill-to and ship-to parties, terms, one IT1/PID
    (+TXI) per line, totals."""
    created = invoice["create_date"].replace("-", "")
    segments: list[OutgoingSegment] = [
        ("BIG", [created, invoice["invoice_number"], "", invoice["po_number"]]),
        ("CUR", ["SE", invoice["currency_code"]]),
        ("REF", ["IA", str(invoice["invoiceid"])]),
        ("N1", ["BT", invoice["organization"]]),
        ("N3", [invoice["p_street"]]),
        ("N4", [invoice["p_city"], invoice["p_province"], invoice["p_code"], "US"]),
        ("PER", ["BD", f"{invoice['fname']} {invoice['lname']}"]),
        ("N1", ["ST", invoice["organization"]]),
        ("N3", [invoice["p_street"]]),
        ("N4", [invoice["p_city"], invoice["p_province"], invoice["p_code"], "US"]),
        ("ITD", ["01", "3", "", "", "", invoice["due_date"].replace("-", ""), "30"]),
        ("DTM", ["011", created]),
    ]
    for line in invoice["lines"]:
        segments.append(
            (
                "IT1",
                [
                    str(line["lineid"]),
                    line["qty"],
                    "EA",
                    line["unit_cost"]["amount"],
                    "",
                    "VP",
                    line["name"],
                ],
            )
        )
        segments.append(("PID", ["F", "", "", "", line["description"]]))
        if line["taxName1"]:
            segments.append(("TXI", ["ST", "", line["taxAmount1"]]))
    cents = int(Decimal(invoice["amount"]["amount"]) * 100)
    segments.append(("TDS", [str(cents)]))
    segments.append(("CTT", [str(len(invoice["lines"]))]))
    return segments


def invoic_segments(invoice: dict) -> list[tuple[str, list[edifact.Element]]]:
    """An INVOIC body for one invoice: BGM, date, buyer, currency, LIN/IMD/QTY/PRI per line,
    the section control and the total."""
    created = invoice["create_date"].replace("-", "")
    segments: list[tuple[str, list[edifact.Element]]] = [
        ("BGM", [["380"], invoice["invoice_number"], "9"]),
        ("DTM", [["137", created, "102"]]),
        (
            "NAD",
            [
                "BY",
                "",
                "",
                invoice["organization"],
                invoice["p_street"],
                invoice["p_city"],
                "",
                invoice["p_code"],
                "US",
            ],
        ),
        ("CUX", [["2", invoice["currency_code"], "4"]]),
    ]
    for line in invoice["lines"]:
        segments.append(("LIN", [str(line["lineid"])]))
        segments.append(("IMD", ["F", "", ["", "", "", line["description"]]]))
        segments.append(("QTY", [["47", line["qty"]]]))
        segments.append(("PRI", [["AAA", line["unit_cost"]["amount"]]]))
    segments.append(("UNS", ["S"]))
    segments.append(("MOA", [["77", invoice["amount"]["amount"]]]))
    return segments


def write_invoic(invoices: Sequence[dict]) -> bytes:
    messages = [edifact.OutgoingMessage("INVOIC", invoic_segments(i)) for i in invoices]
    envelope = edifact.EdifactEnvelope(sender_id="SELLERCO", receiver_id="BUYERCO")
    written = edifact.write_interchange(
        envelope, messages, interchange_control=1, first_message_ref=1, moment=MOMENT
    )
    return written.data


def write_ours(invoices: Sequence[dict]) -> bytes:
    sets: list[OutgoingSet] = [("810", invoice_segments(invoice)) for invoice in invoices]
    written = write_interchange(
        ENVELOPE,
        sets,
        interchange_control=1,
        group_control=1,
        first_set_control=1,
        moment=MOMENT,
    )
    return written.data


def write_mock(invoices: Sequence[dict]) -> bytes:
    messages = []
    for number, invoice in enumerate(invoices, start=1):
        body = [mock_segment(tag, *elements) for tag, elements in invoice_segments(invoice)]
        messages.append(mock_x12.message("810", f"{number:04d}", body, "004010"))
    interchange = mock_x12.wrap(messages, "SELLERCO", "BUYERCO", "1", "1", "IN", moment=MOMENT)
    return mock_x12.render(interchange).encode()


def read_ours(data: bytes) -> tuple[int, int]:
    sets = [t for interchange in read_interchanges(data) for t in interchange.transactions]
    return len(sets), sum(len(t.segments) + 2 for t in sets)


def read_mock(data: bytes) -> tuple[int, int]:
    parsed = [mock_x12.parse(part) for part in mock_x12.split(data.decode())]
    sets = [message for interchange in parsed for _, message in interchange.messages()]
    return len(sets), sum(len(message.segments) for message in sets)


def read_invoic_ours(data: bytes) -> tuple[int, int]:
    messages = [
        m for interchange in edifact.read_interchanges(data) for m in interchange.transactions
    ]
    return len(messages), sum(len(m.segments) + 2 for m in messages)


def read_invoic_mock(data: bytes) -> tuple[int, int]:
    text = data.decode("latin-1")
    parsed = [mock_edifact.parse(part) for part in mock_edifact.split(text)]
    messages = [message for interchange in parsed for _, message in interchange.messages()]
    return len(messages), sum(len(message.segments) for message in messages)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--invoices", type=int, default=int(os.environ.get("BENCH_EDI_INVOICES", "10000"))
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    invoices = make_invoices(args.invoices)

    write_seconds, data = timed("write (ours)", lambda: write_ours(invoices), args.repeat)
    mock_write_seconds, _ = timed("write (mock-edi)", lambda: write_mock(invoices), args.repeat)
    segments = data.count(b"~")
    print(f"{args.invoices:,} invoices, {segments:,} segments, {len(data):,} bytes")

    read_seconds, ours = timed("read (ours)", lambda: read_ours(data), args.repeat)
    mock_read_seconds, theirs = timed("read (mock-edi)", lambda: read_mock(data), args.repeat)
    if ours != theirs:
        print(f"readers disagree: ours {ours}, mock-edi {theirs}", file=sys.stderr)
        return 1
    invoic = write_invoic(invoices)
    terminators = invoic.count(b"'")
    print(f"INVOIC: {terminators:,} segments, {len(invoic):,} bytes")
    invoic_seconds, ours = timed(
        "read INVOIC (ours)", lambda: read_invoic_ours(invoic), args.repeat
    )
    mock_invoic_seconds, theirs = timed(
        "read INVOIC (mock-edi)", lambda: read_invoic_mock(invoic), args.repeat
    )
    if ours != theirs:
        print(f"INVOIC readers disagree: ours {ours}, mock-edi {theirs}", file=sys.stderr)
        return 1
    section = load_mapping(MAPPING).outbound("invoice")
    context = RunContext(
        date=datetime(2024, 6, 1, 9, 0), seq=1, partner="acme", controls=ControlNumbers(1, 1, 1)
    )
    mapped_seconds, mapped = timed(
        "write through acme_x12.map", lambda: section.render(invoices, context), args.repeat
    )
    print(f"  {mapped.rows:,} transaction sets, {len(mapped.content):,} bytes")
    report(
        "edi_x12_810_write",
        write_seconds,
        "mock-edi render",
        mock_write_seconds,
        goal=f"{args.invoices:,} invoices written in < 2 s",
    )
    report(
        "edi_x12_810_write_mapped",
        mapped_seconds,
        "mock-edi render",
        mock_write_seconds,
        goal=f"{args.invoices:,} invoices written in < 2 s",
    )
    report(
        "edi_edifact_invoic_read",
        invoic_seconds,
        "mock-edi parse",
        mock_invoic_seconds,
        goal="reading >= 10x faster than mock-edi",
    )
    report(
        "edi_x12_810_read",
        read_seconds,
        "mock-edi parse",
        mock_read_seconds,
        goal="reading >= 10x faster than mock-edi",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
