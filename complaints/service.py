"""Complaint services: open a ticket, act on it, find it, count it.

Handlers, sweeps, the CLI and other features (surveys) call these inside their own
transaction; nothing here sends messages or commits. Every change is an event first; the
ticket's status and due times are then recomputed from the history.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import utcnow
from bot.db.models import Commune
from complaints import codes, deadlines
from complaints import config as complaint_config
from complaints.calendar import WorkingCalendar
from complaints.categories import CATEGORIES
from complaints.categories import category as category_of
from complaints.config import ComplaintSettings
from complaints.models import (
    ANSWERED,
    CLOSED,
    FINAL_STATUSES,
    IN_PROGRESS,
    OPEN_STATUSES,
    RECEIVED,
    REJECTED,
    WAITING,
    CalendarDay,
    Ticket,
    TicketEvent,
    TicketPhoto,
)

log = logging.getLogger(__name__)

RESIDENT = "resident"
SYSTEM = "system"
DAY = timedelta(hours=24)
MAX_TEXT = 4000


class TicketError(Exception):
    """An action that does not fit the ticket's state (e.g. replying to a closed one)."""


# --- the rules of a commune ---------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    settings: ComplaintSettings
    calendar: WorkingCalendar


async def rules_for(
    session: AsyncSession, commune_id: int, raw_settings: dict[str, Any] | None = None
) -> Rules:
    """The commune's complaint settings and working calendar (with its staff-added days)."""
    if raw_settings is None:
        raw_settings = (
            await session.execute(select(Commune.settings).where(Commune.id == commune_id))
        ).scalar_one_or_none() or {}
    settings = complaint_config.for_commune(raw_settings)
    rows = (
        await session.execute(
            select(CalendarDay.day, CalendarDay.kind).where(
                or_(CalendarDay.commune_id == commune_id, CalendarDay.commune_id.is_(None))
            )
        )
    ).all()
    calendar = WorkingCalendar(
        settings.hours,
        days_off=[d for d, kind in rows if kind == "off"],
        working_days=[d for d, kind in rows if kind == "work"],
    )
    return Rules(settings, calendar)


async def set_calendar_day(
    session: AsyncSession,
    commune_id: int | None,
    day: date,
    kind: str,
    *,
    note: str | None,
    created_by: str | None,
    now: datetime,
) -> CalendarDay:
    """Record an extra day off (``off``) or a compensatory working day (``work``)."""
    if kind not in ("off", "work"):
        raise ValueError("kind is 'off' or 'work'")
    where = (
        CalendarDay.commune_id.is_(None)
        if commune_id is None
        else CalendarDay.commune_id == commune_id
    )
    row = (
        await session.execute(select(CalendarDay).where(where, CalendarDay.day == day))
    ).scalar_one_or_none()
    if row is None:
        row = CalendarDay(commune_id=commune_id, day=day, created_at=now)
        session.add(row)
    row.kind, row.note, row.created_by = kind, (note or None) and note[:200], created_by
    await session.flush()
    return row


async def remove_calendar_day(session: AsyncSession, commune_id: int | None, day: date) -> bool:
    where = (
        CalendarDay.commune_id.is_(None)
        if commune_id is None
        else CalendarDay.commune_id == commune_id
    )
    row = (
        await session.execute(select(CalendarDay).where(where, CalendarDay.day == day))
    ).scalar_one_or_none()
    if row is None:
        return False
    await session.delete(row)
    return True


async def calendar_days(session: AsyncSession, commune_id: int, year: int) -> list[CalendarDay]:
    return list(
        (
            await session.execute(
                select(CalendarDay)
                .where(
                    or_(CalendarDay.commune_id == commune_id, CalendarDay.commune_id.is_(None)),
                    CalendarDay.day >= date(year, 1, 1),
                    CalendarDay.day <= date(year, 12, 31),
                )
                .order_by(CalendarDay.day)
            )
        ).scalars()
    )


# --- opening ------------------------------------------------------------------------------


async def _unique_code(session: AsyncSession) -> str:
    for _ in range(20):
        code = codes.new_code()
        taken = (await session.execute(select(Ticket.id).where(Ticket.code == code))).first()
        if taken is None:
            return code
    raise RuntimeError("could not draw a free ticket code")  # pragma: no cover


async def open_ticket(
    session: AsyncSession,
    *,
    commune_id: int,
    category: str,
    text: str,
    channel: str | None,
    user_id: str | None,
    chat_id: str | None,
    source: str = "chat",
    procedure_code: str | None = None,
    contact_consent: bool = False,
    now: datetime,
    contact_name: str | None = None,
    contact_phone: str | None = None,
    consent_version: str | None = None,
    dossier_ref: str | None = None,
    location: tuple[float, float] | None = None,
    photos: Sequence[str] = (),
    rules: Rules | None = None,
) -> Ticket:
    """Record a new ticket and its ``received`` event; staff are alerted by the caller
    (the intake handler) or, for tickets opened elsewhere, by the alerts sweep.

    ``contact_consent`` means the resident agreed to be contacted; with a name or phone it
    must come with ``consent_version`` (the privacy notice they were shown).
    """
    if category not in CATEGORIES:
        raise ValueError(f"unknown complaint category {category!r}")
    if (contact_name or contact_phone) and not (contact_consent and consent_version):
        raise ValueError("contact details need recorded consent and the notice version")
    rules = rules or await rules_for(session, commune_id)
    deadline = rules.settings.deadline(category)
    c = category_of(category)
    ticket = Ticket(
        commune_id=commune_id,
        code=await _unique_code(session),
        category=category,
        status=RECEIVED,
        text=text.strip()[:MAX_TEXT],
        procedure_code=procedure_code,
        dossier_ref=dossier_ref[:80] if dossier_ref else None,
        latitude=location[0] if location else None,
        longitude=location[1] if location else None,
        source=source,
        channel=channel,
        user_id=user_id,
        chat_id=chat_id,
        contact_consent=contact_consent,
        contact_name=contact_name,
        contact_phone=contact_phone,
        consent_version=consent_version if contact_consent else None,
        consent_at=now if contact_consent else None,
        confidential=c.confidential,
        unit=c.unit,
        ack_due_at=rules.calendar.deadline(now, deadline.ack_days),
        due_at=rules.calendar.deadline(now, deadline.answer_days),
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    await session.flush()
    session.add(
        TicketEvent(
            ticket_id=ticket.id,
            at=now,
            kind=deadlines.RECEIVED,
            actor=RESIDENT if source == "chat" else source,
            data={
                "category": category,
                "ack_days": deadline.ack_days,
                "answer_days": deadline.answer_days,
                "source": source,
                "with_contact": ticket.has_contact,
                "consent_version": ticket.consent_version,
                "photos": len(photos),
            },
        )
    )
    for ref in photos:
        session.add(
            TicketPhoto(
                ticket_id=ticket.id,
                commune_id=commune_id,
                channel=channel or "",
                user_id=user_id,
                file_ref=ref,
                status="pending",
                next_attempt_at=now,
                created_at=now,
            )
        )
    await session.flush()
    log.info("ticket %s opened (%s, %s)", ticket.code, category, source)
    return ticket


# --- the history ----------------------------------------------------------------------------


async def history(session: AsyncSession, ticket_id: int) -> list[TicketEvent]:
    return list(
        (
            await session.execute(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket_id)
                .order_by(TicketEvent.id)
            )
        ).scalars()
    )


async def _record(
    session: AsyncSession,
    ticket: Ticket,
    kind: str,
    actor: str,
    *,
    now: datetime,
    rules: Rules,
    label: str | None = None,
    text: str | None = None,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    event = TicketEvent(
        ticket_id=ticket.id,
        at=now,
        kind=kind,
        actor=actor,
        actor_label=label,
        text=text[:MAX_TEXT] if text else None,
        data=data or {},
    )
    session.add(event)
    await session.flush()
    timeline = deadlines.replay(await history(session, ticket.id), rules.calendar)
    ticket.ack_due_at = timeline.ack_due_at
    ticket.due_at = timeline.due_at
    ticket.acknowledged_at = timeline.acknowledged_at
    ticket.first_response_at = timeline.first_response_at
    ticket.waiting_since = timeline.waiting_since
    ticket.updated_at = now
    return event


def staff_actor(channel: str, user_id: str) -> str:
    return f"staff:{channel}:{user_id}"


def _require_open(ticket: Ticket) -> None:
    if ticket.status in FINAL_STATUSES:
        raise TicketError("ticket is closed")


async def take(
    session: AsyncSession,
    ticket: Ticket,
    *,
    staff: str,
    label: str | None,
    now: datetime,
    rules: Rules,
) -> TicketEvent:
    """A staff member ("channel:user_id") takes the ticket: assigned and acknowledged."""
    _require_open(ticket)
    ticket.assignee, ticket.assignee_label = staff, label
    if ticket.status == RECEIVED:
        ticket.status = IN_PROGRESS
    ticket.reminded_at = None
    return await _record(
        session, ticket, deadlines.TAKEN, f"staff:{staff}", now=now, rules=rules, label=label
    )


async def reply(
    session: AsyncSession,
    ticket: Ticket,
    *,
    staff: str,
    label: str | None,
    text: str,
    now: datetime,
    rules: Rules,
) -> TicketEvent:
    """An answer for the resident (the caller relays it)."""
    return await _message_resident(
        session, ticket, ANSWERED, deadlines.REPLIED, staff, label, text, now, rules
    )


async def ask_more(
    session: AsyncSession,
    ticket: Ticket,
    *,
    staff: str,
    label: str | None,
    text: str,
    now: datetime,
    rules: Rules,
) -> TicketEvent:
    """Ask the resident for more information; the deadline clock stops until they answer."""
    return await _message_resident(
        session, ticket, WAITING, deadlines.INFO_REQUESTED, staff, label, text, now, rules
    )


async def _message_resident(
    session: AsyncSession,
    ticket: Ticket,
    status: str,
    event: str,
    staff: str,
    label: str | None,
    text: str,
    now: datetime,
    rules: Rules,
) -> TicketEvent:
    """Staff wrote to the resident: whoever writes first takes the ticket."""
    _require_open(ticket)
    if ticket.assignee is None:
        ticket.assignee, ticket.assignee_label = staff, label
    ticket.status = status
    return await _record(
        session, ticket, event, f"staff:{staff}", now=now, rules=rules, label=label, text=text
    )


async def close(
    session: AsyncSession,
    ticket: Ticket,
    *,
    staff: str,
    label: str | None,
    note: str | None,
    now: datetime,
    rules: Rules,
) -> TicketEvent:
    _require_open(ticket)
    ticket.status, ticket.closed_at = CLOSED, now
    if note:
        ticket.status_notes = note[:1000]
    return await _record(
        session,
        ticket,
        deadlines.CLOSED,
        f"staff:{staff}",
        now=now,
        rules=rules,
        label=label,
        text=note,
    )


async def reject(
    session: AsyncSession,
    ticket: Ticket,
    *,
    staff: str,
    label: str | None,
    reason: str,
    now: datetime,
    rules: Rules,
) -> TicketEvent:
    """Not handled, with the reason the resident is told (Open311 ``status_notes``)."""
    _require_open(ticket)
    if not reason.strip():
        raise TicketError("a rejection needs a reason")
    ticket.status, ticket.closed_at, ticket.status_notes = REJECTED, now, reason[:1000]
    return await _record(
        session,
        ticket,
        deadlines.REJECTED,
        f"staff:{staff}",
        now=now,
        rules=rules,
        label=label,
        text=reason,
    )


async def resident_message(
    session: AsyncSession,
    ticket: Ticket,
    *,
    text: str | None,
    photos: Sequence[str] = (),
    now: datetime,
    rules: Rules,
) -> TicketEvent:
    """A follow-up from the resident: restarts a stopped clock, reopens an answered ticket."""
    if ticket.status in FINAL_STATUSES:
        raise TicketError("ticket is closed")
    if ticket.status == WAITING:
        ticket.reminded_at = None  # the deadline moved: remind again before the new one
    if ticket.status in (WAITING, ANSWERED):
        ticket.status = IN_PROGRESS
    for ref in photos:
        session.add(
            TicketPhoto(
                ticket_id=ticket.id,
                commune_id=ticket.commune_id,
                channel=ticket.channel or "",
                user_id=ticket.user_id,
                file_ref=ref,
                status="pending",
                next_attempt_at=now,
                created_at=now,
            )
        )
    return await _record(
        session,
        ticket,
        deadlines.RESIDENT_MESSAGE,
        RESIDENT,
        now=now,
        rules=rules,
        text=text,
        data={"photos": len(photos)} if photos else {},
    )


async def note(
    session: AsyncSession,
    ticket: Ticket,
    kind: str,
    actor: str,
    *,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """An event that does not change the deadlines (a reminder sent, a contact viewed)."""
    event = TicketEvent(ticket_id=ticket.id, at=now, kind=kind, actor=actor, data=data or {})
    session.add(event)
    await session.flush()
    return event


async def erase_contact(
    session: AsyncSession, ticket: Ticket, *, actor: str, now: datetime
) -> bool:
    """Remove the name and phone (a resident's request or the retention schedule)."""
    if not ticket.has_contact:
        return False
    ticket.contact_name = ticket.contact_phone = None
    ticket.contact_erased_at = now
    await note(session, ticket, "contact_erased", actor, now=now)
    return True


# --- finding ---------------------------------------------------------------------------------


async def by_code(session: AsyncSession, commune_id: int, code_text: str) -> Ticket | None:
    """For staff: the commune's ticket with this code."""
    code = codes.normalize(code_text)
    if code is None:
        return None
    return (
        await session.execute(
            select(Ticket).where(Ticket.commune_id == commune_id, Ticket.code == code)
        )
    ).scalar_one_or_none()


async def find_for_resident(
    session: AsyncSession,
    commune_id: int,
    code_text: str,
    *,
    channel: str,
    user_id: str,
    phone: str | None = None,
) -> Ticket | None:
    """A ticket the asker may see: filed from the same (channel, user), or with the
    contact phone they give. Anything else is None, exactly as for an unknown code."""
    ticket = await by_code(session, commune_id, code_text)
    if ticket is None:
        return None
    if ticket.channel == channel and ticket.user_id == user_id:
        return ticket
    if phone and ticket.contact_phone and ticket.contact_phone == phone:
        return ticket
    return None


async def resident_tickets(
    session: AsyncSession, commune_id: int, channel: str, user_id: str, limit: int | None = 5
) -> list[Ticket]:
    """The account's tickets, newest first (``limit=None``: all of them)."""
    return list(
        (
            await session.execute(
                select(Ticket)
                .where(
                    Ticket.commune_id == commune_id,
                    Ticket.channel == channel,
                    Ticket.user_id == user_id,
                )
                .order_by(Ticket.created_at.desc(), Ticket.id.desc())
                .limit(limit)
            )
        ).scalars()
    )


async def tickets_since(
    session: AsyncSession, commune_id: int, channel: str, user_id: str, since: datetime
) -> int:
    return int(
        (
            await session.execute(
                select(func.count(Ticket.id)).where(
                    Ticket.commune_id == commune_id,
                    Ticket.channel == channel,
                    Ticket.user_id == user_id,
                    Ticket.created_at >= since,
                )
            )
        ).scalar_one()
    )


async def photos_since(
    session: AsyncSession, commune_id: int, channel: str, user_id: str, since: datetime
) -> int:
    return int(
        (
            await session.execute(
                select(func.count(TicketPhoto.id)).where(
                    TicketPhoto.commune_id == commune_id,
                    TicketPhoto.channel == channel,
                    TicketPhoto.user_id == user_id,
                    TicketPhoto.created_at >= since,
                )
            )
        ).scalar_one()
    )


async def queue(
    session: AsyncSession, commune_id: int, *, assignee: str | None = None, limit: int = 20
) -> list[Ticket]:
    """Open tickets by deadline: the assignee's own and those nobody has taken."""
    query = select(Ticket).where(Ticket.commune_id == commune_id, Ticket.status.in_(OPEN_STATUSES))
    if assignee is not None:
        query = query.where(or_(Ticket.assignee == assignee, Ticket.assignee.is_(None)))
    return list((await session.execute(query.order_by(Ticket.due_at).limit(limit))).scalars())


async def overdue(
    session: AsyncSession, commune_id: int, now: datetime, limit: int = 30
) -> list[Ticket]:
    """Open tickets past their answer deadline with no response (a stopped clock is not late)."""
    return list(
        (
            await session.execute(
                select(Ticket)
                .where(
                    Ticket.commune_id == commune_id,
                    Ticket.status.in_((RECEIVED, IN_PROGRESS)),
                    Ticket.first_response_at.is_(None),
                    Ticket.due_at < now,
                )
                .order_by(Ticket.due_at)
                .limit(limit)
            )
        ).scalars()
    )


async def photo_count(session: AsyncSession, ticket_id: int) -> int:
    return int(
        (
            await session.execute(
                select(func.count(TicketPhoto.id)).where(TicketPhoto.ticket_id == ticket_id)
            )
        ).scalar_one()
    )


# --- figures ---------------------------------------------------------------------------------


def _empty() -> dict[str, Any]:
    return {"received": 0, "due": 0, "on_time": 0, "overdue": 0, "pending": 0, "rate": None}


async def on_time_rate(
    session: AsyncSession,
    commune_id: int,
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Tickets handled on time in ``[start, end)``, replayed from the event history.

    Returns ``{"overall": figures, "by_category": {key: figures}}`` where figures are:
    ``received`` (opened in the period), ``due`` (answer deadline in the period),
    ``on_time`` (of those, first response by the deadline), ``overdue`` (response late,
    or none and the deadline has passed), ``pending`` (deadline still ahead, no response
    yet) and ``rate`` = on_time / (on_time + overdue), None when nothing was decided.
    The time the clock stood still waiting for the resident does not count.
    """
    rules = await rules_for(session, commune_id)
    tickets = list(
        (
            await session.execute(
                select(Ticket).where(
                    Ticket.commune_id == commune_id,
                    Ticket.created_at < end,
                    or_(
                        Ticket.created_at >= start,
                        Ticket.due_at >= start,
                        Ticket.waiting_since.is_not(None),
                    ),
                )
            )
        ).scalars()
    )
    by_ticket: dict[int, list[TicketEvent]] = defaultdict(list)
    ids = [t.id for t in tickets]
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        for event in (
            await session.execute(select(TicketEvent).where(TicketEvent.ticket_id.in_(chunk)))
        ).scalars():
            by_ticket[event.ticket_id].append(event)
    now = now or utcnow()
    overall = _empty()
    per: dict[str, dict[str, Any]] = {key: _empty() for key in CATEGORIES}
    for ticket in tickets:
        figures = per.setdefault(ticket.category, _empty())
        timeline = deadlines.replay(by_ticket[ticket.id], rules.calendar)
        for bucket in (overall, figures):
            if start <= timeline.received_at < end:
                bucket["received"] += 1
        due = timeline.due_as_of(rules.calendar, now)
        if not start <= due < end:
            continue
        responded = timeline.first_response_at
        if responded is not None and responded <= due:
            outcome = "on_time"
        elif responded is not None or due < now:
            outcome = "overdue"
        else:
            outcome = "pending"
        for bucket in (overall, figures):
            bucket["due"] += 1
            bucket[outcome] += 1
    for bucket in (overall, *per.values()):
        decided = bucket["on_time"] + bucket["overdue"]
        bucket["rate"] = round(bucket["on_time"] / decided, 4) if decided else None
    return {"overall": overall, "by_category": per}
