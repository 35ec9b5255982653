"""The postings ledger: why a crash and a replay never post the same payment to FreshBooks twice.

A flow reserves an idempotency key before calling FreshBooks and settles it after. The key's
uniqueness is enforced by the database, not by a read-then-write in Python, so two workers
reserving the same key at the same moment end up with one row and the same entry.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Row, select, update
from sqlalchemy.exc import IntegrityError

from connector.store.checks import integer, required_text
from connector.store.columns import utc_now
from connector.store.database import Database
from connector.store.dialect import insert_on_conflict
from connector.store.errors import InvalidRecordError, LedgerConflictError, RecordNotFoundError
from connector.store.records import LedgerEntry, PostingState
from connector.store.tables import postings


class Ledger:
    def __init__(self, db: Database) -> None:
        self._db = db

    def reserve(
        self,
        key: str,
        partner: str,
        kind: str,
        transfer_id: int | None,
        request: dict[str, Any],
    ) -> LedgerEntry:
        """Record a posting as pending, or return the entry already under ``key`` unchanged.

        The caller posts only when the returned entry is not already posted.
        """
        now = utc_now()
        values = {
            "idempotency_key": required_text(key, "idempotency key"),
            "partner": required_text(partner, "partner"),
            "transfer_id": integer(transfer_id, "transfer_id", optional=True),
            "kind": required_text(kind, "kind"),
            "request": _request_json(key, request),
            "state": PostingState.PENDING.value,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        try:
            with self._db.transaction() as connection:
                connection.execute(
                    insert_on_conflict(connection, postings)
                    .values(values)
                    .on_conflict_do_nothing(index_elements=[postings.c.idempotency_key])
                )
                return _entry(
                    connection.execute(
                        select(postings).where(postings.c.idempotency_key == key)
                    ).one()
                )
        except IntegrityError as error:
            raise InvalidRecordError(
                f"Posting {key!r} refers to transfer {transfer_id}, "
                "which the state store does not have.",
                hint="reserve with the id that transfers.start() returned, or None",
            ) from error

    def mark_posted(self, key: str, freshbooks_id: str | int) -> LedgerEntry:
        """Settle a posting as done. Repeating it with the same FreshBooks id changes nothing."""
        freshbooks_id = str(freshbooks_id)
        with self._db.transaction() as connection:
            current = _entry(_existing_row(connection, key))
            if current.state is PostingState.POSTED:
                if current.freshbooks_id == freshbooks_id:
                    return current
                raise LedgerConflictError(
                    f"Posting {key!r} is already posted as FreshBooks id {current.freshbooks_id}, "
                    f"not {freshbooks_id}.",
                    hint="the record may have been posted twice: check both ids in FreshBooks",
                )
            return _settle(connection, current, PostingState.POSTED, freshbooks_id, None)

    def mark_failed(self, key: str, message: str) -> LedgerEntry:
        """Settle a posting as failed; a posted entry stays posted, since FreshBooks has it."""
        with self._db.transaction() as connection:
            current = _entry(_existing_row(connection, key))
            if current.state is PostingState.POSTED:
                raise LedgerConflictError(
                    f"Posting {key!r} is already posted as FreshBooks id {current.freshbooks_id}; "
                    "it cannot be marked failed.",
                    hint="a retry of a posted record should not have run: check the flow's logic",
                )
            return _settle(connection, current, PostingState.FAILED, None, message)

    def get(self, key: str) -> LedgerEntry | None:
        with self._db.transaction(read_only=True) as connection:
            row = connection.execute(
                select(postings).where(postings.c.idempotency_key == key)
            ).one_or_none()
        return None if row is None else _entry(row)

    def pending(self, partner: str) -> list[LedgerEntry]:
        """Postings reserved but never settled, oldest first: the ones a crash left in doubt."""
        statement = (
            select(postings)
            .where(postings.c.partner == partner, postings.c.state == PostingState.PENDING.value)
            .order_by(postings.c.created_at, postings.c.idempotency_key)
        )
        with self._db.transaction(read_only=True) as connection:
            return [_entry(row) for row in connection.execute(statement)]


def _request_json(key: str, request: dict[str, Any]) -> str:
    if not isinstance(request, dict):
        raise InvalidRecordError(
            f"Posting {key!r} has a request of type {type(request).__name__}, not a dict.",
            hint="pass the JSON body sent to FreshBooks as a dict",
        )
    try:
        return json.dumps(request, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as error:
        raise InvalidRecordError(
            f"Posting {key!r} has a request that is not plain JSON: {error}.",
            hint="convert amounts and dates to strings, as the FreshBooks API expects them",
        ) from None


def _existing_row(connection: Connection, key: str) -> Row[Any]:
    """Read under a row lock (PostgreSQL; SQLite locks the file) so concurrent settles queue."""
    row = connection.execute(
        select(postings).where(postings.c.idempotency_key == key).with_for_update()
    ).one_or_none()
    if row is None:
        raise RecordNotFoundError(
            f"There is no posting {key!r} in the ledger to settle.",
            hint="reserve the key with ledger.reserve() before posting to FreshBooks",
        )
    return row


def _settle(
    connection: Connection,
    current: LedgerEntry,
    state: PostingState,
    freshbooks_id: str | None,
    message: str | None,
) -> LedgerEntry:
    row = connection.execute(
        update(postings)
        .where(postings.c.idempotency_key == current.idempotency_key)
        .values(
            state=state.value,
            freshbooks_id=freshbooks_id,
            message=message,
            attempts=postings.c.attempts + 1,
            updated_at=utc_now(),
        )
        .returning(*postings.c)
    ).one()
    return _entry(row)


def _entry(row: Row[Any]) -> LedgerEntry:
    values = dict(row._mapping)
    values["request"] = json.loads(values["request"])
    return LedgerEntry(**values)
