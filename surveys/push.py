"""Sweeps driven by invitation rows: push the invitation after the visit, remind once,
expire what was not answered.

Each sweep is short and idempotent: it handles what is due now, claims rows with
``FOR UPDATE SKIP LOCKED`` (a no-op on SQLite, whose writer lock already serialises),
and records what it did on the row, so a restart or a second instance never pushes
twice. Pushes wait for daytime and go only where the resident can be reached: a channel
user the bot knows and can still write to, inside Zalo OA's free-reply window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.communes import CommuneProfile
from bot.outbox import Envelope, enqueue
from bot.reachability import can_reach
from bot.types import Reply
from surveys import service
from surveys.instrument import SurveyBook, default_book
from surveys.models import EXPIRED, PENDING, Invitation

log = logging.getLogger(__name__)

BATCH = 200

# Words the resident reads live with the handlers: (commune, invitation, reminder?) -> Reply.
Render = Callable[[CommuneProfile, Invitation, bool], Reply]


@dataclass
class SweepReport:
    pushed: int = 0
    reminded: int = 0
    postponed: int = 0
    skipped: int = 0
    expired: int = 0
    recorded: int = 0


async def _reachable(session: AsyncSession, invitation: Invitation, now: datetime) -> str | None:
    """Why the resident cannot be written to now (None when they can)."""
    if not await can_reach(
        session,
        invitation.commune_id,
        invitation.push_channel or "",
        invitation.push_user_id or "",
        now,
    ):
        # Never wrote to the bot (a bot cannot start a conversation), blocked it, or
        # outside Zalo OA's free reply window.
        return "not reachable on this channel now"
    return None


async def sweep(
    session: AsyncSession,
    *,
    now: datetime,
    profile: Callable[[int], CommuneProfile],
    render: Render,
    book: SurveyBook | None = None,
) -> SweepReport:
    """One pass of push, reminder and expiry, in the caller's transaction."""
    report = SweepReport()
    await _push(session, now, profile, render, report, reminder=False)
    await _push(session, now, profile, render, report, reminder=True)
    await _expire(session, now, book, profile, report)
    return report


async def _push(
    session: AsyncSession,
    now: datetime,
    profile: Callable[[int], CommuneProfile],
    render: Render,
    report: SweepReport,
    *,
    reminder: bool,
) -> None:
    due = Invitation.reminder_due_at if reminder else Invitation.push_due_at
    rows = (
        (
            await session.execute(
                select(Invitation)
                .where(Invitation.status == PENDING, due.is_not(None), due <= now)
                .order_by(due)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .all()
    )
    for invitation in rows:
        commune = profile(invitation.commune_id)
        options = service.SurveySettings.from_commune(commune.settings)
        if invitation.expires_at <= now or invitation.push_channel is None:
            invitation.push_due_at = invitation.reminder_due_at = None
            continue
        daytime = options.daytime(now)
        if daytime > now:
            if reminder:
                invitation.reminder_due_at = daytime
            else:
                invitation.push_due_at = daytime
            report.postponed += 1
            continue
        problem = await _reachable(session, invitation, now)
        if problem is not None:
            invitation.push_note = problem[:100]
            invitation.push_due_at = invitation.reminder_due_at = None
            report.skipped += 1
            continue
        reply = render(commune, invitation, reminder)
        enqueue(
            session,
            invitation.commune_id,
            [
                Envelope(
                    invitation.push_channel,
                    invitation.push_chat_id or invitation.push_user_id or "",
                    reply,
                    invitation.push_user_id,
                    "survey_reminder" if reminder else "survey_invitation",
                )
            ],
            now=now,
        )
        if reminder:
            invitation.reminded_at, invitation.reminder_due_at = now, None
            report.reminded += 1
        else:
            invitation.pushed_at, invitation.push_due_at = now, None
            next_at = now + timedelta(hours=options.reminder_after_hours)
            invitation.reminder_due_at = next_at if next_at < invitation.expires_at else None
            report.pushed += 1
    await session.flush()


async def _expire(
    session: AsyncSession,
    now: datetime,
    book: SurveyBook | None,
    profile: Callable[[int], CommuneProfile],
    report: SweepReport,
) -> None:
    """Expire unanswered invitations and forget who they were for. A questionnaire whose
    ratings were all given but never sent (the resident stopped at the comment) counts."""
    book = book or default_book()
    rows = (
        (
            await session.execute(
                select(Invitation)
                .where(Invitation.status == PENDING, Invitation.expires_at <= now)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .all()
    )
    for invitation in rows:
        progress = dict(invitation.progress or {})
        if progress and not invitation.reusable:
            commune = profile(invitation.commune_id)
            instrument = book.get(str(progress.get("_instrument"))) or book.for_commune(
                commune.slug, commune.settings
            )
            answers = {k: int(v) for k, v in progress.items() if not k.startswith("_")}
            if all(q.element in answers for q in instrument.questions):
                # Answer as of the moment before expiry, so it is still valid.
                await service.submit(
                    session,
                    invitation_id=invitation.id,
                    instrument=instrument,
                    answers=answers,
                    comment=None,
                    now=invitation.expires_at - timedelta(seconds=1),
                    options=service.SurveySettings.from_commune(commune.settings),
                )
                report.recorded += 1
                continue
        invitation.status = EXPIRED
        invitation.nonce = None
        invitation.progress = None
        invitation.push_channel = invitation.push_user_id = invitation.push_chat_id = None
        invitation.push_due_at = invitation.reminder_due_at = None
        report.expired += 1
    await session.flush()
