"""Replay from the error folder: fix what refused a file, replay it, and only the rest is posted."""

from __future__ import annotations

import pytest

from connector.transport import RemoteFileMissing, UnsafeRemoteName
from flows.inbound_journal import inbound_journal
from flows.replay_file import replay_file

HEADER = b"Entry;Date;Memo;Account;Side;Amount;Line memo\r\n"


@pytest.fixture
def ledger_partner(partner):
    return partner.model_copy(update={"mapping": "ledger_journal.map"})


def test_a_refused_file_replayed_after_the_fix_posts_once(ledger_partner, sandbox, incoming):
    unknown_account = (
        b"JE-900;31.05.2024;Fix me;9999;D;10.00;x\r\nJE-900;31.05.2024;Fix me;2100;C;10.00;y\r\n"
    )
    (incoming / "JE_20240601.csv").write_bytes(HEADER + unknown_account)
    assert inbound_journal(ledger_partner, return_state=True).is_failed()
    assert (incoming / "error" / "JE_20240601.csv").exists()

    # The partner's accountant corrects the account in the file kept in error/.
    fixed = unknown_account.replace(b";9999;", b";6400;")
    (incoming / "error" / "JE_20240601.csv").write_bytes(HEADER + fixed)
    replay_file(ledger_partner, "JE_20240601.csv")
    assert (incoming / "JE_20240601.csv").exists()
    assert not (incoming / "error" / "JE_20240601.csv").exists()

    [outcome] = inbound_journal(ledger_partner)
    assert (outcome["status"], outcome["posted"]) == ("processed", 1)
    assert inbound_journal(ledger_partner) == [], "nothing left to take"


def test_replay_refuses_a_report_and_a_file_that_is_not_there(ledger_partner):
    with pytest.raises(UnsafeRemoteName, match="error report"):
        replay_file(ledger_partner, "JE_20240601.csv.error.json")
    with pytest.raises(RemoteFileMissing, match="list the error folder"):
        replay_file(ledger_partner, "JE_19990101.csv")
