"""Payments in against the sandbox over real HTTP: balances, refusals, duplicates, lost answers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connector.freshbooks import RetryPolicy
from connector.freshbooks.concurrency import AdaptiveLimiter
from connector.jobs.inbound_payments import receive_payments
from tests.jobs.inbound_support import (
    RAW_HEADER,
    RAW_PAYMENTS_MAP,
    client_for,
    open_invoices,
    our_payments,
    partner_run,
    report,
)


@pytest.fixture
def root(tmp_path):
    (tmp_path / "partner" / "outbound").mkdir(parents=True)
    return tmp_path / "partner"


@pytest.fixture
def mapping(tmp_path):
    path = tmp_path / "raw.map"
    path.write_text(RAW_PAYMENTS_MAP)
    return path


@pytest.fixture
def run(sandbox, store, root, mapping):
    with client_for(sandbox) as client:
        yield partner_run(mapping, client, store, root)


def drop(root, name: str, *rows: str) -> None:
    (root / "outbound" / name).write_text(RAW_HEADER + "".join(row + "\n" for row in rows))


def owed(invoice: dict) -> Decimal:
    return Decimal(invoice["outstanding"]["amount"])


def audit_messages(store) -> dict[int, str]:
    return {row.row_number: row.message for row in store.audit.list(partner="acme")}


def test_partial_full_and_over_payments_are_posted_and_audited_as_such(run, sandbox, root, store):
    first, second, third = open_invoices(sandbox, 3)
    over = owed(third) + Decimal("25.00")
    drop(
        root,
        "PAY_1.csv",
        f"{first['invoice_number']},1.50,2026-01-05,Check,USD,A1",
        f"{second['invoice_number']},{owed(second)},2026-01-05,ACH,USD,A2",
        f"{third['invoice_number']},{over},2026-01-05,Bank Transfer,USD,A3",
    )

    [outcome] = receive_payments(run)

    assert outcome.status == "processed" and outcome.posted == 3
    messages = audit_messages(store)
    assert messages[2].startswith(f"partial payment: 1.50 of {owed(first)} owed")
    assert messages[3] == "pays the invoice in full"
    assert f"overpayment: {over} against {owed(third)} owed" in messages[4]
    assert "25.00 over as a credit" in messages[4] and "FreshBooks opened credit" in messages[4]
    [overpaid] = our_payments(sandbox, third["id"])
    assert overpaid["overpaymentid"] is not None and overpaid["type"] == "Bank Transfer"


def test_a_row_for_an_invoice_already_paid_in_full_is_rejected(run, sandbox, root):
    [invoice] = open_invoices(sandbox, 1)
    number, full = invoice["invoice_number"], owed(invoice)
    drop(
        root,
        "PAY_2.csv",
        f"{number},{full},2026-01-05,Check,USD,B1",
        f"{number},{full},2026-01-06,Check,USD,B2",
    )

    [outcome] = receive_payments(run)

    assert outcome.status == "error" and outcome.posted == 1
    [rejected] = report(root, "PAY_2.csv")["rejected"]
    assert rejected["row_number"] == 3 and "already paid in full" in rejected["message"]
    assert len(our_payments(sandbox, invoice["id"])) == 1


@pytest.mark.parametrize(
    ("row", "column", "says"),
    [
        ("NO-SUCH,5.00,2026-01-05,Check,USD,C1", "invoice_number", "no FreshBooks invoice"),
        ("{number},5.00,2026-01-05,Check,CAD,C2", "currency", "payment in CAD for invoice"),
        ("{number},5.00,2026-01-05,Wire,USD,C3", "Type", "is not one FreshBooks accepts (Check,"),
        ("{number},-5.00,2026-01-05,Check,USD,C4", "amount", "greater than zero"),
    ],
    ids=["unknown-invoice", "currency-mismatch", "bad-type", "negative-amount"],
)
def test_bad_rows_are_rejected_with_the_reason_and_nothing_posted(
    run, sandbox, root, row, column, says
):
    [invoice] = open_invoices(sandbox, 1)
    drop(root, "PAY_3.csv", row.format(number=invoice["invoice_number"]))

    [outcome] = receive_payments(run)

    assert outcome.status == "error" and outcome.posted == 0
    [rejected] = report(root, "PAY_3.csv")["rejected"]
    assert rejected["row_number"] == 2
    assert rejected["column"] == column and says in rejected["message"]
    assert our_payments(sandbox, invoice["id"]) == []


def test_a_duplicate_file_and_a_corrected_file_post_each_payment_once(run, sandbox, root, store):
    first, second = open_invoices(sandbox, 2)
    good = f"{first['invoice_number']},2.00,2026-01-05,Check,USD,D1"
    bad = f"{second['invoice_number']},3.00,2026-01-05,Wire,USD,D2"
    drop(root, "PAY_4.csv", good, bad)
    [original] = receive_payments(run)
    drop(root, "PAY_4.csv", good, bad)
    [again] = receive_payments(run)
    # The partner's corrected file: a new name and content, the posted row repeated.
    drop(root, "PAY_4B.csv", good, bad.replace("Wire", "Check"))
    [corrected] = receive_payments(run)

    assert (original.posted, original.rejected) == (1, 1)
    assert (again.posted, again.duplicates, again.rejected) == (0, 1, 1)
    assert (corrected.status, corrected.posted, corrected.duplicates) == ("processed", 1, 1)
    assert len(our_payments(sandbox, first["id"])) == 1
    assert len(our_payments(sandbox, second["id"])) == 1


def test_identical_rows_in_one_file_are_two_payments(run, sandbox, root):
    [invoice] = open_invoices(sandbox, 1)
    row = f"{invoice['invoice_number']},1.00,2026-01-05,Cash,USD,till"
    drop(root, "PAY_5.csv", row, row)

    [outcome] = receive_payments(run)
    drop(root, "PAY_5.csv", row, row)
    [replayed] = receive_payments(run)

    assert outcome.posted == 2 and replayed.duplicates == 2
    assert len(our_payments(sandbox, invoice["id"])) == 2


@pytest.mark.parametrize("lost", ["drop", "502"])
def test_a_payment_whose_answer_was_lost_is_posted_once_then_and_on_a_rerun(
    run, sandbox, root, lost
):
    [invoice] = open_invoices(sandbox, 1)
    row = f"{invoice['invoice_number']},4.00,2026-01-05,Check,USD,E1"
    effect = {"drop": True} if lost == "drop" else {"status": 502}
    sandbox.faults.add(
        method="POST", path_regex="/payments/payments$", after_handler=True, **effect
    )
    drop(root, "PAY_6.csv", row)

    [outcome] = receive_payments(run)
    drop(root, "PAY_6.csv", row)
    [rerun] = receive_payments(run)

    assert outcome.status == "processed" and outcome.posted == 1
    assert rerun.duplicates == 1 and rerun.posted == 0
    assert len(our_payments(sandbox, invoice["id"])) == 1
    assert len(sandbox.requests.entries(method="POST", path_regex="/payments/payments$")) == 1


def test_a_payment_whose_answer_is_lost_and_that_never_arrived_is_sent_again(run, sandbox, root):
    [invoice] = open_invoices(sandbox, 1)
    sandbox.faults.add(method="POST", path_regex="/payments/payments$", status=503)
    drop(root, "PAY_7.csv", f"{invoice['invoice_number']},4.00,2026-01-05,Check,USD,F1")

    [outcome] = receive_payments(run)

    assert outcome.posted == 1
    assert len(sandbox.requests.entries(method="POST", path_regex="/payments/payments$")) == 2
    assert len(our_payments(sandbox, invoice["id"])) == 1


def test_rows_posted_concurrently_keep_row_order_and_back_off_on_429(sandbox, store, root, mapping):
    invoices = open_invoices(sandbox, 12)
    rows = [f"{i['invoice_number']},1.00,2026-01-05,Check,USD,G{n}" for n, i in enumerate(invoices)]
    drop(root, "PAY_8.csv", *rows)
    sandbox.faults.add(
        method="POST", path_regex="/payments/payments$", status=429, retry_after=0, times=3
    )
    limiter = AdaptiveLimiter(initial=4, maximum=8)

    # No transport retries: the limiter itself sees each 429, halves and sends again.
    with client_for(sandbox, RetryPolicy(max_attempts=1)) as client:
        [outcome] = receive_payments(partner_run(mapping, client, store, root), limiter)

    assert outcome.posted == 12 and limiter.throttles == 3
    assert all(len(our_payments(sandbox, i["id"])) == 1 for i in invoices)
    posted = [row for row in store.audit.list(partner="acme") if row.status == "posted"]
    assert [row.row_number for row in reversed(posted)] == list(range(2, 14))


def test_under_the_api_s_rate_limit_the_window_shrinks_and_every_row_posts_once(
    sandbox, store, root, mapping
):
    invoices = open_invoices(sandbox, 12)
    rows = [f"{i['invoice_number']},1.00,2026-01-05,Check,USD,L{n}" for n, i in enumerate(invoices)]
    drop(root, "PAY_9.csv", *rows)
    limiter = AdaptiveLimiter(initial=8, maximum=16)
    # A burst of 4 refuses part of the first 8 look-ups sent at once; with 20 ms a call, the
    # halved window keeps under 400 a second.
    sandbox.faults.add(latency=0.02, times=None)
    sandbox.state.behaviour.rate_limit_per_second = 400
    sandbox.state.behaviour.rate_limit_burst = 4

    # The production retry policy: the transport waits each Retry-After out and sends again;
    # only the limiter's hook on the client lets it hear of those 429s.
    with client_for(sandbox, RetryPolicy()) as client:
        [outcome] = receive_payments(partner_run(mapping, client, store, root), limiter)

    assert outcome.status == "processed" and outcome.posted == 12
    assert limiter.throttles >= 1 and limiter.window < 8
    assert all(len(our_payments(sandbox, i["id"])) == 1 for i in invoices)
    posts = sandbox.requests.entries(method="POST", path_regex="/payments/payments$")
    assert len([post for post in posts if post.status == 200]) == 12
