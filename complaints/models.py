"""Complaint tables: tickets, their event history, photos and the working calendar.

The event history is the record of truth: deadlines and the on-time rate are replayed
from it (complaints.deadlines). The ticket row keeps a projection (status, due times,
what was last reminded) so staff queues and sweeps are simple indexed queries.

Personal data stays in as few columns as possible: ``contact_name`` and
``contact_phone`` (given with recorded consent, erased on a retention schedule).
Events never copy them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, BigIntPK, JSONType, UTCDateTime, utcnow

# Statuses after the Open311 GeoReport model, which only has "open" and "closed" plus
# free status notes; ours name the open states residents care about.
RECEIVED = "received"
IN_PROGRESS = "in_progress"
WAITING = "waiting"  # for the resident to add information: the deadline clock stops
ANSWERED = "answered"
CLOSED = "closed"
REJECTED = "rejected"  # not handled, with the reason in status_notes
OPEN_STATUSES = (RECEIVED, IN_PROGRESS, WAITING)
FINAL_STATUSES = (CLOSED, REJECTED)


def open311_status(status: str) -> str:
    return "closed" if status in FINAL_STATUSES else "open"


class Ticket(Base):
    __tablename__ = "complaint_tickets"
    __table_args__ = (
        UniqueConstraint("code"),
        Index("ix_complaint_tickets_queue", "commune_id", "status", "due_at"),
        Index("ix_complaint_tickets_resident", "commune_id", "channel", "user_id", "created_at"),
        Index("ix_complaint_tickets_created", "commune_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(12))
    category: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default=RECEIVED)
    status_notes: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    procedure_code: Mapped[str | None] = mapped_column(String(20))
    dossier_ref: Mapped[str | None] = mapped_column(String(80))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20), default="chat")
    # Where the resident wrote from; staff answers go back there.
    channel: Mapped[str | None] = mapped_column(String(20))
    user_id: Mapped[str | None] = mapped_column(String(100))
    chat_id: Mapped[str | None] = mapped_column(String(100))
    # The resident asked to be contacted (survey follow-up) or left name and phone.
    contact_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    consent_version: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contact_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    unit: Mapped[str] = mapped_column(String(40))
    assignee: Mapped[str | None] = mapped_column(String(120))  # "channel:user_id" of staff
    assignee_label: Mapped[str | None] = mapped_column(String(200))
    # Projection of the event history.
    ack_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sweep markers: each message goes out once.
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ack_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan"
    )

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_phone or self.contact_name)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketEvent(Base):
    """Something that happened to a ticket. ``actor`` is "resident", "system",
    "survey" or "staff:<channel>:<user_id>"; ``text`` holds answers and messages."""

    __tablename__ = "complaint_events"
    __table_args__ = (Index("ix_complaint_events_ticket", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("complaint_tickets.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(120))
    actor_label: Mapped[str | None] = mapped_column(String(200))  # staff display name only
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class TicketPhoto(Base):
    """A photo sent with a ticket: first the channel's file reference, then, once a sweep
    has fetched, checked and re-encoded it (no EXIF, no GPS), the stored file."""

    __tablename__ = "complaint_photos"
    __table_args__ = (
        Index("ix_complaint_photos_pending", "status", "next_attempt_at"),
        Index("ix_complaint_photos_ticket", "ticket_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("complaint_tickets.id", ondelete="CASCADE"))
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str | None] = mapped_column(String(100))
    file_ref: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    path: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(String(30))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    size: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CalendarDay(Base):
    """A day that differs from the rule: an extra day off or a compensatory working day.

    ``commune_id`` NULL applies to every commune (a national announcement).
    """

    __tablename__ = "complaint_calendar_days"
    __table_args__ = (UniqueConstraint("commune_id", "day"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))  # "off" | "work"
    note: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


STATUS_LABELS = {
    RECEIVED: "Đã tiếp nhận",
    IN_PROGRESS: "Đang xử lý",
    WAITING: "Chờ người dân bổ sung",
    ANSWERED: "Đã trả lời",
    CLOSED: "Đã xong",
    REJECTED: "Không xử lý (có lý do)",
}
