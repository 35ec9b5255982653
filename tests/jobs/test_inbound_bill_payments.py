"""Bill payments in (Globex's XML remittances) against the sandbox's bills over real HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connector.jobs.inbound_bill_payments import receive_bill_payments
from tests.jobs.inbound_support import client_for, partner_run, report


@pytest.fixture
def root(tmp_path):
    (tmp_path / "partner" / "outbound").mkdir(parents=True)
    return tmp_path / "partner"


@pytest.fixture
def run(sandbox, store, root):
    with client_for(sandbox) as client:
        yield partner_run("globex_xml.map", client, store, root)


def bills(sandbox, status: str, currency: str = "USD") -> list[dict]:
    purchases = sandbox.state.purchases
    found = [purchases.bill_json(bill) for bill in purchases.bills]
    return [b for b in found if b["status"] == status and b["currency_code"] == currency]


def owed(bill: dict) -> Decimal:
    return Decimal(bill["outstanding"]["amount"])


def payment(bill_number: str, amount, currency: str = "USD", reference: str = "R1") -> str:
    return (
        f'<gx:Payment bill="{bill_number}"><gx:Amount currency="{currency}">{amount}</gx:Amount>'
        f"<gx:PaidOn>2026-01-05</gx:PaidOn><gx:Method>wire</gx:Method>"
        f"<gx:Reference>{reference}</gx:Reference></gx:Payment>"
    )


def drop(root, name: str, *payments: str) -> None:
    body = '<gx:Payments xmlns:gx="urn:globex:payments:1">' + "".join(payments) + "</gx:Payments>"
    (root / "outbound" / name).write_text(body)


def our_payments(sandbox, billid: int) -> list[dict]:
    return [
        p.to_json()
        for p in sandbox.state.purchases.bill_payments
        if p.billid == billid and "ml-connector:" in (p.note or "")
    ]


def test_partial_and_full_bill_payments_are_posted_with_the_key_in_the_note(run, sandbox, root):
    partial, full = bills(sandbox, "unpaid")[:2]
    drop(
        root,
        "GLOBEX_PAY_20260105.xml",
        payment(partial["bill_number"], "10.00", reference="W-1"),
        payment(full["bill_number"], owed(full), reference="W-2"),
    )

    [outcome] = receive_bill_payments(run)

    assert outcome.status == "processed" and outcome.posted == 2
    [paid] = our_payments(sandbox, partial["id"])
    assert paid["payment_type"] == "Bank Transfer"
    assert paid["note"].startswith("Globex ref W-1 [ml-connector:acme:bill_payment:")
    audit = sorted(run.store.audit.list(partner="acme"), key=lambda row: row.row_number)
    assert audit[0].message == f"partial payment: 10.00 of {owed(partial)} owed, " + (
        f"{owed(partial) - 10} still owed"
    )
    assert audit[1].message == "pays the bill in full"


@pytest.mark.parametrize(
    ("which", "amount", "currency", "says"),
    [
        ("missing", "5.00", "USD", "no FreshBooks bill numbered 'NO-SUCH'"),
        ("paid", "5.00", "USD", "already paid in full"),
        ("unpaid", "too much", "USD", "more than the"),
        ("unpaid", "5.00", "CAD", "bill payment in CAD for bill"),
    ],
    ids=["unknown-bill", "already-paid", "more-than-owed", "currency-mismatch"],
)
def test_bad_bill_payments_are_rejected_with_the_reason(
    run, sandbox, root, which, amount, currency, says
):
    bill = (
        {"bill_number": "NO-SUCH", "id": None} if which == "missing" else bills(sandbox, which)[0]
    )
    if amount == "too much":
        amount = owed(bill) + 1
    drop(root, "GLOBEX_PAY_20260106.xml", payment(bill["bill_number"], amount, currency))

    [outcome] = receive_bill_payments(run)

    assert outcome.status == "error" and outcome.posted == 0
    [rejected] = report(root, "GLOBEX_PAY_20260106.xml")["rejected"]
    assert says in rejected["message"]
    assert bill["id"] is None or our_payments(sandbox, bill["id"]) == []


def test_a_bill_payment_whose_answer_was_lost_is_posted_once_then_and_on_a_rerun(
    run, sandbox, root
):
    [bill] = bills(sandbox, "unpaid")[:1]
    sandbox.faults.add(
        method="POST", path_regex="/bill_payments/bill_payments$", drop=True, after_handler=True
    )
    body = payment(bill["bill_number"], "3.00", reference="L-1")
    drop(root, "GLOBEX_PAY_20260107.xml", body)

    [outcome] = receive_bill_payments(run)
    drop(root, "GLOBEX_PAY_20260107.xml", body)
    [rerun] = receive_bill_payments(run)

    assert outcome.posted == 1 and rerun.duplicates == 1
    assert len(our_payments(sandbox, bill["id"])) == 1
