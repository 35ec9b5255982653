import multiprocessing
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import column, insert, inspect, table, text

from connector.store import SchemaVersionError, Store, WebhookEvent
from connector.store.columns import UtcDateTime
from connector.store.database import Database
from connector.store.engine import create_store_engine
from connector.store.migrate import MIGRATIONS, head_revision, upgrade_schema
from connector.store.tables import metadata

STORE_TABLES = {
    "transfers",
    "audit",
    "postings",
    "cursors",
    "webhook_callbacks",
    "webhook_events",
    "webhook_event_marks",
    "outbound_versions",
    "control_numbers",
    "sent_interchanges",
    "sent_sets",
}


@pytest.fixture
def database(store_url: str):
    db = Database(create_store_engine(store_url))
    yield db
    db.dispose()


def test_first_open_builds_the_schema_at_the_head_revision(database: Database):
    upgrade = upgrade_schema(database)

    assert (upgrade.before, upgrade.after, upgrade.changed) == (None, head_revision(), True)
    tables = set(inspect(database.engine).get_table_names())
    assert tables == STORE_TABLES | {"alembic_version"}


def test_reopening_is_a_no_op_that_keeps_the_data(store_url: str, database: Database):
    with Store.open(store_url) as store:
        transfer_id = store.transfers.start("acme", "outbound", "invoice", "inv.csv")

    again = upgrade_schema(database)

    assert (again.before, again.after, again.changed) == (head_revision(), head_revision(), False)
    with Store.open(store_url) as store:
        assert store.schema_revision == head_revision()
        assert store.transfers.get(transfer_id).file_name == "inv.csv"
    with database.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM alembic_version")) == 1


def test_the_migrated_schema_matches_the_table_definitions(database: Database):
    upgrade_schema(database)

    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)

    assert differences == []


def test_a_database_from_a_newer_release_is_refused(store_url: str, database: Database):
    upgrade_schema(database)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))

    with pytest.raises(SchemaVersionError, match="schema revision 9999, newer than") as caught:
        Store.open(store_url)

    assert "upgrade ml-connector" in caught.value.hint
    with database.engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == "9999"


def _open_and_reserve(url: str, worker: int, start: datetime, barrier, results) -> None:
    barrier.wait()
    try:
        with Store.open(url) as store:
            entry = store.ledger.reserve("shared-key", "acme", "payment", None, {"w": worker})
            results.put((store.schema_revision, entry.request["w"], entry.created_at >= start))
    except Exception as error:
        results.put(repr(error))


def test_processes_opening_a_new_store_together_migrate_once(store_url: str):
    spawn = multiprocessing.get_context("spawn")
    barrier, results = spawn.Barrier(3), spawn.Queue()
    start = datetime.now(UTC)
    workers = [
        spawn.Process(target=_open_and_reserve, args=(store_url, n, start, barrier, results))
        for n in range(3)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join()

    assert len(set(outcomes)) == 1, outcomes
    revision, winner, created_after_start = outcomes[0]
    assert (revision, created_after_start) == (head_revision(), True)
    with Store.open(store_url) as store:
        assert [entry.request["w"] for entry in store.ledger.pending("acme")] == [winner]


def _upgrade_to(database: Database, revision: str) -> None:
    """The schema an older release left behind."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.transaction() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _buffer_as_0003_did(database: Database) -> None:
    """Events as 0003 kept them: one waiting per object, processed ones kept beside it."""
    at = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    callbacks = table(
        "webhook_callbacks",
        *(column(name) for name in ("path_token", "event", "verified")),
        column("created_at", UtcDateTime),
        column("updated_at", UtcDateTime),
    )
    events = table(
        "webhook_events",
        *(column(name) for name in ("account_id", "name", "object_id", "path_token", "fields")),
        column("deliveries"),
        *(column(name, UtcDateTime) for name in ("received_at", "last_received_at")),
        column("processed_at", UtcDateTime),
    )
    waiting_or_processed = [("1", 2, None), ("2", 1, at), ("2", 1, None), ("3", 1, at)]
    with database.transaction() as connection:
        connection.execute(
            insert(callbacks).values(
                path_token="p", event="invoice", verified=True, created_at=at, updated_at=at
            )
        )
        connection.execute(
            insert(events),
            [
                {
                    "account_id": "A",
                    "name": "invoice.update",
                    "object_id": object_id,
                    "path_token": "p",
                    "fields": "[]",
                    "deliveries": deliveries,
                    "received_at": at,
                    "last_received_at": at,
                    "processed_at": processed_at,
                }
                for object_id, deliveries, processed_at in waiting_or_processed
            ],
        )


def test_events_waiting_before_0004_wait_for_every_consumer(store_url: str, database: Database):
    _upgrade_to(database, "0003")
    _buffer_as_0003_did(database)

    with Store.open(store_url) as store:
        for consumer in ("outbound:acme:invoice", "outbound:globex:invoice", "confirmations"):
            waiting = store.events.pending(consumer, ["invoice.update"], 10)
            assert [(e.object_id, e.deliveries) for e in waiting] == [("1", 2), ("2", 1)]

        assert store.events.mark_processed("outbound:acme:invoice", waiting) == 2
        assert store.events.record(WebhookEvent("p", "A", "invoice.update", "2", ())) is False
        assert store.events.record(WebhookEvent("p", "A", "invoice.update", "3", ())) is True
        acme = store.events.pending("outbound:acme:invoice", ["invoice.update"], 10)
        assert [(e.object_id, e.deliveries) for e in acme] == [("2", 2), ("3", 1)]
