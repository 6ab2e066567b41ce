"""The complaint inbox: the queue with filters, a ticket with its history and photos,
and the actions (take, reply, ask, close, reject, assign, reveal the contact)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web
from sqlalchemy import select

from bot.db.base import utcnow
from complaints import service
from complaints.categories import CATEGORIES, UNIT_NAMES, category
from complaints.models import FINAL_STATUSES, STATUS_LABELS, Ticket, TicketPhoto
from complaints.privacy import mask_name, mask_phone, redact
from handlers.staff import EVENT_LABELS
from staff import accounts, audit, desk
from staff.roles import Perm, can
from staff.web import (
    Staff,
    client_ip,
    forbidden,
    form,
    not_found,
    page,
    redirect,
    render,
    runtime_of,
    text_field,
)

EVENT_LABELS_WEB = {**EVENT_LABELS, "assigned": "giao xử lý"}


def may_see(staff: Staff, ticket: Ticket) -> bool:
    """Formal complaints and denunciations: content for designated officers only."""
    return not ticket.confidential or staff.account.confidential


@page(Perm.COMPLAINTS_VIEW)
async def inbox(request: web.Request, staff: Staff) -> web.StreamResponse:
    q = request.query
    try:
        page_no = max(1, int(q.get("page", "1")))
    except ValueError:
        page_no = 1
    filters = desk.Filters(
        status=q.get("status", "open"),
        category=q.get("category", "") if q.get("category", "") in CATEGORIES else "",
        overdue=q.get("overdue") == "1",
        mine=staff.ref if q.get("mine") == "1" else None,
        page=page_no,
    )
    runtime = runtime_of(request)
    now = utcnow()
    async with runtime.db.read() as session:
        tickets, total = await desk.listing(session, staff.commune.id, filters, now)
    return render(
        request,
        "complaints.html",
        section="complaints",
        tickets=tickets,
        total=total,
        filters=filters,
        pages=max(1, -(-total // desk.PAGE_SIZE)),
        statuses=STATUS_LABELS,
        categories=CATEGORIES,
        category=category,
        overdue=lambda t: desk.is_overdue(t, now),
        summary=lambda t: _summary(staff, t),
    )


def _summary(staff: Staff, ticket: Ticket, limit: int = 140) -> str:
    if not may_see(staff, ticket):
        return "[bảo mật]"
    text = " ".join(redact(ticket.text, ticket.contact_name, ticket.contact_phone).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def _ticket(request: web.Request, staff: Staff, session: object) -> Ticket | None:
    from sqlalchemy.ext.asyncio import AsyncSession

    assert isinstance(session, AsyncSession)
    return await service.by_code(session, staff.commune.id, request.match_info["code"])


async def _ticket_page(
    request: web.Request, staff: Staff, *, revealed: bool = False
) -> web.StreamResponse:
    runtime = runtime_of(request)
    now = utcnow()
    async with runtime.db.read() as session:
        ticket = await _ticket(request, staff, session)
        if ticket is None:
            return not_found(request)
        events = await service.history(session, ticket.id)
        photos = await desk.photos(session, ticket.id)
        people = [
            a
            for a in await accounts.in_commune(session, staff.commune.id)
            if a.active and can(a.role, Perm.COMPLAINTS_ACT)
        ]
    visible = may_see(staff, ticket)
    text = (
        ticket.text if revealed else redact(ticket.text, ticket.contact_name, ticket.contact_phone)
    )
    return render(
        request,
        "complaint.html",
        section="complaints",
        t=ticket,
        visible=visible,
        text=text,
        events=events,
        photos=[p for p in photos if p.status == "stored" and p.path],
        pending_photos=len([p for p in photos if p.status != "stored"]),
        people=people,
        revealed=revealed,
        masked_name=mask_name(ticket.contact_name),
        masked_phone=mask_phone(ticket.contact_phone),
        status_label=STATUS_LABELS.get(ticket.status, ticket.status),
        category_label=category(ticket.category).label,
        unit_label=UNIT_NAMES.get(ticket.unit, ticket.unit),
        event_labels=EVENT_LABELS_WEB,
        overdue=desk.is_overdue(ticket, now),
        closed=ticket.status in FINAL_STATUSES,
        redact=lambda s: (
            s if revealed else redact(s or "", ticket.contact_name, ticket.contact_phone)
        ),
    )


@page(Perm.COMPLAINTS_VIEW)
async def ticket_page(request: web.Request, staff: Staff) -> web.StreamResponse:
    return await _ticket_page(request, staff)


async def _act(request: web.Request, staff: Staff, action: str) -> web.StreamResponse:
    data = await form(request)
    text = text_field(data, "text", service.MAX_TEXT)
    if action in ("reply", "ask", "reject") and not text:
        raise redirect(request.path.rsplit("/", 1)[0], err="empty")
    runtime = runtime_of(request)
    now = utcnow()
    async with runtime.db.transaction() as session:
        ticket = await _ticket(request, staff, session)
        if ticket is None:
            return not_found(request)
        if not may_see(staff, ticket):
            return forbidden(request)
        try:
            problem = await desk.act(
                session,
                staff.commune,
                ticket,
                action,
                staff_ref=staff.ref,
                staff_label=staff.label,
                text=text,
                now=now,
            )
        except desk.Closed:
            raise redirect(request.path.rsplit("/", 1)[0], err="closed") from None
        code = ticket.code
    runtime.relay.wake()
    done = {"take": "taken", "reply": "replied", "ask": "asked", "close": "closed"}
    raise redirect(f"/staff/complaints/{code}", ok=done.get(action, "rejected"), err=problem or "")


@page(Perm.COMPLAINTS_ACT)
async def take(request: web.Request, staff: Staff) -> web.StreamResponse:
    return await _act(request, staff, "take")


@page(Perm.COMPLAINTS_ACT)
async def reply(request: web.Request, staff: Staff) -> web.StreamResponse:
    return await _act(request, staff, "reply")


@page(Perm.COMPLAINTS_ACT)
async def ask(request: web.Request, staff: Staff) -> web.StreamResponse:
    return await _act(request, staff, "ask")


@page(Perm.COMPLAINTS_ACT)
async def close(request: web.Request, staff: Staff) -> web.StreamResponse:
    return await _act(request, staff, "close")


@page(Perm.COMPLAINTS_ACT)
async def reject(request: web.Request, staff: Staff) -> web.StreamResponse:
    return await _act(request, staff, "reject")


@page(Perm.COMPLAINTS_ASSIGN)
async def assign(request: web.Request, staff: Staff) -> web.StreamResponse:
    data = await form(request)
    username = text_field(data, "account", 64)
    runtime = runtime_of(request)
    now = utcnow()
    async with runtime.db.transaction() as session:
        ticket = await _ticket(request, staff, session)
        if ticket is None:
            return not_found(request)
        person = await accounts.by_username(session, username)
        if (
            person is None
            or not person.active
            or person.commune_id != staff.commune.id
            or not can(person.role, Perm.COMPLAINTS_ACT)
            or (ticket.confidential and not person.confidential)
        ):
            raise redirect(f"/staff/complaints/{ticket.code}", err="invalid")
        try:
            await desk.assign(
                session,
                ticket,
                to_ref=person.chat_ref or f"staffweb:{person.username}",
                to_label=person.display_name,
                by_ref=staff.ref,
                now=now,
            )
        except desk.Closed:
            raise redirect(f"/staff/complaints/{ticket.code}", err="closed") from None
        code = ticket.code
    raise redirect(f"/staff/complaints/{code}", ok="assigned")


@page(Perm.REVEAL)
async def reveal(request: web.Request, staff: Staff) -> web.StreamResponse:
    """Show the resident's name, phone and unredacted text, and log that it was shown."""
    runtime = runtime_of(request)
    now = utcnow()
    async with runtime.db.transaction() as session:
        ticket = await _ticket(request, staff, session)
        if ticket is None:
            return not_found(request)
        if not may_see(staff, ticket):
            return forbidden(request)
        await service.note(
            session, ticket, "contact_viewed", f"staff:{staff.ref}", now=now, data={"web": True}
        )
        audit.record(
            session,
            action="reveal_contact",
            username=staff.account.username,
            account_id=staff.account.id,
            commune_id=staff.commune.id,
            now=now,
            target=ticket.code,
            ip=client_ip(request),
        )
    return await _ticket_page(request, staff, revealed=True)


def _stored_file(stored: str, data_dir: Path) -> Path | None:
    """The photo's file if it lies inside the uploads folder (as the photo sweep wrote it)."""
    uploads = (data_dir / "uploads").resolve()
    resolved = Path(stored).resolve()
    return resolved if resolved.is_relative_to(uploads) and resolved.is_file() else None


@page(Perm.COMPLAINTS_VIEW)
async def photo(request: web.Request, staff: Staff) -> web.StreamResponse:
    """A stored photo, only through this check: the uploads folder is never served."""
    runtime = runtime_of(request)
    try:
        photo_id = int(request.match_info["photo"])
    except ValueError:
        return not_found(request)
    async with runtime.db.read() as session:
        ticket = await _ticket(request, staff, session)
        if ticket is None:
            return not_found(request)
        row = (
            await session.execute(
                select(TicketPhoto).where(
                    TicketPhoto.id == photo_id, TicketPhoto.ticket_id == ticket.id
                )
            )
        ).scalar_one_or_none()
    if row is None or not row.path or row.status != "stored":
        return not_found(request)
    if not may_see(staff, ticket):
        return forbidden(request)
    resolved = await asyncio.to_thread(_stored_file, row.path, runtime.settings.data_dir)
    if resolved is None:
        return not_found(request)
    return web.FileResponse(
        resolved,
        headers={
            "Content-Type": row.content_type or "image/jpeg",
            "Cache-Control": "private, no-store",
            "Content-Disposition": "inline",
        },
    )
