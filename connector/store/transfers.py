"""The transfers table: one row per file moved, so duplicates and failures can be found again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, insert, select, update

from connector.store.checks import (
    byte_count,
    choice,
    integer,
    positive_limit,
    required_text,
    sha256_digest,
)
from connector.store.columns import utc_now
from connector.store.database import Database
from connector.store.errors import InvalidRecordError, RecordNotFoundError
from connector.store.records import Direction, Transfer, TransferStatus
from connector.store.tables import transfers

# What finish() may fill in once a transfer knows them (an inbound file's hash, say).
FINISH_FIELDS = frozenset({"file_name", "remote_path", "archive_url", "sha256", "size"})


class Transfers:
    def __init__(self, db: Database) -> None:
        self._db = db

    def start(
        self,
        partner: str,
        direction: Direction | str,
        document_kind: str,
        file_name: str,
        *,
        remote_path: str | None = None,
        archive_url: str | None = None,
        sha256: str | None = None,
        size: int | None = None,
    ) -> int:
        """Record a transfer before any byte moves, so a crash leaves a 'started' row to explain."""
        values = {
            "partner": required_text(partner, "partner"),
            "direction": choice(Direction, direction, "direction").value,
            "document_kind": required_text(document_kind, "document_kind"),
            "file_name": required_text(file_name, "file_name"),
            "remote_path": remote_path,
            "archive_url": archive_url,
            "sha256": sha256_digest(sha256),
            "size": byte_count(size),
            "status": TransferStatus.STARTED.value,
            "started_at": utc_now(),
        }
        with self._db.transaction() as connection:
            return connection.execute(insert(transfers).values(values)).inserted_primary_key[0]

    def finish(
        self,
        transfer_id: int,
        status: TransferStatus | str,
        message: str | None = None,
        **fields: Any,
    ) -> Transfer:
        """Settle a transfer; ``fields`` fills in what is known only now (see FINISH_FIELDS)."""
        integer(transfer_id, "transfer id")
        final = choice(TransferStatus, status, "transfer status")
        if final is TransferStatus.STARTED:
            raise InvalidRecordError(
                f"Transfer {transfer_id} cannot finish with status 'started'.",
                hint="finish with the outcome, such as 'uploaded', 'processed' or 'error'",
            )
        unknown = sorted(set(fields) - FINISH_FIELDS)
        if unknown:
            raise InvalidRecordError(
                f"Transfer {transfer_id} has no field(s) {', '.join(unknown)} to set on finish.",
                hint=f"finish() accepts {', '.join(sorted(FINISH_FIELDS))}",
            )
        if "file_name" in fields:
            required_text(fields["file_name"], "file_name")
        if "sha256" in fields:
            fields["sha256"] = sha256_digest(fields["sha256"])
        if "size" in fields:
            fields["size"] = byte_count(fields["size"])
        statement = (
            update(transfers)
            .where(transfers.c.id == transfer_id)
            .values(status=final.value, message=message, finished_at=utc_now(), **fields)
            .returning(*transfers.c)
        )
        with self._db.transaction() as connection:
            row = connection.execute(statement).one_or_none()
        if row is None:
            raise RecordNotFoundError(
                f"There is no transfer {transfer_id} to finish in the state store.",
                hint="finish the id that transfers.start() returned",
            )
        return _transfer(row)

    def get(self, transfer_id: int) -> Transfer | None:
        integer(transfer_id, "transfer id")
        with self._db.transaction(read_only=True) as connection:
            row = connection.execute(
                select(transfers).where(transfers.c.id == transfer_id)
            ).one_or_none()
        return None if row is None else _transfer(row)

    def find_by_sha256(
        self, partner: str, direction: Direction | str, sha256: str
    ) -> list[Transfer]:
        """Earlier transfers of the same bytes, oldest first: how a re-sent file is recognised."""
        statement = (
            select(transfers)
            .where(
                transfers.c.partner == partner,
                transfers.c.direction == choice(Direction, direction, "direction").value,
                transfers.c.sha256 == sha256_digest(sha256),
            )
            .order_by(transfers.c.id)
        )
        with self._db.transaction(read_only=True) as connection:
            return [_transfer(row) for row in connection.execute(statement)]

    def list(self, partner: str | None = None, limit: int = 50) -> list[Transfer]:
        """The newest transfers first, for one partner or all."""
        statement = select(transfers).order_by(transfers.c.id.desc()).limit(positive_limit(limit))
        if partner is not None:
            statement = statement.where(transfers.c.partner == partner)
        with self._db.transaction(read_only=True) as connection:
            return [_transfer(row) for row in connection.execute(statement)]


def _transfer(row: Row[Any]) -> Transfer:
    return Transfer(**row._mapping)
