"""Payment events confirm the payments ml-connector posted: sandbox over HTTP, real SQLite."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from connector.jobs.confirmations import CONSUMER, confirm_postings
from connector.jobs.inbound_files import KEY_MARK

PAYMENTS = r"/payments/payments"


@pytest.fixture
def transfer_id(store) -> int:
    return store.transfers.start("acme", "inbound", "payment", "REMIT_1.csv")


def _open_invoice(sandbox):
    return next(i for i in sandbox.state.invoices if i.outstanding > 1 and i.vis_state == 0)


def _post(sandbox, store, transfer_id, key: str, *, settle: bool = True):
    """What inbound_payments does: reserve the key, post the payment with it in the note."""
    invoice = _open_invoice(sandbox)
    store.ledger.reserve(key, "acme", "payment", transfer_id, {"invoiceid": invoice.id})
    payment = sandbox.state.add_payment(
        invoice.id, Decimal("1.00"), date(2026, 3, 2), note=f"Acme remittance [{KEY_MARK}{key}]"
    )
    if settle:
        store.ledger.mark_posted(key, str(payment.id))
    return payment


def _rows(store, transfer_id):
    return [row for row in store.audit.for_transfer(transfer_id)]


def test_a_reported_payment_of_ours_is_audited_confirmed(
    sandbox, store, freshbooks, deliver, transfer_id
):
    payment = _post(sandbox, store, transfer_id, "acme:abc:1")
    deliver("payment.create", payment.id)
    deliver("payment.update", payment.id)

    result = confirm_postings(store, freshbooks)

    (row,) = _rows(store, transfer_id)
    assert (row.status, row.source_id, row.target_id) == (
        "confirmed",
        "acme:abc:1",
        str(payment.id),
    )
    assert f"payment {payment.id} of 1.00" in row.message
    assert (result.events, result.payments, result.confirmed) == (2, 1, 1)
    assert store.events.pending(CONSUMER, ["payment.create", "payment.update"], 10) == []


def test_a_payment_of_ours_deleted_in_freshbooks_is_audited(
    sandbox, store, freshbooks, deliver, transfer_id
):
    payment = _post(sandbox, store, transfer_id, "acme:abc:2")
    sandbox.state.update_payment(payment.id, {"vis_state": 1})
    deliver("payment.delete", payment.id)

    result = confirm_postings(store, freshbooks)

    (row,) = _rows(store, transfer_id)
    assert row.status == "warning" and "deleted in FreshBooks" in row.message
    assert result.deleted == 1 and result.confirmed == 0


def test_a_posting_left_in_doubt_is_settled_by_the_event(
    sandbox, store, freshbooks, deliver, transfer_id
):
    payment = _post(sandbox, store, transfer_id, "acme:abc:3", settle=False)
    deliver("payment.create", payment.id)

    result = confirm_postings(store, freshbooks)

    entry = store.ledger.get("acme:abc:3")
    assert (entry.state, entry.freshbooks_id) == ("posted", str(payment.id))
    assert result.settled == 1 and result.confirmed == 1


def test_a_payment_under_a_key_the_ledger_has_as_another_is_a_warning(
    sandbox, store, freshbooks, deliver, transfer_id
):
    first = _post(sandbox, store, transfer_id, "acme:abc:4")
    invoice = _open_invoice(sandbox)
    twin = sandbox.state.add_payment(
        invoice.id, Decimal("1.00"), date(2026, 3, 2), note=f"[{KEY_MARK}acme:abc:4]"
    )
    deliver("payment.create", twin.id)

    confirm_postings(store, freshbooks)

    (row,) = _rows(store, transfer_id)
    assert row.status == "warning"
    assert f"recorded this posting as payment {first.id}" in row.message


def test_other_payments_are_left_alone(sandbox, store, freshbooks, deliver, transfer_id):
    theirs = sandbox.state.payments[0]
    invoice = _open_invoice(sandbox)
    foreign = sandbox.state.add_payment(
        invoice.id, Decimal("1.00"), date(2026, 3, 2), note=f"[{KEY_MARK}other-install:9]"
    )
    for object_id in (theirs.id, foreign.id, 999_999, "x1"):
        deliver("payment.update", object_id)

    result = confirm_postings(store, freshbooks)

    assert _rows(store, transfer_id) == []
    assert (result.not_ours, result.unknown_keys, result.missing, result.unreadable) == (1, 1, 1, 1)
    assert store.events.pending(CONSUMER, ["payment.update"], 10) == []


def test_two_hundred_events_cost_a_few_calls(sandbox, store, freshbooks, deliver, transfer_id):
    posted = [_post(sandbox, store, transfer_id, f"acme:bulk:{n}") for n in range(150)]
    for payment in posted:
        deliver("payment.create", payment.id)
        deliver("payment.update", payment.id)
    sandbox.requests.clear()

    result = confirm_postings(store, freshbooks)

    assert result.confirmed == 150
    assert len(sandbox.requests.entries(path_regex=PAYMENTS)) == 2, "two pages of 100 ids"
