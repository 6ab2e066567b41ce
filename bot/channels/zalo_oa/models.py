"""Tables of the Zalo OA adapter: the OA's tokens and the reply-window bookkeeping.

Tokens are a single row per commune. A refresh claims the row with a short lease (so
one process refreshes at a time on SQLite and PostgreSQL alike) and stores the new pair
in the transaction that replaces the old one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigIntPK, UTCDateTime, utcnow


class ZaloOAToken(Base):
    """The OA's current access token and its single-use refresh token."""

    __tablename__ = "zalo_oa_tokens"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    commune_id: Mapped[int] = mapped_column(
        ForeignKey("communes.id", ondelete="CASCADE"), unique=True
    )
    access_token: Mapped[str | None] = mapped_column(Text)
    access_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refresh_token: Mapped[str] = mapped_column(Text)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    obtained_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who is refreshing right now, and until when the claim holds if they die.
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ZaloOAReplyWindow(Base):
    """How many messages went to a resident since their last message.

    ``opened_at`` is the ``channel_users.last_seen_at`` the count belongs to; a newer
    message from the resident opens a new window and the count starts again.
    """

    __tablename__ = "zalo_oa_reply_windows"
    __table_args__ = (UniqueConstraint("commune_id", "user_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(100))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
