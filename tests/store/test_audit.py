from datetime import UTC

import pytest
from sqlalchemy import Engine, event

from connector.store import AuditRow, AuditStatus, Direction, InvalidRecordError, Store


def _row(transfer_id: int, number: int, status: str = "posted", partner: str = "acme") -> AuditRow:
    return AuditRow(
        transfer_id=transfer_id,
        partner=partner,
        direction="inbound",
        document_kind="remittance",
        status=status,
        source_id=f"REM-{number}",
        target_id=f"PAY-{number}",
        file_name="remit-001.csv",
        row_number=number,
        message=None if status == "posted" else f"row {number}: {status}",
    )


def test_record_stores_rows_with_ids_and_a_utc_time(store: Store, transfer_id: int):
    rows = [_row(transfer_id, 1), _row(transfer_id, 2, "rejected"), _row(transfer_id, 3, "skipped")]

    assert store.audit.record(rows) == 3

    entries = store.audit.for_transfer(transfer_id)
    assert [entry.row_number for entry in entries] == [1, 2, 3]
    assert [entry.status for entry in entries] == [
        AuditStatus.POSTED,
        AuditStatus.REJECTED,
        AuditStatus.SKIPPED,
    ]
    assert entries[1].message == "row 2: rejected"
    assert entries[0].direction is Direction.INBOUND
    assert (entries[0].source_id, entries[0].target_id) == ("REM-1", "PAY-1")
    assert len({entry.id for entry in entries}) == 3
    assert all(entry.created_at.tzinfo is UTC for entry in entries)


def test_for_transfer_keeps_transfers_apart(store: Store, transfer_id: int):
    other = store.transfers.start("acme", "inbound", "remittance", "remit-002.csv")
    store.audit.record([_row(transfer_id, 1), _row(other, 1), _row(transfer_id, 2)])

    assert [entry.row_number for entry in store.audit.for_transfer(transfer_id)] == [1, 2]
    assert [entry.transfer_id for entry in store.audit.for_transfer(other)] == [other]
    assert store.audit.for_transfer(404) == []


def test_list_is_newest_first_filtered_and_limited(store: Store, transfer_id: int):
    store.audit.record([_row(transfer_id, n, partner=p) for n, p in enumerate("aabab")])

    assert [entry.row_number for entry in store.audit.list()] == [4, 3, 2, 1, 0]
    assert [entry.row_number for entry in store.audit.list(partner="a", limit=2)] == [3, 1]
    assert [entry.row_number for entry in store.audit.list(partner="b")] == [4, 2]


def test_record_of_nothing_writes_nothing(store: Store):
    assert store.audit.record([]) == 0
    assert store.audit.record(row for row in ()) == 0
    assert store.audit.list() == []


def test_ten_thousand_rows_go_in_with_one_statement(store: Store, transfer_id: int):
    statements: list[str] = []

    def count(connection, clauseelement, multiparams, params, execution_options):
        statements.append(str(clauseelement))

    event.listen(Engine, "before_execute", count)
    try:
        written = store.audit.record(_row(transfer_id, n) for n in range(10_000))
    finally:
        event.remove(Engine, "before_execute", count)

    assert written == 10_000
    assert sum(statement.startswith("INSERT INTO audit") for statement in statements) == 1
    entries = store.audit.for_transfer(transfer_id)
    assert [entry.row_number for entry in entries] == list(range(10_000))


def test_rows_of_an_unknown_transfer_refuse_the_whole_batch(store: Store, transfer_id: int):
    with pytest.raises(InvalidRecordError, match=r"transfer\(s\) 404, 405"):
        store.audit.record([_row(transfer_id, 1), _row(404, 2), _row(405, 3)])
    assert store.audit.for_transfer(transfer_id) == []


def test_record_refuses_what_is_not_an_audit_row(store: Store, transfer_id: int):
    with pytest.raises(InvalidRecordError, match="takes AuditRow objects, got dict"):
        store.audit.record([{"transfer_id": transfer_id, "status": "posted"}])


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("status", "lost", "audit status 'lost' is not one of"),
        ("direction", "up", "direction 'up' is not one of"),
        ("partner", "", "partner must be a non-empty string"),
        ("document_kind", None, "document_kind must be a non-empty string"),
        ("transfer_id", "7", "transfer_id must be an int"),
        ("row_number", 1.5, "row_number must be an int"),
    ],
)
def test_audit_rows_refuse_bad_values_when_built(field, value, problem):
    values = {
        "transfer_id": 1,
        "partner": "acme",
        "direction": "inbound",
        "document_kind": "remittance",
        "status": "posted",
    }
    with pytest.raises(InvalidRecordError, match=problem):
        AuditRow(**(values | {field: value}))


@pytest.mark.parametrize("limit", [0, -3])
def test_list_refuses_a_limit_below_one(store: Store, limit):
    with pytest.raises(InvalidRecordError, match="must be a positive int"):
        store.audit.list(limit=limit)
