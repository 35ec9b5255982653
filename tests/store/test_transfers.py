from datetime import UTC, datetime
from hashlib import sha256

import pytest

from connector.store import (
    Direction,
    InvalidRecordError,
    RecordNotFoundError,
    Store,
    TransferStatus,
)

DIGEST = sha256(b"remittance").hexdigest()


def test_start_records_a_started_transfer_in_utc(store: Store):
    before = datetime.now(UTC)
    transfer_id = store.transfers.start(
        "acme", "outbound", "invoice", "inv.csv", remote_path="/in/inv.csv", size=12
    )
    after = datetime.now(UTC)

    transfer = store.transfers.get(transfer_id)
    assert transfer is not None
    assert (transfer.partner, transfer.direction, transfer.document_kind) == (
        "acme",
        Direction.OUTBOUND,
        "invoice",
    )
    assert (transfer.file_name, transfer.remote_path, transfer.size) == (
        "inv.csv",
        "/in/inv.csv",
        12,
    )
    assert transfer.status is TransferStatus.STARTED
    assert transfer.finished_at is None
    assert transfer.started_at.tzinfo is UTC
    assert before <= transfer.started_at <= after


def test_finish_settles_status_message_and_late_fields(store: Store, transfer_id: int):
    finished = store.transfers.finish(
        transfer_id,
        "partially_posted",
        "2 of 3 payments posted",
        sha256=DIGEST.upper(),
        size=2048,
        archive_url="file:///archive/remit-001.csv",
    )

    assert finished == store.transfers.get(transfer_id)
    assert finished.status is TransferStatus.PARTIALLY_POSTED
    assert finished.message == "2 of 3 payments posted"
    assert finished.sha256 == DIGEST
    assert (finished.size, finished.archive_url) == (2048, "file:///archive/remit-001.csv")
    assert finished.finished_at is not None
    assert finished.finished_at.tzinfo is UTC
    assert finished.finished_at >= finished.started_at


def test_get_of_an_unknown_id_is_none(store: Store):
    assert store.transfers.get(404) is None


def test_find_by_sha256_matches_partner_direction_and_digest_oldest_first(store: Store):
    first = store.transfers.start("acme", "inbound", "remittance", "a.csv", sha256=DIGEST)
    store.transfers.start("acme", "outbound", "invoice", "b.csv", sha256=DIGEST)
    store.transfers.start("globex", "inbound", "remittance", "c.csv", sha256=DIGEST)
    store.transfers.start("acme", "inbound", "remittance", "d.csv", sha256="0" * 64)
    second = store.transfers.start("acme", "inbound", "remittance", "e.csv")
    store.transfers.finish(second, "duplicate", sha256=DIGEST)

    found = store.transfers.find_by_sha256("acme", Direction.INBOUND, DIGEST.upper())

    assert [transfer.id for transfer in found] == [first, second]
    assert store.transfers.find_by_sha256("initech", "inbound", DIGEST) == []


def test_list_is_newest_first_filtered_and_limited(store: Store):
    ids = [
        store.transfers.start(partner, "outbound", "invoice", f"{n}.csv")
        for n, partner in enumerate(["acme", "globex", "acme", "acme"])
    ]

    assert [t.id for t in store.transfers.list()] == ids[::-1]
    assert [t.id for t in store.transfers.list(partner="acme", limit=2)] == [ids[3], ids[2]]
    assert [t.id for t in store.transfers.list(partner="globex")] == [ids[1]]
    assert store.transfers.list(partner="initech") == []


def test_finish_of_an_unknown_transfer_is_refused(store: Store):
    with pytest.raises(RecordNotFoundError, match="no transfer 404"):
        store.transfers.finish(404, "processed")


def test_finish_with_status_started_is_refused(store: Store, transfer_id: int):
    with pytest.raises(InvalidRecordError, match="cannot finish with status 'started'"):
        store.transfers.finish(transfer_id, "started")


def test_finish_with_an_unknown_field_is_refused(store: Store, transfer_id: int):
    with pytest.raises(InvalidRecordError, match=r"no field.*colour"):
        store.transfers.finish(transfer_id, "processed", colour="blue")
    assert store.transfers.get(transfer_id).status is TransferStatus.STARTED


def test_finish_with_a_blank_file_name_is_refused(store: Store, transfer_id: int):
    with pytest.raises(InvalidRecordError, match="file_name"):
        store.transfers.finish(transfer_id, "processed", file_name=" ")


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({"status": "lost"}, "transfer status 'lost'"),
        ({"sha256": "abc"}, "not a SHA-256 digest"),
        ({"sha256": "g" * 64}, "not a SHA-256 digest"),
        ({"size": -1}, "not a byte count"),
        ({"size": "12"}, "not a byte count"),
        ({"size": True}, "not a byte count"),
    ],
)
def test_finish_refuses_bad_values(store: Store, transfer_id: int, arguments, problem):
    arguments = dict(arguments)
    status = arguments.pop("status", "processed")
    with pytest.raises(InvalidRecordError, match=problem):
        store.transfers.finish(transfer_id, status, **arguments)


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({"partner": ""}, "partner must be a non-empty string"),
        ({"direction": "sideways"}, "direction 'sideways' is not one of"),
        ({"document_kind": None}, "document_kind must be a non-empty string"),
        ({"file_name": "  "}, "file_name must be a non-empty string"),
        ({"sha256": "xyz"}, "not a SHA-256 digest"),
        ({"size": -5}, "not a byte count"),
    ],
)
def test_start_refuses_bad_values(store: Store, arguments, problem):
    values = {
        "partner": "acme",
        "direction": "inbound",
        "document_kind": "remittance",
        "file_name": "r.csv",
    } | arguments
    with pytest.raises(InvalidRecordError, match=problem):
        store.transfers.start(**values)
    assert store.transfers.list() == []


@pytest.mark.parametrize("limit", [0, -1, "10", True])
def test_list_refuses_a_limit_that_is_not_a_positive_int(store: Store, limit):
    with pytest.raises(InvalidRecordError, match="must be a positive int"):
        store.transfers.list(limit=limit)


def test_find_by_sha256_refuses_a_malformed_digest(store: Store):
    with pytest.raises(InvalidRecordError, match="not a SHA-256 digest"):
        store.transfers.find_by_sha256("acme", "inbound", "nope")


def test_an_id_that_is_not_an_int_is_refused(store: Store, transfer_id: int):
    with pytest.raises(InvalidRecordError, match="transfer id must be an int"):
        store.transfers.get(str(transfer_id))
    with pytest.raises(InvalidRecordError, match="transfer id must be an int"):
        store.transfers.finish(str(transfer_id), "processed")
