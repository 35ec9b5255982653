"""The store's tables as the code sees them today; the migrations are what build them.

``tests/store/test_migrations.py`` checks that the migrated database and these definitions agree,
so a change here without a migration (or the reverse) fails the tests.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from connector.store.columns import UtcDateTime

# Named constraints let later migrations alter them by name, which SQLite's batch mode needs.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

transfers = Table(
    "transfers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("partner", String, nullable=False),
    Column("direction", String(16), nullable=False),
    Column("document_kind", String, nullable=False),
    Column("file_name", String, nullable=False),
    Column("remote_path", Text),
    Column("archive_url", Text),
    Column("sha256", String(64)),
    Column("size", BigInteger),
    Column("status", String(32), nullable=False),
    Column("message", Text),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Index(None, "partner", "direction", "sha256"),
    Index(None, "partner", "id"),
)

audit = Table(
    "audit",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("transfer_id", Integer, ForeignKey("transfers.id"), nullable=False),
    Column("partner", String, nullable=False),
    Column("direction", String(16), nullable=False),
    Column("document_kind", String, nullable=False),
    Column("source_id", String),
    Column("target_id", String),
    Column("file_name", String),
    Column("row_number", Integer),
    Column("status", String(32), nullable=False),
    Column("message", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "transfer_id"),
    Index(None, "partner", "id"),
)

postings = Table(
    "postings",
    metadata,
    Column("idempotency_key", String, primary_key=True),
    Column("partner", String, nullable=False),
    Column("transfer_id", Integer, ForeignKey("transfers.id")),
    Column("kind", String, nullable=False),
    Column("request", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("freshbooks_id", String),
    Column("message", Text),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "partner", "state"),
)

cursors = Table(
    "cursors",
    metadata,
    Column("partner", String, primary_key=True),
    Column("name", String, primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

webhook_callbacks = Table(
    "webhook_callbacks",
    metadata,
    Column("path_token", String(64), primary_key=True),
    Column("event", String, nullable=False),
    Column("callback_id", BigInteger, unique=True),
    Column("verifier", Text),
    Column("verified", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

webhook_events = Table(
    "webhook_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("account_id", String, nullable=False),
    Column("name", String, nullable=False),
    Column("object_id", String, nullable=False),
    Column("path_token", String(64), ForeignKey("webhook_callbacks.path_token"), nullable=False),
    Column("fields", Text, nullable=False),
    Column("deliveries", Integer, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("last_received_at", UtcDateTime, nullable=False),
)

# One row per object and event name for as long as it is kept: a repeat delivery, or a change after
# it was read, only counts as another delivery, so ``deliveries`` never goes down and a consumer
# has an event to handle whenever the count has grown past the one it saw.
Index(
    "uq_webhook_events_account_id_name_object_id",
    webhook_events.c.account_id,
    webhook_events.c.name,
    webhook_events.c.object_id,
    unique=True,
)
# What makes "pending for a consumer" cheap: events of a few names walked oldest first, each
# checked against its one mark for that consumer (the marks' primary key).
Index("ix_webhook_events_name_id", webhook_events.c.name, webhook_events.c.id)
Index("ix_webhook_events_last_received_at", webhook_events.c.last_received_at)

# Which delivery of each event a consumer ("outbound:acme:invoice", "confirmations") has handled:
# events belong to the business, and every consumer takes each change on its own.
webhook_event_marks = Table(
    "webhook_event_marks",
    metadata,
    Column(
        "event_id",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("webhook_events.id"),
        primary_key=True,
    ),
    Column("consumer", String, primary_key=True),
    Column("deliveries_seen", Integer, nullable=False),
    Column("processed_at", UtcDateTime, nullable=False),
)

# The version (FreshBooks' own ``updated`` text) of each record last settled for a partner: sent,
# or deliberately not sent. A catch-up scan compares against it, so an overlap resends nothing.
outbound_versions = Table(
    "outbound_versions",
    metadata,
    Column("partner", String, primary_key=True),
    Column("document_kind", String, primary_key=True),
    Column("record_id", String, primary_key=True),
    Column("updated", String, nullable=False),
    Column("transfer_id", Integer, ForeignKey("transfers.id")),
    Column("settled_at", UtcDateTime, nullable=False),
)

# The last EDI control number handed out per partner, standard (x12, edifact) and kind
# (interchange, group, set): allocation is one UPDATE ... RETURNING, so numbers never repeat.
control_numbers = Table(
    "control_numbers",
    metadata,
    Column("partner", String, primary_key=True),
    Column("standard", String(16), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("last_issued", BigInteger, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Every EDI interchange we sent, by the control numbers that acknowledgments quote back (a 997
# names the group, a TA1 or CONTRL the interchange), with the verdict once one arrived.
sent_interchanges = Table(
    "sent_interchanges",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("partner", String, nullable=False),
    Column("standard", String(16), nullable=False),
    Column("interchange_control", BigInteger, nullable=False),
    Column("group_control", BigInteger),
    Column("functional_code", String(8)),
    Column("transfer_id", Integer, ForeignKey("transfers.id"), nullable=False),
    Column("sent_at", UtcDateTime, nullable=False),
    Column("ack_status", String(32), nullable=False),
    Column("ack_detail", Text),
    Column("acked_at", UtcDateTime),
    Column("envelope_status", String(32)),
    Column("envelope_detail", Text),
    Index(None, "partner", "standard", "interchange_control"),
    Index(None, "partner", "standard", "group_control"),
    Index(None, "partner", "ack_status", "sent_at"),
)

# The transaction sets (messages) of a sent interchange, each with its own verdict.
sent_sets = Table(
    "sent_sets",
    metadata,
    Column("interchange_id", Integer, ForeignKey("sent_interchanges.id"), primary_key=True),
    Column("set_control", BigInteger, primary_key=True),
    Column("code", String(16), nullable=False),
    Column("ack_status", String(32), nullable=False),
    Column("ack_detail", Text),
)
