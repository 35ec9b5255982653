import threading
from datetime import datetime, timedelta

import pytest

from connector.store import (
    CallbackConflictError,
    InvalidRecordError,
    RecordNotFoundError,
    Store,
    WebhookEvent,
)

ACME = "outbound:acme:invoice"
GLOBEX = "outbound:globex:invoice"


def _event(path_token: str, object_id: str = "3300105", name: str = "invoice.update"):
    fields = (
        ("name", name),
        ("object_id", object_id),
        ("account_id", "xZNQ1X"),
        ("business_id", "7654321"),
    )
    return WebhookEvent(path_token, "xZNQ1X", name, object_id, fields)


@pytest.fixture
def token(store: Store) -> str:
    return store.events.add_callback("invoice").path_token


def test_a_new_callback_has_an_unguessable_path_and_no_verifier(store: Store):
    first = store.events.add_callback("invoice")
    second = store.events.add_callback("bill")

    assert len(first.path_token) >= 32 and first.path_token != second.path_token
    assert (first.event, first.callback_id, first.verifier, first.verified) == (
        "invoice",
        None,
        None,
        False,
    )
    assert store.events.callback_for_path(first.path_token) == first
    assert store.events.callback_for_path("no-such-path") is None


def test_the_verifier_never_appears_in_a_callbacks_repr(store: Store, token: str):
    callback = store.events.set_verifier(token, "s3cret-verifier", 2001)
    assert "s3cret-verifier" not in repr(callback)


def test_a_callback_id_is_registered_once(store: Store):
    store.events.add_callback("invoice", callback_id=2001)
    with pytest.raises(InvalidRecordError, match="already registered"):
        store.events.add_callback("bill", callback_id=2001)


def test_the_handshake_stores_the_verifier_and_the_callback_id(store: Store, token: str):
    callback = store.events.set_verifier(token, "Qm9n", 2001)
    assert (callback.verifier, callback.callback_id, callback.verified) == ("Qm9n", 2001, False)

    verified = store.events.mark_verified(token)
    assert verified.verified and store.events.callback_for_path(token) == verified


def test_a_repeated_handshake_before_confirmation_replaces_the_verifier(store: Store, token: str):
    store.events.set_verifier(token, "first", 2001)
    assert store.events.set_verifier(token, "second", 2001).verifier == "second"


def test_a_handshake_for_a_verified_callback_is_refused(store: Store, token: str):
    store.events.set_verifier(token, "first", 2001)
    store.events.mark_verified(token)
    with pytest.raises(CallbackConflictError, match="already verified"):
        store.events.set_verifier(token, "forged", 2001)
    assert store.events.callback_for_path(token).verifier == "first"


def test_a_handshake_for_another_callback_id_is_refused(store: Store):
    token = store.events.add_callback("invoice", callback_id=2001).path_token
    with pytest.raises(CallbackConflictError, match="arrived on the path of callback 2001"):
        store.events.set_verifier(token, "v", 2002)


def test_verifying_without_a_handshake_is_refused(store: Store, token: str):
    with pytest.raises(CallbackConflictError, match="no handshake"):
        store.events.mark_verified(token)


@pytest.mark.parametrize(
    ("verifier", "callback_id", "problem"),
    [("", 2001, "verifier must be"), ("v", "2001", "callback_id must be an int")],
)
def test_set_verifier_refuses_bad_values(store: Store, token, verifier, callback_id, problem):
    with pytest.raises(InvalidRecordError, match=problem):
        store.events.set_verifier(token, verifier, callback_id)


def test_unknown_paths_are_refused(store: Store):
    with pytest.raises(RecordNotFoundError):
        store.events.set_verifier("nope", "v", 1)
    with pytest.raises(RecordNotFoundError):
        store.events.mark_verified("nope")


def test_record_keeps_the_fields_in_order_and_drops_duplicates(store: Store, token: str):
    event = _event(token)

    assert store.events.record(event) is True
    assert store.events.record(event) is False

    [buffered] = store.events.pending(ACME, ["invoice.update"], limit=10)
    assert buffered.fields == event.fields
    assert (buffered.account_id, buffered.name, buffered.object_id) == (
        "xZNQ1X",
        "invoice.update",
        "3300105",
    )
    assert buffered.deliveries == 2


def test_an_event_for_an_unknown_path_is_refused(store: Store):
    with pytest.raises(InvalidRecordError, match="does not know"):
        store.events.record(_event("no-such-path"))


def test_an_event_with_a_blank_object_id_is_refused(store: Store, token: str):
    with pytest.raises(InvalidRecordError, match="object_id must be"):
        store.events.record(_event(token, object_id=" "))


def test_pending_filters_by_name_oldest_first_up_to_the_limit(store: Store, token: str):
    for object_id in ("1", "2", "3"):
        store.events.record(_event(token, object_id))
    store.events.record(_event(token, "9", name="bill.create"))

    invoices = store.events.pending(ACME, ["invoice.update", "invoice.create"], limit=2)
    assert [event.object_id for event in invoices] == ["1", "2"]
    assert [event.object_id for event in store.events.pending(ACME, {"bill.create"}, limit=5)] == [
        "9"
    ]


@pytest.mark.parametrize(
    ("names", "limit", "problem"),
    [
        ([], 5, "collection of event names"),
        ("invoice.update", 5, "collection"),
        (["x"], 0, "limit"),
    ],
)
def test_pending_refuses_bad_arguments(store: Store, names, limit, problem):
    with pytest.raises(InvalidRecordError, match=problem):
        store.events.pending(ACME, names, limit)


def test_a_processed_object_changed_again_is_pending_once_more(store: Store, token: str):
    store.events.record(_event(token))
    assert (
        store.events.mark_processed(ACME, store.events.pending(ACME, ["invoice.update"], 10)) == 1
    )
    assert store.events.pending(ACME, ["invoice.update"], 10) == []

    assert store.events.record(_event(token)) is False, "the object's event is still buffered"
    [again] = store.events.pending(ACME, ["invoice.update"], 10)
    assert again.deliveries == 2


def test_an_event_delivered_again_after_it_was_read_stays_pending(store: Store, token: str):
    store.events.record(_event(token))
    read = store.events.pending(ACME, ["invoice.update"], 10)
    store.events.record(_event(token))

    assert store.events.mark_processed(ACME, read) == 0
    [again] = store.events.pending(ACME, ["invoice.update"], 10)
    assert store.events.mark_processed(ACME, [again]) == 1
    assert store.events.mark_processed(ACME, []) == 0


def test_each_consumer_handles_every_event_on_its_own(store: Store, token: str):
    for object_id in ("1", "2"):
        store.events.record(_event(token, object_id))

    acme = store.events.pending(ACME, ["invoice.update"], 10)
    assert store.events.mark_processed(ACME, acme) == 2

    assert store.events.pending(ACME, ["invoice.update"], 10) == []
    globex = store.events.pending(GLOBEX, ["invoice.update"], 10)
    assert [event.object_id for event in globex] == ["1", "2"]
    assert store.events.mark_processed(GLOBEX, globex) == 2
    assert store.events.pending(GLOBEX, ["invoice.update"], 10) == []


def test_a_repeat_after_one_consumer_read_stays_pending_for_that_consumer_only(
    store: Store, token: str
):
    store.events.record(_event(token))
    read_by_acme = store.events.pending(ACME, ["invoice.update"], 10)
    store.events.record(_event(token))  # redelivered while Acme's run is fetching
    read_by_globex = store.events.pending(GLOBEX, ["invoice.update"], 10)

    assert store.events.mark_processed(ACME, read_by_acme) == 0
    assert store.events.mark_processed(GLOBEX, read_by_globex) == 1

    assert [event.deliveries for event in store.events.pending(ACME, ["invoice.update"], 10)] == [2]
    assert store.events.pending(GLOBEX, ["invoice.update"], 10) == []


def test_a_stale_read_never_reopens_what_a_consumer_handled(store: Store, token: str):
    store.events.record(_event(token))
    stale = store.events.pending(ACME, ["invoice.update"], 10)
    store.events.record(_event(token))
    store.events.mark_processed(ACME, store.events.pending(ACME, ["invoice.update"], 10))

    assert store.events.mark_processed(ACME, stale) == 0, "it read an older delivery"
    assert store.events.pending(ACME, ["invoice.update"], 10) == []


@pytest.mark.parametrize("consumer", ["", "  ", None])
def test_a_blank_consumer_is_refused(store: Store, token: str, consumer):
    store.events.record(_event(token))
    with pytest.raises(InvalidRecordError, match="consumer must be"):
        store.events.pending(consumer, ["invoice.update"], 10)
    with pytest.raises(InvalidRecordError, match="consumer must be"):
        store.events.mark_processed(consumer, store.events.pending(ACME, ["invoice.update"], 10))


def _received(store: Store, object_id: str) -> datetime:
    [event] = [
        e for e in store.events.pending(GLOBEX, ["invoice.update"], 10) if e.object_id == object_id
    ]
    return event.last_received_at


def test_prune_drops_events_last_delivered_before_the_cut_with_their_marks(
    store: Store, token: str
):
    store.events.record(_event(token, "1"))
    store.events.record(_event(token, "2"))
    store.events.mark_processed(ACME, store.events.pending(ACME, ["invoice.update"], 10))
    store.events.record(_event(token, "2"))  # delivered again: kept longer
    cut = _received(store, "2")
    assert _received(store, "1") < cut

    assert store.events.prune(cut) == 1
    assert [e.object_id for e in store.events.pending(GLOBEX, ["invoice.update"], 10)] == ["2"]
    assert store.events.record(_event(token, "1")) is True, "a pruned object starts afresh"
    assert [e.object_id for e in store.events.pending(ACME, ["invoice.update"], 10)] == ["2", "1"]
    assert store.events.prune(cut - timedelta(days=1)) == 0


def test_marking_an_event_pruned_since_it_was_read_marks_nothing(store: Store, token: str):
    store.events.record(_event(token))
    read = store.events.pending(ACME, ["invoice.update"], 10)
    store.events.prune(read[0].last_received_at + timedelta(seconds=1))

    assert store.events.mark_processed(ACME, read) == 0
    assert store.events.pending(ACME, ["invoice.update"], 10) == []


@pytest.mark.parametrize("older_than", [datetime(2026, 3, 1), "2026-03-01T00:00:00Z", None])
def test_prune_refuses_a_time_without_a_zone(store: Store, older_than):
    with pytest.raises(InvalidRecordError, match="time zone aware datetime"):
        store.events.prune(older_than)


def test_a_callback_is_removed_once_some_consumer_took_each_of_its_events(store: Store, token: str):
    store.events.record(_event(token))
    with pytest.raises(CallbackConflictError, match="still has events waiting"):
        store.events.remove_callback(token)

    store.events.mark_processed(ACME, store.events.pending(ACME, ["invoice.update"], 10))
    store.events.remove_callback(token)

    assert store.events.callback_for_path(token) is None
    assert store.events.pending(GLOBEX, ["invoice.update"], 10) == []


def test_concurrent_deliveries_of_one_object_buffer_it_once(store_url: str):
    stores = [Store.open(store_url) for _ in range(4)]
    token = stores[0].events.add_callback("invoice").path_token
    barrier = threading.Barrier(4)
    results: list[bool] = []
    errors: list[Exception] = []

    def deliver(worker: int) -> None:
        barrier.wait()
        try:
            results.append(stores[worker].events.record(_event(token)))
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=deliver, args=(worker,)) for worker in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sorted(results) == [False, False, False, True]
        [event] = stores[0].events.pending(ACME, ["invoice.update"], 10)
        assert event.deliveries == 4
    finally:
        for store in stores:
            store.close()


def test_record_many_answers_for_each_event_in_order_counting_repeats(store: Store, token: str):
    events = [_event(token, "1"), _event(token, "2"), _event(token, "1"), _event(token, "1")]

    assert store.events.record_many(events) == [True, True, False, False]
    assert store.events.record_many([_event(token, "2"), _event(token, "3")]) == [False, True]

    pending = {
        event.object_id: event for event in store.events.pending(ACME, ["invoice.update"], 10)
    }
    assert {object_id: event.deliveries for object_id, event in pending.items()} == {
        "1": 3,
        "2": 2,
        "3": 1,
    }
    assert pending["1"].received_at == pending["2"].received_at


def test_record_many_of_nothing_records_nothing(store: Store):
    assert store.events.record_many([]) == []


def test_record_many_keeps_none_when_one_event_names_an_unknown_path(store: Store, token: str):
    events = [_event(token, "1"), _event("no-such-path", "2"), _event(token, "3")]

    with pytest.raises(InvalidRecordError, match="One of 3 events recorded together"):
        store.events.record_many(events)

    assert store.events.pending(ACME, ["invoice.update"], 10) == []


def test_record_many_refuses_a_blank_field_before_writing(store: Store, token: str):
    with pytest.raises(InvalidRecordError, match="account_id must be"):
        store.events.record_many(
            [_event(token, "1"), WebhookEvent(token, "", "invoice.update", "2", ())]
        )

    assert store.events.pending(ACME, ["invoice.update"], 10) == []
