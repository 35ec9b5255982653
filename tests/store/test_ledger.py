import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC

import pytest

from connector.store import (
    InvalidRecordError,
    LedgerConflictError,
    LedgerEntry,
    PostingState,
    RecordNotFoundError,
    Store,
)

PAYMENT = {"payment": {"invoiceid": 7, "amount": {"amount": "120.00"}, "type": "Check"}}


def test_reserve_records_a_pending_entry(store: Store, transfer_id: int):
    entry = store.ledger.reserve("acme:REM-1", "acme", "payment", transfer_id, PAYMENT)

    assert entry.idempotency_key == "acme:REM-1"
    assert (entry.partner, entry.kind, entry.transfer_id) == ("acme", "payment", transfer_id)
    assert entry.request == PAYMENT
    assert entry.state is PostingState.PENDING
    assert (entry.freshbooks_id, entry.message, entry.attempts) == (None, None, 0)
    assert entry.created_at.tzinfo is UTC
    assert entry.updated_at == entry.created_at
    assert store.ledger.get("acme:REM-1") == entry


def test_reserve_of_a_known_key_returns_the_entry_unchanged(store: Store, transfer_id: int):
    first = store.ledger.reserve("k1", "acme", "payment", transfer_id, PAYMENT)
    posted = store.ledger.mark_posted("k1", 901)

    again = store.ledger.reserve("k1", "globex", "journal_entry", None, {"other": True})

    assert again == posted
    assert again.request == first.request
    assert again.state is PostingState.POSTED


def test_reserve_without_a_transfer_is_allowed(store: Store):
    assert store.ledger.reserve("k1", "acme", "client", None, {}).transfer_id is None


def test_mark_posted_settles_once_and_repeats_harmlessly(store: Store, transfer_id: int):
    store.ledger.reserve("k1", "acme", "payment", transfer_id, PAYMENT)

    posted = store.ledger.mark_posted("k1", 901)
    repeated = store.ledger.mark_posted("k1", "901")

    assert posted.state is PostingState.POSTED
    assert (posted.freshbooks_id, posted.attempts) == ("901", 1)
    assert posted.updated_at >= posted.created_at
    assert repeated == posted


def test_a_failed_posting_can_be_retried_and_posted(store: Store, transfer_id: int):
    store.ledger.reserve("k1", "acme", "payment", transfer_id, PAYMENT)

    failed = store.ledger.mark_failed("k1", "FreshBooks answered 503")
    posted = store.ledger.mark_posted("k1", 902)

    assert (failed.state, failed.message, failed.attempts) == (
        PostingState.FAILED,
        "FreshBooks answered 503",
        1,
    )
    assert (posted.state, posted.freshbooks_id, posted.message, posted.attempts) == (
        PostingState.POSTED,
        "902",
        None,
        2,
    )


def test_posted_under_another_id_is_a_conflict(store: Store, transfer_id: int):
    store.ledger.reserve("k1", "acme", "payment", transfer_id, PAYMENT)
    store.ledger.mark_posted("k1", 901)

    with pytest.raises(LedgerConflictError, match="already posted as FreshBooks id 901, not 999"):
        store.ledger.mark_posted("k1", 999)
    assert store.ledger.get("k1").freshbooks_id == "901"


def test_a_posted_entry_cannot_be_marked_failed(store: Store, transfer_id: int):
    store.ledger.reserve("k1", "acme", "payment", transfer_id, PAYMENT)
    store.ledger.mark_posted("k1", 901)

    with pytest.raises(LedgerConflictError, match="cannot be marked failed"):
        store.ledger.mark_failed("k1", "timeout")
    assert store.ledger.get("k1").state is PostingState.POSTED


def test_settling_an_unknown_key_is_refused(store: Store):
    with pytest.raises(RecordNotFoundError, match="no posting 'nope'"):
        store.ledger.mark_posted("nope", 1)
    with pytest.raises(RecordNotFoundError, match="no posting 'nope'"):
        store.ledger.mark_failed("nope", "boom")
    assert store.ledger.get("nope") is None


def test_pending_lists_one_partners_unsettled_entries_oldest_first(store: Store, transfer_id: int):
    for key in ("a1", "a2", "a3", "a4"):
        store.ledger.reserve(key, "acme", "payment", transfer_id, PAYMENT)
    store.ledger.reserve("g1", "globex", "payment", None, PAYMENT)
    store.ledger.mark_posted("a2", 1)
    store.ledger.mark_failed("a3", "rejected")

    assert [entry.idempotency_key for entry in store.ledger.pending("acme")] == ["a1", "a4"]
    assert [entry.idempotency_key for entry in store.ledger.pending("globex")] == ["g1"]
    assert store.ledger.pending("initech") == []


def test_reserve_for_an_unknown_transfer_is_refused(store: Store):
    with pytest.raises(InvalidRecordError, match="refers to transfer 404"):
        store.ledger.reserve("k1", "acme", "payment", 404, PAYMENT)
    assert store.ledger.get("k1") is None


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({"key": ""}, "idempotency key must be a non-empty string"),
        ({"partner": " "}, "partner must be a non-empty string"),
        ({"kind": None}, "kind must be a non-empty string"),
        ({"transfer_id": "12"}, "transfer_id must be an int"),
        ({"request": [1, 2]}, "request of type list, not a dict"),
        ({"request": {"amount": object()}}, "request that is not plain JSON"),
        ({"request": {"amount": float("nan")}}, "request that is not plain JSON"),
    ],
)
def test_reserve_refuses_bad_values(store: Store, arguments, problem):
    values = {
        "key": "k1",
        "partner": "acme",
        "kind": "payment",
        "transfer_id": None,
        "request": PAYMENT,
    } | arguments
    with pytest.raises(InvalidRecordError, match=problem):
        store.ledger.reserve(**values)


def _race(workers: int, action):
    """Run ``action(worker)`` in threads released together, returning results or errors."""
    barrier = threading.Barrier(workers)

    def attempt(worker: int):
        barrier.wait()
        try:
            return action(worker)
        except Exception as error:
            return error

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(attempt, range(workers)))


def test_racing_reservations_of_one_key_make_one_row(store_url: str):
    stores = [Store.open(store_url) for _ in range(4)]
    try:
        for round_number in range(10):
            key = f"race-{round_number}"
            entries = _race(
                4,
                lambda worker, key=key: stores[worker].ledger.reserve(
                    key, "acme", "payment", None, {"worker": worker}
                ),
            )
            assert all(isinstance(entry, LedgerEntry) for entry in entries), entries
            assert len(set(entries)) == 1
            assert entries[0].request["worker"] in range(4)
        assert len(stores[0].ledger.pending("acme")) == 10
    finally:
        for store in stores:
            store.close()


def test_racing_settlements_with_different_ids_let_exactly_one_win(store_url: str):
    stores = [Store.open(store_url) for _ in range(4)]
    try:
        stores[0].ledger.reserve("k1", "acme", "payment", None, PAYMENT)
        outcomes = _race(4, lambda worker: stores[worker].ledger.mark_posted("k1", 900 + worker))
        winners = [outcome for outcome in outcomes if isinstance(outcome, LedgerEntry)]
        losers = [outcome for outcome in outcomes if isinstance(outcome, LedgerConflictError)]
        assert (len(winners), len(losers)) == (1, 3), outcomes
        assert stores[0].ledger.get("k1") == winners[0]
        assert winners[0].attempts == 1
    finally:
        for store in stores:
            store.close()
