"""Cursors: small named bookmarks per partner, such as 'invoices updated since'."""

from __future__ import annotations

from sqlalchemy import select

from connector.store.checks import required_text
from connector.store.columns import utc_now
from connector.store.database import Database
from connector.store.dialect import insert_on_conflict
from connector.store.errors import InvalidRecordError
from connector.store.tables import cursors


class Cursors:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, partner: str, name: str) -> str | None:
        statement = select(cursors.c.value).where(
            cursors.c.partner == partner, cursors.c.name == name
        )
        with self._db.transaction(read_only=True) as connection:
            return connection.scalar(statement)

    def set(self, partner: str, name: str, value: str) -> None:
        """Insert or overwrite in one statement, so two writers never collide on the key."""
        values = {
            "partner": required_text(partner, "partner"),
            "name": required_text(name, "cursor name"),
            "value": _text_value(partner, name, value),
            "updated_at": utc_now(),
        }
        with self._db.transaction() as connection:
            statement = insert_on_conflict(connection, cursors).values(values)
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[cursors.c.partner, cursors.c.name],
                    set_={
                        "value": statement.excluded.value,
                        "updated_at": statement.excluded.updated_at,
                    },
                )
            )


def _text_value(partner: str, name: str, value: str) -> str:
    """Cursors are text so both databases compare them alike; callers format dates themselves."""
    if not isinstance(value, str):
        raise InvalidRecordError(
            f"Cursor {name!r} of partner {partner!r} must be text, got {type(value).__name__}.",
            hint="store dates as ISO 8601 strings (datetime.isoformat()) and numbers with str()",
        )
    return value
