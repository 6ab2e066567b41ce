"""privacy: published notice versions and residents' correction/deletion requests

Revision ID: 0008
Revises: 0006_overrides
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bot.db.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _at(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, bot.db.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "privacy_notices",
        sa.Column("id", ID, nullable=False),
        sa.Column("commune_id", ID, nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _at("published_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"],
            ["communes.id"],
            name=op.f("fk_privacy_notices_commune_id_communes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_notices")),
        sa.UniqueConstraint(
            "commune_id", "version", name=op.f("uq_privacy_notices_commune_id_version")
        ),
    )
    op.create_table(
        "privacy_requests",
        sa.Column("id", ID, nullable=False),
        sa.Column("commune_id", ID, nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=False),
        sa.Column("chat_id", sa.String(length=100), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.Column("notice_version", sa.String(length=20), nullable=True),
        _at("received_at", nullable=False),
        _at("ack_due_at", nullable=False),
        _at("due_at", nullable=False),
        _at("acknowledged_at"),
        _at("completed_at"),
        sa.Column("handled_by", sa.String(length=120), nullable=True),
        sa.Column("handled_by_label", sa.String(length=200), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        _at("alerted_at"),
        _at("ack_warned_at"),
        _at("overdue_warned_at"),
        _at("updated_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"],
            ["communes.id"],
            name=op.f("fk_privacy_requests_commune_id_communes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_requests")),
        sa.UniqueConstraint("code", name=op.f("uq_privacy_requests_code")),
    )
    with op.batch_alter_table("privacy_requests") as batch:
        batch.create_index(
            "ix_privacy_requests_queue", ["commune_id", "status", "due_at"], unique=False
        )
        batch.create_index(
            "ix_privacy_requests_resident", ["commune_id", "channel", "user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("privacy_requests") as batch:
        batch.drop_index("ix_privacy_requests_resident")
        batch.drop_index("ix_privacy_requests_queue")
    op.drop_table("privacy_requests")
    op.drop_table("privacy_notices")
