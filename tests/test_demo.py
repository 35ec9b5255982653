"""`make demo` must keep working: run the command as a user would, in a fresh process."""

import os
import re
import subprocess
import sys
from pathlib import Path


def test_demo_shows_files_both_ways_and_the_real_time_path(tmp_path):
    env = {**os.environ, "COLUMNS": "200", "HOME": str(tmp_path)}
    env.pop("ML_CONNECTOR_HOME", None)
    done = subprocess.run(
        [sys.executable, "-m", "connector.cli", "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        cwd=Path(__file__).resolve().parent.parent,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    prose = " ".join(out.split())  # sentences as one line, wherever the terminal wrapped them
    assert "Uploaded ACME_INV_" in out
    assert "REMIT_20260101_002.csv.error.json" in out
    assert "no FreshBooks invoice numbered '9999999'" in out
    assert "outbound/processed/: REMIT_20260101_001.csv" in out, "the good remittance posts whole"

    # The real-time path: five callbacks verified through the handshake, every edit delivered
    # signed and committed, and the next outbound run fetching the changes in batches.
    for event in ("invoice", "bill", "payment", "client", "bill_vendor"):
        assert re.search(rf"│ {event} +│ \d+ +│ yes +│", out), f"callback {event} not verified"
    edits = re.search(r"puts a PO number on the (\d+) invoices just sent .*?: (\d+) changes", prose)
    delivered = re.search(r"FreshBooks posted (\d+) signed webhook deliveries", prose)
    drained = re.search(r"(\d+) events -> (\d+) API calls?", prose)
    assert edits and delivered and drained, out
    invoices, changes = int(edits[1]), int(edits[2])
    assert invoices > 0 and int(delivered[1]) == changes
    events, calls = int(drained[1]), int(drained[2])
    assert events == invoices, "repeated events for one invoice are one event"
    # 100 ids per call, plus at most one asking for any not found among the deleted.
    assert 0 < calls <= -(-events // 100) + 1, prose[drained.start() : drained.end() + 200]
    assert re.search(r"uploaded as ACME_INV_\d{8}_0002\.csv", prose)
    assert re.search(r"PO-71\d\d", out), "the new file carries the edited PO numbers"

    # Payment events confirm the payments just posted.
    confirmed = re.search(r"(\d+) payment events -> (\d+) of our payments confirmed", prose)
    assert confirmed and int(confirmed[2]) > 0, out
    assert re.search(rf"│ inbound +│ confirmed +│ {confirmed[2]} +│", out)

    # A journal file that balances is posted through the chart of accounts; one that does not is
    # refused whole, with the rows of the entry.
    assert re.search(r"│ Ledger JE-601 .*│ 640010 Web Hosting +│ 120\.00 +│", out)
    assert re.search(r"│ Ledger JE-602 .*│ 120000 Accounts Receivable +│ 45\.10 +│", out)
    assert "Ledger JE-603" not in out
    assert "row 2: entry JE-603: debits 80 do not equal credits 8" in prose

    # The EDI partner: an 810 out under numbers the store keeps, an 820 paying two of its
    # invoices posted and answered with a 997, and the partner's 997 settling the 810.
    sent = re.search(
        r"Uploaded (ACME_810_\d{8}_0001\.x12): (\d+) 810 sets from \d+ invoices .*?"
        r"recorded as ISA13 (\d+), GS06 (\d+), ST02 (\d+)\.\.(\d+)",
        prose,
    )
    assert sent, out
    name, sets, isa13, gs06 = sent[1], int(sent[2]), int(sent[3]), int(sent[4])
    assert sets > 0 and int(sent[6]) - int(sent[5]) + 1 == sets
    assert f"*U*00401*{isa13:09d}*1*P*>" in out, "the ISA carries ISA13 and asks for a 997"
    assert re.search(rf"GS\*IN\*SELLERCO\*ACMEDIST\*\d{{8}}\*\d{{4}}\*{gs06}\*X\*004010", out)
    assert "ACME_820_20260301_0001.x12 -> processed: 2 payments posted, 0 rejected." in prose
    assert len(re.findall(r"│ ACH +│ Acme 820 trace ACH501 from ACME DISTRIBUTION", out)) == 2
    reply = out[out.index("Our 997 back to Acme") : out.index("Acme acknowledges our 810")]
    assert "AK1*RA*501" in reply and "AK5*A" in reply and "AK9*A*1*1*1" in reply, reply
    assert f"Acks job: ACME_997_{isa13:09d}.x12 -> processed, 1 acknowledgment(s)" in prose
    assert f"Sent interchange {isa13} ({name}): accepted, {sets} of {sets} sets accepted" in prose
    assert not (tmp_path / ".ml-connector").exists(), "the demo keeps its state in a temp folder"
