"""The SQLAlchemy engine for the two backends the store supports, each set up for many writers."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from connector.store.errors import UnsupportedDatabaseError

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option marking a transaction that only reads, so SQLite can skip the write lock.
READ_ONLY = "ml_connector_read_only"
POSTGRES_CONNECT_TIMEOUT_S = 10

_SQLITE_DRIVERS = {"sqlite", "sqlite+pysqlite"}
_POSTGRES_DRIVER = "postgresql+psycopg"
# Operators paste URLs from hosting dashboards; all of these mean psycopg 3, the driver we ship.
_POSTGRES_ALIASES = {"postgresql", "postgres", _POSTGRES_DRIVER}

_SUPPORTED = "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE"


def parse_database_url(url: str) -> URL:
    """Parse and normalise a store URL, refusing backends the store has never been tested on."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UnsupportedDatabaseError(
            "The state store URL could not be read as a database URL.",
            hint=f"set ML_CONNECTOR_DATABASE_URL to {_SUPPORTED}",
        ) from None
    if parsed.drivername in _POSTGRES_ALIASES:
        return parsed.set(drivername=_POSTGRES_DRIVER)
    if parsed.drivername in _SQLITE_DRIVERS:
        return parsed
    raise UnsupportedDatabaseError(
        f"The state store does not support {parsed.drivername!r} databases "
        f"({parsed.render_as_string(hide_password=True)}).",
        hint=f"use {_SUPPORTED}",
    )


def create_store_engine(url: str) -> Engine:
    parsed = parse_database_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    try:
        return create_engine(
            parsed,
            pool_pre_ping=True,
            connect_args={
                "connect_timeout": POSTGRES_CONNECT_TIMEOUT_S,
                "application_name": "ml-connector",
            },
        )
    except ImportError:
        # psycopg is an optional extra: single-machine installs on SQLite do without it.
        raise UnsupportedDatabaseError(
            "The state store is set to PostgreSQL, but the psycopg 3 driver is not installed.",
            hint="pip install 'ml-connector[postgres]'",
        ) from None


def _sqlite_engine(url: URL) -> Engine:
    """SQLite tuned so that several processes (worker, receiver, CLI) can share one file.

    WAL lets readers run beside a writer; the busy timeout makes a writer wait for the lock
    instead of failing. The driver's own transaction handling is switched off so that a writing
    transaction starts with BEGIN IMMEDIATE: it takes the write lock up front, where the busy
    timeout applies, instead of upgrading a read lock mid-transaction, which fails at once.
    Transactions marked READ_ONLY start with a plain BEGIN and never wait for writers.
    ``synchronous`` is FULL, set here rather than left to how SQLite was compiled (builds may
    default WAL files to NORMAL): every commit syncs the WAL to disk before it returns, so what was
    committed survives a power cut or an OS crash, not only the process being killed. NORMAL would
    survive only the latter, and a ledger mark or acknowledged webhook lost to a power cut could
    mean a payment posted twice or a change never sent. The receiver groups its commits so that
    one sync serves many deliveries.
    """
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _use_wal(cursor: Any) -> None:
    """Switch a new database file to WAL; WAL then stays with the file.

    The switch needs the file to itself, and SQLite answers "database is locked" at once, without
    its busy handler, when another process opens the same new file at that moment: so wait for
    the switch here, as long as the busy timeout, and never switch a file already in WAL.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
