import threading

import pytest

from connector.store import InvalidRecordError, Store


def test_an_unset_cursor_is_none(store: Store):
    assert store.cursors.get("acme", "invoices.updated_since") is None


def test_set_inserts_then_overwrites(store: Store):
    store.cursors.set("acme", "invoices.updated_since", "2024-05-01T00:00:00+00:00")
    store.cursors.set("acme", "invoices.updated_since", "2024-06-01T00:00:00+00:00")

    assert store.cursors.get("acme", "invoices.updated_since") == "2024-06-01T00:00:00+00:00"


def test_cursors_are_kept_per_partner_and_name(store: Store):
    store.cursors.set("acme", "a", "1")
    store.cursors.set("acme", "b", "2")
    store.cursors.set("globex", "a", "3")

    assert [store.cursors.get(*key) for key in [("acme", "a"), ("acme", "b"), ("globex", "a")]] == [
        "1",
        "2",
        "3",
    ]


def test_an_empty_value_is_kept_as_empty(store: Store):
    store.cursors.set("acme", "a", "")
    assert store.cursors.get("acme", "a") == ""


def test_concurrent_upserts_of_one_cursor_never_collide(store_url: str):
    stores = [Store.open(store_url) for _ in range(4)]
    barrier = threading.Barrier(4)
    errors: list[Exception] = []

    def write(worker: int) -> None:
        barrier.wait()
        try:
            stores[worker].cursors.set("acme", "since", str(worker))
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert stores[0].cursors.get("acme", "since") in {"0", "1", "2", "3"}
    finally:
        for store in stores:
            store.close()


@pytest.mark.parametrize(
    ("partner", "name", "value", "problem"),
    [
        ("", "since", "x", "partner must be a non-empty string"),
        ("acme", " ", "x", "cursor name must be a non-empty string"),
        ("acme", "since", 42, "must be text, got int"),
        ("acme", "since", None, "must be text, got NoneType"),
    ],
)
def test_set_refuses_bad_values(store: Store, partner, name, value, problem):
    with pytest.raises(InvalidRecordError, match=problem):
        store.cursors.set(partner, name, value)
