"""One place where database failures become store errors a person can act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from connector.store.engine import READ_ONLY
from connector.store.errors import StoreUnavailableError


class Database:
    """The engine plus a printable location whose password is masked, for messages and logs."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.location = engine.url.render_as_string(hide_password=True)

    @contextmanager
    def transaction(self, *, read_only: bool = False) -> Iterator[Connection]:
        """Commit on success; an unreachable or locked database becomes StoreUnavailableError.

        ``read_only`` lets a SQLite reader run beside a writer instead of queueing for its lock.
        """
        try:
            with self.engine.connect() as connection:
                connection.execution_options(**{READ_ONLY: read_only})
                with connection.begin():
                    yield connection
        except OperationalError as error:
            raise StoreUnavailableError(
                f"The state store at {self.location} could not be used: {error.orig}",
                hint="check that the database server is running (PostgreSQL) or that the file's "
                "folder exists and is writable (SQLite), then run again",
            ) from error

    def dispose(self) -> None:
        self.engine.dispose()
