"""GL journals in, end to end: the shipped ledger mapping, a real sshd, the sandbox's ledger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.inbound_journal import inbound_journal
from flows.inbound_payments import InboundFilesRejected

SHIPPED = Path(__file__).parents[2] / "mappings" / "ledger_journal.tests" / "JE_20240531.csv"


@pytest.fixture
def ledger_partner(partner):
    """The same partner, sending month-end journals through the shipped ledger mapping."""
    return partner.model_copy(update={"mapping": "ledger_journal.map"})


def shipped_lines() -> list[bytes]:
    """The shipped journal file's lines as the partner wrote them (cp1252, ';'-separated)."""
    return SHIPPED.read_bytes().splitlines(keepends=True)


def our_entries(sandbox) -> list[dict]:
    return [
        entry.to_json() for entry in sandbox.state.ledger.entries if "ml-connector:" in entry.name
    ]


def test_the_shipped_file_s_balanced_entry_is_posted_on_the_chart_s_sub_accounts(
    ledger_partner, sandbox, incoming, store
):
    header, *rows = shipped_lines()
    balanced = [row for row in rows if row.startswith(b"JE-501;")]
    (incoming / "JE_20240531.csv").write_bytes(header + b"".join(balanced))

    [outcome] = inbound_journal(ledger_partner)

    assert (outcome["status"], outcome["posted"]) == ("processed", 1)
    [entry] = our_entries(sandbox)
    assert entry["name"].startswith("Ledger JE-501 [ml-connector:acme:journal_entry:")
    chart = sandbox.state.ledger
    accounts = [chart.sub_account_numbered(n).id for n in ("640010", "640022")]
    assert [d["sub_accountid"] for d in entry["details"]] == accounts
    assert [(d["debit"], d["credit"]) for d in entry["details"]] == [
        ("120.00", None),
        (None, "120.00"),
    ]
    assert entry["details"][0]["description"] == "Hosting café", "read as cp1252"
    assert (incoming / "processed" / "JE_20240531.csv").exists()
    posted = [row for row in store.audit.list(partner="acme") if row.status == "posted"]
    assert [row.row_number for row in posted] == [2]


def test_the_shipped_file_whole_is_refused_with_its_line_numbers_and_posts_nothing(
    ledger_partner, sandbox, incoming
):
    (incoming / "JE_20240531.csv").write_bytes(SHIPPED.read_bytes())

    state = inbound_journal(ledger_partner, return_state=True)

    assert state.is_failed()
    with pytest.raises(InboundFilesRejected, match=r"JE_20240531\.csv"):
        state.result()
    report = json.loads((incoming / "error" / "JE_20240531.csv.error.json").read_text())
    by_row = {problem["row_number"]: problem["message"] for problem in report["rejected"]}
    assert sorted(by_row) == [4, 5, 6, 7]
    assert "entry JE-502: debits 50 do not equal credits 40" in by_row[4]
    assert "no FreshBooks account for ledger account 9999" in by_row[6]
    assert "nothing was posted" in report["error"] and "row(s) 4, 5, 6, 7" in report["error"]
    assert report["posted"] == []
    assert our_entries(sandbox) == []
    assert not (incoming / "processed" / "JE_20240531.csv").exists()
