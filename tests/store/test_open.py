import socket
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from connector import settings
from connector.errors import StoreError
from connector.store import Store, StoreUnavailableError, UnsupportedDatabaseError
from connector.store.engine import SQLITE_BUSY_TIMEOUT_MS, create_store_engine, parse_database_url


def test_open_defaults_to_sqlite_under_the_connector_home():
    with Store.open() as store:
        store.cursors.set("acme", "since", "x")
        assert store.location == settings.database_url()

    assert (settings.home() / "state.db").exists()
    with Store.open() as store:
        assert store.cursors.get("acme", "since") == "x"


def test_sqlite_connections_use_wal_a_busy_timeout_and_foreign_keys(tmp_path):
    engine = create_store_engine(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
            assert connection.scalar(text("PRAGMA busy_timeout")) == SQLITE_BUSY_TIMEOUT_MS
            assert connection.scalar(text("PRAGMA foreign_keys")) == 1
    finally:
        engine.dispose()


def test_sqlite_rolls_back_a_failed_transaction(tmp_path):
    engine = create_store_engine(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (n INTEGER)"))
        with pytest.raises(ZeroDivisionError), engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
            raise ZeroDivisionError
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM t")) == 0
    finally:
        engine.dispose()


def test_postgresql_timestamps_come_back_in_utc_whatever_the_session_zone(
    postgres_url, monkeypatch
):
    monkeypatch.setenv("PGTZ", "Asia/Kolkata")
    engine = create_store_engine(postgres_url)
    with engine.connect() as connection:
        assert connection.scalar(text("SHOW TimeZone")) == "Asia/Kolkata"
    engine.dispose()

    before = datetime.now(UTC)
    with Store.open(postgres_url) as store:
        transfer = store.transfers.get(store.transfers.start("acme", "outbound", "invoice", "i"))
    after = datetime.now(UTC)

    assert transfer.started_at.tzinfo is UTC
    assert before <= transfer.started_at <= after


@pytest.mark.parametrize(
    "url", ["postgresql://u:secret@db/x", "postgres://u:secret@db/x", "postgresql+psycopg://db/x"]
)
def test_postgresql_urls_are_served_by_psycopg_3(url):
    assert parse_database_url(url).drivername == "postgresql+psycopg"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("mysql://admin:secret@db/connector", "does not support 'mysql'"),
        (
            "postgresql+psycopg2://admin:secret@db/connector",
            r"does not support 'postgresql\+psycopg2'",
        ),
        ("not a database url", "could not be read as a database URL"),
    ],
)
def test_unsupported_or_unreadable_urls_are_refused_without_the_password(url, problem):
    with pytest.raises(UnsupportedDatabaseError, match=problem) as caught:
        Store.open(url)

    assert "secret" not in str(caught.value)
    assert "sqlite:///" in caught.value.hint


def test_an_unreachable_postgresql_server_is_reported_as_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    with pytest.raises(StoreUnavailableError, match="could not be used") as caught:
        Store.open(f"postgresql://ops:secret@127.0.0.1:{closed_port}/connector")

    assert "secret" not in str(caught.value)
    assert "***" in caught.value.message


def test_a_sqlite_file_in_a_missing_folder_is_reported_as_unavailable(tmp_path):
    with pytest.raises(StoreUnavailableError, match="unable to open database file") as caught:
        Store.open(f"sqlite:///{tmp_path / 'missing' / 'state.db'}")

    assert "folder exists and is writable" in caught.value.hint


def test_store_errors_belong_to_the_connector_family():
    assert issubclass(StoreUnavailableError, StoreError)
    assert issubclass(UnsupportedDatabaseError, StoreError)


def test_location_masks_the_password(postgres_url):
    url = postgres_url.replace("postgres@", "postgres:hunter2@")

    with Store.open(url) as store:
        assert "hunter2" not in store.location
        assert store.location.startswith("postgresql+psycopg://postgres:***@127.0.0.1")


def test_postgresql_without_psycopg_installed_says_which_extra_to_install():
    # Hide psycopg from a fresh interpreter, as on a SQLite-only install.
    script = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from connector.store import Store, UnsupportedDatabaseError\n"
        "try:\n"
        "    Store.open('postgresql://db/connector')\n"
        "except UnsupportedDatabaseError as error:\n"
        "    print(error)\n"
    )
    repository = Path(__file__).parents[2]
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=repository
    )

    assert "psycopg 3 driver is not installed" in result.stdout, result.stderr
    assert "ml-connector[postgres]" in result.stdout


def test_on_sqlite_readers_pass_a_held_write_lock_and_writers_wait_for_it(tmp_path):
    path = tmp_path / "state.db"
    with Store.open(f"sqlite:///{path}") as store:
        transfer_id = store.transfers.start("acme", "outbound", "invoice", "inv.csv")
        other_process = sqlite3.connect(path, isolation_level=None)
        other_process.execute("BEGIN IMMEDIATE")
        try:
            assert store.transfers.get(transfer_id).file_name == "inv.csv"
            assert store.cursors.get("acme", "since") is None
            with ThreadPoolExecutor(1) as pool:
                write = pool.submit(store.cursors.set, "acme", "since", "x")
                time.sleep(0.2)  # let the write reach the lock; the test holds either way
                other_process.execute("COMMIT")
                write.result()
        finally:
            other_process.close()
        assert store.cursors.get("acme", "since") == "x"
