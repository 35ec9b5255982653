"""Journal files in against the sandbox's ledger: posted whole or not at all, each entry once."""

from __future__ import annotations

import pytest

from connector.jobs.inbound_journal import receive_journal_entries
from tests.jobs.inbound_support import client_for, partner_run, report

JOURNAL_MAP = """
mapping "Plain journal"

inbound journal_entry from csv {
    files   "JE_*.csv"
    header  yes

    entry              = trim(col("Entry"))
    name               = "Ledger " ~ trim(col("Entry"))
    description        = trim(col("Memo"))
    date               = parse_date(trim(col("Date")), "%Y-%m-%d")
    currency_code      = "USD"
    account_number     = trim(col("Account"))
    debit              = case trim(col("Side")) { "D" -> money(col("Amount")) }
    credit             = case trim(col("Side")) { "C" -> money(col("Amount")) }
    detail_description = trim(col("Line memo"))
}
"""
HEADER = "Entry,Date,Memo,Account,Side,Amount,Line memo\n"
ACCRUAL = [
    "JE-1,2026-01-31,Accrue hosting,640010,D,120.00,hosting",
    "JE-1,2026-01-31,Accrue hosting,210020,C,120.00,accrued",
]
RECEIVABLE = [
    "JE-2,2026-01-31,Reclass,120000,D,45.10,ar",
    "JE-2,2026-01-31,Reclass,400010,C,45.10,sales",
]


@pytest.fixture
def root(tmp_path):
    (tmp_path / "partner" / "outbound").mkdir(parents=True)
    return tmp_path / "partner"


@pytest.fixture
def run(sandbox, store, root, tmp_path):
    mapping = tmp_path / "journal.map"
    mapping.write_text(JOURNAL_MAP)
    with client_for(sandbox) as client:
        yield partner_run(mapping, client, store, root)


def drop(root, name: str, *rows: str) -> None:
    (root / "outbound" / name).write_text(HEADER + "".join(row + "\n" for row in rows))


def our_entries(sandbox) -> list[dict]:
    return [
        entry.to_json() for entry in sandbox.state.ledger.entries if "ml-connector:" in entry.name
    ]


def test_a_good_file_posts_each_entry_on_the_chart_s_sub_accounts(run, sandbox, root):
    drop(root, "JE_1.csv", *ACCRUAL, *RECEIVABLE)

    [outcome] = receive_journal_entries(run)

    assert outcome.status == "processed" and outcome.posted == 2
    first, second = our_entries(sandbox)
    assert first["name"].startswith("Ledger JE-1 [ml-connector:acme:journal_entry:")
    assert [d["debit"] for d in first["details"]] == ["120.00", None]
    chart = sandbox.state.ledger
    expected = [chart.sub_account_numbered(n).id for n in ("640010", "210020")]
    assert [d["sub_accountid"] for d in first["details"]] == expected
    assert second["details"][1]["credit"] == "45.10"


def test_an_unbalanced_entry_rejects_the_file_with_its_rows_and_posts_nothing(run, sandbox, root):
    drop(
        root,
        "JE_2.csv",
        *ACCRUAL,
        "JE-3,2026-01-31,Off by a cent,640010,D,10.00,x",
        "JE-3,2026-01-31,Off by a cent,210020,C,9.99,y",
    )

    [outcome] = receive_journal_entries(run)

    assert outcome.status == "error" and outcome.posted == 0
    found = report(root, "JE_2.csv")
    assert sorted(p["row_number"] for p in found["rejected"]) == [4, 5]
    assert "entry JE-3: debits 10 do not equal credits 9.99" in found["rejected"][0]["message"]
    assert "nothing was posted" in found["error"] and "row(s) 4, 5" in found["error"]
    assert our_entries(sandbox) == []


def test_an_unknown_account_rejects_the_entry_s_row_and_the_file(run, sandbox, root):
    drop(
        root,
        "JE_3.csv",
        *ACCRUAL,
        "JE-4,2026-01-31,Unknown,999999,D,5.00,x",
        "JE-4,2026-01-31,Unknown,210020,C,5.00,y",
    )

    [outcome] = receive_journal_entries(run)

    assert outcome.status == "error" and outcome.posted == 0
    [problem] = report(root, "JE_3.csv")["rejected"]
    assert problem["row_number"] == 4 and problem["value"] == "999999"
    assert "entry JE-4, line 1: no account numbered '999999'" in problem["message"]
    assert our_entries(sandbox) == []


def test_a_journal_dropped_again_or_corrected_posts_each_entry_once(run, sandbox, root):
    drop(root, "JE_4.csv", *ACCRUAL)
    receive_journal_entries(run)
    drop(root, "JE_4.csv", *ACCRUAL)
    [again] = receive_journal_entries(run)
    drop(root, "JE_4B.csv", *ACCRUAL, *RECEIVABLE)
    [corrected] = receive_journal_entries(run)

    assert (again.status, again.duplicates, again.posted) == ("processed", 1, 0)
    assert (corrected.duplicates, corrected.posted) == (1, 1)
    assert len(our_entries(sandbox)) == 2


def test_an_entry_whose_answer_was_lost_is_found_by_its_key_not_posted_twice(run, sandbox, root):
    sandbox.faults.add(
        method="POST", path_regex="/journal_entries/journal_entries$", drop=True, after_handler=True
    )
    drop(root, "JE_5.csv", *ACCRUAL)

    [outcome] = receive_journal_entries(run)

    assert outcome.status == "processed" and outcome.posted == 1
    assert len(our_entries(sandbox)) == 1
