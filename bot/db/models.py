"""Core tables: communes, the people who write to the bot, conversations, inbox, outbox,
the question log and per-commune catalogue entries.

Domain packages (complaints, surveys) own their tables in their own ``models`` modules on
the same ``Base``; every resident-facing record carries its ``commune_id``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigIntPK, JSONType, UTCDateTime, utcnow


class Commune(Base):
    """A commune (xã) or ward (phường) served by this deployment, with its profile."""

    __tablename__ = "communes"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="xã")
    province: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    hours: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(200))
    map_url: Mapped[str | None] = mapped_column(Text)
    counters: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Catalogue choices and other per-commune options, e.g. {"disabled_procedures": [...]}.
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ChannelUser(Base):
    """Someone who wrote to the bot on one channel. Knows whether we can still reach them."""

    __tablename__ = "channel_users"
    __table_args__ = (UniqueConstraint("commune_id", "channel", "user_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(100))
    chat_id: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str | None] = mapped_column(String(200))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The resident's last message: Zalo OA's free-reply window counts from it.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unreachable_reason: Mapped[str | None] = mapped_column(Text)


class Conversation(Base):
    """Where a resident is in a dialogue. Saved in the same transaction as the replies."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("commune_id", "channel", "user_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    # The choices of the last reply, so a typed "2" (or the option's words) can stand for
    # pressing it: Zalo Bot has no buttons, and elderly residents often type anyway.
    offered: Mapped[list[list[str]]] = mapped_column(JSONType, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InboxItem(Base):
    """A raw update as received, stored before the webhook answers 200.

    The unique key makes a retried delivery a no-op. ``status`` moves pending -> done or
    failed; a pending row found at start-up was accepted but never processed.
    ``conversation`` is who the update is from (the channel's conversation key): an
    update is handled only once every earlier one of its conversation is, whichever
    instance stored it.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("commune_id", "channel", "update_key"),
        Index("ix_inbox_pending", "status", "id"),
        Index("ix_inbox_conversation", "commune_id", "channel", "conversation", "status"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    update_key: Mapped[str] = mapped_column(String(200))
    conversation: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxItem(Base):
    """A message to send. Every reply goes through here, so none is lost to a crash.

    ``(inbox_id, seq)`` is unique: reprocessing an update cannot enqueue its replies twice.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("inbox_id", "seq"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_chat", "channel", "chat_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30), default="reply")
    reply: Mapped[dict[str, Any]] = mapped_column(JSONType)
    inbox_id: Mapped[int | None] = mapped_column(ForeignKey("inbox.id", ondelete="SET NULL"))
    seq: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Question(Base):
    """What a resident asked and what the bot did with it, for staff review and figures."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_commune_time", "commune_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(20))  # answer | clarify | none
    codes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    score: Mapped[float | None] = mapped_column(Float)
    intent: Mapped[str | None] = mapped_column(String(30))
    aspect: Mapped[str | None] = mapped_column(String(30))
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    resolved_code: Mapped[str | None] = mapped_column(String(20))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CatalogueEntry(Base):
    """A commune's layer over the shipped catalogue for one procedure.

    ``data`` is the procedure as imported from official files (``{}`` when none was
    imported); it is merged over the shipped record. ``overrides`` are the fields staff
    set in the editor, applied last and as given, so staff can also clear a field or
    remove an alias. A later official import drops overrides of the official facts it
    brings (newer facts win) and keeps overrides of the plain-language fields.
    """

    __tablename__ = "catalogue_entries"
    __table_args__ = (UniqueConstraint("commune_id", "code"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    overrides: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict, server_default="{}")
    source: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
