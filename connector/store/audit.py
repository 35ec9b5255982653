"""The audit trail: what happened to every record a transfer carried, kept for people to read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select

from connector.store.checks import positive_limit
from connector.store.columns import utc_now
from connector.store.database import Database
from connector.store.errors import InvalidRecordError
from connector.store.records import AuditEntry, AuditRow
from connector.store.tables import audit, transfers

_ROW_FIELDS = tuple(field.name for field in fields(AuditRow))


class AuditTrail:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, rows: Iterable[AuditRow]) -> int:
        """Insert a whole file's rows in one statement and one transaction: all of them or none."""
        created_at = utc_now()
        values = [_values(row, created_at) for row in rows]
        if not values:
            return 0
        with self._db.transaction() as connection:
            _require_transfers(connection, {value["transfer_id"] for value in values})
            connection.execute(insert(audit), values)
        return len(values)

    def for_transfer(self, transfer_id: int) -> list[AuditEntry]:
        """A transfer's rows in the order they were recorded."""
        statement = select(audit).where(audit.c.transfer_id == transfer_id).order_by(audit.c.id)
        with self._db.transaction(read_only=True) as connection:
            return [_entry(row) for row in connection.execute(statement)]

    def list(self, partner: str | None = None, limit: int = 100) -> list[AuditEntry]:
        """The newest rows first, for one partner or all."""
        statement = select(audit).order_by(audit.c.id.desc()).limit(positive_limit(limit))
        if partner is not None:
            statement = statement.where(audit.c.partner == partner)
        with self._db.transaction(read_only=True) as connection:
            return [_entry(row) for row in connection.execute(statement)]


def _values(row: AuditRow, created_at: datetime) -> dict[str, Any]:
    if not isinstance(row, AuditRow):
        raise InvalidRecordError(
            f"The audit trail takes AuditRow objects, got {type(row).__name__}.",
            hint="build each row with connector.store.AuditRow(...)",
        )
    values = {name: getattr(row, name) for name in _ROW_FIELDS}
    values["direction"] = row.direction.value
    values["status"] = row.status.value
    values["created_at"] = created_at
    return values


def _require_transfers(connection: Connection, transfer_ids: set[int]) -> None:
    """Name the missing transfer ids instead of letting a bare foreign-key failure through."""
    found = set(connection.scalars(select(transfers.c.id).where(transfers.c.id.in_(transfer_ids))))
    missing = sorted(transfer_ids - found)
    if missing:
        raise InvalidRecordError(
            f"Audit rows refer to transfer(s) {', '.join(map(str, missing))}, "
            "which the state store does not have.",
            hint="record audit rows with the id that transfers.start() returned",
        )


def _entry(row: Row[Any]) -> AuditEntry:
    return AuditEntry(**row._mapping)
