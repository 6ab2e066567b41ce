"""Correction and deletion requests: opening, deadlines, acknowledging, completing.

Like complaint services, these run inside the caller's transaction and never send. A
completed deletion erases what the bot holds about the resident on that channel
(``erase_resident``); a completed correction writes the new name or phone onto the
resident's tickets that still carry contact details. Either way the request then keeps
only its record (dates, who handled it, what was done).
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ChannelUser, Conversation, OutboxItem, Question
from bot.outbox import DEAD, SENT, UNDELIVERABLE
from complaints import service
from complaints.calendar import WorkingCalendar
from complaints.codes import ALPHABET, LENGTH
from complaints.models import FINAL_STATUSES as TICKET_FINAL
from complaints.models import Ticket, TicketPhoto
from complaints.privacy import redact
from privacy.config import PrivacySettings
from privacy.models import (
    ACKNOWLEDGED,
    CORRECT,
    DELETE,
    DONE,
    FINAL_STATUSES,
    KINDS,
    OPEN_STATUSES,
    RECEIVED,
    REJECTED,
    PrivacyRequest,
)
from surveys.models import Invitation

log = logging.getLogger(__name__)

PREFIX = "YC-"
_TYPED = re.compile(rf"\bYC[\s\-_.]*([{ALPHABET}{ALPHABET.lower()}]{{{LENGTH}}})\b", re.I)
FIELDS = ("name", "phone")


class RequestError(Exception):
    """An action that does not fit the request's state (completing a settled one)."""


def new_code() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_code(text: str) -> str | None:
    """``yc 7k3m2q`` -> ``YC-7K3M2Q``; None when the text holds no well-formed code."""
    match = _TYPED.search(text.strip())
    if match is None:
        return None
    body = match.group(1).upper()
    return PREFIX + body if all(ch in ALPHABET for ch in body) else None


# --- deadlines -------------------------------------------------------------------------------


def deadlines(
    received: datetime, calendar: WorkingCalendar, settings: PrivacySettings
) -> tuple[datetime, datetime]:
    """(acknowledge by, complete by) for a request received at ``received``.

    Acknowledgement counts working days (closing time of the Nth working day after the
    day of receipt). Completion counts calendar days, ending at closing time on the last
    working day on or before the Nth day, so the deadline never falls on a closed day.
    """
    ack = calendar.deadline(received, settings.ack_working_days)
    last = calendar.local(received).date() + timedelta(days=settings.complete_days)
    for _ in range(settings.complete_days):
        if calendar.is_working_day(last):
            break
        last -= timedelta(days=1)
    due = calendar.closes(last).astimezone(UTC)
    return ack, max(due, ack)


# --- opening ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resident:
    channel: str
    user_id: str
    chat_id: str


async def open_for(
    session: AsyncSession, commune_id: int, resident: Resident, kind: str
) -> PrivacyRequest | None:
    """The resident's request of this kind still open, if any (asking twice is one request)."""
    return (
        await session.execute(
            select(PrivacyRequest)
            .where(
                *_owned(PrivacyRequest, commune_id, resident),
                PrivacyRequest.kind == kind,
                PrivacyRequest.status.in_(OPEN_STATUSES),
            )
            .order_by(PrivacyRequest.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def _unique_code(session: AsyncSession) -> str:
    for _ in range(20):
        code = new_code()
        taken = await session.execute(select(PrivacyRequest.id).where(PrivacyRequest.code == code))
        if taken.first() is None:
            return code
    raise RuntimeError("could not draw a free request code")  # pragma: no cover


async def open_request(
    session: AsyncSession,
    commune_id: int,
    resident: Resident,
    kind: str,
    *,
    now: datetime,
    calendar: WorkingCalendar,
    settings: PrivacySettings,
    details: dict[str, Any] | None = None,
    notice_version: str | None = None,
) -> PrivacyRequest:
    if kind not in KINDS:
        raise ValueError(f"unknown request kind {kind!r}")
    if kind == CORRECT and (details or {}).get("field") not in FIELDS:
        raise ValueError("a correction names the field (name or phone) and its new value")
    ack_due, due = deadlines(now, calendar, settings)
    request = PrivacyRequest(
        commune_id=commune_id,
        code=await _unique_code(session),
        kind=kind,
        status=RECEIVED,
        channel=resident.channel,
        user_id=resident.user_id,
        chat_id=resident.chat_id,
        details=dict(details or {}),
        notice_version=notice_version,
        received_at=now,
        ack_due_at=ack_due,
        due_at=due,
        updated_at=now,
    )
    session.add(request)
    await session.flush()
    log.info("privacy request %s opened (%s)", request.code, kind)
    return request


# --- staff actions -------------------------------------------------------------------------


async def by_code(session: AsyncSession, commune_id: int, text: str) -> PrivacyRequest | None:
    code = normalize_code(text)
    if code is None:
        return None
    return (
        await session.execute(
            select(PrivacyRequest).where(
                PrivacyRequest.commune_id == commune_id, PrivacyRequest.code == code
            )
        )
    ).scalar_one_or_none()


async def queue(session: AsyncSession, commune_id: int, limit: int = 30) -> list[PrivacyRequest]:
    return list(
        (
            await session.execute(
                select(PrivacyRequest)
                .where(
                    PrivacyRequest.commune_id == commune_id,
                    PrivacyRequest.status.in_(OPEN_STATUSES),
                )
                .order_by(PrivacyRequest.due_at)
                .limit(limit)
            )
        ).scalars()
    )


def _require_open(request: PrivacyRequest) -> None:
    if request.status in FINAL_STATUSES:
        raise RequestError("request already settled")


def acknowledge(request: PrivacyRequest, *, staff: str, label: str | None, now: datetime) -> bool:
    """Staff confirm they have the request; False when it was confirmed before."""
    _require_open(request)
    if request.acknowledged_at is not None:
        return False
    request.status, request.acknowledged_at = ACKNOWLEDGED, now
    request.handled_by, request.handled_by_label = staff, label
    request.updated_at = now
    return True


@dataclass(frozen=True)
class Outcome:
    """What a completed request changed (counts, for staff and the record)."""

    tickets: int = 0
    conversations: int = 0
    questions: int = 0
    messages: int = 0
    photos: int = 0
    invitations: int = 0

    def describe(self) -> str:
        parts = [f"{value} {name}" for name, value in vars(self).items() if value]
        return ", ".join(parts) or "nothing held"


async def complete(
    session: AsyncSession,
    request: PrivacyRequest,
    *,
    staff: str,
    label: str | None,
    now: datetime,
) -> Outcome:
    """Carry the request out and settle it."""
    _require_open(request)
    resident = Resident(request.channel, request.user_id, request.chat_id)
    if request.kind == DELETE:
        outcome = await erase_resident(
            session, request.commune_id, resident, now=now, actor=f"privacy:{request.code}"
        )
    else:
        outcome = await correct_contact(session, request, now=now)
    request.status, request.completed_at = DONE, now
    request.acknowledged_at = request.acknowledged_at or now
    request.handled_by, request.handled_by_label = staff, label
    request.outcome = outcome.describe()
    request.details = {}
    request.updated_at = now
    log.info("privacy request %s completed", request.code)
    return outcome


def reject(
    request: PrivacyRequest, *, staff: str, label: str | None, reason: str, now: datetime
) -> None:
    _require_open(request)
    if not reason.strip():
        raise RequestError("a refusal needs a reason")
    request.status, request.completed_at = REJECTED, now
    request.acknowledged_at = request.acknowledged_at or now
    request.handled_by, request.handled_by_label = staff, label
    request.outcome = reason.strip()[:1000]
    request.details = {}
    request.updated_at = now
    log.info("privacy request %s refused", request.code)


async def correct_contact(
    session: AsyncSession, request: PrivacyRequest, *, now: datetime
) -> Outcome:
    """Write the corrected name or phone onto the resident's tickets that hold contact
    details (erased ones stay erased: nothing to correct there)."""
    field = request.details.get("field")
    value = str(request.details.get("value") or "").strip()
    if field not in FIELDS or not value:
        return Outcome()
    tickets = (
        await session.execute(
            select(Ticket).where(
                Ticket.commune_id == request.commune_id,
                Ticket.channel == request.channel,
                Ticket.user_id == request.user_id,
                Ticket.contact_erased_at.is_(None),
                or_(Ticket.contact_name.is_not(None), Ticket.contact_phone.is_not(None)),
            )
        )
    ).scalars()
    changed = 0
    for ticket in tickets:
        if field == "name":
            ticket.contact_name = value
        else:
            ticket.contact_phone = value
        ticket.updated_at = now
        await service.note(
            session,
            ticket,
            "contact_corrected",
            f"privacy:{request.code}",
            now=now,
            data={"field": field},
        )
        changed += 1
    return Outcome(tickets=changed)


def _owned(model: Any, commune_id: int, resident: Resident) -> tuple[Any, ...]:
    """The conditions that pick this account's rows of a table keyed like the inbox."""
    return (
        model.commune_id == commune_id,
        model.channel == resident.channel,
        model.user_id == resident.user_id,
    )


async def erase_resident(
    session: AsyncSession, commune_id: int, resident: Resident, *, now: datetime, actor: str
) -> Outcome:
    """Erase or anonymise what the bot holds about this account.

    - tickets: name and phone erased (complaints.service.erase_contact); settled tickets
      are also unlinked from the account and phone numbers typed into their text blanked.
      Tickets still being handled stay linked, so the answer can reach the resident.
    - the conversation (draft, last choices), the question log, the messages already
      sent to this chat, the display name, pending survey pushes, photo ownership.
    Messages not yet sent, and updates not yet processed, are never touched.
    """
    tickets = list(
        (
            await session.execute(
                select(Ticket).where(
                    *_owned(Ticket, commune_id, resident),
                )
            )
        ).scalars()
    )
    touched = 0
    for ticket in tickets:
        changed = await service.erase_contact(session, ticket, actor=actor, now=now)
        if ticket.status in TICKET_FINAL:
            ticket.text = redact(ticket.text)
            ticket.channel = ticket.user_id = ticket.chat_id = None
            await service.note(session, ticket, "resident_unlinked", actor, now=now)
            changed = True
        touched += int(changed)
    photos = await session.execute(
        update(TicketPhoto)
        .where(
            *_owned(TicketPhoto, commune_id, resident),
        )
        .values(user_id=None)
        .execution_options(synchronize_session=False)
    )
    conversations = await session.execute(
        delete(Conversation)
        .where(
            *_owned(Conversation, commune_id, resident),
        )
        .execution_options(synchronize_session=False)
    )
    questions = await session.execute(
        delete(Question)
        .where(
            *_owned(Question, commune_id, resident),
        )
        .execution_options(synchronize_session=False)
    )
    messages = await session.execute(
        delete(OutboxItem)
        .where(
            OutboxItem.commune_id == commune_id,
            OutboxItem.channel == resident.channel,
            OutboxItem.chat_id == resident.chat_id,
            OutboxItem.status.in_((SENT, DEAD, UNDELIVERABLE)),
        )
        .execution_options(synchronize_session=False)
    )
    invitations = await session.execute(
        update(Invitation)
        .where(
            Invitation.commune_id == commune_id,
            Invitation.push_channel == resident.channel,
            Invitation.push_user_id == resident.user_id,
        )
        .values(push_channel=None, push_user_id=None, push_chat_id=None, push_note="erased")
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(ChannelUser)
        .where(
            *_owned(ChannelUser, commune_id, resident),
        )
        .values(display_name=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(PrivacyRequest)
        .where(
            *_owned(PrivacyRequest, commune_id, resident),
            PrivacyRequest.status.in_(FINAL_STATUSES),
        )
        .values(details={})
        .execution_options(synchronize_session=False)
    )
    return Outcome(
        tickets=touched,
        conversations=_rows(conversations),
        questions=_rows(questions),
        messages=_rows(messages),
        photos=_rows(photos),
        invitations=_rows(invitations),
    )


def _rows(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
