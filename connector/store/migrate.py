"""Bring a database to the schema this code expects, forward only, one process at a time.

Alembic runs the revision scripts in ``migrations/versions`` inside one transaction that first
takes a lock (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL), so when two workers
start together one migrates and the other then finds nothing left to do.

A new migration is a new file in ``migrations/versions`` whose ``down_revision`` is the current
head; revisions are never edited once released, and there are no downgrades.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from connector.store.database import Database
from connector.store.errors import SchemaVersionError

MIGRATIONS = Path(__file__).with_name("migrations")
# Any fixed 64-bit number works; it only has to be the same in every ml-connector process.
POSTGRES_MIGRATION_LOCK = 0x6D6C636F6E6E6563  # "mlconnec"


@dataclass(frozen=True, slots=True)
class SchemaUpgrade:
    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def head_revision() -> str:
    """The newest schema revision this code ships."""
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None, "connector/store/migrations/versions holds no revision"
    return head


def upgrade_schema(db: Database) -> SchemaUpgrade:
    """Apply every revision the database lacks; refuse one that a newer release has migrated."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    with db.transaction() as connection:
        _lock_for_migration(connection)
        before = _current_revision(connection, script, db.location)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return SchemaUpgrade(before=before, after=head_revision())


def _lock_for_migration(connection: Connection) -> None:
    """SQLite is already locked by BEGIN IMMEDIATE; PostgreSQL needs a lock held until commit."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": POSTGRES_MIGRATION_LOCK}
        )


def _current_revision(connection: Connection, script: ScriptDirectory, location: str) -> str | None:
    """The database's revision (None when new), which must be one this code ships."""
    heads = MigrationContext.configure(connection).get_current_heads()
    known = {revision.revision for revision in script.walk_revisions()}
    unknown = [head for head in heads if head not in known]
    if unknown:
        raise SchemaVersionError(
            f"The state store at {location} is at schema revision {', '.join(unknown)}, "
            f"newer than this ml-connector knows (its newest is {head_revision()}).",
            hint="upgrade ml-connector on this machine to the version the other machines run",
        )
    return heads[0] if heads else None
