"""Control numbers and sent interchanges, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import UTC, datetime, timedelta

import pytest

from connector.store import InvalidRecordError, RecordNotFoundError, Store
from connector.store.control_numbers import MAXIMUM, ControlBlock, EdiStandard
from connector.store.interchanges import AckStatus, Verdict

ALLOCATIONS_PER_WORKER = 40


def test_numbers_start_at_one_and_follow_each_other(store: Store):
    numbers = store.control_numbers

    assert numbers.last_issued("acme", "x12", "interchange") is None
    assert numbers.allocate("acme", "x12", "interchange") == range(1, 2)
    assert numbers.allocate("acme", "x12", "interchange") == range(2, 3)
    assert numbers.allocate("acme", "x12", "set", 5) == range(1, 6)
    assert numbers.last_issued("acme", "x12", "interchange") == 2
    assert numbers.last_issued("acme", "x12", "set") == 5


def test_each_partner_standard_and_kind_counts_alone(store: Store):
    numbers = store.control_numbers
    numbers.allocate("acme", "x12", "interchange", 3)

    assert numbers.allocate("globex", "x12", "interchange") == range(1, 2)
    assert numbers.allocate("acme", "edifact", "interchange") == range(1, 2)
    assert numbers.allocate("acme", "x12", "group") == range(1, 2)


def test_a_block_gives_one_interchange_one_group_and_consecutive_sets(store: Store):
    first = store.control_numbers.allocate_block("acme", "x12", sets=3)
    second = store.control_numbers.allocate_block("acme", "x12", sets=2)
    edifact = store.control_numbers.allocate_block("acme", "edifact", sets=2, group=False)

    assert first == ControlBlock(interchange=1, group=1, first_set=1, sets=3)
    assert second == ControlBlock(interchange=2, group=2, first_set=4, sets=2)
    assert list(second.set_numbers) == [4, 5]
    assert edifact == ControlBlock(interchange=1, group=None, first_set=1, sets=2)
    assert store.control_numbers.last_issued("acme", "edifact", "group") is None


def test_numbers_wrap_to_one_at_the_fields_maximum_without_splitting_a_block(store: Store):
    numbers = store.control_numbers
    numbers.continue_from("acme", "x12", "interchange", MAXIMUM[EdiStandard.X12] - 1)
    numbers.continue_from("acme", "x12", "set", MAXIMUM[EdiStandard.X12] - 2)

    assert numbers.allocate("acme", "x12", "interchange") == range(999_999_999, 1_000_000_000)
    assert numbers.allocate("acme", "x12", "interchange") == range(1, 2)
    assert numbers.allocate("acme", "x12", "set", 3) == range(1, 4), "never split across the wrap"


def test_edifact_numbers_run_to_fourteen_digits(store: Store):
    numbers = store.control_numbers
    numbers.continue_from("acme", "edifact", "interchange", 1_000_000_000)

    assert numbers.allocate("acme", "edifact", "interchange") == range(1_000_000_001, 1_000_000_002)
    numbers.continue_from("acme", "edifact", "set", MAXIMUM[EdiStandard.EDIFACT])
    assert numbers.allocate("acme", "edifact", "set") == range(1, 2)


def test_continue_from_never_moves_a_counter_backwards(store: Store):
    numbers = store.control_numbers
    numbers.allocate("acme", "x12", "interchange", 50)

    assert numbers.continue_from("acme", "x12", "interchange", 10) == 50
    assert numbers.allocate("acme", "x12", "interchange") == range(51, 52)
    assert numbers.continue_from("acme", "x12", "interchange", 7000) == 7000
    assert numbers.allocate("acme", "x12", "interchange") == range(7001, 7002)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("acme", "x13", "interchange"), "standard 'x13' is not one of"),
        (("acme", "x12", "batch"), "control number kind 'batch' is not one of"),
        (("", "x12", "set"), "partner must be a non-empty string"),
        (("acme", "x12", "set", 0), "count of control numbers 0 is out of range"),
        (("acme", "x12", "set", 1_000_000_000), "out of range"),
        (("acme", "x12", "set", True), "out of range"),
    ],
)
def test_bad_allocations_are_refused_by_name(store: Store, arguments, message):
    with pytest.raises(InvalidRecordError, match=message):
        store.control_numbers.allocate(*arguments)


def test_a_starting_point_past_the_maximum_is_refused(store: Store):
    with pytest.raises(InvalidRecordError, match="last_issued 1000000000 is out of range"):
        store.control_numbers.continue_from("acme", "x12", "interchange", 1_000_000_000)


def test_two_threads_allocating_at_once_never_share_a_number(store: Store):
    barrier = threading.Barrier(2)
    got: list[list[int]] = [[], []]

    def work(slot: int) -> None:
        barrier.wait()
        for _ in range(ALLOCATIONS_PER_WORKER):
            block = store.control_numbers.allocate_block("acme", "x12", sets=2)
            got[slot] += [block.interchange, *block.set_numbers]

    threads = [threading.Thread(target=work, args=(slot,)) for slot in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    _assert_disjoint_blocks(got, per_block=3)


def _allocate_in_process(url: str, barrier, results) -> None:
    try:
        with Store.open(url) as store:
            barrier.wait()
            mine = []
            for _ in range(ALLOCATIONS_PER_WORKER):
                block = store.control_numbers.allocate_block("acme", "x12", sets=2)
                mine += [block.interchange, *block.set_numbers]
        results.put(mine)
    except Exception as error:
        results.put(repr(error))


def test_two_processes_allocating_at_once_never_share_a_number(store: Store, store_url: str):
    spawn = multiprocessing.get_context("spawn")
    barrier, results = spawn.Barrier(2), spawn.Queue()
    workers = [
        spawn.Process(target=_allocate_in_process, args=(store_url, barrier, results))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    got = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join()

    assert all(isinstance(numbers, list) for numbers in got), got
    _assert_disjoint_blocks(got, per_block=3)


def _assert_disjoint_blocks(got: list[list[int]], per_block: int) -> None:
    interchanges = [n for numbers in got for n in numbers[::per_block]]
    sets = [
        n
        for numbers in got
        for i, n in enumerate(numbers)
        if i % per_block  # not interchanges
    ]
    workers_blocks = len(got) * ALLOCATIONS_PER_WORKER
    assert sorted(interchanges) == list(range(1, workers_blocks + 1))
    assert sorted(sets) == list(range(1, 2 * workers_blocks + 1))
    for numbers in got:
        for start in range(0, len(numbers), per_block):
            first, second = numbers[start + 1 : start + per_block]
            assert second == first + 1, "a block's sets are consecutive"


# Sent interchanges


def _record(store: Store, transfer: int, **overrides):
    fields = {
        "interchange_control": 17,
        "group_control": 9,
        "functional_code": "IN",
        "sets": [(101, "810"), (102, "810")],
        "transfer_id": transfer,
    }
    return store.sent_interchanges.record("acme", "x12", **{**fields, **overrides})


def test_a_sent_interchange_is_pending_with_its_sets(store: Store, transfer_id: int):
    sent = _record(store, transfer_id)

    assert (sent.partner, sent.standard, sent.interchange_control) == ("acme", "x12", 17)
    assert (sent.group_control, sent.functional_code, sent.transfer_id) == (9, "IN", transfer_id)
    assert sent.verdict == Verdict(AckStatus.PENDING)
    assert sent.acked_at is None and sent.envelope is None
    assert [(s.control, s.code, s.verdict.status) for s in sent.sets] == [
        (101, "810", "pending"),
        (102, "810", "pending"),
    ]
    assert sent.sent_at.tzinfo is UTC
    assert store.sent_interchanges.get(sent.id) == sent


def test_interchanges_are_found_by_interchange_or_group_number_newest_first(
    store: Store, transfer_id: int
):
    old = _record(store, transfer_id, sent_at=datetime(2026, 1, 1, tzinfo=UTC))
    new = _record(store, transfer_id, group_control=10)
    edifact = store.sent_interchanges.record(
        "acme",
        "edifact",
        interchange_control=17,
        group_control=None,
        functional_code=None,
        sets=[(1, "INVOIC")],
        transfer_id=transfer_id,
    )

    assert store.sent_interchanges.by_interchange("acme", "x12", 17) == new
    assert store.sent_interchanges.by_group("acme", "x12", 9) == old
    assert store.sent_interchanges.by_interchange("acme", "edifact", 17) == edifact
    assert store.sent_interchanges.by_interchange("globex", "x12", 17) is None
    assert store.sent_interchanges.by_group("acme", "x12", 11) is None


def test_settling_records_the_verdict_on_the_interchange_and_its_sets(
    store: Store, transfer_id: int
):
    sent = _record(store, transfer_id)
    rejected = Verdict("rejected", "segment N1 at 4: mandatory segment missing")

    settled = store.sent_interchanges.settle(
        sent.id, Verdict("partially_accepted"), {101: Verdict("accepted"), 102: rejected}
    )

    assert settled.verdict.status is AckStatus.PARTIALLY_ACCEPTED
    assert settled.acked_at is not None
    assert settled.set(101).verdict.status is AckStatus.ACCEPTED
    assert settled.set(102).verdict == rejected
    assert store.sent_interchanges.pending("acme") == []


def test_an_envelope_note_leaves_the_interchange_pending(store: Store, transfer_id: int):
    sent = _record(store, transfer_id)

    noted = store.sent_interchanges.note_envelope(sent.id, Verdict("accepted", "TA1 000"))

    assert noted.envelope == Verdict(AckStatus.ACCEPTED, "TA1 000")
    assert noted.verdict.status is AckStatus.PENDING
    assert [p.id for p in store.sent_interchanges.pending("acme")] == [sent.id]


def test_pending_before_a_time_lists_the_overdue_oldest_first(store: Store, transfer_id: int):
    now = datetime.now(UTC)
    late = _record(store, transfer_id, interchange_control=1, sent_at=now - timedelta(days=2))
    later = _record(store, transfer_id, interchange_control=2, sent_at=now - timedelta(days=1))
    _record(store, transfer_id, interchange_control=3, sent_at=now)
    answered = _record(store, transfer_id, interchange_control=4, sent_at=now - timedelta(days=3))
    store.sent_interchanges.settle(answered.id, Verdict("accepted"), {})

    overdue = store.sent_interchanges.pending("acme", sent_before=now - timedelta(hours=1))

    assert [sent.id for sent in overdue] == [late.id, later.id]
    assert len(store.sent_interchanges.pending("acme")) == 3


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sets": []}, "has no transaction sets"),
        ({"sets": [(1, "810"), (1, "810")]}, "repeats a set control number"),
        ({"sets": [("1", "810")]}, "set control number must be an int"),
        ({"interchange_control": "17"}, "interchange_control must be an int"),
        ({"transfer_id": 999_999}, "names transfer 999999, which the state store does not have"),
    ],
)
def test_bad_interchanges_are_refused_by_name(store: Store, transfer_id: int, overrides, message):
    with pytest.raises(InvalidRecordError, match=message):
        _record(store, transfer_id, **overrides)


def test_settling_unknown_interchanges_or_sets_is_refused(store: Store, transfer_id: int):
    sent = _record(store, transfer_id)

    with pytest.raises(RecordNotFoundError, match="no sent interchange 4242"):
        store.sent_interchanges.settle(4242, Verdict("accepted"), {})
    with pytest.raises(InvalidRecordError, match=r"has no set\(s\) 7 to settle"):
        store.sent_interchanges.settle(sent.id, Verdict("accepted"), {7: Verdict("accepted")})
    with pytest.raises(InvalidRecordError, match="ack status 'fine' is not one of"):
        Verdict("fine")
