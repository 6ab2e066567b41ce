"""The retention schedule: each kind of personal data, how long it stays, and what
happens then (deleted, or anonymised where the record itself must stay).

``run(..., dry_run=True)`` counts what a real run would change, with the same queries,
and changes nothing. Kinds run in order and each one's selection already allows for the
ones before it, so the counts of a dry run are those of the real run that follows.

Every kind excludes what is still in use: updates not yet processed, messages not yet
sent (or not yet pulled by the web chat), dialogues still running, tickets and requests
not yet settled.

Application logs are not kept by the bot: they go to standard error for the service
manager or container runtime to rotate, and carry no personal data (the log canary
test over the whole test suite checks that).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.communes import CommuneProfile
from bot.db.engine import Database
from bot.db.models import Conversation, InboxItem, OutboxItem, Question
from bot.inbox import DONE, FAILED
from bot.outbox import DEAD, SENT, UNDELIVERABLE
from complaints import config as complaint_config
from complaints import service
from complaints.models import FINAL_STATUSES as TICKET_FINAL
from complaints.models import Ticket
from complaints.privacy import redact
from privacy import config
from privacy.config import PrivacySettings
from privacy.models import FINAL_STATUSES as REQUEST_FINAL
from privacy.models import PrivacyRequest

SCRUBBED = {"text": "[đã xóa sau khi gửi]", "buttons": []}
CONTACT_REVEAL = "contact_reveal"  # staff's view of a contact: scrubbed once sent
FINISHED_SENDS = (SENT, DEAD, UNDELIVERABLE)


@dataclass(frozen=True)
class Scope:
    session: AsyncSession
    commune: CommuneProfile
    settings: PrivacySettings
    now: datetime
    dry_run: bool


Action = Callable[[Scope], Awaitable[int]]


@dataclass(frozen=True)
class Kind:
    name: str
    what: str  # for the dry run's report
    action: Action


async def _count(scope: Scope, model: Any, where: Any) -> int:
    return int(
        (
            await scope.session.execute(select(func.count()).select_from(model).where(where))
        ).scalar_one()
    )


async def _apply(scope: Scope, model: Any, where: Any, statement: Any) -> int:
    if scope.dry_run:
        return await _count(scope, model, where)
    result = await scope.session.execute(
        statement.where(where).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def drafts(scope: Scope) -> int:
    """Dialogues timed out or untouched for ``draft_hours`` (a draft may hold a name)."""
    stale = scope.now - timedelta(hours=scope.settings.draft_hours)
    where = and_(
        Conversation.commune_id == scope.commune.id,
        Conversation.state.is_not(None),
        or_(Conversation.expires_at <= scope.now, Conversation.updated_at < stale),
    )
    values: dict[str, Any] = {"state": None, "data": {}, "expires_at": None, "offered": []}
    return await _apply(scope, Conversation, where, update(Conversation).values(**values))


async def conversations(scope: Scope) -> int:
    """Conversation rows of people idle for ``conversation_days``, no dialogue running."""
    cutoff = scope.now - timedelta(days=scope.settings.conversation_days)
    stale = scope.now - timedelta(hours=scope.settings.draft_hours)
    where = and_(
        Conversation.commune_id == scope.commune.id,
        Conversation.updated_at < cutoff,
        # No dialogue running, or one the drafts kind (run first) has just erased.
        or_(
            Conversation.state.is_(None),
            Conversation.expires_at <= scope.now,
            Conversation.updated_at < stale,
        ),
    )
    return await _apply(scope, Conversation, where, delete(Conversation))


async def inbox(scope: Scope) -> int:
    """Raw updates (message text, sender's name) processed ``inbox_days`` ago."""
    cutoff = scope.now - timedelta(days=scope.settings.inbox_days)
    where = and_(
        InboxItem.commune_id == scope.commune.id,
        InboxItem.status.in_((DONE, FAILED)),
        InboxItem.processed_at.is_not(None),
        InboxItem.processed_at < cutoff,
        InboxItem.received_at < cutoff,
    )
    if not scope.dry_run:
        # Replies keep their row; only the link goes (an inbox id SQLite hands out
        # again must not meet an old reply's unique (inbox_id, seq)).
        old = select(InboxItem.id).where(where)
        await scope.session.execute(
            update(OutboxItem)
            .where(OutboxItem.inbox_id.in_(old))
            .values(inbox_id=None)
            .execution_options(synchronize_session=False)
        )
    return await _apply(scope, InboxItem, where, delete(InboxItem))


async def outbox(scope: Scope) -> int:
    """Messages sent (or given up on) ``outbox_days`` ago; nothing still to send."""
    cutoff = scope.now - timedelta(days=scope.settings.outbox_days)
    where = and_(
        OutboxItem.commune_id == scope.commune.id,
        OutboxItem.status.in_(FINISHED_SENDS),
        OutboxItem.created_at < cutoff,
    )
    return await _apply(scope, OutboxItem, where, delete(OutboxItem))


async def contact_reveals(scope: Scope) -> int:
    """Contact details shown to a staff member, as soon as the message went out."""
    rows = await scope.session.execute(
        select(OutboxItem.id, OutboxItem.reply).where(
            OutboxItem.commune_id == scope.commune.id,
            OutboxItem.kind == CONTACT_REVEAL,
            OutboxItem.status.in_(FINISHED_SENDS),
        )
    )
    ids = [row_id for row_id, reply in rows.all() if reply != SCRUBBED]
    if not scope.dry_run:
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            await scope.session.execute(
                update(OutboxItem)
                .where(OutboxItem.id.in_(chunk))
                .values(reply=SCRUBBED)
                .execution_options(synchronize_session=False)
            )
    return len(ids)


async def ticket_contacts(scope: Scope) -> int:
    """Name and phone on tickets settled ``complaints.contact_retention_days`` ago."""
    days = complaint_config.for_commune(scope.commune.settings).contact_retention_days
    where = and_(
        Ticket.commune_id == scope.commune.id,
        Ticket.status.in_(TICKET_FINAL),
        Ticket.closed_at < scope.now - timedelta(days=days),
        or_(Ticket.contact_name.is_not(None), Ticket.contact_phone.is_not(None)),
    )
    if scope.dry_run:
        return await _count(scope, Ticket, where)
    erased = 0
    for ticket in (await scope.session.execute(select(Ticket).where(where))).scalars():
        if await service.erase_contact(scope.session, ticket, actor=service.SYSTEM, now=scope.now):
            erased += 1
    return erased


async def questions(scope: Scope) -> int:
    """The question log after ``question_log_days``: unlinked from the account and phone
    numbers blanked, so the figures and the review of unanswered questions keep working."""
    cutoff = scope.now - timedelta(days=scope.settings.question_log_days)
    where = and_(
        Question.commune_id == scope.commune.id,
        Question.created_at < cutoff,
        Question.user_id != "",
    )
    if scope.dry_run:
        return await _count(scope, Question, where)
    done = 0
    for row in (await scope.session.execute(select(Question).where(where))).scalars():
        row.user_id, row.text = "", redact(row.text)
        done += 1
    return done


async def requests(scope: Scope) -> int:
    """Settled privacy requests after ``request_days``: the record stays, the account goes."""
    cutoff = scope.now - timedelta(days=scope.settings.request_days)
    where = and_(
        PrivacyRequest.commune_id == scope.commune.id,
        PrivacyRequest.status.in_(REQUEST_FINAL),
        PrivacyRequest.completed_at < cutoff,
        PrivacyRequest.user_id != "",
    )
    values = {"user_id": "", "chat_id": "", "details": {}}
    return await _apply(scope, PrivacyRequest, where, update(PrivacyRequest).values(**values))


KINDS: tuple[Kind, ...] = (
    Kind("drafts", "dialogues in progress erased", drafts),
    Kind("conversations", "conversation rows deleted", conversations),
    Kind("inbox", "received updates deleted", inbox),
    # Before "outbox", which deletes old rows: a dry run counts both, so must a real one.
    Kind("contact_reveals", "contact details shown to staff scrubbed", contact_reveals),
    Kind("outbox", "sent messages deleted", outbox),
    Kind("ticket_contacts", "closed tickets' names and phones erased", ticket_contacts),
    Kind("questions", "logged questions anonymised", questions),
    Kind("requests", "settled requests anonymised", requests),
)


async def run(
    db: Database, communes: list[CommuneProfile], *, now: datetime, dry_run: bool
) -> dict[str, dict[str, int]]:
    """Per commune slug, per kind: how many rows were (or, dry, would be) changed.

    One transaction per commune; a dry run reads only.
    """
    report: dict[str, dict[str, int]] = {}
    for commune in communes:
        settings = config.for_commune(commune.settings)
        transaction = db.read() if dry_run else db.transaction()
        async with transaction as session:
            scope = Scope(session, commune, settings, now, dry_run)
            report[commune.slug] = {kind.name: await kind.action(scope) for kind in KINDS}
    return report
