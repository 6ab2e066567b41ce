"""The complaint sweeps: short, idempotent passes over rows with due times.

- ``alerts``: tell staff about tickets opened outside a conversation (surveys).
- ``deadlines``: remind before the answer deadline, warn when nobody took a ticket,
  escalate to the unit head when overdue; only inside the commune's working hours, so
  nobody is woken at night and a reminder due on a Sunday goes out on Monday morning.
- ``photos``: fetch photos through the channel's MediaFetcher, check, re-encode, store.
- ``drafts``: erase complaint drafts (which may hold a name and phone) once expired.
- ``undelivered``: tell staff when an answer could not reach the resident.
- ``retention``: erase contact details of long-closed tickets and scrub contact
  details shown to staff from the outbox once sent.

Each marks what it did on the row (``reminded_at``...) in the same transaction as the
messages it queues, so a crash or a second instance never sends twice; on PostgreSQL
rows are claimed with ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.communes import CommuneDirectory, CommuneProfile
from bot.db.base import utcnow
from bot.db.engine import Database
from bot.db.models import Conversation, OutboxItem
from bot.media import MediaError, MediaFetcher, MediaGone
from bot.outbox import DEAD, SENT, UNDELIVERABLE, Envelope, enqueue
from bot.types import Reply
from complaints import codes, photos, routing, service
from complaints.models import (
    FINAL_STATUSES,
    IN_PROGRESS,
    RECEIVED,
    Ticket,
    TicketEvent,
    TicketPhoto,
)

log = logging.getLogger(__name__)

ACK_WARNING = timedelta(hours=2)  # warn when this much working time is left to take it
PHOTO_LEASE = timedelta(minutes=5)
PHOTO_ATTEMPTS = 6
NO_FETCHER_RETRY = timedelta(hours=1)
SCRUBBED = {"text": "[đã xóa sau khi gửi]", "buttons": []}
UPDATE_KIND = "complaint_update"
CONTACT_KIND = "contact_reveal"
ALERT_KIND = "staff_alert"
LOOKBACK = timedelta(days=7)


class StaffMessages(Protocol):
    """What the sweeps say to staff (rendered by handlers.staff)."""

    def alert(self, ticket: Ticket, photos: int, notify_only: bool = False) -> Reply: ...

    def ack_reminder(self, ticket: Ticket) -> Reply: ...

    def reminder(self, ticket: Ticket) -> Reply: ...

    def escalation(self, ticket: Ticket) -> Reply: ...

    def photo(self, ticket: Ticket, path: str) -> Reply: ...

    def undelivered(self, ticket: Ticket) -> Reply: ...


@dataclass
class Sweeps:
    db: Database
    communes: CommuneDirectory
    messages: StaffMessages
    uploads: Path
    media: Mapping[str, MediaFetcher] = field(default_factory=dict)
    on_outbox: Callable[[], None] = lambda: None
    clock: Callable[[], datetime] = utcnow

    def _claim(self, query: Any) -> Any:
        return query if self.db.is_sqlite else query.with_for_update(skip_locked=True)

    # --- alerts ------------------------------------------------------------------------

    async def alerts(self) -> int:
        now = self.clock()
        sent = 0
        for commune in self.communes.all():
            async with self.db.transaction() as session:
                tickets = list(
                    (
                        await session.execute(
                            self._claim(
                                select(Ticket)
                                .where(Ticket.commune_id == commune.id, Ticket.alerted_at.is_(None))
                                .order_by(Ticket.id)
                                .limit(100)
                            )
                        )
                    ).scalars()
                )
                if not tickets:
                    continue
                rules = await service.rules_for(session, commune.id, commune.settings)
                envelopes = []
                for ticket in tickets:
                    count = await service.photo_count(session, ticket.id)
                    for target in routing.alert_targets(
                        ticket.category, rules.settings, commune.staff_chats
                    ):
                        reply = self.messages.alert(ticket, count, target.notify_only)
                        envelopes.append(
                            Envelope(target.channel, target.chat_id, reply, kind=ALERT_KIND)
                        )
                    ticket.alerted_at = now
                    sent += 1
                enqueue(session, commune.id, envelopes, now=now)
        if sent:
            self.on_outbox()
        return sent

    # --- deadlines ---------------------------------------------------------------------

    async def deadlines(self) -> int:
        """Reminders and escalations due now; nothing outside working hours."""
        now = self.clock()
        count = 0
        for commune in self.communes.all():
            async with self.db.transaction() as session:
                count += await self._commune_deadlines(session, commune, now)
        if count:
            self.on_outbox()
        return count

    async def _commune_deadlines(
        self, session: AsyncSession, commune: CommuneProfile, now: datetime
    ) -> int:
        rules = await service.rules_for(session, commune.id, commune.settings)
        calendar, settings = rules.calendar, rules.settings
        if not calendar.is_working_time(now):
            return 0
        tickets = list(
            (
                await session.execute(
                    self._claim(
                        select(Ticket).where(
                            Ticket.commune_id == commune.id,
                            Ticket.status.in_((RECEIVED, IN_PROGRESS)),
                            Ticket.first_response_at.is_(None),
                            Ticket.waiting_since.is_(None),
                            or_(
                                and_(
                                    Ticket.acknowledged_at.is_(None),
                                    Ticket.ack_reminded_at.is_(None),
                                ),
                                Ticket.reminded_at.is_(None),
                                Ticket.escalated_at.is_(None),
                            ),
                        )
                    )
                )
            ).scalars()
        )
        envelopes: list[Envelope] = []
        remind_window = settings.remind_before_hours * 3600
        for t in tickets:
            unit = routing.unit_chats(t.unit, settings, commune.staff_chats)
            if (
                t.acknowledged_at is None
                and t.ack_reminded_at is None
                and calendar.working_seconds(now, t.ack_due_at) <= ACK_WARNING.total_seconds()
            ):
                reply = self.messages.ack_reminder(t)
                envelopes += [Envelope(ch, chat, reply, kind=ALERT_KIND) for ch, chat in unit]
                t.ack_reminded_at = now
                await service.note(session, t, "ack_reminded", service.SYSTEM, now=now)
            if t.due_at <= now:
                if t.escalated_at is None:
                    reply = self.messages.escalation(t)
                    chats = list(unit)
                    head = routing.person_chat(settings.head_of(t.unit))
                    if head is not None and head not in chats:
                        chats.append(head)
                    envelopes += [Envelope(ch, chat, reply, kind=ALERT_KIND) for ch, chat in chats]
                    t.escalated_at = now
                    t.reminded_at = t.reminded_at or now
                    await service.note(session, t, "escalated", service.SYSTEM, now=now)
            elif t.reminded_at is None and calendar.working_seconds(now, t.due_at) <= remind_window:
                reply = self.messages.reminder(t)
                person = routing.person_chat(t.assignee)
                chats = [person] if person is not None else unit
                envelopes += [Envelope(ch, chat, reply, kind=ALERT_KIND) for ch, chat in chats]
                t.reminded_at = now
                await service.note(session, t, "reminded", service.SYSTEM, now=now)
        enqueue(session, commune.id, envelopes, now=now)
        return len(envelopes)

    # --- photos ------------------------------------------------------------------------

    async def photos(self, batch: int = 20) -> int:
        now = self.clock()
        async with self.db.transaction() as session:
            rows = list(
                (
                    await session.execute(
                        self._claim(
                            select(TicketPhoto)
                            .where(
                                TicketPhoto.status == "pending",
                                TicketPhoto.next_attempt_at <= now,
                            )
                            .order_by(TicketPhoto.id)
                            .limit(batch)
                        )
                    )
                ).scalars()
            )
            for row in rows:
                row.next_attempt_at = now + PHOTO_LEASE  # claimed: nobody else takes it
        done = 0
        for row in rows:
            if await self._photo(row):
                done += 1
        if done:
            self.on_outbox()
        return done

    async def _photo(self, row: TicketPhoto) -> bool:
        commune = self.communes.by_id(row.commune_id)
        fetcher = self.media.get(row.channel)
        if fetcher is None:
            await self._photo_retry(row, "no fetcher for this channel", NO_FETCHER_RETRY)
            return False
        try:
            data = await fetcher.fetch(commune.slug, row.channel, row.file_ref)
        except MediaGone as exc:
            await self._photo_failed(row, "rejected", f"gone: {exc}"[:500])
            return False
        except (MediaError, OSError, TimeoutError) as exc:
            await self._photo_retry(row, f"{type(exc).__name__}: {exc}"[:500], None)
            return False
        try:
            clean = await asyncio.to_thread(photos.clean, data)
        except photos.PhotoRejected as exc:
            await self._photo_failed(row, "rejected", str(exc))
            return False
        folder = self.uploads / commune.slug
        async with self.db.transaction() as session:
            ticket = await session.get(Ticket, row.ticket_id)
            photo = await session.get(TicketPhoto, row.id)
            if ticket is None or photo is None or photo.status != "pending":
                return False
            name = f"{ticket.code}-{photo.id}-{secrets.token_hex(4)}.jpg"
            path = folder / name
            await asyncio.to_thread(_write, path, clean.data)
            photo.status, photo.path, photo.stored_at = "stored", str(path), self.clock()
            photo.content_type, photo.size = clean.content_type, len(clean.data)
            photo.width, photo.height, photo.error = clean.width, clean.height, None
            await service.note(
                session,
                ticket,
                "photo_stored",
                service.SYSTEM,
                now=self.clock(),
                data={"photo_id": photo.id, "source_type": clean.source_type},
            )
            if not ticket.confidential:
                rules = await service.rules_for(session, commune.id, commune.settings)
                reply = self.messages.photo(ticket, str(path))
                chats = routing.unit_chats(ticket.unit, rules.settings, commune.staff_chats)
                enqueue(
                    session,
                    commune.id,
                    [Envelope(ch, chat, reply, kind=ALERT_KIND) for ch, chat in chats],
                    now=self.clock(),
                )
        log.info("ticket %s: photo %s stored", ticket.code, row.id)
        return True

    async def _photo_retry(self, row: TicketPhoto, error: str, wait: timedelta | None) -> None:
        attempts = row.attempts + 1
        if attempts >= PHOTO_ATTEMPTS:
            await self._photo_failed(row, "failed", error)
            return
        delay = wait or timedelta(seconds=min(3600, 30 * 2**attempts))
        async with self.db.transaction() as session:
            await session.execute(
                update(TicketPhoto)
                .where(TicketPhoto.id == row.id)
                .values(attempts=attempts, error=error, next_attempt_at=self.clock() + delay)
            )

    async def _photo_failed(self, row: TicketPhoto, status: str, error: str) -> None:
        log.warning("photo %s of ticket %s not stored: %s", row.id, row.ticket_id, error)
        async with self.db.transaction() as session:
            await session.execute(
                update(TicketPhoto)
                .where(TicketPhoto.id == row.id)
                .values(status=status, error=error, attempts=row.attempts + 1)
            )
            ticket = await session.get(Ticket, row.ticket_id)
            if ticket is not None:
                await service.note(
                    session,
                    ticket,
                    "photo_rejected",
                    service.SYSTEM,
                    now=self.clock(),
                    data={"photo_id": row.id, "reason": error[:200]},
                )

    # --- drafts --------------------------------------------------------------------------

    async def drafts(self) -> int:
        """Erase expired complaint drafts: they may hold a name and a phone number."""
        now = self.clock()
        async with self.db.transaction() as session:
            result = await session.execute(
                update(Conversation)
                .where(
                    Conversation.state.like("complaints.%"),
                    Conversation.expires_at.is_not(None),
                    Conversation.expires_at <= now,
                )
                .values(state=None, data={}, expires_at=None, offered=[], updated_at=now)
                .execution_options(synchronize_session=False)
            )
        count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            log.info("erased %d expired complaint drafts", count)
        return count

    # --- undelivered answers -----------------------------------------------------------------

    async def undelivered(self) -> int:
        now = self.clock()
        reported = 0
        async with self.db.transaction() as session:
            rows = list(
                (
                    await session.execute(
                        select(OutboxItem).where(
                            OutboxItem.kind == UPDATE_KIND,
                            OutboxItem.status.in_((UNDELIVERABLE, DEAD)),
                            OutboxItem.created_at >= now - LOOKBACK,
                        )
                    )
                ).scalars()
            )
            for row in rows:
                found = codes.find_codes(str(row.reply.get("text", "")))
                if not found:
                    continue
                ticket = (
                    await session.execute(
                        select(Ticket).where(
                            Ticket.commune_id == row.commune_id, Ticket.code == found[0]
                        )
                    )
                ).scalar_one_or_none()
                if ticket is None:
                    continue
                known = (
                    await session.execute(
                        select(TicketEvent.data).where(
                            TicketEvent.ticket_id == ticket.id,
                            TicketEvent.kind == "undeliverable",
                        )
                    )
                ).scalars()
                if any(d.get("outbox_id") == row.id for d in known):
                    continue
                await service.note(
                    session,
                    ticket,
                    "undeliverable",
                    service.SYSTEM,
                    now=now,
                    data={"outbox_id": row.id, "status": row.status},
                )
                commune = self.communes.by_id(row.commune_id)
                rules = await service.rules_for(session, commune.id, commune.settings)
                reply = self.messages.undelivered(ticket)
                chats = routing.unit_chats(ticket.unit, rules.settings, commune.staff_chats)
                enqueue(
                    session,
                    commune.id,
                    [Envelope(ch, chat, reply, kind=ALERT_KIND) for ch, chat in chats],
                    now=now,
                )
                reported += 1
        if reported:
            self.on_outbox()
        return reported

    # --- retention ---------------------------------------------------------------------------

    async def retention(self) -> int:
        now = self.clock()
        erased = 0
        for commune in self.communes.all():
            async with self.db.transaction() as session:
                rules = await service.rules_for(session, commune.id, commune.settings)
                cutoff = now - timedelta(days=rules.settings.contact_retention_days)
                tickets = (
                    await session.execute(
                        select(Ticket).where(
                            Ticket.commune_id == commune.id,
                            Ticket.status.in_(FINAL_STATUSES),
                            Ticket.closed_at < cutoff,
                            or_(
                                Ticket.contact_name.is_not(None), Ticket.contact_phone.is_not(None)
                            ),
                        )
                    )
                ).scalars()
                for ticket in tickets:
                    if await service.erase_contact(session, ticket, actor=service.SYSTEM, now=now):
                        erased += 1
        async with self.db.transaction() as session:
            await session.execute(
                update(OutboxItem)
                .where(
                    OutboxItem.kind == CONTACT_KIND,
                    OutboxItem.status.in_((SENT, DEAD, UNDELIVERABLE)),
                )
                .values(reply=SCRUBBED)
                .execution_options(synchronize_session=False)
            )
        return erased


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(path)
