"""zalo oa tokens and reply windows

Revision ID: 0003_zalo_oa
Revises: 0002_surveys
Create Date: 2026-11-23 04:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = "0003_zalo_oa"
down_revision: str | None = "0002_surveys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "zalo_oa_tokens",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("commune_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=True),
        sa.Column("access_expires_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        sa.Column("refresh_expires_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("obtained_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("alerted_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"],
            ["communes.id"],
            name=op.f("fk_zalo_oa_tokens_commune_id_communes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zalo_oa_tokens")),
        sa.UniqueConstraint("commune_id", name=op.f("uq_zalo_oa_tokens_commune_id")),
    )
    op.create_table(
        "zalo_oa_reply_windows",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("commune_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=False),
        sa.Column("opened_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("updated_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"],
            ["communes.id"],
            name=op.f("fk_zalo_oa_reply_windows_commune_id_communes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zalo_oa_reply_windows")),
        sa.UniqueConstraint(
            "commune_id", "user_id", name=op.f("uq_zalo_oa_reply_windows_commune_id_user_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("zalo_oa_reply_windows")
    op.drop_table("zalo_oa_tokens")
