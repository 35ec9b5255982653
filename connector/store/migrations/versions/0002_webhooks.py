"""Webhook callbacks (one URI path and verifier each) and the buffer of received events.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")
_TIMESTAMP = sa.DateTime(timezone=True)
_PENDING = sa.text("processed_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "webhook_callbacks",
        sa.Column("path_token", sa.String(64), nullable=False),
        sa.Column("event", sa.String, nullable=False),
        sa.Column("callback_id", sa.BigInteger),
        sa.Column("verifier", sa.Text),
        sa.Column("verified", sa.Boolean, nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("updated_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("path_token", name="pk_webhook_callbacks"),
        sa.UniqueConstraint("callback_id", name="uq_webhook_callbacks_callback_id"),
    )

    op.create_table(
        "webhook_events",
        sa.Column("id", _ID, nullable=False),
        sa.Column("account_id", sa.String, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("object_id", sa.String, nullable=False),
        sa.Column("path_token", sa.String(64), nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("deliveries", sa.Integer, nullable=False),
        sa.Column("received_at", _TIMESTAMP, nullable=False),
        sa.Column("last_received_at", _TIMESTAMP, nullable=False),
        sa.Column("processed_at", _TIMESTAMP),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_events"),
        sa.ForeignKeyConstraint(
            ["path_token"],
            ["webhook_callbacks.path_token"],
            name="fk_webhook_events_path_token_webhook_callbacks",
        ),
    )
    op.create_index(
        "uq_webhook_events_pending_object",
        "webhook_events",
        ["account_id", "name", "object_id"],
        unique=True,
        sqlite_where=_PENDING,
        postgresql_where=_PENDING,
    )
    op.create_index(
        "ix_webhook_events_pending_name_id",
        "webhook_events",
        ["name", "id"],
        sqlite_where=_PENDING,
        postgresql_where=_PENDING,
    )
