"""EDI: control numbers per partner, and the interchanges we sent awaiting acknowledgment.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "control_numbers",
        sa.Column("partner", sa.String, nullable=False),
        sa.Column("standard", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("last_issued", sa.BigInteger, nullable=False),
        sa.Column("updated_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("partner", "standard", "kind", name="pk_control_numbers"),
    )
    op.create_table(
        "sent_interchanges",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("partner", sa.String, nullable=False),
        sa.Column("standard", sa.String(16), nullable=False),
        sa.Column("interchange_control", sa.BigInteger, nullable=False),
        sa.Column("group_control", sa.BigInteger),
        sa.Column("functional_code", sa.String(8)),
        sa.Column("transfer_id", sa.Integer, nullable=False),
        sa.Column("sent_at", _TIMESTAMP, nullable=False),
        sa.Column("ack_status", sa.String(32), nullable=False),
        sa.Column("ack_detail", sa.Text),
        sa.Column("acked_at", _TIMESTAMP),
        sa.Column("envelope_status", sa.String(32)),
        sa.Column("envelope_detail", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_sent_interchanges"),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["transfers.id"], name="fk_sent_interchanges_transfer_id_transfers"
        ),
    )
    op.create_index(
        "ix_sent_interchanges_partner_standard_interchange_control",
        "sent_interchanges",
        ["partner", "standard", "interchange_control"],
    )
    op.create_index(
        "ix_sent_interchanges_partner_standard_group_control",
        "sent_interchanges",
        ["partner", "standard", "group_control"],
    )
    op.create_index(
        "ix_sent_interchanges_partner_ack_status_sent_at",
        "sent_interchanges",
        ["partner", "ack_status", "sent_at"],
    )
    op.create_table(
        "sent_sets",
        sa.Column("interchange_id", sa.Integer, nullable=False),
        sa.Column("set_control", sa.BigInteger, nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("ack_status", sa.String(32), nullable=False),
        sa.Column("ack_detail", sa.Text),
        sa.PrimaryKeyConstraint("interchange_id", "set_control", name="pk_sent_sets"),
        sa.ForeignKeyConstraint(
            ["interchange_id"],
            ["sent_interchanges.id"],
            name="fk_sent_sets_interchange_id_sent_interchanges",
        ),
    )
