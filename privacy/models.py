"""Privacy tables: the published notices and residents' correction/deletion requests.

A request row is the record the commune shows an inspector: when it came, when it was
due, when it was acknowledged and completed, by whom. It keeps as little personal data
as it can: the channel account it came from (to answer there) and, for a correction,
the new value until the request is settled.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigIntPK, JSONType, UTCDateTime, utcnow

# Kinds of request.
CORRECT = "correct"
DELETE = "delete"
KINDS = (CORRECT, DELETE)

# Statuses.
RECEIVED = "received"  # the resident has the code; staff have not confirmed it yet
ACKNOWLEDGED = "acknowledged"  # staff confirmed it (the legal acknowledgement)
DONE = "done"
REJECTED = "rejected"  # not carried out, with the reason the resident is told
OPEN_STATUSES = (RECEIVED, ACKNOWLEDGED)
FINAL_STATUSES = (DONE, REJECTED)


class PrivacyNotice(Base):
    """A version of a commune's privacy notice, exactly as residents were shown it."""

    __tablename__ = "privacy_notices"
    __table_args__ = (UniqueConstraint("commune_id", "version"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PrivacyRequest(Base):
    __tablename__ = "privacy_requests"
    __table_args__ = (
        UniqueConstraint("code"),
        Index("ix_privacy_requests_queue", "commune_id", "status", "due_at"),
        Index("ix_privacy_requests_resident", "commune_id", "channel", "user_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=RECEIVED)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(100))
    chat_id: Mapped[str] = mapped_column(String(100))
    # For a correction: {"field": "name" | "phone", "value": "..."}; emptied once settled.
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    notice_version: Mapped[str | None] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ack_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by: Mapped[str | None] = mapped_column(String(120))  # "channel:user_id" of staff
    handled_by_label: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str | None] = mapped_column(Text)  # what was done, or why not
    # Sweep markers: each warning goes out once.
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ack_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
