"""Outbound versions: which version of each FreshBooks record a partner last had settled.

"Settled" means sent in a file, or deliberately not sent (the mapping's filter left it out, or
it was deleted and the mapping cannot say so). Webhook events and catch-up scans both compare a
record's current ``updated`` text with the version here, so a record is sent again only when it
changed again, however often it is seen.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import select

from connector.store.checks import integer, required_text
from connector.store.columns import utc_now
from connector.store.database import Database
from connector.store.dialect import in_chunks, insert_on_conflict
from connector.store.errors import InvalidRecordError
from connector.store.tables import outbound_versions


class OutboundVersions:
    def __init__(self, db: Database) -> None:
        self._db = db

    def settled(
        self, partner: str, document_kind: str, record_ids: Collection[str]
    ) -> dict[str, str]:
        """The settled version of each of these records that has one."""
        table = outbound_versions.c
        found: dict[str, str] = {}
        with self._db.transaction(read_only=True) as connection:
            for chunk in in_chunks(sorted(set(record_ids))):
                statement = select(table.record_id, table.updated).where(
                    table.partner == partner,
                    table.document_kind == document_kind,
                    table.record_id.in_(chunk),
                )
                found.update((row.record_id, row.updated) for row in connection.execute(statement))
        return found

    def settle(
        self,
        partner: str,
        document_kind: str,
        versions: Mapping[str, str],
        transfer_id: int | None,
    ) -> int:
        """Record these versions (record id -> ``updated``) in one transaction; returns how many."""
        now = utc_now()
        rows = [
            {
                "partner": required_text(partner, "partner"),
                "document_kind": required_text(document_kind, "document_kind"),
                "record_id": required_text(record_id, "record_id"),
                "updated": _version(record_id, updated),
                "transfer_id": integer(transfer_id, "transfer_id", optional=True),
                "settled_at": now,
            }
            for record_id, updated in versions.items()
        ]
        if not rows:
            return 0
        with self._db.transaction() as connection:
            statement = insert_on_conflict(connection, outbound_versions)
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[
                        outbound_versions.c.partner,
                        outbound_versions.c.document_kind,
                        outbound_versions.c.record_id,
                    ],
                    set_={
                        "updated": statement.excluded.updated,
                        "transfer_id": statement.excluded.transfer_id,
                        "settled_at": statement.excluded.settled_at,
                    },
                ),
                rows,
            )
        return len(rows)


def _version(record_id: str, updated: str) -> str:
    if not isinstance(updated, str) or not updated.strip():
        raise InvalidRecordError(
            f"Record {record_id!r} has no version to settle (updated={updated!r}).",
            hint="pass FreshBooks' own `updated` (or `updated_at`) text of the record",
        )
    return updated
