"""INSERT ... ON CONFLICT for whichever backend a connection talks to.

SQLite and PostgreSQL spell it the same way, but SQLAlchemy offers it per dialect.
"""

from __future__ import annotations

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_on_conflict(connection: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
