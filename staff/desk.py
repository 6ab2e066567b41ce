"""Acting on complaint tickets from the web: the complaint service records the event,
and the message for the resident goes to the outbox on the channel they wrote from.

This mirrors what staff do from the chat (handlers.staff) without a chat update: the
same service calls, the same texts for the resident, the same outbox kind, and the
resident's conversation prepared so that a typed "1" answers the relayed message's
first button on text-only channels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.communes import CommuneProfile
from bot.config import TIMEZONE
from bot.types import Button, Reply
from complaints import service
from complaints.models import (
    FINAL_STATUSES,
    IN_PROGRESS,
    OPEN_STATUSES,
    RECEIVED,
    Ticket,
    TicketPhoto,
)
from handlers import texts as chat_texts
from handlers.staff import deliver, resident_buttons

PAGE_SIZE = 50
TZ = ZoneInfo(TIMEZONE)


@dataclass(frozen=True)
class Filters:
    status: str = "open"  # open | all | a status key
    category: str = ""
    overdue: bool = False
    mine: str | None = None  # the staff ref, for "assigned to me"
    page: int = 1


async def listing(
    session: AsyncSession, commune_id: int, filters: Filters, now: datetime
) -> tuple[list[Ticket], int]:
    query = select(Ticket).where(Ticket.commune_id == commune_id)
    if filters.status == "open":
        query = query.where(Ticket.status.in_(OPEN_STATUSES))
    elif filters.status and filters.status != "all":
        query = query.where(Ticket.status == filters.status)
    if filters.category:
        query = query.where(Ticket.category == filters.category)
    if filters.overdue:
        query = query.where(
            Ticket.status.in_((RECEIVED, IN_PROGRESS)),
            Ticket.first_response_at.is_(None),
            Ticket.due_at < now,
        )
    if filters.mine:
        query = query.where(or_(Ticket.assignee == filters.mine, Ticket.assignee.is_(None)))
    total = int(
        (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    )
    rows = (
        await session.execute(
            query.order_by(Ticket.due_at, Ticket.id)
            .limit(PAGE_SIZE)
            .offset((max(1, filters.page) - 1) * PAGE_SIZE)
        )
    ).scalars()
    return list(rows), total


def is_overdue(ticket: Ticket, now: datetime) -> bool:
    return (
        ticket.status in (RECEIVED, IN_PROGRESS)
        and ticket.first_response_at is None
        and ticket.due_at < now
    )


async def photos(session: AsyncSession, ticket_id: int) -> list[TicketPhoto]:
    return list(
        (
            await session.execute(
                select(TicketPhoto)
                .where(TicketPhoto.ticket_id == ticket_id)
                .order_by(TicketPhoto.id)
            )
        ).scalars()
    )


async def relay(
    session: AsyncSession,
    ticket: Ticket,
    reply: Reply,
    *,
    arm_followup: bool,
    now: datetime,
) -> str | None:
    """Queue a message for the resident; an error key when it cannot go now."""
    return await deliver(session, ticket, reply, arm_followup=arm_followup, now=now)


def contact_text(commune: CommuneProfile) -> str:
    lines = [
        chat_texts.INFO_ADDRESS.format(address=commune.address)
        if commune.address
        else chat_texts.INFO_NO_ADDRESS.format(commune=commune.name),
        chat_texts.INFO_HOURS.format(hours=commune.hours),
        chat_texts.INFO_PHONE.format(phone=commune.phone)
        if commune.phone
        else chat_texts.INFO_NO_PHONE,
    ]
    return "\n".join(lines)


class Closed(Exception):
    """The ticket is closed: nothing more can be done on it."""


async def act(
    session: AsyncSession,
    commune: CommuneProfile,
    ticket: Ticket,
    action: str,
    *,
    staff_ref: str,
    staff_label: str,
    text: str,
    now: datetime,
) -> str | None:
    """Do one action; returns an error key for the page when the resident was not told."""
    if ticket.status in FINAL_STATUSES:
        raise Closed
    rules = await service.rules_for(session, ticket.commune_id, commune.settings)
    try:
        if action == "take":
            first = ticket.acknowledged_at is None
            await service.take(
                session, ticket, staff=staff_ref, label=staff_label, now=now, rules=rules
            )
            if not first:
                return None
            message = Reply(
                chat_texts.PA_RELAY_TAKEN.format(
                    code=ticket.code, due=ticket.due_at.astimezone(TZ).strftime("%d/%m/%Y")
                )
            )
            return await relay(session, ticket, message, arm_followup=False, now=now)
        if action == "reply":
            await service.reply(
                session, ticket, text=text, staff=staff_ref, label=staff_label, now=now, rules=rules
            )
            message = Reply(
                chat_texts.PA_RELAY_REPLY.format(code=ticket.code, commune=commune.name, text=text),
                resident_buttons(ticket.code),
            )
            return await relay(session, ticket, message, arm_followup=False, now=now)
        if action == "ask":
            await service.ask_more(
                session, ticket, text=text, staff=staff_ref, label=staff_label, now=now, rules=rules
            )
            message = Reply(
                chat_texts.PA_RELAY_ASK.format(code=ticket.code, commune=commune.name, text=text),
                (Button(chat_texts.BTN_PA_ANSWER_STAFF, f"pa:fu:{ticket.code}"),),
            )
            return await relay(session, ticket, message, arm_followup=True, now=now)
        if action == "close":
            await service.close(
                session,
                ticket,
                note=text or None,
                staff=staff_ref,
                label=staff_label,
                now=now,
                rules=rules,
            )
            message = Reply(chat_texts.PA_RELAY_CLOSED.format(code=ticket.code))
            return await relay(session, ticket, message, arm_followup=False, now=now)
        if action == "reject":
            await service.reject(
                session,
                ticket,
                reason=text,
                staff=staff_ref,
                label=staff_label,
                now=now,
                rules=rules,
            )
            message = Reply(
                chat_texts.PA_RELAY_REJECTED.format(
                    code=ticket.code, reason=text, contact=contact_text(commune)
                )
            )
            return await relay(session, ticket, message, arm_followup=False, now=now)
    except service.TicketError:
        raise Closed from None
    raise ValueError(f"unknown action {action!r}")


async def assign(
    session: AsyncSession,
    ticket: Ticket,
    *,
    to_ref: str,
    to_label: str,
    by_ref: str,
    now: datetime,
) -> None:
    """A unit head gives the ticket to someone: recorded, not an acknowledgement."""
    if ticket.status in FINAL_STATUSES:
        raise Closed
    ticket.assignee, ticket.assignee_label = to_ref, to_label
    ticket.reminded_at = None
    ticket.updated_at = now
    await service.note(
        session, ticket, "assigned", f"staff:{by_ref}", now=now, data={"to": to_label}
    )
