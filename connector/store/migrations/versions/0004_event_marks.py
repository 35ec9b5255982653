"""Webhook events belong to the business: each consumer marks the deliveries it has handled.

Until 0003 the first consumer to drain an event marked it processed for everyone, so a second
partner taking the same documents only found those changes at its next catch-up scan. Events
that wait carry over with no marks, so they wait for every consumer; the processed ones are
dropped, as they would have been for every consumer before this revision.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")
_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.execute("DELETE FROM webhook_events WHERE processed_at IS NOT NULL")
    op.drop_index("uq_webhook_events_pending_object", table_name="webhook_events")
    op.drop_index("ix_webhook_events_pending_name_id", table_name="webhook_events")
    # SQLite drops a column by rebuilding the table; nothing refers to the table yet, so the
    # rebuild cannot touch another table's rows.
    with op.batch_alter_table("webhook_events") as batch:
        batch.drop_column("processed_at")
    op.create_index(
        "uq_webhook_events_account_id_name_object_id",
        "webhook_events",
        ["account_id", "name", "object_id"],
        unique=True,
    )
    op.create_index("ix_webhook_events_name_id", "webhook_events", ["name", "id"])
    op.create_index("ix_webhook_events_last_received_at", "webhook_events", ["last_received_at"])

    op.create_table(
        "webhook_event_marks",
        sa.Column("event_id", _ID, nullable=False),
        sa.Column("consumer", sa.String, nullable=False),
        sa.Column("deliveries_seen", sa.Integer, nullable=False),
        sa.Column("processed_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("event_id", "consumer", name="pk_webhook_event_marks"),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["webhook_events.id"],
            name="fk_webhook_event_marks_event_id_webhook_events",
        ),
    )
