"""Transfers, the audit trail, the postings ledger and cursors.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of the column types: a migration must build the same tables forever, whatever
# tables.py says later.
_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")
_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("partner", sa.String, nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("document_kind", sa.String, nullable=False),
        sa.Column("file_name", sa.String, nullable=False),
        sa.Column("remote_path", sa.Text),
        sa.Column("archive_url", sa.Text),
        sa.Column("sha256", sa.String(64)),
        sa.Column("size", sa.BigInteger),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("started_at", _TIMESTAMP, nullable=False),
        sa.Column("finished_at", _TIMESTAMP),
        sa.PrimaryKeyConstraint("id", name="pk_transfers"),
    )
    op.create_index(
        "ix_transfers_partner_direction_sha256", "transfers", ["partner", "direction", "sha256"]
    )
    op.create_index("ix_transfers_partner_id", "transfers", ["partner", "id"])

    op.create_table(
        "audit",
        sa.Column("id", _ID, nullable=False),
        sa.Column("transfer_id", sa.Integer, nullable=False),
        sa.Column("partner", sa.String, nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("document_kind", sa.String, nullable=False),
        sa.Column("source_id", sa.String),
        sa.Column("target_id", sa.String),
        sa.Column("file_name", sa.String),
        sa.Column("row_number", sa.Integer),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit"),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["transfers.id"], name="fk_audit_transfer_id_transfers"
        ),
    )
    op.create_index("ix_audit_transfer_id", "audit", ["transfer_id"])
    op.create_index("ix_audit_partner_id", "audit", ["partner", "id"])

    op.create_table(
        "postings",
        sa.Column("idempotency_key", sa.String, nullable=False),
        sa.Column("partner", sa.String, nullable=False),
        sa.Column("transfer_id", sa.Integer),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("request", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("freshbooks_id", sa.String),
        sa.Column("message", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("updated_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("idempotency_key", name="pk_postings"),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["transfers.id"], name="fk_postings_transfer_id_transfers"
        ),
    )
    op.create_index("ix_postings_partner_state", "postings", ["partner", "state"])

    op.create_table(
        "cursors",
        sa.Column("partner", sa.String, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("partner", "name", name="pk_cursors"),
    )
