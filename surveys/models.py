"""Survey tables: visits, invitations, anonymous responses, the hash-chained log of
answers, targets and the instrument versions answers were given under.

Anonymity is a property of the schema: a response copies the visit's metadata
(procedure, field group, counter, officer, in person or online, date) and has no column
pointing to the visit, the invitation or the resident. Its ``receipt`` is a hash of a
secret nonce that the invitation forgets when it is used, so the unique constraint can
stop a second answer without leaving a way back.
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
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigIntPK, JSONType, UTCDateTime, utcnow

# Visit kinds / response evidence.
DOSSIER, COUNTER = "dossier", "counter"
EVIDENCE_VISIT, EVIDENCE_COUNTER = "visit", "counter"
# Invitation states.
PENDING, USED, EXPIRED = "pending", "used", "expired"
# Response flags.
BURST = "burst"


class Visit(Base):
    """A resident served at the one-stop shop (a dossier received or returned), or a
    counter's standing QR code (``kind="counter"``, no dossier)."""

    __tablename__ = "survey_visits"
    __table_args__ = (
        # Importing the same daily list twice records each visit once.
        UniqueConstraint("commune_id", "dossier_code", "occurred_at"),
        Index("ix_survey_visits_commune_time", "commune_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default=DOSSIER)
    dossier_code: Mapped[str | None] = mapped_column(String(100))
    procedure_code: Mapped[str | None] = mapped_column(String(20))
    field: Mapped[str] = mapped_column(String(200), default="")
    field_group: Mapped[str] = mapped_column(String(40), default="other")
    counter: Mapped[str | None] = mapped_column(String(100))
    officer: Mapped[str | None] = mapped_column(String(100))
    # "channel:user_id" of the officer when the visit was recorded from a staff chat:
    # that person may not answer the invitation.
    officer_chat: Mapped[str | None] = mapped_column(String(130))
    mode: Mapped[str] = mapped_column(String(20), default="in_person")  # or "online"
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(20), default="cli")  # chat|cli|import|admin
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Invitation(Base):
    """The one-time right to answer for a visit: a signed token (QR, deep link) and a
    short typed code. Counter invitations are reusable and never pushed.

    Who to push it to lives here only until the invitation is used or expires; then the
    row keeps just its state.
    """

    __tablename__ = "survey_invitations"
    __table_args__ = (
        Index("ix_survey_invitations_push", "status", "push_due_at"),
        Index("ix_survey_invitations_reminder", "status", "reminder_due_at"),
        Index("ix_survey_invitations_expiry", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    visit_id: Mapped[int] = mapped_column(ForeignKey("survey_visits.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    nonce: Mapped[str | None] = mapped_column(String(64))  # forgotten when used
    reusable: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Answers given so far, so an interrupted questionnaire resumes; cleared on use.
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    push_channel: Mapped[str | None] = mapped_column(String(20))
    push_user_id: Mapped[str | None] = mapped_column(String(100))
    push_chat_id: Mapped[str | None] = mapped_column(String(100))
    push_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    push_note: Mapped[str | None] = mapped_column(String(100))  # why a push was skipped


class Response(Base):
    """One anonymous answer. Scores are 1-5 or NULL when the instrument did not ask."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        Index(
            "ix_survey_responses_period",
            "commune_id",
            "answered_at",
            "evidence",
            "field_group",
            "mode",
        ),
        Index("ix_survey_responses_time", "answered_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    instrument: Mapped[str] = mapped_column(String(60))  # "sipas-2026@1"
    evidence: Mapped[str] = mapped_column(String(20), default=EVIDENCE_VISIT)
    procedure_code: Mapped[str | None] = mapped_column(String(20))
    field: Mapped[str] = mapped_column(String(200), default="")
    field_group: Mapped[str] = mapped_column(String(40), default="other")
    counter: Mapped[str | None] = mapped_column(String(100))
    officer: Mapped[str | None] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(20), default="in_person")
    visit_date: Mapped[date | None] = mapped_column(Date)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    overall: Mapped[int | None] = mapped_column(SmallInteger)
    access: Mapped[int | None] = mapped_column(SmallInteger)
    procedure: Mapped[int | None] = mapped_column(SmallInteger)
    civil_servant: Mapped[int | None] = mapped_column(SmallInteger)
    result: Mapped[int | None] = mapped_column(SmallInteger)
    feedback: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    flag: Mapped[str | None] = mapped_column(String(20))  # "burst": left out of figures
    receipt: Mapped[str] = mapped_column(String(64), unique=True)


class LogEntry(Base):
    """One link of a commune's hash chain over its answers:
    ``hash = sha256(previous hash + canonical JSON of the answer)``."""

    __tablename__ = "survey_log"
    __table_args__ = (UniqueConstraint("commune_id", "position"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    response_id: Mapped[int] = mapped_column(BigIntPK)  # no FK: a deleted answer must show
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChainHead(Base):
    """The last link of each commune's chain. Locked while appending, so concurrent
    answers on PostgreSQL line up instead of forking the chain; it also reveals a log
    cut short at the end."""

    __tablename__ = "survey_chain_heads"

    commune_id: Mapped[int] = mapped_column(
        ForeignKey("communes.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class Target(Base):
    """A commune's target for one indicator and year (commune_id NULL: every commune)."""

    __tablename__ = "survey_targets"
    __table_args__ = (UniqueConstraint("commune_id", "year", "indicator"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[str] = mapped_column(String(40))
    target: Mapped[float] = mapped_column(Float)


class InstrumentVersion(Base):
    """A copy of every questionnaire version answers were given under."""

    __tablename__ = "survey_instruments"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)  # "sipas-2026@1"
    fingerprint: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
