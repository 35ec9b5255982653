"""The version of each record last settled for a partner, so catch-up scans resend nothing.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outbound_versions",
        sa.Column("partner", sa.String, nullable=False),
        sa.Column("document_kind", sa.String, nullable=False),
        sa.Column("record_id", sa.String, nullable=False),
        sa.Column("updated", sa.String, nullable=False),
        sa.Column("transfer_id", sa.Integer),
        sa.Column("settled_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint(
            "partner", "document_kind", "record_id", name="pk_outbound_versions"
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["transfers.id"],
            name="fk_outbound_versions_transfer_id_transfers",
        ),
    )
