"""What differs between the backends: INSERT ... ON CONFLICT, and how many ids one IN list holds.

SQLite and PostgreSQL spell ON CONFLICT the same way, but SQLAlchemy offers it per dialect.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

T = TypeVar("T")

# Well under SQLite's bound-parameter limit, so one IN list never fails on a big run.
IDS_PER_STATEMENT = 500


def insert_on_conflict(connection: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def in_chunks(ids: Iterable[T]) -> Iterator[list[T]]:
    """Ids in lists of at most ``IDS_PER_STATEMENT``, one IN list each."""
    remaining = iter(ids)
    while chunk := list(islice(remaining, IDS_PER_STATEMENT)):
        yield chunk
