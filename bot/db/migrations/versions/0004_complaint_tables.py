"""complaint tables

Revision ID: 0004_complaints
Revises: 0003_zalo_oa
Create Date: 2026-11-23 03:18:52.948575
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base
from sqlalchemy.dialects import postgresql

revision: str = "0004_complaints"
down_revision: str | None = "0003_zalo_oa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "complaint_calendar_days",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "commune_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column("created_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"],
            ["communes.id"],
            name=op.f("fk_complaint_calendar_days_commune_id_communes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_calendar_days")),
        sa.UniqueConstraint(
            "commune_id", "day", name=op.f("uq_complaint_calendar_days_commune_id_day")
        ),
    )
    op.create_table(
        "complaint_tickets",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "commune_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_notes", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("procedure_code", sa.String(length=20), nullable=True),
        sa.Column("dossier_ref", sa.String(length=80), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("user_id", sa.String(length=100), nullable=True),
        sa.Column("chat_id", sa.String(length=100), nullable=True),
        sa.Column("contact_consent", sa.Boolean(), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("contact_phone", sa.String(length=30), nullable=True),
        sa.Column("consent_version", sa.String(length=20), nullable=True),
        sa.Column("consent_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("contact_erased_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("assignee", sa.String(length=120), nullable=True),
        sa.Column("assignee_label", sa.String(length=200), nullable=True),
        sa.Column("ack_due_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_response_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("waiting_since", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("alerted_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ack_reminded_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"],
            ["communes.id"],
            name=op.f("fk_complaint_tickets_commune_id_communes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_tickets")),
        sa.UniqueConstraint("code", name=op.f("uq_complaint_tickets_code")),
    )
    with op.batch_alter_table("complaint_tickets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_complaint_tickets_created", ["commune_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_complaint_tickets_queue", ["commune_id", "status", "due_at"], unique=False
        )
        batch_op.create_index(
            "ix_complaint_tickets_resident",
            ["commune_id", "channel", "user_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "complaint_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "ticket_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("actor_label", sa.String(length=200), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["complaint_tickets.id"],
            name=op.f("fk_complaint_events_ticket_id_complaint_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_events")),
    )
    with op.batch_alter_table("complaint_events", schema=None) as batch_op:
        batch_op.create_index("ix_complaint_events_ticket", ["ticket_id", "id"], unique=False)

    op.create_table(
        "complaint_photos",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "ticket_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "commune_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=True),
        sa.Column("file_ref", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("content_type", sa.String(length=30), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stored_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["commune_id"],
            ["communes.id"],
            name=op.f("fk_complaint_photos_commune_id_communes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["complaint_tickets.id"],
            name=op.f("fk_complaint_photos_ticket_id_complaint_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_photos")),
    )
    with op.batch_alter_table("complaint_photos", schema=None) as batch_op:
        batch_op.create_index(
            "ix_complaint_photos_pending", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index("ix_complaint_photos_ticket", ["ticket_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("complaint_photos", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_photos_ticket")
        batch_op.drop_index("ix_complaint_photos_pending")

    op.drop_table("complaint_photos")
    with op.batch_alter_table("complaint_events", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_events_ticket")

    op.drop_table("complaint_events")
    with op.batch_alter_table("complaint_tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_tickets_resident")
        batch_op.drop_index("ix_complaint_tickets_queue")
        batch_op.drop_index("ix_complaint_tickets_created")

    op.drop_table("complaint_tickets")
    op.drop_table("complaint_calendar_days")
